"""Tally benchmark: what closing a round computes, against a bare SQL GROUP BY over the
same positions, side by side in one process.

One cooperative (a SCIC with three colleges weighing 50/30/20 %) with N active members,
and two proposals whose open rounds each hold N positions with random stances:

- a legal act put to a majority vote weighted by college (the headline: `ratio`);
- an orientation put to consensus, with a few vetoes (`ratio_consensus`).

For each round, "ours" is what `close_round` computes before writing:

    services.count_positions(round) + rules.decide(tally, services._context(round, now))

and "bare" is one raw query through the same connection:

    SELECT stance, college_id, count(*) FROM decisions_position
    WHERE round_id = %s GROUP BY stance, college_id

They run alternately (ours, bare, then bare, ours, ...) after a warm-up; the ratio is

    ratio = median(ours) / median(bare)

and the aim is under 2. `close_round` itself (load and lock, tally, decide, write the
round, the proposal's transition, the register entry or the star debate) is timed once
per round inside a transaction that is rolled back: closing happens once per round.

SQLite always runs, on a throwaway database in a temporary folder, with 100,000
positions per round. With DATABASE_URL set, PostgreSQL runs too, with 1,000,000
positions per round, on a fresh database `autogestion_bench_<pid>` created on that
server, migrated, and dropped at the end. Django's settings are per process, so each
database runs in a child process of its own; each prints one line, SQLite first:

    bench: tally ratio=<x> db=<sqlite|postgresql> positions=<N> ours_ms=<median>
        bare_ms=<median> close_ms=<once> ... aim=<met|missed>

BENCH_TALLY_N sets the positions per round for both databases (defaults 100,000 on
SQLite, 1,000,000 on PostgreSQL); BENCH_TALLY_REPEATS the measured repetitions
(default 9); BENCH_TALLY_CLOSE_STAR_MAX the largest round whose consensus close (which
opens a star debate) is timed (default 200,000: above, it takes minutes).
"""

import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

AIM = 2.0
DEFAULT_N = {"sqlite": 100_000, "postgresql": 1_000_000}
REPEATS = int(os.environ.get("BENCH_TALLY_REPEATS", "9"))
WARMUP = 2
CLOSE_STAR_MAX = int(os.environ.get("BENCH_TALLY_CLOSE_STAR_MAX", "200000"))
VETOES = 5
# A SCIC's colleges: name, weight in the vote, share of the members, chance of a yes.
COLLEGES = (("Salariés", 50, 0.15, 0.62), ("Usagers", 30, 0.75, 0.44),
            ("Collectivités", 20, 0.10, 0.55))
ABSTAIN = 0.08


# Parent: one child process per database ------------------------------------------------

def positions_for(db: str) -> int:
    return int(os.environ.get("BENCH_TALLY_N") or DEFAULT_N[db])


def child_env(data_dir: str, database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("REDIS_URL", None)  # the in-process cache is enough here
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    env["AUTOGESTION_DATA_DIR"] = data_dir
    env["DEBUG"] = "0"  # DEBUG=1 would keep every query in memory
    env["DJANGO_SETTINGS_MODULE"] = "autogestion.config.settings"
    return env


def run_child(db: str, database_url: str = "") -> tuple[int, list[str]]:
    """Run one database in a child process; relay its output as it comes, but keep its
    `bench:` line for the end."""
    data_dir = tempfile.mkdtemp(prefix=f"autogestion-bench-tally-{db}-")
    results = []
    try:
        child = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--child", db,
             str(positions_for(db))], env=child_env(data_dir, database_url),
            stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith("bench: tally "):
                results.append(line.rstrip("\n"))
            else:
                print(line, end="", flush=True)
        status = child.wait()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    if status and not results:
        print(f"tally bench: the {db} run failed (status {status}).", flush=True)
    return status, results


