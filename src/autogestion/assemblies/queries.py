"""Reading the calendar: the occurrences of series (the rule's expansion with the stored
meetings laid over it), agendas and programs, each with a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.db.models import Prefetch
from django.urls import reverse

from autogestion.core import clock

from . import rules
from .models import AgendaItem, Meeting, MeetingSeries, MeetingStatus, ProgramSession


@dataclass
class Occurrence:
    """One meeting of a series, whether or not a row exists for it yet."""

    series: MeetingSeries
    original_start: datetime
    starts_at: datetime
    ends_at: datetime
    place: str
    cancelled: bool = False
    meeting: Meeting | None = None
    note: str = ""

    @property
    def tz(self):
        return rules.check_timezone(self.series.timezone)

    @property
    def key(self) -> str:
        """The occurrence's address: the local date the rule gives it."""
        return self.original_start.astimezone(self.tz).date().isoformat()

    @property
    def moved(self) -> bool:
        return self.starts_at != self.original_start

    def get_absolute_url(self) -> str:
        return reverse("occurrence_detail", args=[self.series.pk, self.key])

    @cached_property
    def preparation_start(self) -> datetime | None:
        offset = self.series.preparation_offset_days
        if offset is None:
            return None
        return rules.preparation_start(self.starts_at.astimezone(self.tz), offset,
                                       self.series.preparation_time)

    @property
    def preparation_end(self) -> datetime | None:
        if self.preparation_start is None:
            return None
        return self.preparation_start + timedelta(minutes=self.series.preparation_minutes)

    @property
    def deadline(self) -> datetime | None:
        return self.preparation_start

    @property
    def agenda_opens(self) -> datetime | None:
        if self.deadline is None:
            return None
        return rules.shift_days(self.starts_at.astimezone(self.tz),
                                -self.series.agenda_opens_days)

    @property
    def agenda_published(self) -> bool:
        return bool(self.meeting and self.meeting.agenda_published_at)

    @property
    def minutes_published(self) -> bool:
        return bool(self.meeting and self.meeting.minutes_published_at)

    @property
    def is_open_for_items(self) -> bool:
        now = clock.now()
        return (not self.cancelled and not self.agenda_published and now < self.ends_at
                and (self.deadline is None or now < self.deadline))

    @property
    def available_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


def _rule_end(series: MeetingSeries, start: datetime) -> datetime:
    return rules.at_time(start, series.end_time)


def _from_meeting(series: MeetingSeries, meeting: Meeting) -> Occurrence:
    tz = rules.check_timezone(series.timezone)
    return Occurrence(series=series, original_start=meeting.original_start.astimezone(tz),
                      starts_at=meeting.starts_at.astimezone(tz),
                      ends_at=meeting.ends_at.astimezone(tz), place=meeting.place,
                      cancelled=meeting.status == MeetingStatus.CANCELLED, meeting=meeting,
                      note=meeting.note)


def occurrence_of_meeting(meeting: Meeting) -> Occurrence:
    return _from_meeting(meeting.series, meeting)


def rule_starts(series: MeetingSeries, window_start: datetime, window_end: datetime
                ) -> list[datetime]:
    tz = rules.check_timezone(series.timezone)
    return rules.occurrences(series.rrule, series.first_day, series.start_time, tz,
                             window_start, window_end)


def occurrences_of(series: MeetingSeries, window_start: datetime, window_end: datetime,
                   meetings: list[Meeting] | None = None) -> list[Occurrence]:
    """Occurrences whose (possibly moved) start falls in the window, in time order."""
    # A moved occurrence may come from outside the window: widen the rule's window by a
    # margin and keep what lands inside.
    margin = timedelta(days=62)
    starts = rule_starts(series, window_start - margin, window_end + margin)
    if meetings is None:
        meetings = list(series.meetings.filter(original_start__gte=window_start - margin,
                                               original_start__lt=window_end + margin))
    stored = {m.original_start: m for m in meetings}
    result = []
    for start in starts:
        meeting = stored.pop(start, None)
        if meeting is not None:
            result.append(_from_meeting(series, meeting))
        else:
            result.append(Occurrence(series=series, original_start=start, starts_at=start,
                                     ends_at=_rule_end(series, start), place=series.place))
    return sorted((o for o in result if window_start <= o.starts_at < window_end),
                  key=lambda o: o.starts_at)


