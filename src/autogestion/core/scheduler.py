"""Periodic jobs run beside the task worker, so a cooperative needs no cron: the worker
process checks every few minutes for reminders that are due. Each job is idempotent (it
keeps its own log), so running it too often, or from several workers, sends nothing twice."""

import logging
import os
import threading

from django.db import close_old_connections

from .database_wait import DATABASE_ERRORS, Backoff, database_answers, wait_for_database

logger = logging.getLogger(__name__)

INTERVAL_SECONDS = int(os.environ.get("AUTOGESTION_SCHEDULER_INTERVAL", "300"))


def _jobs():
    from autogestion.assemblies.services import send_due_reminders
    from autogestion.decisions.services import periodic as decisions_periodic
    from autogestion.economy.services import accept_due_requests

    return [("send_due_reminders", send_due_reminders),
            ("close_due_rounds_and_remind", decisions_periodic),
            ("accept_due_payment_requests", accept_due_requests)]


def run_once() -> None:
    """Run every job once. One failing job does not stop the others, but a database that
    no longer answers ends the pass: the error is raised for the caller to wait it out."""
    for name, job in _jobs():
        close_old_connections()
        try:
            job()
        except DATABASE_ERRORS:
            # A deadlock or a timeout is the job's failure; a refused connection is not.
            if not database_answers():
                raise
            logger.exception("periodic job %s failed", name)
        except Exception:  # noqa: BLE001 - one failing job must not stop the others
            logger.exception("periodic job %s failed", name)
        finally:
            close_old_connections()
    logger.info("periodic jobs done")


def start(interval: int = INTERVAL_SECONDS) -> threading.Thread:
    stop = threading.Event()

    def loop():
        backoff = Backoff()
        while True:
            try:
                run_once()
            except DATABASE_ERRORS as error:
                if not wait_for_database("periodic jobs", error, backoff, stop):
                    return
                # The interrupted pass runs again at once: what fell due meanwhile is sent.
                continue
            if stop.wait(interval):
                return

    thread = threading.Thread(target=loop, name="autogestion-scheduler", daemon=True)
    thread.stop = stop
    thread.start()
    return thread
