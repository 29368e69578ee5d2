"""Pure rules of the assembly calendar and agenda (DOMAIN.md R3, R4).

Times: a series is defined in local wall-clock time in its time zone, and every
occurrence keeps that wall-clock time across daylight-saving changes ("the Agora is at
10:30", winter and summer). Expansion works on naive local datetimes and localizes
each occurrence afterwards. Only the standard library and dateutil's RFC 5545 parser.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrulestr

from autogestion.core.refusal import Refusal

DEFAULT_AGORA_RULE = "FREQ=MONTHLY;BYDAY=-1SA"
DEFAULT_PREPARATION_OFFSET_DAYS = 7
MAX_ITEM_MINUTES = 8 * 60
MAX_MOVE_DAYS = 60


# Recurrence ---------------------------------------------------------------------------

FORBIDDEN_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
FREQUENCIES = {"YEARLY": YEARLY, "MONTHLY": MONTHLY, "WEEKLY": WEEKLY, "DAILY": DAILY}


def _until_in_local_time(value: str, until: str, tz: ZoneInfo) -> str:
    try:
        moment = datetime.strptime(until, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise Refusal("bad_rrule", rule=value) from None
    local = moment.astimezone(tz).strftime("%Y%m%dT%H%M%S")
    return value.replace(f"UNTIL={until}", f"UNTIL={local}")


def check_rrule(text: str, first_day: date | None = None, tz: ZoneInfo | None = None) -> str:
    """A clean RRULE value (without the 'RRULE:' prefix), or a refusal saying why not.

    A series meets at most once a day at its own start time, so the rule may not pick
    hours, minutes or seconds; and it must happen at least once in the five years after
    its first day (an impossible rule, say 30 February, would make every page search
    the calendar up to the year 9999)."""
    value = (text or "").strip().upper()
    if value.startswith("RRULE:"):
        value = value[6:]
    if not value or "DTSTART" in value or "\n" in value or "=" not in value:
        raise Refusal("bad_rrule", rule=text)
    parts = dict(part.partition("=")[::2] for part in value.split(";"))
    if any(name in parts for name in FORBIDDEN_PARTS):
        raise Refusal("rrule_too_frequent", rule=text)
    if parts.get("FREQ") in {"HOURLY", "MINUTELY", "SECONDLY"}:
        raise Refusal("rrule_too_frequent", rule=text)
    if parts.get("FREQ") not in FREQUENCIES:
        raise Refusal("bad_rrule", rule=text)
    interval = parts.get("INTERVAL", "1")
    if not interval.isdigit() or not 1 <= int(interval) <= 1000:
        raise Refusal("bad_rrule", rule=text)
    if parts.get("UNTIL", "").endswith("Z"):
        # RFC 5545 writes UNTIL in UTC beside a zoned DTSTART; the series keeps local time.
        if tz is None:
            raise Refusal("rrule_until_utc", rule=text)
        value = _until_in_local_time(value, parts["UNTIL"], tz)
    start = datetime.combine(first_day or date(2000, 1, 1), time.min)
    try:
        rule = rrulestr(value, dtstart=start)
        happens = rule.between(start, start + timedelta(days=5 * 366), inc=True)
    except (ValueError, TypeError, KeyError):
        raise Refusal("bad_rrule", rule=text) from None
    if not happens:
        raise Refusal("rrule_never", rule=text)
    return value


# The recurrence builder: what a person chooses in the form, and the rule in words ----

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ORDINALS = (1, 2, 3, 4, 5, -1, -2)
MAX_INTERVAL = 99
MAX_COUNT = 1000


class Frequency(enum.StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class MonthlyBy(enum.StrEnum):
    WEEKDAY = "weekday"  # the Nth (or last) <weekday> of the month
    DAY = "day"  # day N of the month


@dataclass(frozen=True)
class Recurrence:
    """The builder's choices. `weekdays` (weekly) and `weekday` (monthly) are codes
    MO..SU; `ordinal` 1..5 or -1 (last), -2 (second to last); `month_day` 1..31 or -1
    (the last day); at most one of `until` and `count`."""

    frequency: str
    interval: int = 1
    weekdays: tuple[str, ...] = ()
    monthly_by: str = MonthlyBy.WEEKDAY
    ordinal: int | None = None
    weekday: str = ""
    month_day: int | None = None
    until: date | None = None
    count: int | None = None


def build_rrule(choice: Recurrence) -> str:
    """The RFC 5545 rule (without 'RRULE:') of the builder's choices, or a refusal whose
    `field` names the choice to change. UNTIL is the end of that local day."""
    if choice.frequency not in Frequency.__members__.values():
        raise Refusal("builder_frequency", field="frequency")
    if isinstance(choice.interval, bool) or not isinstance(choice.interval, int) \
            or not 1 <= choice.interval <= MAX_INTERVAL:
        raise Refusal("builder_interval", field="interval", max=MAX_INTERVAL)
    parts = [f"FREQ={choice.frequency.upper()}"]
    if choice.interval != 1:
        parts.append(f"INTERVAL={choice.interval}")
    if choice.frequency == Frequency.WEEKLY:
        days = [d.upper() for d in choice.weekdays]
        if not days:
            raise Refusal("builder_weekdays", field="weekdays")
        if any(d not in WEEKDAY_CODES for d in days):
            raise Refusal("builder_weekday", field="weekdays")
        ordered = [d for d in WEEKDAY_CODES if d in days]
        parts.append("BYDAY=" + ",".join(ordered))
    elif choice.frequency == Frequency.MONTHLY:
        if choice.monthly_by == MonthlyBy.WEEKDAY:
            if choice.ordinal not in ORDINALS or isinstance(choice.ordinal, bool):
                raise Refusal("builder_ordinal", field="ordinal")
            weekday = (choice.weekday or "").upper()
            if weekday not in WEEKDAY_CODES:
                raise Refusal("builder_weekday", field="weekday")
            parts.append(f"BYDAY={choice.ordinal}{weekday}")
        elif choice.monthly_by == MonthlyBy.DAY:
            day = choice.month_day
            if not isinstance(day, int) or isinstance(day, bool) \
                    or not (1 <= day <= 31 or day == -1):
                raise Refusal("builder_month_day", field="month_day")
            parts.append(f"BYMONTHDAY={day}")
        else:
            raise Refusal("builder_monthly_by", field="monthly_by")
    if choice.until is not None and choice.count is not None:
        raise Refusal("builder_two_ends", field="count")
    if choice.count is not None:
        if isinstance(choice.count, bool) or not isinstance(choice.count, int) \
                or not 1 <= choice.count <= MAX_COUNT:
            raise Refusal("builder_count", field="count", max=MAX_COUNT)
        parts.append(f"COUNT={choice.count}")
    if choice.until is not None:
        parts.append(f"UNTIL={choice.until:%Y%m%d}T235959")
    return ";".join(parts)


def parse_rrule(text: str) -> Recurrence | None:
    """The builder's choices that give this rule, or None when the builder cannot say
    it (a yearly rule, several ordinals, BYMONTH...). BYSETPOS with one weekday (the
    other way to write "the last Saturday") is understood."""
    value = (text or "").strip().upper()
    if value.startswith("RRULE:"):
        value = value[6:]
    try:
        parts = dict(part.split("=", 1) for part in value.split(";") if part)
    except ValueError:
        return None
    freq = parts.pop("FREQ", "")
    if freq.lower() not in Frequency.__members__.values():
        return None
    try:
        interval = int(parts.pop("INTERVAL", "1"))
        count = int(parts.pop("COUNT")) if "COUNT" in parts else None
        until = None
        if "UNTIL" in parts:
            until = datetime.strptime(parts.pop("UNTIL")[:8], "%Y%m%d").date()
    except ValueError:
        return None
    parts.pop("WKST", None)
    common = {"interval": interval, "count": count, "until": until}
    byday = [d for d in parts.pop("BYDAY", "").split(",") if d]
    if freq == "DAILY":
        return Recurrence(Frequency.DAILY, **common) if not parts and not byday else None
    if freq == "WEEKLY":
        if parts or not all(d in WEEKDAY_CODES for d in byday):
            return None
        return Recurrence(Frequency.WEEKLY, weekdays=tuple(byday), **common)
    # MONTHLY
    if "BYMONTHDAY" in parts:
        raw = parts.pop("BYMONTHDAY")
        if parts or byday or not raw.lstrip("-").isdigit():
            return None
        day = int(raw)
        if not (1 <= day <= 31 or day == -1):
            return None
        return Recurrence(Frequency.MONTHLY, monthly_by=MonthlyBy.DAY, month_day=day, **common)
    setpos = parts.pop("BYSETPOS", None)
    if parts or len(byday) != 1:
        return None
    code, number = byday[0][-2:], byday[0][:-2]
    if code not in WEEKDAY_CODES:
        return None
    if setpos is not None:
        if number:
            return None
        number = setpos
    try:
        ordinal = int(number)
    except ValueError:
        return None
    if ordinal not in ORDINALS:
        return None
    return Recurrence(Frequency.MONTHLY, monthly_by=MonthlyBy.WEEKDAY, ordinal=ordinal,
                      weekday=code, **common)


# Words for the rule, in the two languages of the platform (the rule is grammar more
# than vocabulary: French agrees "le premier" and "tous les 15 jours").
_DAYS = {
    "en": dict(zip(WEEKDAY_CODES, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                   "Saturday", "Sunday"), strict=True)),
    "fr": dict(zip(WEEKDAY_CODES, ("lundi", "mardi", "mercredi", "jeudi", "vendredi",
                                   "samedi", "dimanche"), strict=True)),
}
_ORDINALS = {
    "en": {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last",
           -2: "second to last"},
    "fr": {1: "premier", 2: "deuxième", 3: "troisième", 4: "quatrième", 5: "cinquième",
           -1: "dernier", -2: "avant-dernier"},
}
_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
}
_GENERIC = {
    "en": {"DAILY": "every day or every few days, on a particular rule",
           "WEEKLY": "every week or every few weeks, on a particular rule",
           "MONTHLY": "every month or every few months, on a particular rule",
           "YEARLY": "every year, on a particular rule",
           "": "on a particular recurrence"},
    "fr": {"DAILY": "chaque jour ou tous les quelques jours, selon une règle particulière",
           "WEEKLY": "chaque semaine ou toutes les quelques semaines, selon une règle "
                     "particulière",
           "MONTHLY": "chaque mois ou tous les quelques mois, selon une règle particulière",
           "YEARLY": "chaque année, selon une règle particulière",
           "": "selon une récurrence particulière"},
}


def _language(language: str) -> str:
    return "fr" if (language or "").lower().startswith("fr") else "en"


def _and(words: list[str], lang: str) -> str:
    joiner = " et " if lang == "fr" else " and "
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + joiner + words[-1]


def _day_words(day: date, lang: str) -> str:
    month = _MONTHS[lang][day.month - 1]
    if lang == "fr":
        return f"{'1er' if day.day == 1 else day.day} {month} {day.year}"
    return f"{day.day} {month} {day.year}"


def _en_nth(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _words(choice: Recurrence, lang: str) -> str:
    n = choice.interval
    days = _DAYS[lang]
    if choice.frequency == Frequency.DAILY:
        if lang == "fr":
            return "chaque jour" if n == 1 else f"tous les {n} jours"
        return "every day" if n == 1 else f"every {n} days"
    if choice.frequency == Frequency.WEEKLY:
        named = _and([days[d] for d in WEEKDAY_CODES if d in choice.weekdays], lang)
        if lang == "fr":
            if n == 1:
                return f"chaque {named}" if named else "chaque semaine"
            if n == 2:
                return f"tous les 15 jours le {named}" if named else "tous les 15 jours"
            return (f"toutes les {n} semaines" + (f" le {named}" if named else ""))
        if n == 1:
            return f"every {named}" if named else "every week"
        if n == 2:
            return f"every other {named}" if named else "every other week"
        return f"every {n} weeks" + (f" on {named}" if named else "")
    # monthly
    if choice.monthly_by == MonthlyBy.DAY:
        day = choice.month_day
        if lang == "fr":
            what = "le dernier jour" if day == -1 else f"le {'1er' if day == 1 else day}"
            return (f"{what} de chaque mois" if n == 1 else f"{what} du mois, tous les {n} mois")
        what = "the last day" if day == -1 else f"the {_en_nth(day)}"
        return f"{what} of each month" if n == 1 else f"{what} of every {n} months"
    ordinal = _ORDINALS[lang][choice.ordinal]
    if lang == "fr":
        article = "l’" if ordinal[0] in "aeiouy" else "le "
        what = f"{article}{ordinal} {days[choice.weekday]}"
        return f"{what} de chaque mois" if n == 1 else f"{what} du mois, tous les {n} mois"
    what = f"the {ordinal} {days[choice.weekday]}"
    return f"{what} of each month" if n == 1 else f"{what} of every {n} months"


def describe_rrule(text: str, language: str = "en") -> str:
    """The rule in words ("le dernier samedi de chaque mois", "every Monday"), with its
    end; a rule the builder cannot express gets a general sentence by its frequency,
    never the raw text."""
    lang = _language(language)
    choice = parse_rrule(text)
    if choice is None:
        value = (text or "").upper()
        freq = next((part[5:] for part in value.replace("RRULE:", "").split(";")
                     if part.startswith("FREQ=")), "")
        return _GENERIC[lang].get(freq, _GENERIC[lang][""])
    words = _words(choice, lang)
    if choice.count is not None:
        if lang == "fr":
            words += f", {choice.count} fois" if choice.count > 1 else ", une seule fois"
        else:
            words += f", {choice.count} times" if choice.count > 1 else ", once"
    if choice.until is not None:
        words += (f", jusqu’au {_day_words(choice.until, lang)}" if lang == "fr"
                  else f", until {_day_words(choice.until, lang)}")
    return words


def check_timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise Refusal("bad_timezone", name=(name or "")[:64]) from None


def local_occurrences(rule: str, first_day: date, start: time, until_local: datetime,
                      after_local: datetime | None = None) -> list[datetime]:
    """Naive local start datetimes of the series from `after_local` (inclusive) up to
    `until_local` (exclusive)."""
    dtstart = datetime.combine(first_day, start)
    expanded = rrulestr(rule, dtstart=dtstart)
    lower = after_local or dtstart
    return [d for d in expanded.between(lower, until_local, inc=True) if d < until_local]


def localize(naive: datetime, tz: ZoneInfo) -> datetime:
    """Attach the zone. A wall-clock time skipped by a spring-forward change (02:30 on
    the last Sunday of March in Paris) moves to the same minutes after the jump."""
    aware = naive.replace(tzinfo=tz)
    # A skipped time does not survive the round trip through UTC: the round trip gives
    # the wall-clock time after the jump, which is what people will read on their clocks.
    return aware.astimezone(UTC).astimezone(tz)


def occurrences(rule: str, first_day: date, start: time, tz: ZoneInfo, window_start: datetime,
                window_end: datetime) -> list[datetime]:
    """Aware starts of the series' occurrences within [window_start, window_end)."""
    after = window_start.astimezone(tz).replace(tzinfo=None) - timedelta(days=1)
    until = window_end.astimezone(tz).replace(tzinfo=None) + timedelta(days=1)
    starts = [localize(d, tz) for d in local_occurrences(rule, first_day, start, until, after)]
    return [s for s in starts if window_start <= s < window_end]


