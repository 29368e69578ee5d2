"""Pure rules of pooled resources and their bookings (DOMAIN.md R11).

A booking holds a resource for a half-open span [start, end): a booking that ends at
10:00 and one that starts at 10:00 do not overlap. Two confirmed bookings of one
resource never overlap. A booking also keeps to the resource's opening rules:

- open days (ISO weekdays, Monday = 1) and daily hours, from `opens` to `closes`
  (`closes` at 00:00 means midnight, the end of the day; 00:00 to 00:00 is round the
  clock);
- a resource that may not be kept overnight (premises, most tools) is booked within
  one day's opening hours; one that may (a van, a tent) is taken and brought back
  within opening hours of open days, whatever lies between;
- the longest booking, the minimum notice before the start, and how far ahead the
  calendar is open.

Times are compared in the resource's time zone, so "open 08:00 to 22:00" holds in
winter and in summer. Services load rows, call these functions, and turn a `Refusal`
into words.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from autogestion.core.refusal import Refusal

ALL_DAYS = frozenset(range(1, 8))
MIDNIGHT = time(0, 0)
DAY_SECONDS = 24 * 3600
LONGEST_HORIZON_DAYS = 730


class BookingStatus(enum.StrEnum):
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    CANCELLED = "cancelled"


# The state machine of a booking: a request is confirmed, declined or withdrawn; a
# confirmed booking can only be cancelled; declined and cancelled are final.
TRANSITIONS: dict[BookingStatus, frozenset[BookingStatus]] = {
    BookingStatus.REQUESTED: frozenset({BookingStatus.CONFIRMED, BookingStatus.DECLINED,
                                        BookingStatus.CANCELLED}),
    BookingStatus.CONFIRMED: frozenset({BookingStatus.CANCELLED}),
    BookingStatus.DECLINED: frozenset(),
    BookingStatus.CANCELLED: frozenset(),
}


def check_transition(current: str, wanted: str) -> None:
    if BookingStatus(wanted) not in TRANSITIONS[BookingStatus(current)]:
        raise Refusal("bad_transition", current=current, wanted=wanted)


# Days of the week as a bit mask: Monday is bit 0, Sunday bit 6 (1..127 in the table).

def days_to_mask(days: Iterable[int]) -> int:
    days = set(days)
    if not days or not days <= ALL_DAYS:
        raise Refusal("bad_days")
    return sum(1 << (day - 1) for day in days)


def mask_to_days(mask: int) -> frozenset[int]:
    return frozenset(day for day in ALL_DAYS if mask & (1 << (day - 1)))


# Spans --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Span:
    starts_at: datetime
    ends_at: datetime

    def overlaps(self, other: Span) -> bool:
        return overlaps(self.starts_at, self.ends_at, other.starts_at, other.ends_at)

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open spans [start, end): touching ends do not overlap."""
    return a_start < b_end and b_start < a_end


def first_overlap(span: Span, others: Iterable[Span]) -> Span | None:
    """The earliest of `others` that overlaps `span`, or None."""
    clashing = [other for other in others if span.overlaps(other)]
    return min(clashing, key=lambda s: (s.starts_at, s.ends_at)) if clashing else None


def check_span(span: Span) -> None:
    if span.starts_at.tzinfo is None or span.ends_at.tzinfo is None:
        raise Refusal("naive_time")
    if span.ends_at <= span.starts_at:
        raise Refusal("ends_before_start")


# Opening rules ------------------------------------------------------------------------

@dataclass(frozen=True)
class OpeningRules:
    tz: ZoneInfo
    days: frozenset[int] = ALL_DAYS
    opens: time = MIDNIGHT
    closes: time = MIDNIGHT          # 00:00: midnight, the end of the day
    overnight: bool = False          # may be kept over several days
    longest: timedelta | None = None
    notice: timedelta = field(default_factory=timedelta)
    horizon: timedelta = timedelta(days=180)

    @property
    def opens_second(self) -> int:
        return _second(self.opens)

    @property
    def closes_second(self) -> int:
        return DAY_SECONDS if self.closes == MIDNIGHT else _second(self.closes)

    @property
    def round_the_clock(self) -> bool:
        return self.opens_second == 0 and self.closes_second == DAY_SECONDS


def check_hours(opens: time, closes: time) -> None:
    """The day's hours: opening before closing (closing at 00:00 is midnight)."""
    if opens.second or closes.second or opens.microsecond or closes.microsecond:
        raise Refusal("bad_hours")
    close_second = DAY_SECONDS if closes == MIDNIGHT else _second(closes)
    if close_second <= _second(opens):
        raise Refusal("bad_hours")


