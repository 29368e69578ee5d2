"""Pages benchmark: the home page and the body list of the demo, against a trivial Django
view answering "ok", side by side in one process.

All three go through the whole production middleware stack with Django's test Client,
as an anonymous visitor in French, interleaved request by request so that drift in the
machine hits them alike. The baseline is what Django itself costs per request; the
ratio says how many times that our home page costs:

    ratio = median latency of "/" / median latency of the trivial view

It runs on a throwaway SQLite database in a temporary folder (migrated, demo loaded),
also when DATABASE_URL is set: it measures the cost of our pages against Django's own,
not a database server. It ends with one line:

    bench: pages ratio=<x> home_ms=<median> bodies_ms=<median> baseline_ms=<median>
        queries_home=<count>

BENCH_PAGES_N sets the number of measured requests per page (default 300).
"""

import os
import shutil
import statistics
import sys
import tempfile
import time

N = int(os.environ.get("BENCH_PAGES_N", "300"))
WARMUP = 30
PAGES = {"baseline": "/bench/ok/", "home": "/", "bodies": "/bodies/"}


def prepare_environment(data_dir: str) -> None:
    """Point the production settings at a fresh data dir, SQLite and in-process caches."""
    for variable, why in (("DATABASE_URL", "SQLite in a temporary folder is used instead"),
                          ("REDIS_URL", "the in-process cache is used instead")):
        if os.environ.pop(variable, ""):
            print(f"pages bench: {variable} is ignored here: {why}.")
    os.environ["AUTOGESTION_DATA_DIR"] = data_dir
    # WhiteNoise warns when STATIC_ROOT is missing (no collectstatic); files come from
    # the finders anyway.
    os.makedirs(os.path.join(data_dir, "static"), exist_ok=True)
    os.environ["DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "autogestion.config.settings"


def setup_database() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from autogestion.core.demo import load_demo

    call_command("migrate", verbosity=0)
    load_demo()


def timed_get(client, path: str) -> float:
    """Milliseconds for one GET, checked to answer 200."""
    start = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise SystemExit(f"pages bench: {path} answered {response.status_code}")
    return elapsed


def count_queries(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return len(queries.captured_queries)


def measure(client) -> dict[str, list[float]]:
    """N timings per page, taken in turn, after WARMUP requests of each."""
    for _ in range(WARMUP):
        for path in PAGES.values():
            timed_get(client, path)
    timings: dict[str, list[float]] = {name: [] for name in PAGES}
    for _ in range(N):
        for name, path in PAGES.items():
            timings[name].append(timed_get(client, path))
    return timings


def run() -> str:
    from django.test import Client
    from django.test.utils import override_settings

    with override_settings(ROOT_URLCONF="pages_urls", ALLOWED_HOSTS=["testserver"]):
        client = Client()
        home = client.get("/")
        if "Toulousaine" not in home.content.decode():
            raise SystemExit("pages bench: the home page does not show the demo cooperative")
        timings = measure(client)
        queries = {name: count_queries(client, path) for name, path in PAGES.items()}
    medians = {name: statistics.median(values) for name, values in timings.items()}
    for name, values in timings.items():
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"  {name:9} {PAGES[name]:12} median {medians[name]:7.2f} ms   "
              f"p90 {p90:7.2f} ms   {queries[name]} queries")
    ratio = medians["home"] / medians["baseline"]
    return (f"bench: pages ratio={ratio:.2f} home_ms={medians['home']:.2f} "
            f"bodies_ms={medians['bodies']:.2f} baseline_ms={medians['baseline']:.2f} "
            f"queries_home={queries['home']}")


def main() -> int:
    data_dir = tempfile.mkdtemp(prefix="autogestion-bench-pages-")
    try:
        prepare_environment(data_dir)
        print(f"pages bench: demo on SQLite in {data_dir}; {N} anonymous requests per page "
              f"after {WARMUP} of warm-up, interleaved; baseline: a view answering \"ok\".",
              flush=True)
        setup_database()
        line = run()
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        shutil.rmtree(data_dir, ignore_errors=True)
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
