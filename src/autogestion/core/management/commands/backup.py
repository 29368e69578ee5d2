"""`autogestion backup <destination>`: a consistent copy of the live database.

SQLite: SQLite's online backup API copies the database in one read transaction, so the
copy is consistent even while the server and the worker write to it (WAL mode). The
copy is a plain one-file database (journal mode DELETE) that `sqlite3` opens directly.

PostgreSQL: `pg_dump --format=custom` with the connection parameters of the Django
settings; the password goes through PGPASSWORD, never on the command line. Restore with
`pg_restore`.

The backup is written to a hidden file beside the destination and renamed into place
only once complete, so a failed backup never leaves a truncated file behind. It is
readable by its owner only: it holds e-mail addresses and password hashes.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

# Connection OPTIONS (from DATABASE_URL's query string) that pg_dump reads from libpq's
# environment variables.
PG_OPTION_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslpassword": "PGSSLPASSWORD",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
}

LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def database_settings(alias: str = DEFAULT_DB_ALIAS) -> dict:
    return connections[alias].settings_dict


def database_kind(settings_dict: dict) -> str:
    """'sqlite' or 'postgresql', from the ENGINE of a DATABASES entry."""
    engine = settings_dict.get("ENGINE", "")
    if "sqlite" in engine or "spatialite" in engine:
        return "sqlite"
    if "postgresql" in engine or "postgis" in engine:
        return "postgresql"
    raise CommandError(f"Backups support SQLite and PostgreSQL, not {engine!r}.")


def check_destination(destination: str | Path, *, force: bool = False) -> Path:
    """The absolute path to write, or a CommandError saying why not."""
    path = Path(destination).expanduser().absolute()
    if path.is_dir():
        raise CommandError(f"{path} is a folder: give the name of the backup file to write.")
    if not path.parent.is_dir():
        raise CommandError(f"The folder {path.parent} does not exist: create it first.")
    if path.exists() and not force:
        raise CommandError(f"{path} already exists: choose another name, or add --force to "
                           "replace it.")
    return path


@contextmanager
def staged_file(destination: Path) -> Iterator[Path]:
    """A private temporary file beside `destination`, renamed to it when the block ends
    without error, removed otherwise."""
    fd, name = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.",
                                suffix=".partial")
    os.close(fd)
    staged = Path(name)
    try:
        yield staged
        os.replace(staged, destination)
    finally:
        staged.unlink(missing_ok=True)


def sqlite_source(settings_dict: dict) -> Path:
    """The file of the SQLite database, checked to exist."""
    name = str(settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or "mode=memory" in name:
        raise CommandError("The SQLite database is in memory: there is no file to back up.")
    source = Path(name).absolute()
    if not source.is_file():
        raise CommandError(f"The SQLite database {source} does not exist: nothing to back up.")
    return source


def backup_sqlite(source: Path, target: Path, *, timeout: float = 20) -> None:
    """Copy the live SQLite database `source` into the file `target` (overwritten).

    One backup step under one read transaction: in WAL mode writers go on meanwhile,
    and the copy holds exactly the transactions committed when the step started.
    """
    # mode=rw: never create an empty database where the source should be.
    source_uri = f"{source.as_uri()}?mode=rw"
    with (closing(sqlite3.connect(source_uri, uri=True, timeout=timeout)) as source_db,
          closing(sqlite3.connect(target, timeout=timeout)) as target_db):
        source_db.backup(target_db)
        target_db.execute("PRAGMA journal_mode=DELETE")
        (check,) = target_db.execute("PRAGMA quick_check").fetchone()
    if check != "ok":
        raise CommandError(f"The copy of {source} fails SQLite's integrity check: {check}")


def pg_dump_command(settings_dict: dict, target: Path) -> tuple[list[str], dict[str, str]]:
    """The pg_dump arguments and environment for a PostgreSQL DATABASES entry. The
    password is only in the environment, where other users cannot read it."""
    args = ["pg_dump", "--format=custom", "--no-password", f"--file={target}"]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if value := settings_dict.get(key):
            args.append(f"{flag}={value}")
    if name := settings_dict.get("NAME"):
        args.append(f"--dbname={name}")
    env = dict(os.environ)
    if password := settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(password)
    for option, variable in PG_OPTION_ENV.items():
        if value := (settings_dict.get("OPTIONS") or {}).get(option):
            env[variable] = str(value)
    return args, env


def backup_postgresql(settings_dict: dict, target: Path) -> None:
    if shutil.which("pg_dump") is None:
        raise CommandError("pg_dump is not installed: install the PostgreSQL client tools "
                           "(Debian: apt install postgresql-client), of the server's "
                           "major version or newer.")
    args, env = pg_dump_command(settings_dict, target)
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise CommandError(f"pg_dump failed: {result.stderr.strip()}")


def backup_database(settings_dict: dict, destination: Path) -> str:
    """Write a backup of the database of `settings_dict` to `destination` (already
    checked); answers the kind of database."""
    kind = database_kind(settings_dict)
    source = sqlite_source(settings_dict) if kind == "sqlite" else None
    if source is not None and destination.resolve() == source.resolve():
        raise CommandError("The destination is the live database itself.")
    with staged_file(destination) as staged:
        if source is not None:
            backup_sqlite(source, staged)
        else:
            backup_postgresql(settings_dict, staged)
    return kind


class Command(BaseCommand):
    help = ("Write a consistent backup of the database to a file: a copy of the SQLite "
            "database, or a pg_dump archive (custom format) of the PostgreSQL one.")

    def add_arguments(self, parser):
        parser.add_argument("destination", help="The backup file to write.")
        parser.add_argument("--force", action="store_true",
                            help="Replace the destination when it exists.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS,
                            help="The database to back up (default: 'default').")

    def handle(self, *args, destination, force=False, database=DEFAULT_DB_ALIAS, **options):
        path = check_destination(destination, force=force)
        kind = backup_database(database_settings(database), path)
        size = path.stat().st_size
        self.stdout.write(self.style.SUCCESS(
            f"Backup of the {LABELS[kind]} database written to {path} ({size} bytes)."))
