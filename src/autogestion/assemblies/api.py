"""Meetings, agendas, programs and minutes through the API (DOMAIN.md R2, R3, R4).

Each endpoint parses its input, finds what it addresses through access.py (a closed
body's meetings answer 404 to others, as if they did not exist; 403 to those who see
them but may not act), calls one service of `services.py` and shapes the answer from
queries.py. Refusals are DomainError subclasses (from access.py and the services),
which core/api.py turns into 400/403/404/409 with the message and the field.

An occurrence is addressed by its series and the local date the recurrence rule gives
it (`/series/12/occurrences/2026-01-31`); a moved occurrence keeps that address.
"""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import ObjectDoesNotExist
from django.utils import formats
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from autogestion.core import history
from autogestion.core.api import public
from autogestion.core.api_schemas import (
    CalendarDay,
    Input,
    Integer,
    LocalTime,
    Moment,
    StatusEventOut,
    refusals,
    text_up_to,
)
from autogestion.core.api_types import Id, Text
from autogestion.core.inputs import check_year, parse_day

from . import access, permissions, queries, rules, services
from .models import (
    AgendaItem,
    AgendaItemKind,
    Meeting,
    MeetingSeries,
    MinutesEntry,
    ProgramSession,
    SeriesKind,
    SessionKind,
)
from .queries import Occurrence

router = Router(tags=["assemblies"])

Weekday = Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


# Schemas -----------------------------------------------------------------------------

class OccurrenceOut(Schema):
    key: str = Field(description="The local date the rule gives the occurrence (YYYY-MM-DD): "
                                 "its address, kept when it is moved.")
    series_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    original_start: datetime
    place: str
    cancelled: bool
    note: str
    moved: bool
    deadline: datetime | None = Field(description="Items are added online until then "
                                                  "(the preparation meeting).")
    agenda_opens: datetime | None
    preparation_start: datetime | None
    preparation_end: datetime | None
    agenda_published: bool
    minutes_published: bool
    is_open_for_items: bool


class SeriesOut(Schema):
    id: int
    body: str
    title: str
    kind: str
    rrule: str = Field(description="The RFC 5545 recurrence rule.")
    rrule_text: str = Field(description="The rule in words, in the request's language "
                                        "(\"the last Saturday of each month\"): what "
                                        "members read.")
    first_day: date
    start_time: LocalTime
    end_time: LocalTime
    timezone: str
    place: str
    preparation_offset_days: int | None
    preparation_time: LocalTime | None
    preparation_minutes: int
    agenda_opens_days: int
    is_active: bool
    next_occurrence: OccurrenceOut | None = None


class SeriesIn(Input):
    """The recurrence is given either as `rrule` or with the builder's fields
    (`frequency` and those it needs), not both; with neither, the Agora's default rule
    (the last Saturday of each month)."""

    title: Text = Field(max_length=150)
    rrule: text_up_to(255) | None = Field(
        None, description="RFC 5545 recurrence rule, e.g. FREQ=MONTHLY;BYDAY=-1SA")
    frequency: Literal["daily", "weekly", "monthly"] | None = Field(
        None, description="The builder: every day, every week (on `weekdays`) or every "
                          "month (by `monthly_by`).")
    interval: Integer = Field(1, description="Every how many days, weeks or months (1-99).")
    weekdays: list[Weekday] = Field([], description="Weekly: the days, MO to SU.")
    monthly_by: Literal["weekday", "day"] = Field(
        "weekday", description="Monthly: the `ordinal` `weekday` (the last Saturday), or "
                               "the day `month_day` of the month.")
    ordinal: Integer | None = Field(None, description="Monthly by weekday: 1-5, -1 (last) "
                                                      "or -2 (second to last).")
    weekday: Weekday | None = Field(None, description="Monthly by weekday: MO to SU.")
    month_day: Integer | None = Field(None, description="Monthly by day: 1-31, or -1 for "
                                                        "the last day.")
    until: CalendarDay | None = Field(None, description="The last day it may meet "
                                                        "(local date).")
    count: Integer | None = Field(None, description="How many meetings in all.")
    first_day: CalendarDay
    start_time: LocalTime
    end_time: LocalTime
    kind: Text = SeriesKind.REGULAR.value
    timezone: Text = Field("", max_length=64, description="e.g. Europe/Paris; empty for "
                                                         "the platform's zone")
    place: Text = Field("", max_length=255)
    preparation_offset_days: int | None = None
    preparation_time: LocalTime | None = None
    agenda_opens_days: int = 28