def _second(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def _local_start(moment: datetime, tz: ZoneInfo) -> tuple[date, int]:
    local = moment.astimezone(tz)
    return local.date(), _second(local.time())


def _local_end(moment: datetime, tz: ZoneInfo) -> tuple[date, int]:
    """An end at 00:00 is the end of the day before (second 86400 of that day); a
    fraction of a second counts as the whole next second."""
    local = moment.astimezone(tz)
    second = _second(local.time()) + (1 if local.microsecond else 0)
    if second == 0:
        return local.date() - timedelta(days=1), DAY_SECONDS
    return local.date(), second


def _within_hours(second: int, rules: OpeningRules) -> bool:
    return rules.opens_second <= second <= rules.closes_second


def check_opening(span: Span, rules: OpeningRules) -> None:
    """The span keeps to the days, hours, overnight rule and longest booking."""
    start_day, start_second = _local_start(span.starts_at, rules.tz)
    end_day, end_second = _local_end(span.ends_at, rules.tz)
    if rules.longest is not None and span.duration > rules.longest:
        raise Refusal("too_long", longest=rules.longest)
    for day in (start_day, end_day):
        if day.isoweekday() not in rules.days:
            raise Refusal("closed_day", day=day)
    if rules.round_the_clock and not rules.overnight:
        if end_day != start_day:
            raise Refusal("overnight", day=start_day)
        return
    if not (_within_hours(start_second, rules) and _within_hours(end_second, rules)):
        raise Refusal("outside_hours", opens=rules.opens, closes=rules.closes)
    if start_day != end_day:
        if not rules.overnight:
            raise Refusal("overnight", day=start_day)
        return
    if start_second >= rules.closes_second or end_second <= rules.opens_second:
        raise Refusal("outside_hours", opens=rules.opens, closes=rules.closes)


def check_timing(span: Span, rules: OpeningRules, now: datetime, *,
                 with_notice: bool = True) -> None:
    """Not in the past, with the notice the resource asks, not beyond its horizon."""
    if span.starts_at < now:
        raise Refusal("in_the_past")
    if with_notice and span.starts_at < now + rules.notice:
        raise Refusal("short_notice", notice=rules.notice)
    if span.starts_at > now + rules.horizon:
        raise Refusal("too_far", horizon=rules.horizon)


def check_booking(span: Span, rules: OpeningRules, now: datetime,
                  confirmed: Iterable[Span] = ()) -> None:
    """Everything a new booking must satisfy, in the order a person would fix it."""
    check_span(span)
    check_timing(span, rules, now)
    check_opening(span, rules)
    clash = first_overlap(span, confirmed)
    if clash is not None:
        raise Refusal("overlap", starts_at=clash.starts_at, ends_at=clash.ends_at)


def localize(day: date, moment: time, tz: ZoneInfo) -> datetime:
    """A wall-clock time on a day, as an aware datetime. A time the clocks skip (the
    spring change) is refused rather than silently moved; an ambiguous one (the autumn
    change) is the first of the two."""
    naive = datetime.combine(day, moment)
    aware = naive.replace(tzinfo=tz, fold=0)
    if aware.astimezone(ZoneInfo("UTC")).astimezone(tz).replace(tzinfo=None) != naive:
        raise Refusal("skipped_time", day=day)
    return aware


# Fees ---------------------------------------------------------------------------------

class FeePer(enum.StrEnum):
    BOOKING = "booking"
    HOUR = "hour"


def fee_for(span: Span, amount: int | None, per: str) -> int:
    """The fee of a booking in minor units: a flat amount per booking, or an amount per
    hour begun."""
    if not amount:
        return 0
    if FeePer(per) == FeePer.BOOKING:
        return amount
    hours = math.ceil(span.duration / timedelta(hours=1))
    return amount * hours


# The week calendar --------------------------------------------------------------------

def week_of(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.isoweekday() - 1)


def week_bounds(monday: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """From Monday 00:00 to the next Monday 00:00, local time."""
    start = datetime.combine(monday, MIDNIGHT, tz)
    end = datetime.combine(monday + timedelta(days=7), MIDNIGHT, tz)
    return start, end


def day_parts(span: Span, day: date, tz: ZoneInfo) -> tuple[time, time | None] | None:
    """The part of a span that falls on a local day: (from, to); `to` None means it goes
    on past midnight. None when the span does not touch the day."""
    day_start = datetime.combine(day, MIDNIGHT, tz)
    day_end = datetime.combine(day + timedelta(days=1), MIDNIGHT, tz)
    if not overlaps(span.starts_at, span.ends_at, day_start, day_end):
        return None
    start = max(span.starts_at, day_start).astimezone(tz).time()
    end = None if span.ends_at >= day_end else span.ends_at.astimezone(tz).time()
    return start, end
