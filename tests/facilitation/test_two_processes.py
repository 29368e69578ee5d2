"""Two ASGI server processes sharing one Redis and one database: a hand raised through
one appears on the screens connected to the other (channels-redis fans out).

It runs the production settings (`autogestion.config.settings`, which use channels-redis
when REDIS_URL is set), not the test settings and their in-memory layer, on a database
of its own: a fresh PostgreSQL database `autogestion_twoproc_<pid>` next to
DATABASE_URL's (dropped at the end), or, without PostgreSQL, an SQLite file in a
temporary folder. Redis is the server of REDIS_URL, on a database number nobody else
uses at the time, so that other runs' rooms never cross this one's.

Two `uvicorn autogestion.config.asgi:application` processes, A and B, on free ports of
127.0.0.1: a member's screen and the facilitator's screen connect to B; the member
raises a hand through A (websocket), the facilitator gives the floor through A (the
page's form, POST /rooms/<id>/act/); both changes reach B's screens, each with its own
place. Then the same screens wait through a quiet moment longer than the channel layer's
polling period, and must still be there for the next change. Both processes (started
once for the module) are stopped at the end, whatever happens.
"""

import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
from asgiref.sync import async_to_sync

REDIS_URL = os.environ.get("REDIS_URL", "").strip()
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
ON_POSTGRES = DATABASE_URL.startswith(("postgres", "pgsql"))
ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30  # seconds for a server process to answer /healthz
WAIT = 10  # seconds for a message to cross from one process to the other
# Straight to 127.0.0.1, whatever proxy the environment names.
HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))

pytestmark = pytest.mark.skipif(not REDIS_URL,
                                reason="skipped: no Redis (REDIS_URL is not set)")

# Run in a child process with the production settings pointed at the dedicated database:
# migrate, build the world through the services, open sessions; print the ids as JSON.
SETUP = r"""
import json
from datetime import date, time

import django

django.setup()
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command

call_command("migrate", verbosity=0)

from autogestion.assemblies import queries as assembly_queries
from autogestion.assemblies import services as assemblies
from autogestion.cooperatives import services as cooperatives
from autogestion.cooperatives.models import LegalForm
from autogestion.cooperatives.rules import Kind, Role
from autogestion.facilitation import services as facilitation

User = get_user_model()
operator = User.objects.create_superuser(email="operator@twoproc.example", password=None)
coop = cooperatives.create_body(actor=operator, kind=Kind.COOPERATIVE, name="Coop à deux",
                                legal_form=LegalForm.INTEGRAL)
people = {}
for name in ("facilitator", "member"):
    person = User.objects.create_user(email=f"{name}@twoproc.example", password=None,
                                      display_name=name.capitalize())
    cooperatives.join_body(person=person, body=coop)
    people[name] = person
cooperatives.set_member_role(actor=operator, body=coop, person=people["facilitator"],
                             role=Role.COORDINATOR)
facilitator = User.objects.get(pk=people["facilitator"].pk)
series = assemblies.create_series(
    actor=facilitator, body=coop, title="Agora", rrule="FREQ=MONTHLY;BYDAY=-1SA",
    first_day=date(2026, 1, 1), start_time=time(10, 30), end_time=time(19, 0), kind="agora")
occurrence = assembly_queries.find_occurrence(series, date(2026, 11, 28))
room = facilitation.open_room(actor=facilitator, occurrence=occurrence)


def session(person):
    store = SessionStore()
    store["_auth_user_id"] = str(person.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = person.get_session_auth_hash()
    store.create()
    return store.session_key


print(json.dumps({"room": room.pk, "version": room.version,
                  "who": {name: f"p:{person.pk}" for name, person in people.items()},
                  "sessions": {name: session(person) for name, person in people.items()}}))
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_url_of_our_own() -> str:
    """REDIS_URL on a database number (8 to 15) that holds no key now, so that the room
    groups of other runs (room-1 in each fresh database) never meet ours."""
    import redis

    parts = urlsplit(REDIS_URL)
    first = os.getpid() % 8
    for offset in range(8):
        number = 8 + (first + offset) % 8
        url = urlunsplit(parts._replace(path=f"/{number}"))
        client = redis.Redis.from_url(url, socket_timeout=5)
        try:
            if client.dbsize() == 0:
                return url
        finally:
            client.close()
    return urlunsplit(parts._replace(path=f"/{8 + first}"))


def forget_group(redis_url: str, room: int) -> None:
    """Remove the room's group from Redis: screens a server dropped would otherwise
    leave their names in it for a day (channels-redis' group expiry)."""
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5)
    try:
        client.delete(f"asgi:group:room-{room}")
    finally:
        client.close()


