"""`autogestion worker`: django-tasks-db's `db_worker`, made to wait out a database
outage, with the periodic jobs (core/scheduler.py) running beside it."""

from django.core.management import execute_from_command_line
from django_tasks_db.management.commands import db_worker

from .database_wait import DATABASE_ERRORS, Backoff, wait_for_database


class Worker(db_worker.Worker):
    """db_worker's loop, resumed after a database outage instead of ending the process.

    The loop is wrapped here, in the process, rather than only restarted from outside:
    the worker keeps its id and its signal handlers (SIGTERM still lets the running task
    finish, and ends a wait at once), it logs one line per try instead of a traceback per
    restart, and it also recovers under `--reload`, where the loop runs in a thread of
    the reloader and a crash would leave a live process that takes no task. Any other
    error still ends the process, for its supervisor (systemd, `make run`) to restart.
    """

    def run(self) -> None:
        backoff = Backoff()
        while True:
            try:
                super().run()
                return
            except DATABASE_ERRORS as error:
                wait_for_database("task worker", error, backoff)
            # The random delay spreads workers starting together; a resume needs none.
            self.startup_delay = False


def run(argv: list[str]) -> None:
    """Run the worker with db_worker's options (`--queue-name`, `--interval`, ...).

    Needs django.setup() done: db_worker's module imports its models."""
    from autogestion.core import scheduler

    # db_worker's command builds its worker by this module-level name.
    db_worker.Worker = Worker
    scheduler.start()
    execute_from_command_line(["autogestion", "db_worker", *argv])
