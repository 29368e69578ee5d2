"""Reading the calendar: the occurrences of series (the rule's expansion with the stored
meetings laid over it), agendas and programs, each with a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from django.contrib.auth import get_user_model
from django.db.models import F, Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _

from autogestion.cooperatives import selectors
from autogestion.core import clock
from autogestion.core.errors import DomainError

from . import rules
from .models import (
    AgendaItem,
    AgendaItemEvent,
    Attendance,
    GroupNews,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    MinutesEntry,
    ProgramSession,
    SessionSignup,
)
from .permissions import can_manage_meetings

# The API's occurrence lists: the next 120 days by default, at most two years at once.
DEFAULT_WINDOW = timedelta(days=120)
MAX_WINDOW = timedelta(days=2 * 366)
# How far ahead a series' next occurrence is looked for.
NEXT_HORIZON = timedelta(days=400)


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
    start = rules.local_midnight(day, tz)
    end = rules.local_midnight(day + timedelta(days=1), tz)
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


def occurrences_between(series: MeetingSeries, start_day: date | None,
                        end_day: date | None) -> list[Occurrence]:
    """The occurrences from the local day `start_day` to `end_day` included, by default
    from now for DEFAULT_WINDOW; a period that ends before it starts, or is longer than
    MAX_WINDOW, is refused (400 on "end")."""
    tz = rules.check_timezone(series.timezone)
    window_start = rules.local_midnight(start_day, tz) if start_day else clock.now()
    if end_day is not None:
        window_end = rules.local_midnight(end_day + timedelta(days=1), tz)
    else:
        window_end = window_start + DEFAULT_WINDOW
    if window_end <= window_start:
        raise DomainError(_("The end of the period comes before its start."), field="end")
    if window_end - window_start > MAX_WINDOW:
        raise DomainError(_("Ask for at most two years of meetings at a time: narrow the "
                            "period between start and end."), field="end")
    return occurrences_of(series, window_start, window_end)


def series_of(body) -> list[MeetingSeries]:
    """Every series of a body, active or not, by title."""
    return list(MeetingSeries.objects.filter(body=body).select_related("body")
                .order_by("title", "pk"))


def next_occurrence_of_each(series_list: list[MeetingSeries]) -> dict[int, Occurrence | None]:
    """Each active series' next occurrence that is not cancelled (None for the others),
    with one query for all the stored meetings."""
    now = clock.now()
    margin = timedelta(days=62)
    stored: dict[int, list[Meeting]] = {s.pk: [] for s in series_list}
    for meeting in Meeting.objects.filter(series__in=[s for s in series_list if s.is_active],
                                          original_start__gte=now - margin,
                                          original_start__lt=now + NEXT_HORIZON + margin):
        stored[meeting.series_id].append(meeting)
    found: dict[int, Occurrence | None] = {}
    for series in series_list:
        found[series.pk] = None
        if series.is_active:
            found[series.pk] = next((o for o in occurrences_of(
                series, now, now + NEXT_HORIZON, stored[series.pk]) if not o.cancelled), None)
    return found


def past_occurrences(body, limit: int = 12) -> list[Occurrence]:
    """The body's stored meetings that have begun, latest first."""
    return [occurrence_of_meeting(m) for m in
            Meeting.objects.filter(series__body=body, starts_at__lt=clock.now())
            .select_related("series__body").order_by("-starts_at")[:limit]]


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


def agenda(occurrence: Occurrence, *, with_history: bool = False) -> AgendaView:
    """The items of an occurrence's agenda; `with_history` fetches each item's status
    history and the news of the groups along (the occurrence page and the API show them;
    the home page does not)."""
    if occurrence.meeting is None:
        return AgendaView()
    related = ["proposals"]
    if with_history:
        related.append(Prefetch("group_news", queryset=GroupNews.objects.select_related(
            "group", "founder")))
        events = AgendaItemEvent.objects.select_related("actor").order_by("at", "pk")
        related.append(Prefetch("events", queryset=events))
    items = list(occurrence.meeting.agenda_items.select_related("presenter", "author",
                                                                "delayed_to__meeting__series",
                                                                "delayed_from__meeting__series")
                 .prefetch_related(*related))
    for item in items:
        # Where a delayed item came from ("carried over from the Agora of 28 November").
        item.origin = (occurrence_of_meeting(item.delayed_from.meeting)
                       if item.delayed_from_id else None)
    counted = [i.duration_minutes for i in items if i.status in ("new", "accepted")]
    return AgendaView(items=items, total_minutes=sum(counted),
                      over_minutes=rules.time_warning(counted, occurrence.available_minutes))