class Database:
    """A database of our own: a fresh PostgreSQL one, or an SQLite file in `data_dir`."""

    def __init__(self, data_dir: str):
        self.name = f"autogestion_twoproc_{os.getpid()}"
        self.url = ""  # empty: the settings' SQLite file under AUTOGESTION_DATA_DIR
        self.data_dir = data_dir

    def __enter__(self) -> "Database":
        if ON_POSTGRES:
            import psycopg

            with psycopg.connect(DATABASE_URL, dbname="postgres", autocommit=True,
                                 connect_timeout=5) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{self.name}"')
            self.url = urlunsplit(urlsplit(DATABASE_URL)._replace(path=f"/{self.name}"))
        return self

    def __exit__(self, *exc) -> None:
        if ON_POSTGRES:
            import psycopg

            with psycopg.connect(DATABASE_URL, dbname="postgres", autocommit=True,
                                 connect_timeout=5) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    @property
    def label(self) -> str:
        return f"PostgreSQL {self.name}" if self.url else f"SQLite in {self.data_dir}"


def server_env(database: Database, redis_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "DATABASE_POOL", "PYTEST_XDIST_WORKER",
                          "PYTEST_CURRENT_TEST"}}
    if database.url:
        env["DATABASE_URL"] = database.url
    env.update({
        "DJANGO_SETTINGS_MODULE": "autogestion.config.settings",
        "AUTOGESTION_DATA_DIR": database.data_dir,
        "REDIS_URL": redis_url,
        "SECRET_KEY": secrets.token_urlsafe(40),  # the same in both: one session store
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
             "--no-access-log", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"server {self.name} stopped (status {self.process.returncode}):"
                            f"\n{self.output()}")
            try:
                with HTTP.open(f"{self.base}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        pytest.fail(f"server {self.name} did not answer in {START_TIMEOUT} s:\n{self.output()}")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ws(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


def post_act(server: Server, room: int, session: str, **fields) -> dict:
    """The page's form, as a browser with JavaScript posts it (JSON answer). The CSRF
    cookie and the token sent with it are the same fresh secret, as Django allows."""
    token = secrets.token_hex(16)  # 32 characters: a CSRF secret
    request = urllib.request.Request(
        f"{server.base}/rooms/{room}/act/", data=urlencode(fields).encode(), method="POST",
        headers={"Cookie": f"sessionid={session}; csrftoken={token}", "X-CSRFToken": token,
                 "Accept": "application/json",
                 "Content-Type": "application/x-www-form-urlencoded"})
    with HTTP.open(request, timeout=WAIT) as answer:
        return json.loads(answer.read())


async def until(ws, accept, what: str) -> dict:
    """The first message on `ws` for which `accept` is true, within WAIT seconds."""
    async def read():
        while True:
            message = json.loads(await ws.recv())
            if accept(message):
                return message

    try:
        return await asyncio.wait_for(read(), WAIT)
    except TimeoutError:
        pytest.fail(f"no {what} within {WAIT} s")


class Cluster:
    """Process A and process B on one database and one Redis, and the world's ids."""

    def __init__(self, a: Server, b: Server, world: dict):
        self.a, self.b, self.world = a, b, world
        self.room, self.sessions, self.who = world["room"], world["sessions"], world["who"]

    def screen(self, server: Server, person: str):
        from websockets.asyncio.client import connect

        return connect(server.ws(f"/ws/rooms/{self.room}/"), origin="http://127.0.0.1",
                       additional_headers={"Cookie": f"sessionid={self.sessions[person]}"},
                       open_timeout=WAIT, close_timeout=2, proxy=None, ping_interval=None)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    data_dir = tempfile.mkdtemp(prefix="autogestion-twoproc-",
                                dir=tmp_path_factory.mktemp("twoproc"))
    servers: list[Server] = []
    redis_url, world = redis_url_of_our_own(), None
    try:
        with Database(data_dir) as database:
            env = server_env(database, redis_url)
            made = subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=180)
            assert made.returncode == 0, f"setup on {database.label} failed:\n{made.stderr}"
            world = json.loads(made.stdout.strip().splitlines()[-1])
            servers = [Server(name, env, data_dir) for name in ("A", "B")]
            for server in servers:
                server.wait_ready()
            yield Cluster(*servers, world)
    finally:
        for server in servers:
            server.stop()
        if world is not None:
            forget_group(redis_url, world["room"])
        shutil.rmtree(data_dir, ignore_errors=True)


async def snapshot_version(*screens) -> int:
    versions = set()
    for ws in screens:
        versions.add((await until(ws, lambda m: "state" in m, "snapshot"))["state"]["version"])
    assert len(versions) == 1, versions
    return versions.pop()


def test_a_hand_raised_through_one_process_appears_on_the_other(cluster):
    a, b, who = cluster.a, cluster.b, cluster.who

    async def scenario():
        async with cluster.screen(b, "member") as member_b, \
                cluster.screen(b, "facilitator") as facilitator_b, \
                cluster.screen(a, "member") as member_a:
            version = await snapshot_version(member_b, facilitator_b, member_a)

            # The member raises a hand on process A...
            await member_a.send(json.dumps({"action": "raise", "id": 1}))
            answer = await until(member_a, lambda m: "reply" in m, "reply")
            assert answer["reply"]["ok"] is True, answer
            # ...and both screens on process B see it, each with its own place.
            seen = [await until(ws, lambda m: m.get("state", {}).get("version")
                                == version + 1, "update on B")
                    for ws in (member_b, facilitator_b)]
            for message in seen:
                assert [h["who"] for h in message["state"]["queue"]] == [who["member"]]
            assert seen[0]["me"] == who["member"]
            assert seen[0]["place"]["position"] == 1
            assert seen[0]["place"]["reason"] == "not_spoken_yet"
            assert seen[1]["me"] == who["facilitator"] and seen[1]["place"] is None

            # The facilitator gives the floor through A's page (HTTP): B sees it.
            done = await asyncio.to_thread(post_act, a, cluster.room,
                                           cluster.sessions["facilitator"], action="next")
            assert done == {"ok": True}
            for ws in (member_b, facilitator_b):
                message = await until(ws, lambda m: m.get("state", {}).get("version")
                                      == version + 2, "floor given on B")
                assert message["state"]["speaker"]["who"] == who["member"]
                assert message["state"]["queue"] == []

            # A member on B may not call next: the server refuses it.
            await member_b.send(json.dumps({"action": "next", "id": 2}))
            answer = await until(member_b, lambda m: "reply" in m, "reply")
            assert answer["reply"]["ok"] is False and answer["reply"]["status"] == 403

    async_to_sync(scenario)()


QUIET = 11  # seconds: twice channels-redis's 5 s BZPOPMIN, so a 5 s read timeout shows


def test_screens_stay_connected_through_a_quiet_moment(cluster):
    """A meeting has quiet moments: screens that waited longer than the channel layer's
    polling period still get the next change, on both processes."""
    from websockets.protocol import State

    a, b, who = cluster.a, cluster.b, cluster.who

    async def scenario():
        async with cluster.screen(b, "member") as member_b, \
                cluster.screen(b, "facilitator") as facilitator_b, \
                cluster.screen(a, "member") as member_a:
            version = await snapshot_version(member_b, facilitator_b, member_a)
            await asyncio.sleep(QUIET)
            closed = [name for name, ws in (("member on B", member_b),
                                            ("facilitator on B", facilitator_b),
                                            ("member on A", member_a))
                      if ws.state is not State.OPEN]
            assert not closed, f"the servers closed these screens while quiet: {closed}"
            await member_a.send(json.dumps({"action": "raise", "id": 1}))
            for ws in (member_b, facilitator_b):
                message = await until(ws, lambda m: m.get("state", {}).get("version")
                                      == version + 1, "update on B after a quiet moment")
                assert who["member"] in [h["who"] for h in message["state"]["queue"]]

    async_to_sync(scenario)()
