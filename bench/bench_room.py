"""Room benchmark: how long a raised hand takes to reach every screen in a live meeting,
against a bare Channels echo on the same server, side by side in one run.

N members (N = 50, then 300) each have a screen (a websocket with their own session, so
each sees its own place) on the room of one meeting. One of them raises a hand, then
lowers it, and so on; each time, "ours" is the time from sending the action to the
moment EVERY other screen has received the snapshot it produced (matched on the
snapshot's `version`). Between two actions, three messages go one after the other to
the bare echo consumer at /ws/ping/ on the same server and back: the baseline, what a
websocket round trip through uvicorn and Channels costs with nothing of ours in it. Then

    ratio = p99(ours) / p99(echo)

Ours is a different thing from the echo (one action written to the database, then a
fan-out to N screens, against one message back to one screen): the ratio says how many
echo round trips a raised hand costs at that size, and how that grows with N.

What runs: the production settings (`autogestion.config.settings`) on a database of its
own: a fresh PostgreSQL database `autogestion_bench_room_<pid>` next to DATABASE_URL's
(dropped at the end) when DATABASE_URL is set, else an SQLite file in a temporary
folder. With REDIS_URL set: channels-redis (on a Redis database number that holds no
key at the start) and TWO uvicorn processes, the screens spread over both in turn (the
sender and the echo on the first), so half of each fan-out crosses processes. Without
it: the in-memory channel layer, which serves ONE process only, so one uvicorn process.
All traffic goes to 127.0.0.1; the screens run in this process on asyncio (+ uvloop
when installed). Every process it starts is stopped at the end.

It prints one line per size, the 300 one last:

    bench: room p50_ms=<ours> p99_ms=<ours> ratio=<ours p99 / echo p99> clients=<N>
        echo_p99_ms=<echo> echo_p50_ms=<echo> workers=<2|1> layer=<redis|memory>
        db=<postgresql|sqlite> [dropped=<screens>] aim=<met|missed>

Aim: p99 under 100 ms at 300 screens with Redis and two workers on this machine. A
screen the server closes during the run is a failure: it is named as it happens, the
servers' errors are listed, the line says `dropped=` and `aim=missed`, and the exit
status is 1.

BENCH_ROOM_CLIENTS sets the sizes (default "50,300"), BENCH_ROOM_ACTIONS the measured
actions per size (default 100, raise and lower alternating, after a warm-up of 6),
BENCH_ROOM_BUDGET the seconds after which measuring stops early (default 120; the
whole run stays under about three minutes).
"""

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SIZES = tuple(int(n) for n in os.environ.get("BENCH_ROOM_CLIENTS", "50,300").split(",") if n)
ACTIONS = int(os.environ.get("BENCH_ROOM_ACTIONS", "100"))
BUDGET = float(os.environ.get("BENCH_ROOM_BUDGET", "120"))
WARMUP = 6
AIM_MS = 100.0
PAUSE = 0.02  # seconds of quiet between two measurements
ECHOES = 3  # echo round trips per action: a steadier p99 for the baseline
WAIT = 15  # seconds before a missing message counts as lost
START_TIMEOUT = 40  # seconds for a server process to answer /healthz
CONNECT_BATCH = 25  # screens opening at once
HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy


# Parent: database, servers, screens -------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_url_of_our_own(redis_url: str) -> str:
    """REDIS_URL on a database number (8 to 15) that holds no key now: a fresh database
    numbers its first room 1, and a server elsewhere on the same Redis database with a
    room 1 open would otherwise receive our snapshots."""
    import redis

    parts = urlsplit(redis_url)
    first = os.getpid() % 8
    for offset in range(8):
        url = urlunsplit(parts._replace(path=f"/{8 + (first + offset) % 8}"))
        client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        try:
            if client.dbsize() == 0:
                return url
        finally:
            client.close()
    return urlunsplit(parts._replace(path=f"/{8 + first}"))


def forget_group(redis_url: str, room: int) -> None:
    """Remove the room's group from Redis: screens the servers dropped leave their
    names in it for a day (channels-redis' group expiry)."""
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5)
    try:
        client.delete(f"asgi:group:room-{room}")
    finally:
        client.close()


