"""Periodic jobs run beside the task worker, so a cooperative needs no cron: the worker
process checks every few minutes for reminders that are due. Each job is idempotent (it
keeps its own log), so running it too often, or from several workers, sends nothing twice."""

import logging
import os
import threading

from django.db import close_old_connections

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
    for name, job in _jobs():
        close_old_connections()
        try:
            job()
        except Exception:  # noqa: BLE001 - one failing job must not stop the others
            logger.exception("periodic job %s failed", name)
        finally:
            close_old_connections()


def start(interval: int = INTERVAL_SECONDS) -> threading.Thread:
    stop = threading.Event()

    def loop():
        while True:
            run_once()
            if stop.wait(interval):
                return

    thread = threading.Thread(target=loop, name="autogestion-scheduler", daemon=True)
    thread.stop = stop
    thread.start()
    return thread