class GroupNewsOut(Schema):
    group: str = Field(description="The new group's short name.")
    name: str
    founded_by: str | None
    at: datetime


class ProposalRef(Schema):
    id: int
    title: str
    status: str


class AgendaItemOut(Schema):
    id: int
    title: str
    description: str
    kind: str
    duration_minutes: int
    status: str
    discard_reason: str
    position: int
    presenter: str | None
    is_permanent: bool
    delayed_to: str | None = Field(None, description="Key of the occurrence the item was "
                                                     "delayed to.")
    delayed_from: int | None = Field(None, description="The item this one was carried "
                                                       "over from.")
    delayed_from_meeting: str | None = Field(
        None, description="Key (YYYY-MM-DD) of the occurrence it was carried over from.")
    delayed_from_text: str | None = Field(
        None, description="Where it came from, in words (\"carried over from the Agora of "
                          "28 November 2026\").")
    purpose: str = Field("", description="\"group_news\" for the news of the groups; "
                                         "empty for items people add.")
    group_news: list[GroupNewsOut] = Field([], description="The groups founded since the "
                                                           "last Agora (news of the groups).")
    proposals: list[ProposalRef] = Field([], description="The proposals tied to this item.")
    events: list[StatusEventOut] = Field(description="The history of its status, oldest "
                                                     "first.")


class AgendaOut(Schema):
    items: list[AgendaItemOut]
    total_minutes: int
    available_minutes: int
    over_minutes: int = Field(description="How far the requested durations exceed the "
                                          "meeting's time (0 when they fit).")


class SessionOut(Schema):
    id: int
    title: str
    description: str
    kind: str
    starts_at: datetime
    ends_at: datetime | None
    place: str
    capacity: int | None
    facilitator: str | None
    confirmed: int
    waiting: int
    my_status: str | None = None
    my_waiting_rank: int | None = Field(
        None, description="When my_status is waiting: my place on the waiting list (1: "
                          "the next place that frees is mine).")


class MinutesOut(Schema):
    item_id: int | None
    notes: str
    presented_by: str
    decisions: str
    links: str
    written_by: str | None
    updated_at: datetime


class OccurrenceDetail(OccurrenceOut):
    body: str
    rrule: str
    rrule_text: str = Field(description="The series' rule in words.")
    agenda: AgendaOut
    sessions: list[SessionOut]
    minutes: list[MinutesOut] | None = Field(
        None, description="Empty (null) until published, except for coordinators.")
    can_add_items: bool
    can_manage: bool


class ReasonIn(Input):
    reason: Text = Field("", max_length=255)


class OccurrenceMoveIn(Input):
    starts_at: Moment = Field(description="Without an offset, read in the series' time "
                                            "zone.")
    ends_at: Moment
    place: text_up_to(255) | None = None


class AgendaItemIn(Input):
    title: Text
    description: Text = ""
    kind: Text = AgendaItemKind.DISCUSSION.value
    # Strict: JSON `true` is not one minute, nor "30" a number.
    duration_minutes: Integer


class DelayIn(Input):
    to: Text = Field(description="The later occurrence (YYYY-MM-DD) of the same series.")


class OrderIn(Input):
    item_ids: list[Id] = Field(description="Every item of the agenda exactly once, in the "
                                           "new order.")


class MoveItemIn(Input):
    direction: Literal["up", "down"]


class SessionIn(Input):
    title: Text = Field(max_length=200)
    kind: Text = SessionKind.PLENARY.value
    starts_at: Moment = Field(description="Without an offset, read in the series' time "
                                            "zone.")
    ends_at: Moment | None = None
    place: Text = Field("", max_length=255)
    capacity: int | None = Field(None, le=100_000)
    description: Text = ""


class SignupOut(Schema):
    session_id: int
    status: str = Field(description="confirmed, or waiting (on the waiting list).")
    waiting_rank: int | None = Field(
        None, description="On the waiting list: the place on it (1: the next place that "
                          "frees is yours); null when confirmed.")


class MinutesIn(Input):
    item_id: Id | None = None
    notes: Text = ""
    presented_by: Text = Field("", max_length=200)
    decisions: Text = ""
    links: Text = ""


class AttendanceIn(Input):
    person_ids: list[Id]


class AttendanceOut(Schema):
    recorded: int


# Shaping the answers -----------------------------------------------------------------