def aware(moment: datetime, tz: ZoneInfo) -> datetime:
    """A moment as given: one without an offset is wall-clock time in `tz` (where the
    series meets)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return localize(moment, tz)
    return moment


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The start of a local day in `tz`."""
    return localize(datetime.combine(day, time.min), tz)


def shift_days(moment: datetime, days: int) -> datetime:
    """`days` earlier or later at the same wall-clock time in the moment's zone."""
    tz = moment.tzinfo
    naive = moment.replace(tzinfo=None) + timedelta(days=days)
    return localize(naive, tz)


def at_time(moment: datetime, clock: time) -> datetime:
    """The same local day as `moment` at another wall-clock time."""
    return localize(datetime.combine(moment.date(), clock), moment.tzinfo)


# Preparation meeting and the agenda deadline ------------------------------------------

def preparation_start(agora_start: datetime, offset_days: int, clock: time | None = None
                      ) -> datetime:
    """The preparation meeting: `offset_days` before the Agora, at `clock` (by default
    the Agora's own time)."""
    day = shift_days(agora_start, -offset_days)
    return at_time(day, clock) if clock is not None else day


def agenda_deadline(meeting_start: datetime, offset_days: int, clock: time | None = None
                    ) -> datetime:
    """Items are added online until the preparation meeting begins ("jusqu'à 7 jours
    avant l'Agora"), where the agenda is fixed."""
    return preparation_start(meeting_start, offset_days, clock)


