"""The suite's one clock.

Every test runs as if it were SUITE_NOW (Thursday 26 November 2026, 10:00 in Paris), with
the clock ticking from there: `datetime.now()`, `time.time()`, `timezone.now()` and the
platform's `core.clock` all start at that moment, whatever the calendar says. A test that
needs another moment freezes `core.clock` itself (fixtures `frozen` and the like).

CI proves that nothing depends on the real date by running the SQLite pass with the
machine's clock a year ahead (libfaketime, see the Makefile): subprocesses, SQLite's own
CURRENT_TIMESTAMP and the browser see that date, the tests still see SUITE_NOW.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

PARIS = ZoneInfo("Europe/Paris")
SUITE_NOW = datetime(2026, 11, 26, 10, 0, tzinfo=PARIS)


def travel() -> time_machine.travel:
    """Start the suite's clock at SUITE_NOW; it ticks on from there."""
    return time_machine.travel(SUITE_NOW, tick=True)