def _occurrence_out(o: Occurrence) -> dict:
    return {
        "key": o.key, "series_id": o.series.pk, "title": o.series.title,
        "starts_at": o.starts_at, "ends_at": o.ends_at, "original_start": o.original_start,
        "place": o.place, "cancelled": o.cancelled, "note": o.note, "moved": o.moved,
        "deadline": o.deadline, "agenda_opens": o.agenda_opens,
        "preparation_start": o.preparation_start, "preparation_end": o.preparation_end,
        "agenda_published": o.agenda_published, "minutes_published": o.minutes_published,
        "is_open_for_items": o.is_open_for_items,
    }


def _series_out(series: MeetingSeries, next_occurrence: Occurrence | None = None) -> dict:
    return {
        "id": series.pk, "body": series.body.slug, "title": series.title, "kind": series.kind,
        "rrule": series.rrule, "rrule_text": services.rule_in_words(series.rrule),
        "first_day": series.first_day, "start_time": series.start_time,
        "end_time": series.end_time, "timezone": series.timezone, "place": series.place,
        "preparation_offset_days": series.preparation_offset_days,
        "preparation_time": series.preparation_time,
        "preparation_minutes": series.preparation_minutes,
        "agenda_opens_days": series.agenda_opens_days, "is_active": series.is_active,
        "next_occurrence": _occurrence_out(next_occurrence) if next_occurrence else None,
    }


def _key_of(meeting: Meeting) -> str:
    return meeting.original_start.astimezone(
        rules.check_timezone(meeting.series.timezone)).date().isoformat()


def _item_out(item: AgendaItem, copy: AgendaItem | None = None) -> dict:
    """`copy`: the item on the later agenda, when this one was delayed (already loaded
    by the agenda query, or given by the caller)."""
    if copy is None:
        try:
            copy = item.delayed_to
        except ObjectDoesNotExist:
            copy = None
    origin = getattr(item, "origin", None)
    if origin is None and item.delayed_from_id:
        origin = queries.occurrence_of_meeting(item.delayed_from.meeting)
    return {
        "id": item.pk, "title": item.title, "description": item.description,
        "kind": item.kind, "duration_minutes": item.duration_minutes, "status": item.status,
        "discard_reason": item.discard_reason, "position": item.position,
        "presenter": item.presenter.public_name if item.presenter else None,
        "is_permanent": item.is_permanent,
        "delayed_to": _key_of(copy.meeting) if copy is not None else None,
        "delayed_from": item.delayed_from_id,
        "delayed_from_meeting": origin.key if origin is not None else None,
        "delayed_from_text": _origin_text(origin) if origin is not None else None,
        "purpose": item.purpose,
        "group_news": [{"group": n.group.slug, "name": n.group.name,
                        "founded_by": n.founder.public_name if n.founder else None,
                        "at": n.created_at} for n in item.group_news.all()],
        "proposals": [{"id": p.pk, "title": p.title, "status": p.status}
                      for p in item.proposals.all()],
        "events": [history.event_out(e) for e in item.events.all()],
    }


def _origin_text(origin: Occurrence) -> str:
    day = formats.date_format(origin.starts_at, "j F Y")
    if origin.series.kind == SeriesKind.AGORA:
        return _("carried over from the Agora of %(d)s") % {"d": day}
    return _("carried over from the meeting of %(d)s") % {"d": day}


def _agenda_out(occurrence: Occurrence) -> dict:
    view = queries.agenda(occurrence, with_history=True)
    return {"items": [_item_out(i) for i in view.items], "total_minutes": view.total_minutes,
            "available_minutes": occurrence.available_minutes,
            "over_minutes": view.over_minutes}


def _session_out(session: ProgramSession, user, signups=None) -> dict:
    tz = rules.check_timezone(session.meeting.series.timezone)
    if signups is None:
        signups = getattr(session, "all_signups", None)
        if signups is None:
            signups = list(session.signups.all())
    mine = [s.status for s in signups if user.is_authenticated and s.person_id == user.pk]
    # The waiting list in the order places are given (sign-ups come in that order from
    # queries.program(); sorted here for the lists read otherwise).
    waiting = [s.person_id for s in sorted(signups, key=lambda s: (s.created_at, s.pk))
               if s.status == rules.SignupStatus.WAITING]
    return {
        "id": session.pk, "title": session.title, "description": session.description,
        "kind": session.kind, "starts_at": session.starts_at.astimezone(tz),
        "ends_at": session.ends_at.astimezone(tz) if session.ends_at else None,
        "place": session.place, "capacity": session.capacity,
        "facilitator": session.facilitator.public_name if session.facilitator_id
        and session.facilitator else None,
        "confirmed": sum(1 for s in signups if s.status == rules.SignupStatus.CONFIRMED),
        "waiting": sum(1 for s in signups if s.status == rules.SignupStatus.WAITING),
        "my_status": mine[0] if mine else None,
        "my_waiting_rank": rules.waiting_rank(waiting, user.pk)
        if mine and mine[0] == rules.SignupStatus.WAITING else None,
    }


