"""`autogestion backup`: consistent copies of SQLite while it is written, pg_dump archives
of PostgreSQL, and clear refusals."""

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from autogestion.core.management.commands import backup

SQLITE = "django.db.backends.sqlite3"


def make_live_database(path: Path, rows: int = 100) -> sqlite3.Connection:
    """A WAL database whose committed rows are still only in the WAL, plus a write
    transaction left open: what a backup meets while the server runs."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.execute("CREATE TABLE entry (id INTEGER PRIMARY KEY, label TEXT NOT NULL)")
    db.execute("BEGIN")
    db.executemany("INSERT INTO entry (label) VALUES (?)", [(f"row {i}",) for i in range(rows)])
    db.execute("COMMIT")
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO entry (label) VALUES ('not committed')")
    return db


def read_copy(path: Path) -> tuple[int, str, str]:
    with closing(sqlite3.connect(path)) as copy:
        (count,) = copy.execute("SELECT count(*) FROM entry").fetchone()
        (mode,) = copy.execute("PRAGMA journal_mode").fetchone()
        (check,) = copy.execute("PRAGMA integrity_check").fetchone()
    return count, mode, check


@pytest.fixture
def live_db(tmp_path):
    path = tmp_path / "live.sqlite3"
    db = make_live_database(path)
    yield path
    db.execute("ROLLBACK")
    db.close()


class TestSQLite:
    def test_copy_holds_committed_rows_while_a_writer_is_busy(self, live_db, tmp_path):
        assert Path(f"{live_db}-wal").stat().st_size > 0  # the rows are in the WAL
        target = tmp_path / "copy.sqlite3"
        backup.backup_sqlite(live_db, target)
        assert read_copy(target) == (100, "delete", "ok")
        assert not Path(f"{target}-wal").exists()

    def test_command_writes_a_private_file(self, live_db, tmp_path, monkeypatch):
        monkeypatch.setattr(backup, "database_settings",
                            lambda alias: {"ENGINE": SQLITE, "NAME": live_db})
        target = tmp_path / "backups" / "coop.sqlite3"
        target.parent.mkdir()
        call_command("backup", str(target))
        assert read_copy(target)[0] == 100
        assert target.stat().st_mode & 0o777 == 0o600
        assert list(target.parent.iterdir()) == [target]  # no staged file left

    def test_the_cli_backs_up_the_configured_database(self, tmp_path):
        data_dir = tmp_path / "data"
        data_dir.mkdir()
        writer = make_live_database(data_dir / "autogestion.sqlite3", rows=7)
        target = tmp_path / "out.sqlite3"
        env = {**os.environ, "AUTOGESTION_DATA_DIR": str(data_dir), "DATABASE_URL": ""}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        try:
            result = subprocess.run([sys.executable, "-m", "autogestion", "backup", str(target)],
                                    env=env, capture_output=True, text=True, timeout=60)
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        assert result.returncode == 0, result.stderr
        assert "Backup of the SQLite database written to" in result.stdout
        assert read_copy(target) == (7, "delete", "ok")

    def test_force_replaces_an_existing_file(self, live_db, tmp_path, monkeypatch):
        monkeypatch.setattr(backup, "database_settings",
                            lambda alias: {"ENGINE": SQLITE, "NAME": live_db})
        target = tmp_path / "coop.sqlite3"
        target.write_text("an older backup")
        with pytest.raises(CommandError, match="already exists.*--force"):
            call_command("backup", str(target))
        assert target.read_text() == "an older backup"
        call_command("backup", str(target), force=True)
        assert read_copy(target)[0] == 100

    def test_refuses_to_overwrite_the_live_database(self, live_db, monkeypatch):
        monkeypatch.setattr(backup, "database_settings",
                            lambda alias: {"ENGINE": SQLITE, "NAME": live_db})
        with pytest.raises(CommandError, match="live database"):
            call_command("backup", str(live_db), force=True)
        assert read_copy(live_db)[0] == 100

    def test_refuses_a_missing_database_file(self, tmp_path, monkeypatch):
        missing = tmp_path / "missing.sqlite3"
        monkeypatch.setattr(backup, "database_settings",
                            lambda alias: {"ENGINE": SQLITE, "NAME": missing})
        with pytest.raises(CommandError, match="does not exist: nothing to back up"):
            call_command("backup", str(tmp_path / "out.sqlite3"))
        assert not missing.exists()
        assert list(tmp_path.iterdir()) == []

    def test_refuses_an_in_memory_database(self, tmp_path):
        settings_dict = {"ENGINE": SQLITE, "NAME": ":memory:"}
        with pytest.raises(CommandError, match="in memory"):
            backup.backup_database(settings_dict, tmp_path / "out.sqlite3")
        assert list(tmp_path.iterdir()) == []


class TestDestination:
    def test_missing_folder(self, tmp_path):
        with pytest.raises(CommandError, match="does not exist: create it first"):
            backup.check_destination(tmp_path / "nowhere" / "coop.sqlite3")

    def test_folder_instead_of_file(self, tmp_path):
        with pytest.raises(CommandError, match="is a folder"):
            backup.check_destination(tmp_path, force=True)

    def test_existing_file_needs_force(self, tmp_path):
        existing = tmp_path / "coop.dump"
        existing.write_bytes(b"x")
        with pytest.raises(CommandError, match="already exists"):
            backup.check_destination(existing)
        assert backup.check_destination(existing, force=True) == existing

    def test_relative_path_is_made_absolute(self, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        assert backup.check_destination("coop.dump") == tmp_path / "coop.dump"

    def test_unsupported_engine(self):
        with pytest.raises(CommandError, match="SQLite and PostgreSQL"):
            backup.database_kind({"ENGINE": "django.db.backends.mysql"})


class TestPgDumpCommand:
    SETTINGS = {"ENGINE": "django.db.backends.postgresql", "NAME": "coop", "USER": "coop",
                "PASSWORD": "s3cret-pw", "HOST": "db.example.org", "PORT": 5433,
                "OPTIONS": {"sslmode": "require"}}

    def test_password_only_in_the_environment(self, tmp_path):
        args, env = backup.pg_dump_command(self.SETTINGS, tmp_path / "coop.dump")
        assert not any("s3cret-pw" in arg for arg in args)
        assert env["PGPASSWORD"] == "s3cret-pw"
        assert env["PGSSLMODE"] == "require"
        assert args[:3] == ["pg_dump", "--format=custom", "--no-password"]
        assert {f"--file={tmp_path / 'coop.dump'}", "--host=db.example.org", "--port=5433",
                "--username=coop", "--dbname=coop"} <= set(args)

    def test_missing_pg_dump_is_explained(self, tmp_path, monkeypatch):
        monkeypatch.setattr(backup.shutil, "which", lambda name: None)
        with pytest.raises(CommandError, match="pg_dump is not installed"):
            backup.backup_database(self.SETTINGS, tmp_path / "coop.dump")
        assert list(tmp_path.iterdir()) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_dump_restores_its_rows(make_person, tmp_path):
    person = make_person("Backed Up")
    target = tmp_path / "coop.dump"
    call_command("backup", str(target))
    listing = subprocess.run(["pg_restore", "--list", str(target)], capture_output=True,
                             text=True, check=True).stdout
    assert "TABLE public cooperatives_body" in listing
    assert "TABLE DATA public accounts_user" in listing
    data = subprocess.run(["pg_restore", "--data-only", "--table=accounts_user", "--file=-",
                           str(target)], capture_output=True, text=True, check=True).stdout
    assert person.email in data