@dataclass(frozen=True)
class AddingItem:
    now: datetime
    deadline: datetime | None
    cancelled: bool
    agenda_fixed: bool
    meeting_end: datetime
    minutes: int


def check_item_can_be_added(request: AddingItem) -> None:
    if request.cancelled:
        raise Refusal("meeting_cancelled")
    if request.now >= request.meeting_end:
        raise Refusal("meeting_over")
    if request.agenda_fixed:
        raise Refusal("agenda_fixed")
    if request.deadline is not None and request.now >= request.deadline:
        raise Refusal("deadline_passed", deadline=request.deadline)
    check_duration(request.minutes)


def check_duration(minutes: int) -> None:
    if not isinstance(minutes, int) or isinstance(minutes, bool):
        raise Refusal("bad_duration", minutes=minutes)
    if minutes < 1 or minutes > MAX_ITEM_MINUTES:
        raise Refusal("bad_duration", minutes=minutes)


def time_warning(item_minutes: Iterable[int], available_minutes: int) -> int:
    """How many minutes the requested durations exceed the time available (0 if none)."""
    return max(0, sum(item_minutes) - available_minutes)


def check_move(original: datetime, new_start: datetime) -> None:
    """An occurrence moves within two months of its planned date; further away it is
    another meeting (cancel this one and plan that one)."""
    if abs(new_start - original) > timedelta(days=MAX_MOVE_DAYS):
        raise Refusal("moved_too_far", days=MAX_MOVE_DAYS)