def run_postgresql(database_url: str) -> tuple[int, list[str]]:
    """Create a fresh database next to DATABASE_URL's, run the child on it, drop it."""
    import psycopg

    name = f"autogestion_bench_{os.getpid()}"
    parts = urlsplit(database_url)
    bench_url = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        admin = psycopg.connect(database_url, dbname="postgres", autocommit=True,
                                connect_timeout=5)
    except psycopg.OperationalError as error:
        print(f"tally bench: PostgreSQL run not done: the server of DATABASE_URL does not "
              f"answer ({str(error).strip()}). Start it as .ci/run does.", flush=True)
        return 1, []
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        print(f"tally bench: PostgreSQL database {name} created on "
              f"{parts.hostname}:{parts.port or 5432}.", flush=True)
        try:
            return run_child("postgresql", bench_url)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            print(f"tally bench: database {name} dropped.", flush=True)


def main() -> int:
    """SQLite, then PostgreSQL when DATABASE_URL is set; their `bench:` lines last."""
    start = time.perf_counter()
    database_url = os.environ.get("DATABASE_URL", "").strip()
    status, lines = run_child("sqlite")
    if database_url:
        pg_status, pg_lines = run_postgresql(database_url)
        status, lines = status or pg_status, lines + pg_lines
    else:
        print("tally bench: PostgreSQL run skipped: no PostgreSQL (DATABASE_URL is not set).",
              flush=True)
    print(f"tally bench: done in {time.perf_counter() - start:.0f} s.", flush=True)
    for line in lines:
        print(line, flush=True)
    return status


# Child: one database -----------------------------------------------------------------

