"""Ledger benchmark: payments per second through the service layer against pgbench's
built-in TPC-B-like transaction, with the same number of clients on the same
PostgreSQL server, side by side in one run.

Ours: `economy.services.pay` (the account lookup, the permission and membership
checks, and the move: two balance updates with both limits checked, the payment row and
its two entries, in one statement prepared once per connection), called in a loop by C
clients, each a thread with its own database connection, between random pairs of N
accounts (BENCH_LEDGER_ACCOUNTS, default 1,000) with limits generous enough that
nothing is refused. Its baseline: `pgbench -b tpcb-like -n -c C -j C -T <seconds>`
(three balance updates, one select and a history insert per transaction), its tps
"without initial connection time". For C in 1, 4 and 8 (BENCH_LEDGER_CLIENTS), ours
and pgbench are measured BENCH_LEDGER_ROUNDS times (default 3) for
BENCH_LEDGER_SECONDS / rounds each (default 10 s in all, whole seconds), interleaved,
who goes first alternating, each measure after a CHECKPOINT so that the WAL of the
initial load is not flushed during whichever comes first; each figure is the median of
its rounds (on a 2-core machine a single measure varied by +-40 %), and

    ratio_C = ours_C / pgbench_C          ratio = min over C of ratio_C

The aim: ratio >= 0.8. With BENCH_LEDGER_PROCESSES=1 (the default), ours is measured a
second time with C worker processes instead of C threads (as N web workers would run
it): a Python process holds one core at a time (the GIL), so threads alone measure
Python as much as the ledger. Those figures come as `proc_<C>=` / `ratio_proc=`; the
headline `ratio` stays the threads' one.

Through the HTTP API too (BENCH_LEDGER_HTTP=0 skips it): `uvicorn
autogestion.config.asgi:application --workers W` (W = BENCH_LEDGER_HTTP_WORKERS, default
the number of cores; psycopg's pool on, as DATABASE_POOL=1 sets it for production,
unless BENCH_LEDGER_HTTP_POOL=0), and C client threads on kept-alive connections, each
paying from 20 accounts of its own with their API tokens: `POST /api/payments` with a
fresh Idempotency-Key each time. Reported as `http_<C>=` and `ratio_http=` (against the
same pgbench figures).

PostgreSQL only: without DATABASE_URL it says so and prints `bench: ledger
skipped=no-postgresql`. It creates two fresh databases next to DATABASE_URL's:
`autogestion_bench_ledger_<pid>` (migrated; the currency through the services, the
members and their accounts written in bulk) and `autogestion_bench_pgbench_<pid>`
(`pgbench -i -s S`, S = BENCH_LEDGER_SCALE, default the largest C, as pgbench's
documentation advises, so that its branches are not one hot row), and drops both at the
end. Django's settings are per process, so the measuring runs in a child process. Last line:

    bench: ledger ratio=<min ours/pgbench> tps_1=.. pg_1=.. tps_4=.. pg_4=.. tps_8=..
        pg_8=.. ratio_proc=.. proc_1=.. ratio_http=.. http_1=.. http_workers=W
        queries=<per payment> accounts=<N> seconds=<T> scale=<S> aim=<met|missed>

It takes about two and a half minutes.
"""

import contextlib
import json
import multiprocessing
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

AIM = 0.8
CLIENTS = tuple(int(n) for n in os.environ.get("BENCH_LEDGER_CLIENTS", "1,4,8").split(",")
                if n)
