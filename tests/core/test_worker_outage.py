"""Fault test: `autogestion worker` waits out a PostgreSQL outage and catches up.

The outage is real: the test starts its own PostgreSQL cluster (initdb in a temporary
directory, on a free port), points a worker process at it, then stops and restarts that
cluster. The shared server on 5432 is never touched.
"""

import contextlib
import glob
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def test_the_wait_doubles_from_one_second_up_to_thirty():
    from autogestion.core.database_wait import Backoff

    backoff = Backoff()
    assert [backoff.next_delay() for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]


def _postgres_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:  # often a symlink into /usr/lib/postgresql/<version>/bin, beside initdb
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                      key=lambda path: int(Path(path).parent.parent.name))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateCluster:
    """A throw-away PostgreSQL cluster; as root, it runs as the `postgres` user
    (initdb refuses root)."""

    def __init__(self, pg_bin: Path):
        self.pg_bin = pg_bin
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="autogestion-outage-"))
        self.data = self.root / "data"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, user="postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/autogestion"

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self.as_user, str(self.pg_bin / args[0]), *args[1:]],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
        assert done.returncode == 0, f"{args[0]} failed: {done.stderr.decode(errors='replace')}"

    def create(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--no-sync", "-E", "UTF8")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                  "autogestion")

    def start(self) -> None:
        # Its own socket directory and no fsync: nothing here is shared, nothing kept.
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off")
        self._run("pg_ctl", "start", "-w", "-t", "30", "-D", str(self.data), "-o", options,
                  "-l", str(self.root / "postgres.log"))

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "stop", "-w", "-t", "30", "-D", str(self.data), "-m", mode)

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(AssertionError, subprocess.SubprocessError):
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def cluster():
    pg_bin = _postgres_bin()
    if pg_bin is None or not (pg_bin / "initdb").exists():
        pytest.skip("skipped: initdb/pg_ctl not found (PostgreSQL server binaries)")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        pytest.skip("skipped: running as root and runuser is missing to drop to postgres")
    private = PrivateCluster(pg_bin)
    try:
        private.create()
        yield private
    finally:
        private.destroy()


def _copy_schema(cluster: PrivateCluster) -> None:
    """The suite's migrated test database, schema only, into the private cluster: the
    worker does not care how its tables were made, and running every migration again
    costs some 20 s of CPU, which this test cannot afford on two busy cores."""
    from django.db import connection

    source = connection.settings_dict
    assert source["NAME"].startswith("test_"), "the suite's test database, not a real one"
    env = {**os.environ, "PGPASSWORD": source.get("PASSWORD") or ""}
    dump = subprocess.run(
        [str(cluster.pg_bin / "pg_dump"), "--schema-only", "--no-owner", "--no-privileges",
         "-h", source["HOST"] or "127.0.0.1", "-p", str(source["PORT"] or 5432),
         "-U", source["USER"], source["NAME"]],
        env=env, capture_output=True, check=True, timeout=60).stdout
    subprocess.run(
        [str(cluster.pg_bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
         "-p", str(cluster.port), "-U", "postgres", "autogestion"],
        input=dump, capture_output=True, check=True, timeout=60)


def _environment(cluster: PrivateCluster, smtp_port: int) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in {"REDIS_URL", "TASKS_BACKEND", "DATABASE_POOL"}}
    env.update({
        # The production settings (the suite's run every task at once, in process).
        "DJANGO_SETTINGS_MODULE": "autogestion.config.settings",
        "DATABASE_URL": cluster.url,
        "AUTOGESTION_DATA_DIR": str(cluster.root / "app"),
        "AUTOGESTION_SCHEDULER_INTERVAL": "1",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    })
    return env


# Queues e-mails through the platform's own task API, one per JSON line read; one process
# for the whole test, as each Django start-up costs seconds here.
ENQUEUER = """
import json, sys
from datetime import timedelta
import django
django.setup()
from django.db import connections
from django.utils import timezone
from autogestion.core.tasks import deliver_email
for line in sys.stdin:
    order = json.loads(line)
    connections.close_all()  # the cluster may have restarted since the last order
    run_after = timezone.now() + timedelta(seconds=order["delay"])
    deliver_email.using(run_after=run_after).enqueue(
        subject=order["subject"], body="outage test", from_email="worker@localhost",
        to=["member@localhost"])
    print("queued", flush=True)
"""


class Enqueuer:
    def __init__(self, env: dict[str, str]):
        self.process = subprocess.Popen([sys.executable, "-c", ENQUEUER], env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def email(self, subject: str, delay_seconds: int = 0) -> None:
        order = json.dumps({"subject": subject, "delay": delay_seconds})
        self.process.stdin.write(order.encode() + b"\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], 30)
        assert ready, f"the e-mail {subject!r} was not queued within 30 s"
        assert self.process.stdout.readline() == b"queued\n"

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def _wait_for(condition, timeout: float, what) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what()}"
        time.sleep(0.1)


def _subjects(mailbox) -> set[str]:
    return {message["Subject"] for message in mailbox.snapshot()}


@pytest.mark.postgres
@pytest.mark.django_db  # the suite's test database exists: its schema is copied
def test_the_worker_waits_out_a_postgresql_restart_and_catches_up(cluster, smtp_server):
    controller, mailbox = smtp_server
    _copy_schema(cluster)
    env = _environment(cluster, controller.port)
    log_path = cluster.root / "worker.log"
    with open(log_path, "wb") as log:
        worker = subprocess.Popen(
            [str(BIN / "autogestion"), "worker", "--interval", "0.2", "--no-startup-delay"],
            env=env, stdout=log, stderr=subprocess.STDOUT)
    enqueuer = Enqueuer(env)

    def log_text() -> str:
        return log_path.read_text(errors="replace")

    def scheduler_passes() -> int:
        return log_text().count("periodic jobs done")

    try:
        enqueuer.email("before the outage")
        _wait_for(lambda: "before the outage" in _subjects(mailbox), 30,
                  lambda: f"the first e-mail; worker log:\n{log_text()}")
        # Ready only while the database is down: the worker must take it up afterwards.
        enqueuer.email("queued before the outage", delay_seconds=1)

        cluster.stop("fast")
        time.sleep(5)
        assert worker.poll() is None, f"the worker exited during the outage:\n{log_text()}"
        passes_in_outage = scheduler_passes()
        cluster.start()

        enqueuer.email("after the outage")
        _wait_for(lambda: {"queued before the outage", "after the outage"} <= _subjects(mailbox),
                  40, lambda: f"the e-mails after the restart; worker log:\n{log_text()}")
        _wait_for(lambda: scheduler_passes() > passes_in_outage, 40,
                  lambda: f"a periodic pass after the restart; worker log:\n{log_text()}")
        assert worker.poll() is None, log_text()
    finally:
        enqueuer.close()
        _stop(worker)

    text = log_text()
    assert "task worker: the database does not answer" in text, text
    assert "periodic jobs: the database does not answer" in text, text
    assert "task worker: the database answers again" in text, text
    assert "Traceback" not in text, text
    assert sorted(message["Subject"] for message in mailbox.snapshot()) == [
        "after the outage", "before the outage", "queued before the outage"]