def find_occurrence(series: MeetingSeries, day: date) -> Occurrence | None:
    """The occurrence the rule places on a local day (moved or not)."""
    tz = rules.check_timezone(series.timezone)
    start = rules.localize(datetime.combine(day, time.min), tz)
    end = rules.localize(datetime.combine(day + timedelta(days=1), time.min), tz)
    for rule_start in rule_starts(series, start, end):
        meeting = series.meetings.filter(original_start=rule_start).first()
        if meeting is not None:
            return _from_meeting(series, meeting)
        return Occurrence(series=series, original_start=rule_start, starts_at=rule_start,
                          ends_at=_rule_end(series, rule_start), place=series.place)
    return None


def occurrence_on(series: MeetingSeries, day: str) -> Occurrence | None:
    """The occurrence at an address like /meetings/<series>/2026-11-28/: None when the
    text is not a YYYY-MM-DD date or the series does not meet that day."""
    from autogestion.core.inputs import ISO_DAY

    if not ISO_DAY.fullmatch(day or ""):
        return None
    try:
        return find_occurrence(series, date.fromisoformat(day))
    except ValueError:
        return None


def next_occurrences(series: MeetingSeries, count: int = 1, after: datetime | None = None,
                     horizon_days: int = 400) -> list[Occurrence]:
    start = after or clock.now()
    found = occurrences_of(series, start, start + timedelta(days=horizon_days))
    return [o for o in found if not o.cancelled][:count]


def upcoming_for_bodies(bodies, days: int = 60, limit: int = 50) -> list[Occurrence]:
    """Every body's occurrences in the next `days` days: two queries in all."""
    now = clock.now()
    window_end = now + timedelta(days=days)
    series_list = list(MeetingSeries.objects.filter(body__in=bodies, is_active=True)
                       .select_related("body"))
    margin = timedelta(days=62)
    meetings: dict[int, list[Meeting]] = {}
    for meeting in Meeting.objects.filter(series__in=series_list,
                                          original_start__gte=now - margin,
                                          original_start__lt=window_end + margin):
        meetings.setdefault(meeting.series_id, []).append(meeting)
    found = []
    for series in series_list:
        found.extend(occurrences_of(series, now, window_end, meetings.get(series.pk, [])))
    found.sort(key=lambda o: o.starts_at)
    return found[:limit]


def next_agoras(body, count: int = 1) -> list[Occurrence]:
    """The body's coming Agoras (today's included until it ends)."""
    series = (MeetingSeries.objects.filter(body=body, kind="agora", is_active=True)
              .select_related("body").first())
    if series is None:
        return []
    now = clock.now()
    upcoming = next_occurrences(series, count + 1, after=now - timedelta(hours=12))
    return [o for o in upcoming if o.ends_at > now][:count]


@dataclass
class AgendaView:
    items: list[AgendaItem] = field(default_factory=list)
    total_minutes: int = 0
    over_minutes: int = 0


def agenda(occurrence: Occurrence) -> AgendaView:
    if occurrence.meeting is None:
        return AgendaView()
    items = list(occurrence.meeting.agenda_items.select_related("presenter", "author",
                                                                "delayed_to__meeting__series")
                 .prefetch_related("proposals"))
    counted = [i.duration_minutes for i in items if i.status in ("new", "accepted")]
    return AgendaView(items=items, total_minutes=sum(counted),
                      over_minutes=rules.time_warning(counted, occurrence.available_minutes))


def program(occurrence: Occurrence) -> list[ProgramSession]:
    if occurrence.meeting is None:
        return []
    return list(occurrence.meeting.sessions.select_related("facilitator").prefetch_related(
        Prefetch("signups", to_attr="all_signups")))


def slots(sessions: list[ProgramSession]) -> list[tuple[datetime, list[ProgramSession]]]:
    """Sessions grouped by start time: several in one slot run in parallel."""
    grouped: dict[datetime, list[ProgramSession]] = {}
    for session in sessions:
        grouped.setdefault(session.starts_at, []).append(session)
    return sorted(grouped.items())