def check_times(starts: datetime, ends: datetime) -> None:
    if ends <= starts:
        raise Refusal("ends_before_start")
    if ends - starts > timedelta(hours=24):
        raise Refusal("too_long")


# Agenda item statuses ----------------------------------------------------------------

class ItemStatus(enum.StrEnum):
    NEW = "new"
    ACCEPTED = "accepted"
    DISCARDED = "discarded"
    DELAYED = "delayed"


ITEM_TRANSITIONS: dict[ItemStatus, frozenset[ItemStatus]] = {
    ItemStatus.NEW: frozenset({ItemStatus.ACCEPTED, ItemStatus.DISCARDED, ItemStatus.DELAYED}),
    ItemStatus.ACCEPTED: frozenset({ItemStatus.NEW, ItemStatus.DISCARDED, ItemStatus.DELAYED}),
    ItemStatus.DISCARDED: frozenset({ItemStatus.NEW}),
    # A delayed item lives on in its copy on the later agenda; this one is history.
    ItemStatus.DELAYED: frozenset(),
}


# An occurrence is cancelled and restored; restoring a scheduled one changes nothing.
class MeetingState(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


MEETING_TRANSITIONS: dict[MeetingState, frozenset[MeetingState]] = {
    MeetingState.SCHEDULED: frozenset({MeetingState.CANCELLED}),
    MeetingState.CANCELLED: frozenset({MeetingState.SCHEDULED}),
}


def check_item_transition(current: ItemStatus, target: ItemStatus) -> None:
    if target not in ITEM_TRANSITIONS[current]:
        raise Refusal("bad_transition", current=current, target=target)


# Program: sign-ups to workshops -------------------------------------------------------

class SignupStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"


# The waiting list moves up when a place frees; a confirmed place stays confirmed until
# the person leaves (the sign-up is then deleted).
SIGNUP_TRANSITIONS: dict[SignupStatus, frozenset[SignupStatus]] = {
    SignupStatus.WAITING: frozenset({SignupStatus.CONFIRMED}),
    SignupStatus.CONFIRMED: frozenset(),
}


def signup_status(capacity: int | None, confirmed: int) -> SignupStatus:
    """Confirmed while there is room; then the waiting list."""
    if capacity is None or confirmed < capacity:
        return SignupStatus.CONFIRMED
    return SignupStatus.WAITING


def waiting_rank(waiting: Iterable[int], person_id: int) -> int | None:
    """A person's place on a waiting list (1: the next place that frees is theirs), from
    the waiting list's person ids in the order places are given (the order of sign-up);
    None when the person is not on it."""
    for rank, waiting_id in enumerate(waiting, start=1):
        if waiting_id == person_id:
            return rank
    return None


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def first_free_slot_conflict(session: tuple[datetime, datetime],
                             mine: Iterable[tuple[int, datetime, datetime]]) -> int | None:
    """The id of a session the person already signed up to at the same time, if any."""
    start, end = session
    for session_id, other_start, other_end in mine:
        if overlaps(start, end, other_start, other_end):
            return session_id
    return None


# Reminders ---------------------------------------------------------------------------

class ReminderKind(enum.StrEnum):
    AGENDA_OPEN = "agenda_open"
    DEADLINE_SOON = "deadline_soon"
    AGENDA_PUBLISHED = "agenda_published"
    MEETING_TOMORROW = "meeting_tomorrow"


class RelativeDay(enum.StrEnum):
    TODAY = "today"
    TOMORROW = "tomorrow"
    OTHER = "other"


def relative_day(day: date, today: date) -> RelativeDay:
    """What a message may call `day`, both days read on the recipient's own calendar (in
    their time zone, at the moment it is sent): a meeting of today is never "tomorrow",
    even when the reminder is sent in the small hours or from a server in another zone."""
    if day == today:
        return RelativeDay.TODAY
    if day == today + timedelta(days=1):
        return RelativeDay.TOMORROW
    return RelativeDay.OTHER


@dataclass(frozen=True)
class ReminderMoments:
    agenda_opens: datetime | None
    deadline: datetime | None
    meeting_start: datetime


def due_reminders(moments: ReminderMoments, now: datetime, agenda_published: bool,
                  lookback: timedelta = timedelta(days=2)) -> list[ReminderKind]:
    """Which reminders of one meeting are due now. A reminder is due from its moment
    until `lookback` later (so a worker that was down catches up, but nobody gets a
    week-old reminder); sending twice is prevented by the caller's log."""

    def window(moment: datetime | None) -> bool:
        return moment is not None and moment <= now < moment + lookback

    due = []
    if moments.deadline is not None and moments.agenda_opens is not None and (
        window(moments.agenda_opens) and now < moments.deadline
    ):
        due.append(ReminderKind.AGENDA_OPEN)
    if moments.deadline is not None and window(moments.deadline - timedelta(days=2)) \
            and now < moments.deadline:
        due.append(ReminderKind.DEADLINE_SOON)
    if agenda_published and now < moments.meeting_start:
        due.append(ReminderKind.AGENDA_PUBLISHED)
    if window(moments.meeting_start - timedelta(days=1)) and now < moments.meeting_start:
        due.append(ReminderKind.MEETING_TOMORROW)
    return due