def _minutes_out(entry: MinutesEntry) -> dict:
    return {"item_id": entry.agenda_item_id, "notes": entry.notes,
            "presented_by": entry.presented_by, "decisions": entry.decisions,
            "links": entry.links,
            "written_by": entry.written_by.public_name if entry.written_by else None,
            "updated_at": entry.updated_at}


def _after_change(meeting: Meeting) -> dict:
    return _occurrence_out(queries.occurrence_of_meeting(meeting))


# Series ------------------------------------------------------------------------------

@router.get("/bodies/{slug}/series", response={200: list[SeriesOut], **refusals(404)}, auth=public)
def list_series(request, slug: str):
    """A body's meeting series, each with its next occurrence (not cancelled)."""
    body = access.get_body_for(request.user, slug)
    series_list = queries.series_of(body)
    following = queries.next_occurrence_of_each(series_list)
    return [_series_out(series, following[series.pk]) for series in series_list]


@router.post("/bodies/{slug}/series", response={201: SeriesOut, **refusals(400, 403, 404, 409)})
def create_series(request, slug: str, payload: SeriesIn):
    body = access.get_body_for(request.user, slug, may=permissions.can_manage_meetings)
    recurrence = None
    if payload.frequency is not None:
        recurrence = rules.Recurrence(
            frequency=payload.frequency, interval=payload.interval,
            weekdays=tuple(payload.weekdays), monthly_by=payload.monthly_by,
            ordinal=payload.ordinal, weekday=payload.weekday or "",
            month_day=payload.month_day,
            until=check_year(payload.until, "until") if payload.until else None,
            count=payload.count)
    series = services.create_series(
        actor=request.user, body=body, title=payload.title, rrule=payload.rrule,
        recurrence=recurrence,
        first_day=check_year(payload.first_day, "first_day"), start_time=payload.start_time,
        end_time=payload.end_time, kind=payload.kind, timezone_name=payload.timezone,
        place=payload.place, preparation_offset_days=payload.preparation_offset_days,
        preparation_time=payload.preparation_time,
        agenda_opens_days=payload.agenda_opens_days)
    return Status(201, _series_out(series))


# Occurrences -------------------------------------------------------------------------

@router.get("/series/{series_id}/occurrences",
            response={200: list[OccurrenceOut], **refusals(400, 404)}, auth=public)
def list_occurrences(request, series_id: int, start: str | None = None,
                     end: str | None = None):
    """Occurrences from `start` to `end` included (local dates, YYYY-MM-DD); by default
    the next 120 days. At most two years at a time."""
    series = access.get_series_for(request.user, series_id)
    found = queries.occurrences_between(series, parse_day(start, "start", optional=True),
                                        parse_day(end, "end", optional=True))
    return [_occurrence_out(o) for o in found]


@router.get("/series/{series_id}/occurrences/{day}",
            response={200: OccurrenceDetail, **refusals(400, 404)}, auth=public)
def get_occurrence(request, series_id: int, day: str):
    """One occurrence with its agenda, its program and, once published, its minutes."""
    occurrence = access.get_occurrence_for(request.user, series_id, day)
    user, body = request.user, occurrence.series.body
    can_manage = bool(permissions.can_manage_meetings(user, body))
    data = _occurrence_out(occurrence)
    minutes = queries.published_minutes_for(user, occurrence)
    if minutes is not None:
        minutes = [_minutes_out(e) for e in minutes]
    data.update(
        body=body.slug, rrule=occurrence.series.rrule,
        rrule_text=services.rule_in_words(occurrence.series.rrule),
        agenda=_agenda_out(occurrence),
        sessions=[_session_out(s, user) for s in queries.program(occurrence)],
        minutes=minutes, can_manage=can_manage,
        can_add_items=bool(permissions.can_add_agenda_item(user, body))
        and occurrence.is_open_for_items,
    )
    return data


@router.post("/series/{series_id}/occurrences/{day}/cancel",
             response={200: OccurrenceOut, **refusals(400, 403, 404, 409)})