class Database:
    """A fresh PostgreSQL database next to DATABASE_URL's, or an SQLite file."""

    def __init__(self, database_url: str, data_dir: str):
        self.admin_url = database_url if database_url.startswith(("postgres", "pgsql")) else ""
        self.name = f"autogestion_bench_room_{os.getpid()}"
        self.url = ""
        self.data_dir = data_dir
        self.created = False

    @property
    def vendor(self) -> str:
        return "postgresql" if self.admin_url else "sqlite"

    def create(self) -> None:
        if not self.admin_url:
            print(f"room bench: SQLite file in {self.data_dir} (DATABASE_URL is not set to a "
                  f"PostgreSQL server).", flush=True)
            return
        import psycopg

        with psycopg.connect(self.admin_url, dbname="postgres", autocommit=True,
                             connect_timeout=5) as admin:
            admin.execute(f'CREATE DATABASE "{self.name}"')
        self.created = True
        parts = urlsplit(self.admin_url)
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
        print(f"room bench: PostgreSQL database {self.name} created on "
              f"{parts.hostname}:{parts.port or 5432}.", flush=True)

    def drop(self) -> None:
        if not self.created:
            return
        import psycopg

        with psycopg.connect(self.admin_url, dbname="postgres", autocommit=True,
                             connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        print(f"room bench: database {self.name} dropped.", flush=True)


def server_env(database: Database, redis_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    if database.url:
        env["DATABASE_URL"] = database.url
        env.setdefault("DATABASE_POOL", "1")  # as docs/deploy.md advises for several workers
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update({
        "DJANGO_SETTINGS_MODULE": "autogestion.config.settings",
        "AUTOGESTION_DATA_DIR": database.data_dir,
        "SECRET_KEY": secrets.token_urlsafe(40),  # the same in every process
        "SECURE_COOKIES": "0",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
    })
    return env


class Server:
    """One `uvicorn autogestion.config.asgi:application` process on a free port."""

    def __init__(self, name: str, env: dict[str, str], log_dir: str):
        self.name, self.port = name, free_port()
        self.log_path = Path(log_dir) / f"server-{name}.log"
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "autogestion.config.asgi:application",
             "--host", "127.0.0.1", "--port", str(self.port), "--lifespan", "off",
             "--no-access-log", "--log-level", "warning",
             # As `autogestion serve` runs by default.
             "--ws-per-message-deflate", "false"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"room bench: server {self.name} stopped "
                                 f"(status {self.process.returncode}):\n{self.output()}")
            with contextlib.suppress(OSError), \
                    HTTP.open(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
            time.sleep(0.2)
        raise SystemExit(f"room bench: server {self.name} did not answer in "
                         f"{START_TIMEOUT} s:\n{self.output()}")

    def ws(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


def build_world(env: dict[str, str], members: int) -> dict:
    """Migrate and create the data in a child process with the servers' settings."""
    child = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--setup",
                              str(members)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             text=True)
    world = None
    assert child.stdout is not None
    try:
        for line in child.stdout:
            if line.startswith("world: "):
                world = json.loads(line.removeprefix("world: "))
            else:
                print(line, end="", flush=True)
        status = child.wait(timeout=300)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    if status or world is None:
        raise SystemExit(f"room bench: creating the data failed (status {status}).")
    return world


# The screens -----------------------------------------------------------------------

class Screen:
    def __init__(self, index: int, who: str, ws):
        self.index, self.who, self.ws = index, who, ws
        self.task: asyncio.Task | None = None
        self.version = -1  # of the last snapshot received
        self.closed = False
        self.hand_up = False


class Fanout:
    """Counts, for one action, the screens that received its snapshot."""

    def __init__(self):
        self.target = -1
        self.sender: Screen | None = None
        self.remaining = 0
        self.first = self.last = 0.0
        self.done = asyncio.Event()
        self.replies: dict[int, dict] = {}
        self.reply_arrived = asyncio.Event()
        self.sample: dict | None = None  # a receiver's message, to check its content
        self.dropped: list[tuple[int, int | None]] = []  # (screen, close code) closed by
        self.finishing = False                             # the server, not by us

    def arrived(self, screen: Screen, message: dict, now: float) -> None:
        screen.version = message["state"]["version"]
        if screen.version != self.target or screen is self.sender:
            return
        if self.first == 0.0:
            self.first = now
        if self.sample is None:
            self.sample = message
        self.last = now
        self.settle()

    def settle(self) -> None:
        self.remaining -= 1
        if self.remaining == 0:
            self.done.set()

    def closed(self, screen: Screen) -> None:
        """A screen the server closed no longer counts (it cannot receive); it is
        reported, as a failure, at the end."""
        screen.closed = True
        if self.finishing:
            return
        self.dropped.append((screen.index, screen.ws.close_code))
        print(f"room bench: the server closed screen {screen.index} (code "
              f"{screen.ws.close_code}).", flush=True)
        if screen is not self.sender and screen.version < self.target and self.remaining:
            self.settle()

    def replied(self, reply: dict) -> None:
        self.replies[reply.get("id")] = reply
        self.reply_arrived.set()

    async def read(self, screen: Screen) -> None:
        from websockets.exceptions import ConnectionClosed

        with contextlib.suppress(ConnectionClosed):
            async for raw in screen.ws:
                now = time.perf_counter()
                message = json.loads(raw)
                if "state" in message:
                    self.arrived(screen, message, now)
                elif "reply" in message:
                    self.replied(message["reply"])
        self.closed(screen)


async def open_screen(server: Server, room: int, who: str, session: str, path: str = ""):
    from websockets.asyncio.client import connect

    return await connect(server.ws(path or f"/ws/rooms/{room}/"), origin="http://127.0.0.1",
                         additional_headers={"Cookie": f"sessionid={session}"},
                         open_timeout=WAIT, close_timeout=2, ping_interval=None, proxy=None,
                         max_queue=None)


async def join(fanout: Fanout, servers: list[Server], world: dict, screens: list[Screen],
               count: int) -> int:
    """Open screens until there are `count`, spread over the servers in turn; each first
    receives the snapshot, whose version is returned."""
    versions = set()

    async def one(index: int) -> Screen:
        who, session = world["members"][index]
        ws = await open_screen(servers[index % len(servers)], world["room"], who, session)
        first = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
        if first.get("me") != who:
            raise SystemExit(f"room bench: screen {index} is {first.get('me')}, not {who}")
        versions.add(first["state"]["version"])
        screen = Screen(index, who, ws)
        screen.task = asyncio.create_task(fanout.read(screen))
        return screen

    while len(screens) < count:
        batch = range(len(screens), min(count, len(screens) + CONNECT_BATCH))
        screens.extend(await asyncio.gather(*(one(i) for i in batch)))
    if len(versions) != 1:
        raise SystemExit(f"room bench: the screens disagree on the version: {versions}")
    return versions.pop()


async def act(fanout: Fanout, screens: list[Screen], number: int,
              version: int) -> tuple[str, float, float]:
    """One open screen in turn raises its hand, or lowers it if up (in turn, as in a real
    meeting: one person acting many times a second meets the room's pace limit); returns
    the action and the ms until the first and until the last other open screen had its
    snapshot."""
    from websockets.exceptions import ConnectionClosed

    open_screens = [screen for screen in screens if not screen.closed]
    if len(open_screens) < 2:
        raise SystemExit("room bench: fewer than two screens are still open")
    sender = open_screens[number % len(open_screens)]
    action = "lower" if sender.hand_up else "raise"
    fanout.target, fanout.sender = version + 1, sender
    fanout.remaining = len(open_screens) - 1
    fanout.first = fanout.last = 0.0
    fanout.sample = None
    fanout.done.clear()
    start = time.perf_counter()
    try:
        await sender.ws.send(json.dumps({"action": action, "id": number}))
    except ConnectionClosed:
        raise SystemExit(f"room bench: the server closed the sender, screen "
                         f"{sender.index}") from None
    try:
        await asyncio.wait_for(fanout.done.wait(), WAIT)
    except TimeoutError:
        missing = [(s.index, s.version) for s in open_screens[1:] if s.version < version + 1]
        raise SystemExit(f"room bench: {fanout.remaining} of {len(open_screens) - 1} screens "
                         f"did not receive version {version + 1} within {WAIT} s "
                         f"(reply: {fanout.replies.get(number)}); (screen, its last "
                         f"version): {missing[:10]}") from None
    if fanout.sample is None:
        raise SystemExit(f"room bench: no screen received version {version + 1}")
    while number not in fanout.replies and not sender.closed:
        fanout.reply_arrived.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(fanout.reply_arrived.wait(), WAIT)
        if number not in fanout.replies:
            raise SystemExit(f"room bench: no reply to the {action} within {WAIT} s")
    reply = fanout.replies.pop(number, {"ok": True})
    if not reply.get("ok"):
        raise SystemExit(f"room bench: the {action} was refused: {reply}")
    queue = [hand["who"] for hand in fanout.sample["state"]["queue"]]
    if (sender.who in queue) != (action == "raise"):
        raise SystemExit(f"room bench: after {sender.who}'s {action}, the list shows {queue}")
    sender.hand_up = action == "raise"
    return action, (fanout.first - start) * 1000, (fanout.last - start) * 1000


async def echo(ws, number: int) -> float:
    payload = json.dumps({"action": "raise", "id": number})
    start = time.perf_counter()
    await ws.send(payload)
    answer = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
    elapsed = (time.perf_counter() - start) * 1000
    if answer != json.loads(payload):
        raise SystemExit(f"room bench: the echo answered {answer}")
    return elapsed


def percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def measure(servers: list[Server], world: dict, deadline: float) -> list[dict]:
    from websockets.exceptions import ConnectionClosed

    fanout = Fanout()
    screens: list[Screen] = []
    session = world["members"][0][1]
    echo_ws = await open_screen(servers[0], 0, "", session, path="/ws/ping/")
    results = []
    number = 0
    try:
        for size in SIZES:
            started = time.perf_counter()
            dropped_before = len(fanout.dropped)
            version = await join(fanout, servers, world, screens, size)
            print(f"room bench: {size} screens open in {time.perf_counter() - started:.1f} s; "
                  f"{ACTIONS} actions after {WARMUP} of warm-up...", flush=True)
            await asyncio.sleep(0.5)
            samples: dict[str, list[float]] = {"ours": [], "first": [], "echo": [],
                                               "raise": [], "lower": []}
            for k in range(WARMUP + ACTIONS):
                if time.monotonic() > deadline and len(samples["ours"]) >= 10:
                    print(f"room bench: time budget spent, {len(samples['ours'])} actions "
                          f"measured at {size} screens.", flush=True)
                    break
                number += 1
                action, first, last = await act(fanout, screens, number, version)
                version += 1
                await asyncio.sleep(PAUSE)
                try:
                    echoed = [await echo(echo_ws, number * ECHOES + i) for i in range(ECHOES)]
                except ConnectionClosed:
                    fanout.dropped.append((-1, echo_ws.close_code))
                    print(f"room bench: the server closed the echo screen (code "
                          f"{echo_ws.close_code}); opening another.", flush=True)
                    echo_ws = await open_screen(servers[0], 0, "", session, path="/ws/ping/")
                    continue
                await asyncio.sleep(PAUSE)
                if k >= WARMUP:
                    samples["ours"].append(last)
                    samples["first"].append(first)
                    samples[action].append(last)
                    samples["echo"].extend(echoed)
            result = summarise(size, len(servers), samples)
            result["dropped"] = len(fanout.dropped) - dropped_before
            results.append(result)
    finally:
        fanout.finishing = True
        await echo_ws.close()
        for screen in screens:
            await screen.ws.close()
        for screen in screens:
            if screen.task is not None:
                screen.task.cancel()
    return results


def summarise(size: int, workers: int, samples: dict[str, list[float]]) -> dict:
    ours, echoes = samples["ours"], samples["echo"]
    result = {"clients": size, "workers": workers, "n": len(ours),
              "p50": statistics.median(ours), "p90": percentile(ours, 90),
              "p99": percentile(ours, 99), "max": max(ours),
              "first_p50": statistics.median(samples["first"]),
              "raise_p50": statistics.median(samples["raise"] or [0.0]),
              "lower_p50": statistics.median(samples["lower"] or [0.0]),
              "echo_p50": statistics.median(echoes), "echo_p99": percentile(echoes, 99)}
    print(f"  clients={size:<4} to all: p50 {result['p50']:7.2f}  p90 {result['p90']:7.2f}  "
          f"p99 {result['p99']:7.2f}  max {result['max']:7.2f} ms   to the first: p50 "
          f"{result['first_p50']:6.2f} ms   raise p50 {result['raise_p50']:.2f} / lower p50 "
          f"{result['lower_p50']:.2f} ms   echo p50 {result['echo_p50']:5.2f}  p99 "
          f"{result['echo_p99']:5.2f} ms   ({result['n']} actions)", flush=True)
    return result


def server_errors(servers: list[Server]) -> dict[str, int]:
    """{last line of each traceback in the servers' logs: how many times}."""
    errors: dict[str, int] = {}
    for server in servers:
        server.log.flush()
        lines = [line for line in server.log_path.read_text(errors="replace").splitlines()
                 if line.strip()]
        for index, line in enumerate(lines):
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if (line.startswith((" ", "Traceback")) or ("Error" not in line
                                                        and "Exception" not in line)
                    or following.startswith(("The above exception", "During handling"))
                    or following.startswith((" ", "Traceback"))):
                continue
            key = f"server {server.name}: {line.strip()[:160]}"
            errors[key] = errors.get(key, 0) + 1
    return errors


def run_client(servers: list[Server], world: dict, deadline: float) -> list[dict]:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(measure(servers, world, deadline))
    return uvloop.run(measure(servers, world, deadline))


def main() -> int:
    started = time.monotonic()
    database_url = os.environ.get("DATABASE_URL", "").strip()
    redis_url = os.environ.get("REDIS_URL", "").strip()
    if redis_url:
        try:
            redis_url = redis_url_of_our_own(redis_url)
        except Exception as error:  # the server named by REDIS_URL does not answer
            print(f"room bench: Redis of REDIS_URL does not answer ({error}); start it as "
                  f".ci/run does, or unset REDIS_URL for the one-process run.", flush=True)
            return 1
        layer, workers = "redis", 2
        print(f"room bench: channels-redis on {urlsplit(redis_url).hostname} "
              f"(database {urlsplit(redis_url).path.lstrip('/')}), two uvicorn processes.",
              flush=True)
    else:
        layer, workers = "memory", 1
        print("room bench: REDIS_URL is not set: in-memory channel layer, which serves ONE "
              "process, so one uvicorn process (set REDIS_URL for two, as .ci/run does).",
              flush=True)
    data_dir = tempfile.mkdtemp(prefix="autogestion-bench-room-")
    database = Database(database_url, data_dir)
    servers: list[Server] = []
    world: dict | None = None
    try:
        try:
            database.create()
        except Exception as error:  # the server named by DATABASE_URL does not answer
            print(f"room bench: PostgreSQL of DATABASE_URL does not answer ({error}); start "
                  f"it as .ci/run does.", flush=True)
            return 1
        env = server_env(database, redis_url if layer == "redis" else "")
        world = build_world(env, max(SIZES))
        servers = [Server(name, env, data_dir) for name in "AB"[:workers]]
        for server in servers:
            server.wait_ready()
        try:
            results = run_client(servers, world, started + BUDGET)
            errors = server_errors(servers)
        except BaseException:
            for server in servers:
                print(f"room bench: the end of server {server.name}'s log:\n"
                      f"{server.output() or '(empty)'}", flush=True)
            raise
    finally:
        for server in servers:
            server.stop()
        if layer == "redis" and world is not None:
            forget_group(redis_url, world["room"])
        try:
            database.drop()
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)
    print(f"room bench: done in {time.monotonic() - started:.0f} s.", flush=True)
    dropped = sum(result["dropped"] for result in results)
    if dropped:
        print(f"room bench: FAILURE: the servers closed {dropped} screen(s) during the run; "
              f"a screen that stays open must not be dropped. Errors in their logs:",
              flush=True)
    for line, count in errors.items():
        print(f"  {count} x {line}", flush=True)
    for result in results:
        ratio = result["p99"] / result["echo_p99"]
        aim = "met" if result["p99"] < AIM_MS and not result["dropped"] else "missed"
        lost = f" dropped={result['dropped']}" if result["dropped"] else ""
        print(f"bench: room p50_ms={result['p50']:.1f} p99_ms={result['p99']:.1f} "
              f"ratio={ratio:.1f} clients={result['clients']} "
              f"echo_p99_ms={result['echo_p99']:.2f} echo_p50_ms={result['echo_p50']:.2f} "
              f"workers={result['workers']} layer={layer} db={database.vendor}{lost} aim={aim}",
              flush=True)
    return 1 if dropped else 0


# Child: the data -------------------------------------------------------------------

def setup(members: int) -> None:
    """Migrate, then build through the services: a cooperative, its facilitator, `members`
    members with a session each, a meeting and its opened room. Also count the queries
    and time one raise and one lower in the service, without websockets."""
    from datetime import date
    from datetime import time as day_time

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from autogestion.assemblies import queries as assembly_queries
    from autogestion.assemblies import services as assemblies
    from autogestion.cooperatives import services as cooperatives
    from autogestion.cooperatives.models import LegalForm
    from autogestion.cooperatives.rules import Kind, Role
    from autogestion.facilitation import queries, services
    from autogestion.facilitation.models import Room

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    User = get_user_model()
    operator = User.objects.create_superuser(email="operator@bench.example", password=None)
    coop = cooperatives.create_body(actor=operator, kind=Kind.COOPERATIVE, name="Coop du banc",
                                    legal_form=LegalForm.INTEGRAL)
    facilitator = User.objects.create_user(email="facilitator@bench.example", password=None,
                                           display_name="Facilitatrice")
    cooperatives.join_body(person=facilitator, body=coop)
    cooperatives.set_member_role(actor=operator, body=coop, person=facilitator,
                                 role=Role.COORDINATOR)
    facilitator = User.objects.get(pk=facilitator.pk)
    people = []
    for i in range(members):
        person = User.objects.create_user(email=f"m{i}@bench.example", password=None,
                                          display_name=f"Membre {i}")
        cooperatives.join_body(person=person, body=coop)
        people.append(person)
    series = assemblies.create_series(
        actor=facilitator, body=coop, title="Agora", rrule="FREQ=MONTHLY;BYDAY=-1SA",
        first_day=date(2026, 1, 1), start_time=day_time(10, 30), end_time=day_time(19, 0),
        kind="agora")
    occurrence = assembly_queries.find_occurrence(series, date(2026, 11, 28))
    room = services.open_room(actor=facilitator, occurrence=occurrence)

    sessions = []
    for person in people:
        store = SessionStore()
        store["_auth_user_id"] = str(person.pk)
        store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        store["_auth_user_hash"] = person.get_session_auth_hash()
        store.create()
        sessions.append([f"p:{person.pk}", store.session_key])

    # The cost of one action on the server, without the websockets: queries and time.
    sender = User.objects.get(pk=people[0].pk)  # a fresh object, as a new connection has
    counts, timings = {}, {"raise": [], "lower": []}
    for _repeat in range(21):
        for action in ("raise", "lower"):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                services.act(actor=sender, room_id=room.pk, action=action)
                timings[action].append((time.perf_counter() - start) * 1000)
            counts[action] = len(captured.captured_queries)  # the last: steady state
    with CaptureQueriesContext(connection) as captured:
        queries.snapshot(Room.objects.select_related("current_item").get(pk=room.pk))
    counts["snapshot"] = len(captured.captured_queries)
    version = Room.objects.get(pk=room.pk).version
    print(f"room bench: migrated in {migrated - started:.1f} s, {members} members with "
          f"sessions created in {time.perf_counter() - migrated:.1f} s "
          f"({connection.vendor}).", flush=True)
    print(f"room bench: services.act alone (no websocket; broadcast included; steady "
          f"state): raise {counts['raise']} queries, median "
          f"{statistics.median(timings['raise']):.2f} ms; "
          f"lower {counts['lower']} queries, median {statistics.median(timings['lower']):.2f} "
          f"ms; a snapshot {counts['snapshot']} queries.", flush=True)
    print("world: " + json.dumps({"room": room.pk, "version": version, "members": sessions}),
          flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--setup":
        setup(int(sys.argv[2]))
        sys.exit(0)
    sys.exit(main())