def setup_django() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def insert_rows(model, varying: tuple[str, ...], rows, fixed: dict) -> None:
    """Insert rows of `model` fast: the `varying` fields come from each row, every other
    field takes its value in `fixed` or its default, as Django would write it. COPY on
    PostgreSQL, executemany in batches on SQLite: bulk_create builds a model instance
    per row, which for millions of rows takes minutes."""
    from django.db import connection

    prototype = model(**fixed)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    constant = [f for f in fields if f.name not in varying and f.attname not in varying]
    names = [model._meta.get_field(name).column for name in varying]
    columns = ", ".join(connection.ops.quote_name(column)
                        for column in names + [f.column for f in constant])
    values = tuple(f.get_db_prep_save(f.pre_save(prototype, add=True), connection)
                   for f in constant)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row + values)
            return
        marks = ", ".join(["%s"] * (len(varying) + len(constant)))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
        batch = []
        for row in rows:
            batch.append(row + values)
            if len(batch) == 50_000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def create_data(n: int) -> dict:
    """The cooperative, its colleges and proposals through the services; then n members
    and n positions per round inserted in bulk. Building members through `join_body`
    and positions through `take_position` (several queries each, PositionLog rows) is
    far too slow for a million; that path is tested in tests/decisions, this one
    measures the closing of a round that holds them."""
    from datetime import timedelta

    from django.db import transaction

    from autogestion.accounts.models import User
    from autogestion.cooperatives import services as cooperatives
    from autogestion.cooperatives.models import Membership
    from autogestion.cooperatives.rules import Role, Status
    from autogestion.core import clock
    from autogestion.decisions import services
    from autogestion.decisions.models import Position
    from autogestion.decisions.rules import Stance

    rng = random.Random(20240501)
    operator = User.objects.create_superuser(email="operator@bench.example", password=None)
    coop = cooperatives.create_body(actor=operator, kind="cooperative", name="SCIC du banc",
                                    legal_form="scic")
    colleges = [cooperatives.add_college(actor=operator, cooperative=coop, name=name,
                                         weight_percent=weight).pk
                for name, weight, _share, _yes in COLLEGES]
    majority = services.create_proposal(
        actor=operator, body=coop, title="Affectation du résultat", text="Les comptes.",
        decision_class="legal_act")
    consensus = services.create_proposal(
        actor=operator, body=coop, title="Orientation", text="La charte.",
        decision_class="orientation")
    majority_round = majority.rounds.get().pk
    consensus_round = consensus.rounds.get().pk

    now = clock.now()
    shares = [share for _name, _weight, share, _yes in COLLEGES]
    yes_chance = dict(zip(colleges, [yes for *_rest, yes in COLLEGES], strict=True))
    college_of = rng.choices(colleges, shares, k=n)
    vetoes = set(rng.sample(range(n), min(VETOES, n)))

    def majority_stance(college: int) -> str:
        draw = rng.random()
        if draw < ABSTAIN:
            return Stance.ABSTAIN.value
        yes = draw < ABSTAIN + (1 - ABSTAIN) * yes_chance[college]
        return Stance.YES.value if yes else Stance.NO.value

    def consensus_position(i: int) -> tuple[str, str, str, str]:
        """(stance, note, reason, counter-proposal)"""
        if i in vetoes:
            return Stance.VETO.value, "", "Contraire à nos valeurs.", "Une charte plus courte."
        draw = rng.random()
        if draw < 0.8:
            return Stance.AGREE.value, "", "", ""
        if draw < 0.92:
            return Stance.RESERVATIONS.value, "Le calendrier est serré.", "", ""
        return Stance.STAND_ASIDE.value, "", "", ""

    with transaction.atomic():
        insert_rows(User, ("username", "email", "display_name"),
                    ((f"m{i}@bench.example", f"m{i}@bench.example", f"Membre {i}")
                     for i in range(n)),
                    {"password": "!", "email_reminders": False})
        # One session inserting in order into a fresh table: the ids follow each other.
        bench_users = User.objects.filter(email__endswith="@bench.example",
                                          username__startswith="m")
        first = bench_users.order_by("pk").values_list("pk", flat=True).first()
        if bench_users.filter(pk__gte=first, pk__lt=first + n).count() != n or \
                User.objects.get(pk=first + n - 1).username != f"m{n - 1}@bench.example":
            raise SystemExit("tally bench: the members' ids do not follow each other")
        insert_rows(Membership, ("person", "college"),
                    ((first + i, college_of[i]) for i in range(n)),
                    {"body": coop, "role": Role.MEMBER, "status": Status.ACTIVE,
                     "joined_at": now - timedelta(days=400), "requested_at": now})
        insert_rows(Position, ("round", "person", "college", "stance"),
                    ((majority_round, first + i, college_of[i], majority_stance(college_of[i]))
                     for i in range(n)),
                    {"updated_at": now})
        insert_rows(Position,
                    ("round", "person", "college", "stance", "note", "reason",
                     "counter_proposal"),
                    ((consensus_round, first + i, college_of[i], *consensus_position(i))
                     for i in range(n)),
                    {"updated_at": now})
    return {"operator": operator, "rounds": {"majority": majority_round,
                                             "consensus": consensus_round}}


