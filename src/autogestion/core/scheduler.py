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
    # Each app names its jobs in its apps.py (core/registry.py).
    from . import registry

    return registry.periodic_jobs()


def run_once() -> None:
    """Run every job once. One failing job does not stop the others, but a database that
    no longer answers ends the pass: the error is raised for the caller to wait it out.
    The worker calls this every few minutes; `autogestion run_jobs` calls it from cron.
    Returns the names of the jobs that failed."""
    failed = []
    for name, job in _jobs():
        close_old_connections()
        try:
            job()
        except DATABASE_ERRORS:
            # A deadlock or a timeout is the job's failure; a refused connection is not.
            if not database_answers():
                raise
            logger.exception("periodic job %s failed", name)
            failed.append(name)
        except Exception:  # noqa: BLE001 - one failing job must not stop the others
            logger.exception("periodic job %s failed", name)
            failed.append(name)
        finally:
            close_old_connections()
    logger.info("periodic jobs done")
    return failed


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