def cancel_occurrence(request, series_id: int, day: str, payload: ReasonIn | None = None):
    occurrence = access.get_occurrence_to_manage(request.user, series_id, day)
    meeting = services.cancel_occurrence(actor=request.user, occurrence=occurrence,
                                         reason=payload.reason if payload else "")
    return _after_change(meeting)


@router.post("/series/{series_id}/occurrences/{day}/move",
             response={200: OccurrenceOut, **refusals(400, 403, 404, 409)})
def move_occurrence(request, series_id: int, day: str, payload: OccurrenceMoveIn):
    occurrence = access.get_occurrence_to_manage(request.user, series_id, day)
    meeting = services.move_occurrence(
        actor=request.user, occurrence=occurrence,
        starts_at=rules.aware(check_year(payload.starts_at, "starts_at"), occurrence.tz),
        ends_at=rules.aware(check_year(payload.ends_at, "ends_at"), occurrence.tz),
        place=payload.place)
    return _after_change(meeting)


@router.post("/series/{series_id}/occurrences/{day}/restore",
             response={200: OccurrenceOut, **refusals(400, 403, 404)})
def restore_occurrence(request, series_id: int, day: str):
    occurrence = access.get_occurrence_to_manage(request.user, series_id, day)
    return _after_change(services.restore_occurrence(actor=request.user,
                                                     occurrence=occurrence))


# Agenda ------------------------------------------------------------------------------

@router.post("/series/{series_id}/occurrences/{day}/items",
             response={201: AgendaItemOut, **refusals(400, 403, 404, 409)})
def add_item(request, series_id: int, day: str, payload: AgendaItemIn):
    """Members add items until the deadline; after it, 409 naming the next meeting."""
    occurrence = access.get_occurrence_for(
        request.user, series_id, day, may=permissions.can_add_agenda_item,
        refusal=access.ADD_ITEMS)
    item = services.add_agenda_item(
        actor=request.user, occurrence=occurrence, title=payload.title,
        duration_minutes=payload.duration_minutes, kind=payload.kind,
        description=payload.description)
    return Status(201, _item_out(item))


@router.post("/agenda-items/{item_id}/accept",
             response={200: AgendaItemOut, **refusals(400, 403, 404, 409)})
def accept_item(request, item_id: int):
    item = access.get_item_to_manage(request.user, item_id)
    return _item_out(services.accept_agenda_item(actor=request.user, item_id=item.pk))


@router.post("/agenda-items/{item_id}/discard",
             response={200: AgendaItemOut, **refusals(400, 403, 404, 409)})
def discard_item(request, item_id: int, payload: ReasonIn | None = None):
    item = access.get_item_to_manage(request.user, item_id)
    return _item_out(services.discard_agenda_item(
        actor=request.user, item_id=item.pk, reason=payload.reason if payload else ""))


@router.post("/agenda-items/{item_id}/reopen",
             response={200: AgendaItemOut, **refusals(400, 403, 404, 409)})
def reopen_item(request, item_id: int):
    item = access.get_item_to_manage(request.user, item_id)
    return _item_out(services.reopen_agenda_item(actor=request.user, item_id=item.pk))


@router.post("/agenda-items/{item_id}/delay",
             response={200: AgendaItemOut, **refusals(400, 403, 404, 409)})
def delay_item(request, item_id: int, payload: DelayIn):
    """The item stays here as history ("delayed"); the answer is its copy on the later
    agenda."""
    item = access.get_item_to_manage(request.user, item_id)
    target = access.get_later_occurrence(item.meeting.series, payload.to, "to")
    return _item_out(services.delay_agenda_item(actor=request.user, item_id=item.pk,
                                                to=target))


@router.post("/series/{series_id}/occurrences/{day}/order",
             response={200: AgendaOut, **refusals(400, 403, 404, 409)})
def order_agenda(request, series_id: int, day: str, payload: OrderIn):
    """The same as PUT (kept for older clients)."""
    return _reorder(request, series_id, day, payload)


@router.put("/series/{series_id}/occurrences/{day}/order",
            response={200: AgendaOut, **refusals(400, 403, 404, 409)})
def put_agenda_order(request, series_id: int, day: str, payload: OrderIn):
    """The agenda's whole new order: every item exactly once (400 naming `item_ids`
    otherwise, e.g. when the agenda changed meanwhile); 409 once the agenda is fixed
    or the meeting cancelled."""
    return _reorder(request, series_id, day, payload)