def program(occurrence: Occurrence) -> list[ProgramSession]:
    """The sessions of a meeting, each with `all_signups` in the order places are given
    (the waiting list's order), `confirmed` and `waiting` counts. Two queries."""
    if occurrence.meeting is None:
        return []
    sessions = list(occurrence.meeting.sessions.select_related("facilitator").prefetch_related(
        Prefetch("signups", queryset=SessionSignup.objects.order_by("created_at", "pk"),
                 to_attr="all_signups")))
    for session in sessions:
        session.confirmed = sum(1 for s in session.all_signups
                                if s.status == rules.SignupStatus.CONFIRMED)
        session.waiting = len(session.all_signups) - session.confirmed
    return sessions


@dataclass(frozen=True)
class Place:
    """Where a person stands in a workshop: confirmed, or waiting with their rank on
    the waiting list (1: the next place that frees is theirs)."""

    status: str
    rank: int | None = None

    @property
    def waiting(self) -> bool:
        return self.status == rules.SignupStatus.WAITING


def place_in(session: ProgramSession, person) -> Place | None:
    """The person's place in a session read by program() (no query), None when they
    did not sign up."""
    if not person.is_authenticated:
        return None
    signups = session.all_signups
    mine = next((s for s in signups if s.person_id == person.pk), None)
    if mine is None:
        return None
    if mine.status != rules.SignupStatus.WAITING:
        return Place(mine.status)
    waiting = [s.person_id for s in signups if s.status == rules.SignupStatus.WAITING]
    return Place(mine.status, rules.waiting_rank(waiting, person.pk))


def places_of(person, sessions: list[ProgramSession]) -> dict[int, Place]:
    """The person's places in the sessions read by program(), by session id."""
    found = {}
    for session in sessions:
        place = place_in(session, person)
        if place is not None:
            found[session.pk] = place
    return found


def place_of_signup(signup: SessionSignup) -> Place:
    """A sign-up's place, its rank counted among those waiting for the same session
    (one query when it waits)."""
    if signup.status != rules.SignupStatus.WAITING:
        return Place(signup.status)
    waiting = (SessionSignup.objects.filter(session_id=signup.session_id,
                                            status=rules.SignupStatus.WAITING)
               .order_by("created_at", "pk").values_list("person_id", flat=True))
    return Place(signup.status, rules.waiting_rank(waiting, signup.person_id))


def slots(sessions: list[ProgramSession]) -> list[tuple[datetime, list[ProgramSession]]]:
    """Sessions grouped by start time: several in one slot run in parallel."""
    grouped: dict[datetime, list[ProgramSession]] = {}
    for session in sessions:
        grouped.setdefault(session.starts_at, []).append(session)
    return sorted(grouped.items())


def signed_up_session_ids(person, sessions: list[ProgramSession]) -> set[int]:
    """Which of `sessions` the person signed up to (confirmed or waiting)."""
    if not person.is_authenticated or not sessions:
        return set()
    return set(SessionSignup.objects.filter(person=person, session__in=sessions)
               .values_list("session_id", flat=True))


def minutes_of(occurrence: Occurrence) -> list[MinutesEntry]:
    """The minutes of a meeting, general notes first, then in the agenda's order."""
    if occurrence.meeting is None:
        return []
    return list(MinutesEntry.objects.filter(meeting=occurrence.meeting)
                .select_related("written_by", "agenda_item")
                .order_by(F("agenda_item__position").asc(nulls_first=True), "pk"))


def published_minutes_for(user, occurrence: Occurrence) -> list[MinutesEntry] | None:
    """The minutes `user` may read: everyone once they are published, the coordinators
    while they write them; None before that for the others."""
    if occurrence.minutes_published or can_manage_meetings(user, occurrence.series.body):
        return minutes_of(occurrence)
    return None


def attendance_of(occurrence: Occurrence) -> list[Attendance]:
    if occurrence.meeting is None:
        return []
    return list(occurrence.meeting.attendance.select_related("person"))


def members_to_mark(body) -> list:
    """The body's active memberships, by name: whom a coordinator marks present."""
    return list(selectors.active_memberships(body=body).select_related("person")
                .order_by("person__display_name"))


def reminder_audience(body) -> list:
    """Everyone a reminder about the body's meetings reaches: its active members (in the
    app; by e-mail those among them with `email_reminders` on)."""
    return list(selectors.active_members(body).filter(is_active=True).order_by("pk"))


def active_series_of(body) -> list[MeetingSeries]:
    """A body's active series (each holding `body`: no query to get back to it)."""
    series_list = list(MeetingSeries.objects.filter(body=body, is_active=True))
    for series in series_list:
        series.body = body
    return series_list


def feed_series_of(person) -> list[MeetingSeries]:
    """The active series of every body the person is an active member of."""
    return list(MeetingSeries.objects.filter(body_id__in=selectors.active_body_ids(person),
                                             is_active=True).select_related("body"))


def active_people(person_ids) -> list:
    """The active accounts among these numbers (the others are left out)."""
    return list(get_user_model().objects.filter(pk__in=person_ids, is_active=True))