def analyze() -> None:
    """Fresh statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` would give."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")


def bare_sql() -> str:
    from autogestion.decisions.models import Position

    return (f"SELECT stance, college_id, count(*) FROM {Position._meta.db_table} "
            f"WHERE round_id = %s GROUP BY stance, college_id")


def measure(round_id: int) -> dict:
    """Ours and bare, alternately; ours also split into its three steps."""
    from django.db import connection

    from autogestion.core import clock
    from autogestion.decisions import rules, services
    from autogestion.decisions.models import Round

    round_ = Round.objects.select_related("proposal__body").get(pk=round_id)
    sql = bare_sql()

    def ours() -> tuple[float, float, float, rules.Result]:
        start = time.perf_counter()
        tally = services.count_positions(round_)
        counted = time.perf_counter()
        context = services._context(round_, clock.now())
        contexted = time.perf_counter()
        result = rules.decide(tally, context)
        return counted - start, contexted - counted, time.perf_counter() - contexted, result

    def bare() -> tuple[float, list]:
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, [round_id])
            rows = cursor.fetchall()
        return time.perf_counter() - start, rows

    timings: dict[str, list[float]] = {"ours": [], "bare": [], "count": [], "context": [],
                                       "decide": []}
    result, rows = None, []
    for repeat in range(-WARMUP, REPEATS):
        steps = (ours, bare) if repeat % 2 == 0 else (bare, ours)
        for step in steps:
            if step is ours:
                count, context, decide, result = ours()
                if repeat >= 0:
                    timings["ours"].append(count + context + decide)
                    timings["count"].append(count)
                    timings["context"].append(context)
                    timings["decide"].append(decide)
            else:
                elapsed, rows = bare()
                if repeat >= 0:
                    timings["bare"].append(elapsed)
    if result is None or result.participants != sum(n for _s, _c, n in rows):
        raise SystemExit(f"tally bench: ours and bare disagree on round {round_id}")
    medians = {name: statistics.median(values) * 1000 for name, values in timings.items()}
    medians["outcome"] = result.outcome
    medians["eligible"] = result.eligible
    medians["participants"] = result.participants
    return medians


def time_close(round_id: int, operator) -> tuple[float, str]:
    """close_round once, rolled back: the round stays open for the next measurement."""
    from django.db import transaction

    from autogestion.decisions import services

    with transaction.atomic():
        start = time.perf_counter()
        closed = services.close_round(actor=operator, round_id=round_id)
        elapsed = (time.perf_counter() - start) * 1000
        transaction.set_rollback(True)
    return elapsed, closed.outcome


def run_database(db: str, n: int) -> str:
    from django.db import connection

    started = time.perf_counter()
    setup_django()
    print(f"tally bench [{db}]: migrated in {time.perf_counter() - started:.1f} s; "
          f"creating {n:,} members and {n:,} positions in each of 2 rounds...", flush=True)
    started = time.perf_counter()
    data = create_data(n)
    analyze()
    print(f"tally bench [{db}]: data created in {time.perf_counter() - started:.1f} s "
          f"({connection.vendor}); {REPEATS} measured repetitions after {WARMUP} of "
          f"warm-up, ours and bare alternating.", flush=True)
    results = {}
    for kind, round_id in data["rounds"].items():
        results[kind] = measure(round_id)
        if kind == "consensus" and n > CLOSE_STAR_MAX:
            results[kind]["close"] = None  # a star debate of n / 6 groups: minutes
            close_outcome = f"not timed above {CLOSE_STAR_MAX:,} positions (star debate)"
        else:
            try:
                results[kind]["close"], close_outcome = time_close(round_id,
                                                                   data["operator"])
            except Exception as error:  # report it, and still give the tally's figures
                results[kind]["close"], close_outcome = None, f"failed: {error!r}"
        r = results[kind]
        close = (f"{r['close']:.1f} ms ({close_outcome})" if r["close"] is not None
                 else close_outcome)
        print(f"  {kind:9} ours {r['ours']:8.2f} ms (count {r['count']:.2f} + context "
              f"{r['context']:.2f} + decide {r['decide']:.3f})   bare {r['bare']:8.2f} ms   "
              f"ratio {r['ours'] / r['bare']:.2f}   outcome {r['outcome']}   "
              f"close {close}", flush=True)
    major, cons = results["majority"], results["consensus"]
    ratio = major["ours"] / major["bare"]

    def close_ms(r: dict, kind: str) -> str:
        if r["close"] is not None:
            return f"{r['close']:.1f}"
        return "skipped" if kind == "consensus" and n > CLOSE_STAR_MAX else "failed"

    return (f"bench: tally ratio={ratio:.2f} db={db} positions={n} "
            f"ours_ms={major['ours']:.2f} bare_ms={major['bare']:.2f} "
            f"close_ms={close_ms(major, 'majority')} count_ms={major['count']:.2f} "
            f"context_ms={major['context']:.2f} "
            f"ratio_consensus={cons['ours'] / cons['bare']:.2f} "
            f"close_consensus_ms={close_ms(cons, 'consensus')} "
            f"aim={'met' if ratio < AIM else 'missed'}")


def child_main(db: str, n: int) -> int:
    try:
        line = run_database(db, n)
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
    print(line, flush=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        sys.exit(child_main(sys.argv[2], int(sys.argv[3])))
    sys.exit(main())