def _reorder(request, series_id: int, day: str, payload: OrderIn) -> dict:
    occurrence = access.get_occurrence_to_manage(request.user, series_id, day)
    services.reorder_agenda(actor=request.user, occurrence=occurrence,
                            item_ids=payload.item_ids)
    return _agenda_out(occurrence)


@router.post("/agenda-items/{item_id}/move",
             response={200: AgendaOut, **refusals(400, 403, 404, 409)})
def move_item(request, item_id: int, payload: MoveItemIn):
    """One place up or down; 409 when it is already first (up) or last (down)."""
    item = access.get_item_to_manage(request.user, item_id)
    services.move_agenda_item(actor=request.user, item_id=item.pk,
                              direction=payload.direction)
    return _agenda_out(queries.occurrence_of_meeting(item.meeting))


@router.post("/series/{series_id}/occurrences/{day}/fix",
             response={200: OccurrenceOut, **refusals(400, 403, 404, 409)})
def fix_agenda(request, series_id: int, day: str):
    """The preparation meeting fixes and publishes the agenda; every item must be
    accepted, discarded or delayed first."""
    occurrence = access.get_occurrence_to_manage(request.user, series_id, day)
    return _after_change(services.fix_agenda(actor=request.user, occurrence=occurrence))


# Program -----------------------------------------------------------------------------

@router.post("/series/{series_id}/occurrences/{day}/sessions",
             response={201: SessionOut, **refusals(400, 403, 404, 409)})
def add_session(request, series_id: int, day: str, payload: SessionIn):
    occurrence = access.get_occurrence_to_manage(request.user, series_id, day)
    tz = occurrence.tz
    session = services.add_session(
        actor=request.user, occurrence=occurrence, title=payload.title,
        starts_at=rules.aware(check_year(payload.starts_at, "starts_at"), tz),
        ends_at=rules.aware(check_year(payload.ends_at, "ends_at"), tz)
        if payload.ends_at else None,
        kind=payload.kind, place=payload.place, capacity=payload.capacity,
        description=payload.description)
    return Status(201, _session_out(session, request.user, signups=[]))


@router.post("/sessions/{session_id}/signup",
             response={201: SignupOut, **refusals(400, 403, 404, 409)})
def sign_up(request, session_id: int):
    """Confirmed while there is room, then on the waiting list."""
    session = access.get_session_for(request.user, session_id)
    signup = services.sign_up(person=request.user, session_id=session.pk)
    return Status(201, {"session_id": session.pk, "status": signup.status,
                        "waiting_rank": queries.place_of_signup(signup).rank})


@router.post("/sessions/{session_id}/leave", response={200: SessionOut, **refusals(404)})
def leave_session(request, session_id: int):
    """Leaving frees the place for the first on the waiting list."""
    session = access.get_session_for(request.user, session_id)
    services.leave_session(person=request.user, session_id=session.pk)
    return _session_out(session, request.user,
                        signups=list(session.signups.only("status", "person_id",
                                                          "created_at")))


# Minutes and attendance --------------------------------------------------------------

@router.put("/series/{series_id}/occurrences/{day}/minutes",
            response={200: MinutesOut, **refusals(400, 403, 404)})
def write_minutes(request, series_id: int, day: str, payload: MinutesIn):
    occurrence = access.get_occurrence_to_manage(request.user, series_id, day)
    entry = services.write_minutes(
        actor=request.user, occurrence=occurrence, item_id=payload.item_id,
        notes=payload.notes, presented_by=payload.presented_by, decisions=payload.decisions,
        links=payload.links)
    return _minutes_out(entry)


@router.post("/series/{series_id}/occurrences/{day}/minutes/publish",
             response={200: OccurrenceOut, **refusals(400, 403, 404, 409)})
def publish_minutes(request, series_id: int, day: str):
    occurrence = access.get_occurrence_to_manage(request.user, series_id, day)
    return _after_change(services.publish_minutes(actor=request.user, occurrence=occurrence))


@router.post("/series/{series_id}/occurrences/{day}/attendance",
             response={200: AttendanceOut, **refusals(400, 403, 404)})
def record_attendance(request, series_id: int, day: str, payload: AttendanceIn):
    occurrence = access.get_occurrence_to_manage(request.user, series_id, day)
    recorded = services.record_attendance(
        actor=request.user, occurrence=occurrence,
        people=access.get_people(payload.person_ids, "person_ids"), field="person_ids")
    return {"recorded": recorded}