SECONDS = float(os.environ.get("BENCH_LEDGER_SECONDS", "10"))
# Each figure is the median of ROUNDS measures of SECONDS / ROUNDS (whole seconds, as
# pgbench -T takes them), ours and pgbench interleaved: one unlucky stretch of a shared
# machine then moves neither side.
ROUNDS = max(1, int(os.environ.get("BENCH_LEDGER_ROUNDS", "3")))
SPAN = max(1, round(SECONDS / ROUNDS))
ACCOUNTS = int(os.environ.get("BENCH_LEDGER_ACCOUNTS", "1000"))
SCALE = int(os.environ.get("BENCH_LEDGER_SCALE", "0")) or max(CLIENTS)
PROCESSES = os.environ.get("BENCH_LEDGER_PROCESSES", "1") not in {"0", "", "no"}
HTTP_ON = os.environ.get("BENCH_LEDGER_HTTP", "1") not in {"0", "", "no"}
HTTP_WORKERS = int(os.environ.get("BENCH_LEDGER_HTTP_WORKERS", "0")) or os.cpu_count() or 1
# The server's connections: psycopg's pool (DATABASE_POOL=1, the production setting
# documented for PostgreSQL) unless BENCH_LEDGER_HTTP_POOL=0 (a connection per request).
HTTP_POOL = os.environ.get("BENCH_LEDGER_HTTP_POOL", "1") not in {"0", "", "no"}
HTTP_PAYERS = 20  # payers (each with an API token) per HTTP client
GENEROUS = 10**12


# Parent: the databases and the child -------------------------------------------------

def _url_for(database_url: str, name: str) -> str:
    return urlunsplit(urlsplit(database_url)._replace(path=f"/{name}"))


def main() -> int:
    started = time.perf_counter()
    database_url = os.environ.get("DATABASE_URL", "").strip()
    if not database_url.startswith(("postgres", "pgsql")):
        print("ledger bench: skipped: no PostgreSQL (DATABASE_URL is not set); the ledger "
              "is measured against pgbench on PostgreSQL only.", flush=True)
        print("bench: ledger skipped=no-postgresql", flush=True)
        return 0
    pgbench = shutil.which("pgbench") or ("/usr/bin/pgbench"
                                          if Path("/usr/bin/pgbench").exists() else None)
    if pgbench is None:
        print("ledger bench: pgbench is missing (Debian: apt-get install postgresql-client)",
              flush=True)
        print("bench: ledger skipped=no-pgbench", flush=True)
        return 1
    import psycopg

    ours_db = f"autogestion_bench_ledger_{os.getpid()}"
    theirs_db = f"autogestion_bench_pgbench_{os.getpid()}"
    try:
        admin = psycopg.connect(database_url, dbname="postgres", autocommit=True,
                                connect_timeout=5)
    except psycopg.OperationalError as error:
        print(f"ledger bench: the server of DATABASE_URL does not answer "
              f"({str(error).strip()}). Start it as .ci/run does.", flush=True)
        return 1
    line, status = None, 1
    with admin:
        try:
            for name in (ours_db, theirs_db):
                admin.execute(f'CREATE DATABASE "{name}"')
            parts = urlsplit(database_url)
            print(f"ledger bench: databases {ours_db} and {theirs_db} created on "
                  f"{parts.hostname}:{parts.port or 5432}.", flush=True)
            status, line = run_child(database_url, ours_db, theirs_db, pgbench)
        finally:
            for name in (ours_db, theirs_db):
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            print(f"ledger bench: databases {ours_db} and {theirs_db} dropped.", flush=True)
    print(f"ledger bench: done in {time.perf_counter() - started:.0f} s.", flush=True)
    if line:
        print(line, flush=True)
    elif not status:
        status = 1
    return status


def run_child(database_url: str, ours_db: str, theirs_db: str,
              pgbench: str) -> tuple[int, str | None]:
    data_dir = tempfile.mkdtemp(prefix="autogestion-bench-ledger-")
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    env.pop("DATABASE_POOL", None)
    env.update(DATABASE_URL=_url_for(database_url, ours_db), AUTOGESTION_DATA_DIR=data_dir,
               DEBUG="0", DJANGO_SETTINGS_MODULE="autogestion.config.settings",
               BENCH_LEDGER_PGBENCH=pgbench,
               BENCH_LEDGER_PGBENCH_URL=_url_for(database_url, theirs_db))
    line = None
    try:
        child = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--child"],
                                 env=env, stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        for out in child.stdout:
            if out.startswith("bench: ledger "):
                line = out.rstrip("\n")
            else:
                print(out, end="", flush=True)
        status = child.wait()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    if status:
        print(f"ledger bench: the measuring process failed (status {status}).", flush=True)
    return status, line


