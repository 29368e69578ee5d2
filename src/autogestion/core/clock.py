"""The platform's clock. Deadlines, reminders and calendars ask it the time, so a test
(or a demo) can freeze it in one place instead of patching Django internals."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
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


# The platform's local time: the cooperatives' zone (settings.TIME_ZONE). Pages and API
# alike show moments and count days in it; nobody else computes "today".
def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def today() -> date:
    """The local calendar day now (a payment request's expiry, a plan's day, a booking's
    week are all counted in it)."""
    return timezone.localtime(now(), zone()).date()


def local(moment: datetime | None) -> datetime | None:
    """`moment` in the platform's zone, as pages and the API show it (None stays None)."""
    return timezone.localtime(moment, zone()) if moment is not None else None


def zone_of(person) -> ZoneInfo:
    """The zone a person reads times in (their profile), the platform's if unset."""
    name = getattr(person, "time_zone", "") or settings.TIME_ZONE
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return zone()


def local_for(moment: datetime, person) -> datetime:
    """`moment` as `person` reads it: e-mails and notifications say "tomorrow" and give
    the time in the recipient's zone, not the server's."""
    return timezone.localtime(moment, zone_of(person))
