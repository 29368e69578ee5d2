"""The platform's clock. Deadlines, reminders and calendars ask it the time, so a test
(or a demo) can freeze it in one place instead of patching Django internals."""

from datetime import datetime

from django.utils import timezone

_frozen: datetime | None = None


def now() -> datetime:
    return _frozen if _frozen is not None else timezone.now()


def freeze(moment: datetime | None) -> None:
    """Freeze the clock at `moment` (aware), or let it run again with None."""
    global _frozen
    if moment is not None and timezone.is_naive(moment):
        raise ValueError("freeze() needs an aware datetime")
    _frozen = moment