# Child: pgbench ----------------------------------------------------------------------

def _pgbench_args(url: str) -> tuple[list[str], dict[str, str]]:
    parts = urlsplit(url)
    args = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    if parts.username:
        args += ["-U", parts.username]
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = parts.password
    return args, env


def pgbench_init() -> float:
    pgbench, url = os.environ["BENCH_LEDGER_PGBENCH"], os.environ["BENCH_LEDGER_PGBENCH_URL"]
    args, env = _pgbench_args(url)
    start = time.perf_counter()
    subprocess.run([pgbench, "-i", "-q", "-s", str(SCALE), *args,
                    urlsplit(url).path.lstrip("/")], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def pgbench_run(clients: int, seconds: float) -> float:
    """pgbench's tps without the initial connection time."""
    pgbench, url = os.environ["BENCH_LEDGER_PGBENCH"], os.environ["BENCH_LEDGER_PGBENCH_URL"]
    args, env = _pgbench_args(url)
    done = subprocess.run(
        [pgbench, "-b", "tpcb-like", "-n", "-c", str(clients), "-j", str(clients),
         "-T", str(max(1, round(seconds))), *args, urlsplit(url).path.lstrip("/")],
        env=env, capture_output=True, text=True, check=True)
    found = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", done.stdout)
    if not found:
        raise SystemExit(f"ledger bench: cannot read pgbench's output:\n{done.stdout}")
    return float(found.group(1))


def settle() -> None:
    """A CHECKPOINT before every measure, ours or pgbench's: the initial load (pgbench -i
    writes scale x 100,000 rows) would otherwise flush its WAL during whichever measure
    comes first. Needs a superuser (or pg_checkpoint); without one it says so once."""
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError as error:
        if not getattr(settle, "warned", False):
            print(f"ledger bench: no CHECKPOINT between measures ({error}).", flush=True)
            settle.warned = True


# Child: ours -------------------------------------------------------------------------

def setup_django() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def create_data() -> list[tuple[int, int]]:
    """The cooperative and its currency through the services; N people, their
    memberships and accounts in bulk (the write path measured here is the payment).
    [(account, person)]"""
    from django.db import connection, transaction

    from autogestion.accounts.models import User
    from autogestion.cooperatives import services as cooperatives
    from autogestion.cooperatives.models import Membership
    from autogestion.cooperatives.rules import Role, Status
    from autogestion.core import clock
    from autogestion.economy import services
    from autogestion.economy.models import Account, AccountKind

    operator = User.objects.create_superuser(email="operator@bench.example", password=None)
    coop = cooperatives.create_body(actor=operator, kind="cooperative", name="CIT du banc",
                                    legal_form="integral")
    currency = services.create_currency(actor=operator, cooperative=coop, code="banc",
                                        name="Banc", symbol="B")
    with transaction.atomic():
        people = User.objects.bulk_create(
            [User(username=f"p{i}@bench.example", email=f"p{i}@bench.example",
                  display_name=f"Personne {i}", password="!", email_reminders=False)
             for i in range(ACCOUNTS)], batch_size=1000)
        now = clock.now()
        Membership.objects.bulk_create(
            [Membership(person=person, body=coop, role=Role.MEMBER, status=Status.ACTIVE,
                        joined_at=now) for person in people], batch_size=1000)
        accounts = Account.objects.bulk_create(
            [Account(currency=currency, kind=AccountKind.MEMBER, person=person,
                     name=person.display_name, debit_limit=GENEROUS) for person in people],
            batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return [(a.pk, a.person_id) for a in accounts]


def _pairs(seed: int, count: int, accounts: list) -> list:
    rng = random.Random(seed)
    return [(*rng.sample(accounts, 2), rng.randint(1, 10_000)) for _ in range(count)]


def _pay_loop(people: dict, accounts: list, seed: int, deadline_at: float,
              stop: threading.Event | None = None) -> tuple[int, int]:
    """Pay until the deadline: (accepted, refused)."""
    from autogestion.core.errors import DomainError
    from autogestion.economy import services
    from autogestion.economy.models import Account

    # Callers that know the currency (the API, the pages) take the one-statement path.
    currency_id = Account.objects.get(pk=accounts[0][0]).currency_id
    work = _pairs(seed, 5000, accounts)
    accepted = refused = i = 0
    while time.perf_counter() < deadline_at and not (stop and stop.is_set()):
        (payer, person), (payee, _other), amount = work[i % len(work)]
        i += 1
        try:
            services.pay(actor=people[person], payer_id=payer, payee_id=payee, amount=amount,
                         currency_id=currency_id)
            accepted += 1
        except DomainError:
            refused += 1
    return accepted, refused


def _people(accounts: list) -> dict:
    from autogestion.accounts.models import User

    return {u.pk: u for u in User.objects.filter(pk__in=[p for _a, p in accounts])}


def ours_threads(clients: int, accounts: list, seconds: float) -> tuple[float, int]:
    """Payments per second with `clients` threads, each with its own connection."""
    from django.db import connection

    people = _people(accounts)
    barrier = threading.Barrier(clients + 1)
    results: list[tuple[int, int]] = []
    failures: list[BaseException] = []
    window: dict[str, float] = {}

    def client(n: int) -> None:
        try:
            _pay_loop(people, accounts, 7000 + n, time.perf_counter() + 0.3)  # warm-up
            barrier.wait()
            barrier.wait()
            results.append(_pay_loop(people, accounts, n, window["end"]))
        except BaseException as error:
            failures.append(error)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    window["start"] = time.perf_counter()
    window["end"] = window["start"] + seconds
    barrier.wait()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    elapsed = time.perf_counter() - window["start"]
    return sum(a for a, _r in results) / elapsed, sum(r for _a, r in results)


def _process_client(n: int, accounts: list, ready, go, out) -> None:
    import django

    django.setup()
    from django.db import connection

    try:
        people = _people(accounts)
        _pay_loop(people, accounts, 9000 + n, time.perf_counter() + 0.3)
        ready.put(n)
        start, seconds = go.get()
        # Every process starts at the same moment on the same clock.
        time.sleep(max(0.0, start - time.time()))
        began = time.perf_counter()
        out.put(_pay_loop(people, accounts, 100 + n, began + seconds))
    finally:
        connection.close()


def ours_processes(clients: int, accounts: list, seconds: float) -> tuple[float, int]:
    """Payments per second with `clients` worker processes (spawned: fresh
    interpreters, each with its own connection)."""
    context = multiprocessing.get_context("spawn")
    ready, go, out = context.Queue(), context.Queue(), context.Queue()
    processes = [context.Process(target=_process_client, args=(n, accounts, ready, go, out))
                 for n in range(clients)]
    for process in processes:
        process.start()
    try:
        for _ in processes:
            ready.get(timeout=120)
        start = time.time() + 0.2
        for _ in processes:
            go.put((start, seconds))
        results = [out.get(timeout=seconds + 120) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    return sum(a for a, _r in results) / seconds, sum(r for _a, r in results)


# Child: ours through the HTTP API ---------------------------------------------------------

def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def api_tokens(accounts: list, count: int) -> list[tuple[int, str]]:
    """[(account, token)] for the first `count` accounts, the tokens made by the service
    a person uses on their profile page."""
    from autogestion.accounts import services as accounts_services

    people = _people(accounts)
    return [(account, accounts_services.create_api_token(person=people[person],
                                                         name="bench")[1])
            for account, person in accounts[:count]]


@contextlib.contextmanager
def http_server():
    """`uvicorn autogestion.config.asgi:application --workers W` on a free port, as
    `autogestion serve --workers W` runs it; stopped on leaving."""
    import signal
    import urllib.request

    port = _free_port()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "autogestion.config.asgi:application",
             "--host", "127.0.0.1", "--port", str(port), "--workers", str(HTTP_WORKERS),
             "--lifespan", "off", "--no-access-log", "--log-level", "warning"],
            cwd=Path(__file__).resolve().parent.parent, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, env=dict(os.environ, DATABASE_POOL="1" if HTTP_POOL else "",
                                             DATABASE_POOL_SIZE=str(max(CLIENTS) + 2)))
        try:
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise SystemExit("ledger bench: the HTTP server did not start:\n"
                                     + log.read().decode(errors="replace")[-3000:])
                with contextlib.suppress(OSError), \
                        opener.open(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        break
                time.sleep(0.2)
            yield port
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
                try:
                    server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(server.pid, signal.SIGKILL)
                    server.wait(timeout=15)


def ours_http(clients: int, port: int, tokens: list[tuple[int, str]],
              accounts: list) -> tuple[float, int]:
    """Payments per second through POST /api/payments, `clients` threads each on a
    kept-alive connection, each paying from its own HTTP_PAYERS accounts."""
    import http.client
    import uuid

    targets = [account for account, _person in accounts]
    counts = [0] * clients
    errors: list[str] = []
    barrier = threading.Barrier(clients + 1)
    window: dict[str, float] = {}

    def client(n: int) -> None:
        mine = tokens[n * HTTP_PAYERS:(n + 1) * HTTP_PAYERS]
        rng = random.Random(500 + n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

        def one() -> bool:
            payer, token = rng.choice(mine)
            payee = rng.choice(targets)
            while payee == payer:
                payee = rng.choice(targets)
            body = json.dumps({"payer_id": payer, "payee_id": payee,
                               "amount": f"{rng.randint(1, 10_000) / 100:.2f}"})
            conn.request("POST", "/api/payments", body=body, headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/json",
                "Idempotency-Key": uuid.uuid4().hex})
            answer = conn.getresponse()
            text = answer.read()
            if answer.status != 201:
                errors.append(f"{answer.status} {text[:300]!r}")
            return answer.status == 201

        try:
            warm = time.perf_counter() + 0.5
            while time.perf_counter() < warm:
                one()
            barrier.wait()
            barrier.wait()
            while time.perf_counter() < window["end"]:
                counts[n] += one()
        except BaseException as error:
            errors.append(repr(error))
            barrier.abort()
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait()
        window["start"] = time.perf_counter()
        window["end"] = window["start"] + SECONDS
        barrier.wait()
    for thread in threads:
        thread.join()
    if errors and not any(counts):
        raise SystemExit(f"ledger bench: the API refused every payment: {errors[0]}")
    return sum(counts) / (time.perf_counter() - window.get("start", time.perf_counter())), \
        len(errors)


def measure(clients: int, accounts: list, turn: int) -> tuple[float, float, float | None, int]:
    """(ours in threads, pgbench, ours in processes or None, refused): medians of ROUNDS
    interleaved measures of SPAN seconds each, who goes first alternating."""
    ours, theirs, procs, refused = [], [], [], 0
    for round_ in range(ROUNDS):
        steps = ["ours", "pgbench"] if (turn + round_) % 2 == 0 else ["pgbench", "ours"]
        if PROCESSES:
            steps.append("processes")
        for step in steps:
            settle()
            if step == "ours":
                rate, no = ours_threads(clients, accounts, SPAN)
                ours.append(rate)
                refused += no
            elif step == "pgbench":
                theirs.append(pgbench_run(clients, SPAN))
            else:
                procs.append(ours_processes(clients, accounts, SPAN)[0])
    return (statistics.median(ours), statistics.median(theirs),
            statistics.median(procs) if procs else None, refused)


def queries_per_payment(accounts: list) -> tuple[int, list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from autogestion.economy import services
    from autogestion.economy.models import Account

    people = _people(accounts)
    currency_id = Account.objects.get(pk=accounts[0][0]).currency_id
    (payer, person), (payee, _other), amount = _pairs(42, 1, accounts)[0]
    with CaptureQueriesContext(connection) as captured:
        services.pay(actor=people[person], payer_id=payer, payee_id=payee, amount=amount,
                     currency_id=currency_id)
    return len(captured), [" ".join(q["sql"].split())[:90] for q in captured.captured_queries]


def check_ledger() -> str:
    from django.db.models import Sum

    from autogestion.economy.models import Account, Entry, Payment

    total = Account.objects.aggregate(s=Sum("balance"))["s"]
    entries = Entry.objects.count()
    payments = Payment.objects.count()
    if total != 0 or entries != 2 * payments:
        raise SystemExit(f"ledger bench: the ledger does not hold: sum {total}, "
                         f"{payments} payments, {entries} entries")
    return f"{payments} payments, zero sum and two entries each: held"


def child_main() -> int:
    from django.db import connections

    started = time.perf_counter()
    try:
        setup_django()
        accounts = create_data()
        init = pgbench_init()
        print(f"ledger bench: migrated, {ACCOUNTS} accounts created, pgbench -i -s {SCALE} "
              f"in {init:.1f} s ({time.perf_counter() - started:.1f} s in all); "
              f"the median of {ROUNDS} measures of {SPAN} s for each figure.", flush=True)
        count, sqls = queries_per_payment(accounts)
        print(f"ledger bench: {count} queries per payment: " + " | ".join(sqls), flush=True)
        figures: dict[str, float] = {}
        ratios, proc_ratios, http_ratios = {}, {}, {}
        for turn, clients in enumerate(CLIENTS):
            tps, pg, proc, refused = measure(clients, accounts, turn)
            figures[f"tps_{clients}"], figures[f"pg_{clients}"] = tps, pg
            ratios[clients] = tps / pg
            text = (f"  clients {clients}: ours {tps:8.1f} payments/s (threads"
                    f"{', ' + str(refused) + ' refused' if refused else ''})   "
                    f"pgbench {pg:8.1f} tps   ratio {tps / pg:.2f}")
            if proc is not None:
                figures[f"proc_{clients}"] = proc
                proc_ratios[clients] = proc / pg
                text += f"   ours in processes {proc:8.1f}/s (ratio {proc / pg:.2f})"
            print(text, flush=True)
        if HTTP_ON:
            tokens = api_tokens(accounts, HTTP_PAYERS * max(CLIENTS))
            with http_server() as port:
                for clients in CLIENTS:
                    rate, failed = ours_http(clients, port, tokens, accounts)
                    pg = figures[f"pg_{clients}"]
                    figures[f"http_{clients}"] = rate
                    http_ratios[clients] = rate / pg
                    print(f"  clients {clients}: ours through POST /api/payments {rate:8.1f} "
                          f"payments/s ({HTTP_WORKERS} uvicorn workers"
                          f"{', ' + str(failed) + ' not 201' if failed else ''})   "
                          f"ratio to pgbench above {rate / pg:.2f}", flush=True)
        print(f"ledger bench: {check_ledger()}.", flush=True)
    finally:
        connections.close_all()
    ratio = min(ratios.values())
    parts = [f"bench: ledger ratio={ratio:.2f}"]
    parts += [f"{key}={value:.0f}" for key, value in figures.items()
              if key.startswith(("tps_", "pg_"))]
    if proc_ratios:
        parts.append(f"ratio_proc={min(proc_ratios.values()):.2f}")
        parts += [f"{key}={value:.0f}" for key, value in figures.items()
                  if key.startswith("proc_")]
    if http_ratios:
        parts.append(f"ratio_http={min(http_ratios.values()):.2f}")
        parts += [f"{key}={value:.0f}" for key, value in figures.items()
                  if key.startswith("http_")]
        parts.append(f"http_workers={HTTP_WORKERS}")
    parts += [f"queries={count}", f"accounts={ACCOUNTS}", f"seconds={SPAN * ROUNDS:g}",
              f"rounds={ROUNDS}", f"scale={SCALE}", f"aim={'met' if ratio >= AIM else 'missed'}"]
    print(" ".join(parts), flush=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "--child":
        with contextlib.suppress(KeyboardInterrupt):
            sys.exit(child_main())
    sys.exit(main())
