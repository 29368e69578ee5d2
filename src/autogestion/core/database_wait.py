"""Waiting out a database outage in the long-running processes (the task worker and its
periodic jobs): close the broken connections, wait, try again, resume.

A restart of PostgreSQL (an upgrade, a fail-over, a crash) must not stop reminders,
e-mails and the closing of rounds for good: the worker waits with a bounded backoff
and carries on by itself once the database answers, with one log line per try rather
than a traceback."""

import logging
import threading
import time

from django.db import connection, connections
from django.db.utils import InterfaceError, OperationalError

logger = logging.getLogger(__name__)

# What a lost or refused connection raises (psycopg and sqlite3 alike, through Django).
DATABASE_ERRORS = (OperationalError, InterfaceError)

FIRST_DELAY = 1.0
MAX_DELAY = 30.0


class Backoff:
    """1 s, doubling to 30 s while failures follow each other; back to 1 s once things
    went well for a while, so that a later outage is noticed fast again."""

    def __init__(self) -> None:
        self.delay = 0.0
        self._last = float("-inf")

    def next_delay(self) -> float:
        now = time.monotonic()
        if now - self._last > 2 * MAX_DELAY:
            self.delay = FIRST_DELAY
        else:
            self.delay = min(max(self.delay, FIRST_DELAY / 2) * 2, MAX_DELAY)
        self._last = now
        return self.delay


def _summary(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".strip()


def database_answers() -> bool:
    """Whether a fresh connection to the database can be opened (the old ones closed)."""
    connections.close_all()
    try:
        connection.ensure_connection()
    except DATABASE_ERRORS:
        return False
    return True


def wait_for_database(who: str, error: BaseException, backoff: Backoff,
                      stop: threading.Event | None = None) -> bool:
    """Wait until the database answers again, logging one warning line per try.

    Returns False when `stop` was set meanwhile (the caller should end), True otherwise.
    """
    started = time.monotonic()
    while True:
        connections.close_all()
        delay = backoff.next_delay()
        logger.warning("%s: the database does not answer (%s); next try in %.0f s",
                       who, _summary(error), delay)
        if stop is not None:
            if stop.wait(delay):
                return False
        else:
            time.sleep(delay)
        try:
            connection.ensure_connection()
        except DATABASE_ERRORS as again:
            error = again
            continue
        logger.warning("%s: the database answers again after %.0f s; resuming",
                       who, time.monotonic() - started)
        return True
