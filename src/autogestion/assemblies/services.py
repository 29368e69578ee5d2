"""Every write of the assembly calendar, agendas, programs and minutes: one function
per action a person takes, each checking permission, running in a transaction and
leaving its history. Reads are in queries.py; statuses change only through the
transition functions below (core.history), each writing its event row."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from autogestion.cooperatives import selectors
from autogestion.core import clock, history
from autogestion.core.email import queue_email
from autogestion.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from autogestion.notifications.models import Kind as NotificationKind
from autogestion.notifications.services import notify

from . import permissions, queries, rules, texts
from .models import (
    AgendaItem,
    AgendaItemEvent,
    AgendaItemKind,
    AgendaItemStatus,
    Attendance,
    CalendarFeedToken,
    GroupNews,
    Meeting,
    MeetingEvent,
    MeetingSeries,
    MeetingStatus,
    MinutesEntry,
    PermanentItem,
    ProgramSession,
    ReminderSent,
    SeriesKind,
    SessionKind,
    SessionSignup,
    SessionSignupEvent,
)
from .queries import Occurrence
from .rules import ItemStatus, MeetingState, Refusal, ReminderKind, SignupStatus


def _when(moment: datetime) -> str:
    """A moment in words, in the zone it was given in (the series' own)."""
    return formats.date_format(moment, "DATETIME_FORMAT")


def _message(refusal: Refusal) -> DomainError:
    code, details = refusal.code, refusal.details
    if code == "bad_rrule":
        return DomainError(_("“%(rule)s” is not a recurrence rule. Write it as in RFC 5545, "
                             "for example FREQ=MONTHLY;BYDAY=-1SA (the last Saturday of each "
                             "month).") % {"rule": details.get("rule", "")}, field="rrule")
    if code == "rrule_too_frequent":
        return DomainError(_("A meeting series repeats at most daily: use FREQ=DAILY, WEEKLY, "
                             "MONTHLY or YEARLY."), field="rrule")
    if code == "rrule_until_utc":
        return DomainError(_("Write UNTIL in the series' local time, without the final Z "
                             "(for example UNTIL=20271231T235959)."), field="rrule")
    if code == "rrule_never":
        return DomainError(_("This rule gives no date in the five years after the first day: "
                             "check it (for example, there is no 30 February)."),
                           field="rrule")
    if code.startswith("builder_"):
        return _builder_message(code, details)
    if code == "moved_too_far":
        return DomainError(_("A meeting moves at most %(days)s days from its planned date; "
                             "cancel it and plan another one instead.") % details,
                           field="starts_at")
    if code == "bad_timezone":
        return DomainError(_("Unknown time zone “%(name)s”: use a name such as "
                             "Europe/Paris.") % details, field="timezone")
    if code == "meeting_cancelled":
        return Conflict(_("This meeting is cancelled: add your item to another one."))
    if code == "meeting_over":
        return Conflict(_("This meeting is over: add your item to a coming one."))
    if code == "agenda_fixed":
        return Conflict(_("The agenda of this meeting is already fixed: add your item to "
                          "the next one."))
    if code == "bad_duration":
        return DomainError(_("Give a duration between 1 and %(max)s minutes.")
                           % {"max": rules.MAX_ITEM_MINUTES}, field="duration_minutes")
    if code == "ends_before_start":
        return DomainError(_("The end must come after the start."), field="ends_at")
    if code == "too_long":
        return DomainError(_("A meeting or session lasts at most 24 hours."), field="ends_at")
    if code == "bad_transition":
        return Conflict(_("An item that is %(current)s cannot become %(target)s.")
                        % {"current": AgendaItemStatus(details["current"]).label,
                           "target": AgendaItemStatus(details["target"]).label})
    return DomainError(code)


def _builder_message(code: str, details: dict) -> DomainError:
    texts = {
        "builder_frequency": _("Choose how often the meeting comes back: every day, every "
                               "week or every month."),
        "builder_interval": _("Give the interval as a whole number from 1 to %(max)s (1: "
                              "every time, 2: every other time).") % {"max": rules.MAX_INTERVAL},
        "builder_weekdays": _("Tick at least one day of the week."),
        "builder_weekday": _("Choose a day of the week."),
        "builder_ordinal": _("Choose which one in the month: the first, second, third, "
                             "fourth, fifth, last or second to last."),
        "builder_month_day": _("Give a day of the month from 1 to 31 (months without it "
                               "are skipped), or -1 for the last day."),
        "builder_monthly_by": _("Choose “a day of the week” or “a day of the month”."),
        "builder_two_ends": _("Give either an end date or a number of meetings, not both."),
        "builder_count": _("Give the number of meetings as a whole number from 1 to "
                           "%(max)s.") % {"max": rules.MAX_COUNT},
    }
    return DomainError(texts.get(code, code), field=details.get("field", "frequency"))


def recurrence_rule(choice: rules.Recurrence) -> str:
    """The rule the builder's choices give, or a DomainError naming the choice to fix."""
    try:
        return rules.build_rrule(choice)
    except Refusal as refusal:
        raise _message(refusal) from None


def rule_in_words(rule: str) -> str:
    """The rule in the current language, never raw (R3)."""
    return rules.describe_rrule(rule, translation.get_language() or settings.LANGUAGE_CODE)


def _refuse(refusal: Refusal, occurrence: Occurrence | None = None) -> DomainError:
    if refusal.code == "deadline_passed" and occurrence is not None:
        following = [o for o in queries.next_occurrences(occurrence.series, 6,
                                                         after=occurrence.ends_at)
                     if o.is_open_for_items][:1]
        text = _("The deadline for this agenda passed on %(deadline)s (the preparation "
                 "meeting).") % {"deadline": _when(refusal.details["deadline"]
                                                    .astimezone(occurrence.tz))}
        if following:
            text += " " + _("Add your item to the next meeting, on %(date)s: items are "
                            "accepted until %(next_deadline)s.") % {
                "date": _when(following[0].starts_at),
                "next_deadline": _when(following[0].deadline or following[0].starts_at)}
        error = Conflict(text)
        error.next_occurrence = following[0] if following else None
        return error
    return _message(refusal)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


# Series ------------------------------------------------------------------------------

@transaction.atomic
def create_series(*, actor, body, title: str, first_day: date, start_time: time,
                  end_time: time, rrule: str | None = None,
                  recurrence: rules.Recurrence | None = None, kind: str = SeriesKind.REGULAR,
                  timezone_name: str = "", place: str = "",
                  preparation_offset_days: int | None = None,
                  preparation_time: time | None = None, agenda_opens_days: int = 28
                  ) -> MeetingSeries:
    """The recurrence comes from the builder's choices (`recurrence`) or as an RFC 5545
    rule (`rrule`, the API's older way), not both; neither is the Agora's default."""
    _require(permissions.can_manage_meetings(actor, body),
             _("Only coordinators of %(body)s plan its meetings.") % {"body": body.name})
    if recurrence is not None and rrule is not None:
        raise DomainError(_("Give either the recurrence rule or the builder's choices "
                            "(frequency...), not both."), field="rrule")
    if recurrence is not None:
        rrule = recurrence_rule(recurrence)
    if rrule is None:
        rrule = rules.DEFAULT_AGORA_RULE
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the meeting series a title."), field="title")
    if kind not in SeriesKind.values:
        raise DomainError(_("Unknown kind of meeting."), field="kind")
    if len(title) > 150:
        raise DomainError(_("Keep the title under 150 characters."), field="title")
    if len(place or "") > 255:
        raise DomainError(_("Keep the place under 255 characters."), field="place")
    if not date(2000, 1, 1) <= first_day <= date(2100, 12, 31):
        raise DomainError(_("The first day must fall between 2000 and 2100."),
                          field="first_day")
    timezone_name = timezone_name or settings.TIME_ZONE
    try:
        tz = rules.check_timezone(timezone_name)
        rule = rules.check_rrule(rrule, first_day, tz)
    except Refusal as refusal:
        raise _message(refusal) from None
    if end_time <= start_time:
        raise DomainError(_("The end must come after the start."), field="end_time")
    if kind == SeriesKind.AGORA and preparation_offset_days is None:
        preparation_offset_days = rules.DEFAULT_PREPARATION_OFFSET_DAYS
    if preparation_offset_days is not None and not 1 <= preparation_offset_days <= 60:
        raise DomainError(_("The preparation meeting comes 1 to 60 days before."),
                          field="preparation_offset_days")
    if not 1 <= agenda_opens_days <= 365:
        raise DomainError(_("The agenda opens 1 to 365 days before the meeting."),
                          field="agenda_opens_days")
    if preparation_offset_days is not None and agenda_opens_days <= preparation_offset_days:
        raise DomainError(_("The agenda must open before its deadline: more days before the "
                            "meeting than the preparation meeting."),
                          field="agenda_opens_days")
    return MeetingSeries.objects.create(
        body=body, kind=kind, title=title, rrule=rule, first_day=first_day,
        start_time=start_time, end_time=end_time, timezone=timezone_name,
        place=place or body.place, preparation_offset_days=preparation_offset_days,
        preparation_time=preparation_time, agenda_opens_days=agenda_opens_days)


@transaction.atomic
def add_permanent_item(*, actor, series: MeetingSeries, title: str, kind: str =
                       AgendaItemKind.INFORMATION, duration_minutes: int = 10) -> PermanentItem:
    _require(permissions.can_manage_meetings(actor, series.body),
             _("Only coordinators of %(body)s plan its meetings.") % {"body": series.body.name})
    if not (title or "").strip():
        raise DomainError(_("Give the item a title."), field="title")
    try:
        rules.check_duration(duration_minutes)
    except Refusal as refusal:
        raise _message(refusal) from None
    position = (series.permanent_items.aggregate(m=Max("position"))["m"] or 0) + 1
    return PermanentItem.objects.create(series=series, title=title.strip(), kind=kind,
                                        duration_minutes=duration_minutes, position=position)


def _meeting_for(occurrence: Occurrence, actor=None) -> Meeting:
    """The stored meeting of an occurrence, created on first need (its first event)
    with the series' permanent items on its agenda. Always read from the database: an
    occurrence object may outlive a rolled-back transaction that created its row."""
    meeting, created = Meeting.objects.get_or_create(
        series=occurrence.series, original_start=occurrence.original_start,
        defaults={"starts_at": occurrence.starts_at, "ends_at": occurrence.ends_at,
                  "place": occurrence.place})
    if created:
        history.record(meeting, event_model=MeetingEvent, subject="meeting", actor=actor)
        for position, permanent in enumerate(occurrence.series.permanent_items.all(), start=1):
            item = AgendaItem.objects.create(
                meeting=meeting, title=permanent.title, kind=permanent.kind,
                duration_minutes=permanent.duration_minutes, status=ItemStatus.ACCEPTED,
                is_permanent=True, position=position, purpose=permanent.purpose)
            history.record(item, event_model=AgendaItemEvent, subject="item",
                           reason="permanent")
    return meeting


def ensure_meeting(occurrence: Occurrence, actor=None) -> Meeting:
    with transaction.atomic():
        return _meeting_for(occurrence, actor)


def _move_meeting(meeting: Meeting, to: MeetingState, *, actor, reason: str = "",
                  refusal=None, update_fields=()) -> None:
    """The one way a meeting changes status (R3): checked, saved, with its event."""
    history.transition(meeting, to, allowed=rules.MEETING_TRANSITIONS,
                       event_model=MeetingEvent, subject="meeting", actor=actor,
                       reason=reason, refusal=refusal, update_fields=update_fields)


@transaction.atomic
def cancel_occurrence(*, actor, occurrence: Occurrence, reason: str = "") -> Meeting:
    _require(permissions.can_manage_meetings(actor, occurrence.series.body),
             _("Only coordinators of %(body)s plan its meetings.")
             % {"body": occurrence.series.body.name})
    meeting = _meeting_for(occurrence, actor)
    reason = (reason or "").strip()[:255]
    meeting.note = reason
    _move_meeting(meeting, MeetingState.CANCELLED, actor=actor, reason=reason,
                  refusal=_("This meeting is already cancelled."), update_fields=("note",))
    return meeting


@transaction.atomic
def move_occurrence(*, actor, occurrence: Occurrence, starts_at: datetime, ends_at: datetime,
                    place: str | None = None) -> Meeting:
    """Move one occurrence; the series and the other occurrences stay as they are."""
    _require(permissions.can_manage_meetings(actor, occurrence.series.body),
             _("Only coordinators of %(body)s plan its meetings.")
             % {"body": occurrence.series.body.name})
    try:
        rules.check_times(starts_at, ends_at)
        rules.check_move(occurrence.original_start, starts_at)
    except Refusal as refusal:
        raise _message(refusal) from None
    meeting = _meeting_for(occurrence, actor)
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict(_("This meeting is cancelled: restore it before moving it."))
    if place is not None and len(place) > 255:
        raise DomainError(_("Keep the place under 255 characters."), field="place")
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    if place is not None:
        meeting.place = place.strip()
    meeting.save(update_fields=["starts_at", "ends_at", "place"])
    return meeting


@transaction.atomic
def restore_occurrence(*, actor, occurrence: Occurrence) -> Meeting:
    _require(permissions.can_manage_meetings(actor, occurrence.series.body),
             _("Only coordinators of %(body)s plan its meetings.")
             % {"body": occurrence.series.body.name})
    meeting = _meeting_for(occurrence, actor)
    if meeting.status == MeetingStatus.SCHEDULED:
        return meeting  # nothing to restore
    meeting.note = ""
    _move_meeting(meeting, MeetingState.SCHEDULED, actor=actor, update_fields=("note",))
    return meeting


# Agenda ------------------------------------------------------------------------------

def _locked_meeting(meeting: Meeting) -> Meeting:
    # Lock the meeting row so two coordinators fixing and adding at once serialize.
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


@transaction.atomic
def add_agenda_item(*, actor, occurrence: Occurrence, title: str, duration_minutes: int,
                    kind: str = AgendaItemKind.DISCUSSION, description: str = "",
                    presenter=None) -> AgendaItem:
    """A member adds an item online, until the deadline (the preparation meeting)."""
    body = occurrence.series.body
    _require(permissions.can_add_agenda_item(actor, body),
             _("Only members of %(body)s add items to its agenda.") % {"body": body.name})
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the item a title."), field="title")
    if len(title) > 200:
        raise DomainError(_("Keep the title under 200 characters."), field="title")
    if kind not in AgendaItemKind.values:
        raise DomainError(_("Choose the kind of item: information, discussion or decision."),
                          field="kind")
    meeting = _locked_meeting(_meeting_for(occurrence, actor))
    try:
        rules.check_item_can_be_added(rules.AddingItem(
            now=clock.now(), deadline=occurrence.deadline,
            cancelled=meeting.status == MeetingStatus.CANCELLED,
            agenda_fixed=meeting.agenda_published_at is not None,
            meeting_end=meeting.ends_at, minutes=duration_minutes))
    except Refusal as refusal:
        raise _refuse(refusal, occurrence) from None
    position = (meeting.agenda_items.aggregate(m=Max("position"))["m"] or 0) + 1
    item = AgendaItem.objects.create(
        meeting=meeting, title=title, description=(description or "").strip(), kind=kind,
        duration_minutes=duration_minutes, presenter=presenter or actor, author=actor,
        position=position)
    history.record(item, event_model=AgendaItemEvent, subject="item", actor=actor)
    return item


def _item_for_coordinator(actor, item_id: int) -> AgendaItem:
    item = (AgendaItem.objects.select_for_update()
            .select_related("meeting__series__body").filter(pk=item_id).first())
    if item is None:
        raise NotFound(_("There is no such agenda item."))
    body = item.meeting.series.body
    _require(permissions.can_manage_meetings(actor, body),
             _("Only coordinators of %(body)s order its agenda.") % {"body": body.name})
    return item


def _move_item(item: AgendaItem, to: ItemStatus, *, actor, reason: str = "",
               update_fields=()) -> None:
    """The one way an agenda item changes status (R3): checked against
    rules.ITEM_TRANSITIONS, saved, with its event."""
    refusal = _message(Refusal("bad_transition", current=item.status, target=to)).message
    history.transition(item, to, allowed=rules.ITEM_TRANSITIONS, event_model=AgendaItemEvent,
                       subject="item", actor=actor, reason=reason, refusal=refusal,
                       update_fields=update_fields)


@transaction.atomic
def accept_agenda_item(*, actor, item_id: int) -> AgendaItem:
    item = _item_for_coordinator(actor, item_id)
    _move_item(item, ItemStatus.ACCEPTED, actor=actor)
    return item


@transaction.atomic
def discard_agenda_item(*, actor, item_id: int, reason: str) -> AgendaItem:
    item = _item_for_coordinator(actor, item_id)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the item is discarded: its author will read it."),
                          field="reason")
    item.discard_reason = reason[:255]  # saved only if the item may be discarded
    _move_item(item, ItemStatus.DISCARDED, actor=actor, reason=reason[:255],
               update_fields=("discard_reason",))
    return item


@transaction.atomic
def reopen_agenda_item(*, actor, item_id: int) -> AgendaItem:
    item = _item_for_coordinator(actor, item_id)
    item.discard_reason = ""  # saved only if the item may go back to new
    _move_item(item, ItemStatus.NEW, actor=actor, update_fields=("discard_reason",))
    return item


@transaction.atomic
def delay_agenda_item(*, actor, item_id: int, to: Occurrence) -> AgendaItem:
    """Move an item to a later meeting of the same series; the item stays here as
    history ("delayed") and a copy joins the later agenda."""
    item = _item_for_coordinator(actor, item_id)
    if to.series.pk != item.meeting.series_id or to.starts_at <= item.meeting.starts_at:
        raise DomainError(_("Delay an item to a later meeting of the same series."),
                          field="to")
    if to.cancelled:
        raise Conflict(_("That meeting is cancelled: choose another one."), field="to")
    if to.agenda_published:
        raise Conflict(_("The agenda of that meeting is already fixed: choose a later one."),
                       field="to")
    try:
        rules.check_item_transition(ItemStatus(item.status), ItemStatus.DELAYED)
    except Refusal as refusal:
        raise _message(refusal) from None
    target = _locked_meeting(_meeting_for(to, actor))
    position = (target.agenda_items.aggregate(m=Max("position"))["m"] or 0) + 1
    copy = AgendaItem.objects.create(
        meeting=target, title=item.title, description=item.description, kind=item.kind,
        duration_minutes=item.duration_minutes, presenter=item.presenter, author=item.author,
        position=position, delayed_from=item)
    _move_item(item, ItemStatus.DELAYED, actor=actor, reason=to.key)
    history.record(copy, event_model=AgendaItemEvent, subject="item", actor=actor,
                   reason=queries.occurrence_of_meeting(item.meeting).key)
    return copy


def _check_order_may_change(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict(_("This meeting is cancelled: its agenda no longer changes."))
    if meeting.agenda_published_at is not None:
        raise Conflict(_("This agenda is fixed and published: its order no longer changes."))


def _save_order(meeting: Meeting, ordered: list[AgendaItem]) -> None:
    """Number the items 1, 2, 3... in this order. Two steps, since the database allows
    one item per place at every moment: first past the highest place, then home."""
    moving = [item for place, item in enumerate(ordered, start=1) if item.position != place]
    if not moving:
        return
    top = max(item.position for item in ordered)
    for offset, item in enumerate(moving, start=1):
        item.position = top + offset
    AgendaItem.objects.bulk_update(moving, ["position"])
    for place, item in enumerate(ordered, start=1):
        item.position = place
    AgendaItem.objects.bulk_update(moving, ["position"])


@transaction.atomic
def reorder_agenda(*, actor, occurrence: Occurrence, item_ids: list[int]) -> list[AgendaItem]:
    """The agenda in a new order, given whole: every item of the agenda exactly once
    (so an order made on a page that was out of date is refused, not half applied)."""
    body = occurrence.series.body
    _require(permissions.can_manage_meetings(actor, body),
             _("Only coordinators of %(body)s order its agenda.") % {"body": body.name})
    meeting = _locked_meeting(_meeting_for(occurrence, actor))
    _check_order_may_change(meeting)
    items = {i.pk: i for i in meeting.agenda_items.all()}
    if sorted(item_ids) != sorted(items) or len(set(item_ids)) != len(item_ids):
        raise DomainError(_("Give every item of this agenda exactly once, in the new order "
                            "(the agenda may have changed meanwhile: reload the page)."),
                          field="item_ids")
    ordered = [items[i] for i in item_ids]
    _save_order(meeting, ordered)
    return ordered


@transaction.atomic
def move_agenda_item(*, actor, item_id: int, direction: str) -> AgendaItem:
    """One place up or down the agenda (the buttons that work without JavaScript)."""
    if direction not in ("up", "down"):
        raise DomainError(_("Move an item up or down."), field="direction")
    found = (AgendaItem.objects.select_related("meeting__series__body")
             .filter(pk=item_id).first())
    if found is None:
        raise NotFound(_("There is no such agenda item."))
    body = found.meeting.series.body
    _require(permissions.can_manage_meetings(actor, body),
             _("Only coordinators of %(body)s order its agenda.") % {"body": body.name})
    # The meeting first, as reorder_agenda does: one lock order, no deadlock.
    meeting = _locked_meeting(found.meeting)
    _check_order_may_change(meeting)
    item = found
    ordered = list(meeting.agenda_items.order_by("position", "created_at", "pk"))
    index = next(i for i, other in enumerate(ordered) if other.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(ordered):
        raise Conflict(_("This item is already first.") if direction == "up"
                       else _("This item is already last."), field="direction")
    ordered[index], ordered[target] = ordered[target], ordered[index]
    _save_order(meeting, ordered)
    return next(other for other in ordered if other.pk == item.pk)


@transaction.atomic
def fix_agenda(*, actor, occurrence: Occurrence) -> Meeting:
    """The preparation meeting fixes the agenda: it is published and members are told."""
    body = occurrence.series.body
    _require(permissions.can_manage_meetings(actor, body),
             _("Only coordinators of %(body)s fix its agenda.") % {"body": body.name})
    meeting = _locked_meeting(_meeting_for(occurrence, actor))
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict(_("This meeting is cancelled."))
    if meeting.agenda_published_at is not None:
        raise Conflict(_("This agenda is already fixed and published."))
    undecided = meeting.agenda_items.filter(status=ItemStatus.NEW).count()
    if undecided:
        raise Conflict(ngettext("%(n)s item still waits to be accepted, discarded or delayed.",
                                "%(n)s items still wait to be accepted, discarded or delayed.",
                                undecided) % {"n": undecided})
    meeting.agenda_published_at = clock.now()
    meeting.save(update_fields=["agenda_published_at"])
    from .tasks import notify_members_task

    transaction.on_commit(lambda: notify_members_task.enqueue(
        meeting.pk, ReminderKind.AGENDA_PUBLISHED.value))
    return meeting


# News of the groups (R17) ------------------------------------------------------------

GROUP_NEWS = "group_news"


def _group_news_item(series: MeetingSeries, meeting: Meeting) -> AgendaItem:
    """The item "News of the groups" of this agenda, made if missing; the series keeps
    it as a permanent item so that every later agenda has it too."""
    permanent = series.permanent_items.filter(purpose=GROUP_NEWS).first()
    if permanent is None:
        with translation.override(settings.LANGUAGE_CODE):
            title = _("News of the groups")
        position = (series.permanent_items.aggregate(m=Max("position"))["m"] or 0) + 1
        permanent = PermanentItem.objects.create(
            series=series, title=title, kind=AgendaItemKind.INFORMATION,
            duration_minutes=10, position=position, purpose=GROUP_NEWS)
    item = meeting.agenda_items.filter(purpose=GROUP_NEWS).first()
    if item is None:
        position = (meeting.agenda_items.aggregate(m=Max("position"))["m"] or 0) + 1
        item = AgendaItem.objects.create(
            meeting=meeting, title=permanent.title, kind=permanent.kind,
            duration_minutes=permanent.duration_minutes, status=ItemStatus.ACCEPTED,
            is_permanent=True, position=position, purpose=GROUP_NEWS)
        history.record(item, event_model=AgendaItemEvent, subject="item", reason="permanent")
    return item


@transaction.atomic
def announce_group(*, group, founder=None) -> GroupNews | None:
    """Put a newly founded group on the next Agora of its cooperative whose agenda still
    takes items (the agenda closes at the preparation meeting, 7 days before: then the
    Agora after), under "News of the groups". Nobody acts: the platform tells the
    cooperative what its members did. Once per group; None when the cooperative has no
    Agora planned."""
    existing = GroupNews.objects.filter(group=group).first()
    if existing is not None:
        return existing
    cooperative = group.enclosing_cooperative()
    if cooperative is None or cooperative.pk == group.pk:
        return None
    series = (MeetingSeries.objects.filter(body=cooperative, kind=SeriesKind.AGORA,
                                           is_active=True)
              .select_related("body").order_by("pk").first())
    if series is None:
        return None
    occurrence = next((o for o in queries.next_occurrences(series, 6)
                       if o.is_open_for_items), None)
    if occurrence is None:
        return None
    meeting = _locked_meeting(_meeting_for(occurrence))
    item = _group_news_item(series, meeting)
    try:
        with transaction.atomic():
            return GroupNews.objects.create(item=item, group=group, founder=founder)
    except IntegrityError:  # told at the same moment by another process
        return GroupNews.objects.get(group=group)


# Program -----------------------------------------------------------------------------

@transaction.atomic
def add_session(*, actor, occurrence: Occurrence, title: str, starts_at: datetime,
                ends_at: datetime | None = None, kind: str = SessionKind.PLENARY,
                place: str = "", capacity: int | None = None, facilitator=None,
                description: str = "") -> ProgramSession:
    body = occurrence.series.body
    _require(permissions.can_manage_meetings(actor, body),
             _("Only coordinators of %(body)s plan its program.") % {"body": body.name})
    if not (title or "").strip():
        raise DomainError(_("Give the session a title."), field="title")
    if len(title) > 200:
        raise DomainError(_("Keep the title under 200 characters."), field="title")
    if len(place or "") > 255:
        raise DomainError(_("Keep the place under 255 characters."), field="place")
    if starts_at.astimezone(occurrence.tz).date() != occurrence.starts_at.astimezone(
            occurrence.tz).date():
        raise DomainError(_("A session takes place on the day of its meeting."),
                          field="starts_at")
    if kind not in SessionKind.values:
        raise DomainError(_("Unknown kind of session."), field="kind")
    if ends_at is not None:
        try:
            rules.check_times(starts_at, ends_at)
        except Refusal as refusal:
            raise _message(refusal) from None
    if capacity is not None and not 1 <= capacity <= 100_000:
        raise DomainError(_("A workshop has from 1 to 100,000 places (or leave it empty)."),
                          field="capacity")
    return ProgramSession.objects.create(
        meeting=_meeting_for(occurrence, actor), title=title.strip(), kind=kind,
        starts_at=starts_at, ends_at=ends_at, place=place or occurrence.place, capacity=capacity,
        facilitator=facilitator, description=description)


@transaction.atomic
def sign_up(*, person, session_id: int) -> SessionSignup:
    """One workshop per time slot; past the capacity, the waiting list."""
    session = (ProgramSession.objects.select_for_update()
               .select_related("meeting__series__body").filter(pk=session_id).first())
    if session is None:
        raise NotFound(_("There is no such session."))
    body = session.meeting.series.body
    _require(permissions.can_sign_up(person, body), _("Sign in to choose a workshop."))
    if session.kind != SessionKind.WORKSHOP:
        raise DomainError(_("Only workshops take sign-ups; everyone is welcome at the rest."))
    if session.meeting.status == MeetingStatus.CANCELLED:
        raise Conflict(_("This meeting is cancelled."))
    if clock.now() >= session.meeting.ends_at:
        raise Conflict(_("This meeting is over."))
    if SessionSignup.objects.filter(session=session, person=person).exists():
        raise Conflict(_("You are already signed up to this workshop."))
    end = session.ends_at or session.starts_at
    mine = [(s.session_id, s.session.starts_at, s.session.ends_at or s.session.starts_at)
            for s in SessionSignup.objects.filter(person=person, meeting=session.meeting)
            .select_related("session")]
    clash = rules.first_free_slot_conflict((session.starts_at, end), mine)
    if clash is not None:
        other = ProgramSession.objects.get(pk=clash)
        raise Conflict(_("You already chose “%(other)s” at that time: leave it first to "
                         "change workshop.") % {"other": other.title})
    confirmed = session.signups.filter(status=SignupStatus.CONFIRMED).count()
    status = rules.signup_status(session.capacity, confirmed)
    try:
        with transaction.atomic():
            signup = SessionSignup.objects.create(session=session, person=person,
                                                  meeting=session.meeting,
                                                  slot_start=session.starts_at, status=status)
    except IntegrityError:
        raise Conflict(_("You already chose a workshop at that time.")) from None
    history.record(signup, event_model=SessionSignupEvent, subject="signup", actor=person)
    return signup


@transaction.atomic
def leave_session(*, person, session_id: int) -> None:
    """Leaving frees a place: the first on the waiting list takes it."""
    session = ProgramSession.objects.select_for_update().filter(pk=session_id).first()
    signup = SessionSignup.objects.filter(session_id=session_id, person=person).first()
    if session is None or signup is None:
        raise NotFound(_("You are not signed up to this session."))
    was_confirmed = signup.status == SignupStatus.CONFIRMED
    signup.delete()
    if was_confirmed:
        waiting = session.signups.filter(status=SignupStatus.WAITING).order_by("created_at",
                                                                                "pk").first()
        if waiting is not None:
            # Nobody acts: a place freed up (the one who left is not named to the next).
            history.transition(waiting, SignupStatus.CONFIRMED,
                               allowed=rules.SIGNUP_TRANSITIONS,
                               event_model=SessionSignupEvent, subject="signup")


# Minutes and attendance --------------------------------------------------------------

@transaction.atomic
def write_minutes(*, actor, occurrence: Occurrence, item_id: int | None = None,
                  notes: str = "", presented_by: str = "", decisions: str = "",
                  links: str = "") -> MinutesEntry:
    body = occurrence.series.body
    _require(permissions.can_manage_meetings(actor, body),
             _("Only coordinators of %(body)s write its minutes.") % {"body": body.name})
    meeting = _meeting_for(occurrence, actor)
    item = None
    if item_id is not None:
        item = meeting.agenda_items.filter(pk=item_id).first()
        if item is None:
            raise NotFound(_("This item is not on the agenda of this meeting."))
    entry, _created = MinutesEntry.objects.update_or_create(
        meeting=meeting, agenda_item=item,
        defaults={"notes": notes.strip(), "presented_by": presented_by.strip()[:200],
                  "decisions": decisions.strip(), "links": links.strip(),
                  "written_by": actor})
    return entry


@transaction.atomic
def publish_minutes(*, actor, occurrence: Occurrence) -> Meeting:
    body = occurrence.series.body
    _require(permissions.can_manage_meetings(actor, body),
             _("Only coordinators of %(body)s publish its minutes.") % {"body": body.name})
    meeting = _meeting_for(occurrence, actor)
    if meeting.minutes_published_at is not None:
        raise Conflict(_("These minutes are already published."))
    if not meeting.minutes.exists():
        raise Conflict(_("Write the minutes before publishing them."))
    if clock.now() < meeting.starts_at:
        raise Conflict(_("Minutes are published once the meeting has begun."))
    meeting.minutes_published_at = clock.now()
    meeting.save(update_fields=["minutes_published_at"])
    return meeting


@transaction.atomic
def record_attendance(*, actor, occurrence: Occurrence, people, field: str = "people") -> int:
    """Mark people present; returns how many were newly recorded. Only active members
    of the body are recorded: attendance has no notion of a guest, and the names it
    lists are published with the minutes. A refusal names `field` (the input that
    listed the people)."""
    body = occurrence.series.body
    _require(permissions.can_manage_meetings(actor, body),
             _("Only coordinators of %(body)s record attendance.") % {"body": body.name})
    people = list(people)
    members = selectors.active_members_among(body, [p.pk for p in people])
    if outside := [p for p in people if p.pk not in members]:
        raise DomainError(ngettext(
            "Only active members of %(body)s are marked present, and %(people)s is not one.",
            "Only active members of %(body)s are marked present, and %(people)s are not.",
            len(outside)) % {"body": body.name,
                             "people": ", ".join(p.public_name for p in outside[:20])},
            field=field)
    meeting = _meeting_for(occurrence, actor)
    already = set(meeting.attendance.values_list("person_id", flat=True))
    new = [Attendance(meeting=meeting, person=p, recorded_by=actor) for p in people
           if p.pk not in already]
    Attendance.objects.bulk_create(new)
    return len(new)


# Calendar feeds ----------------------------------------------------------------------

@transaction.atomic
def reset_calendar_token(*, person) -> CalendarFeedToken:
    """A new secret address for the person's feed; the old one stops working."""
    token, created = CalendarFeedToken.objects.get_or_create(person=person)
    if not created:
        token.token = CalendarFeedToken._meta.get_field("token").default()
        token.save(update_fields=["token", "created_at"])
    return token


def calendar_token_of(person) -> CalendarFeedToken:
    """The person's feed address, made on first need (so this writes)."""
    token, _created = CalendarFeedToken.objects.get_or_create(person=person)
    return token


# Reminders ---------------------------------------------------------------------------

# What each reminder says first (e-mail subject, in-app title), the meeting named after
# a colon so that no article is glued to its title ("Agenda published: Agora — ...").
REMINDER_TITLES = {
    ReminderKind.AGENDA_OPEN: gettext_noop("Agenda open for items: %(meeting)s"),
    ReminderKind.DEADLINE_SOON: gettext_noop("Two days left to add items: %(meeting)s"),
    ReminderKind.AGENDA_PUBLISHED: gettext_noop("Agenda published: %(meeting)s"),
}
# The meeting itself, said from the day the reader is in when it is sent.
MEETING_TITLES = {
    rules.RelativeDay.TODAY: gettext_noop("Today: %(meeting)s"),
    rules.RelativeDay.TOMORROW: gettext_noop("Tomorrow: %(meeting)s"),
    rules.RelativeDay.OTHER: gettext_noop("Coming up: %(meeting)s"),
}


def reminder_title(kind: ReminderKind, day: rules.RelativeDay) -> str:
    """The untranslated title of a reminder (gettext it in the reader's language)."""
    if kind == ReminderKind.MEETING_TOMORROW:
        return MEETING_TITLES[day]
    return REMINDER_TITLES[kind]


def notify_members(meeting_id: int, kind: ReminderKind) -> int:
    """Tell the body's members about one meeting, once per person and kind: in the app
    for every active member, by e-mail for those who asked for reminders. Returns how
    many e-mails were queued. Each is written in the person's language and time zone."""
    meeting = (Meeting.objects.select_related("series__body").filter(pk=meeting_id).first())
    if meeting is None or meeting.status == MeetingStatus.CANCELLED:
        return 0
    if meeting.starts_at <= clock.now():
        return 0  # nobody needs news of a meeting that has begun
    occurrence = queries.occurrence_of_meeting(meeting)
    return _notify(occurrence, kind)


def _notify(occurrence: Occurrence, kind: ReminderKind) -> int:
    with transaction.atomic():
        meeting = _meeting_for(occurrence)
        # Two runs at once (the agenda fixed and the scheduler's pass, two workers): the
        # second waits for the first's log, so nobody is told twice.
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        people = queries.reminder_audience(occurrence.series.body)
        already = set(ReminderSent.objects.filter(meeting=meeting, kind=kind)
                      .values_list("person_id", flat=True))
        fresh = [p for p in people if p.pk not in already]
        ReminderSent.objects.bulk_create(
            [ReminderSent(meeting=meeting, person=p, kind=kind) for p in fresh],
            ignore_conflicts=True, batch_size=2000)
        # One notification call per language and zone: the title's date is theirs.
        groups: dict[tuple[str, str], list] = {}
        for person in fresh:
            groups.setdefault((person.language or settings.LANGUAGE_CODE,
                               clock.zone_of(person).key), []).append(person)
        url = occurrence.get_absolute_url()
        for people_alike in groups.values():
            sample = people_alike[0]
            with translation.override(sample.language or settings.LANGUAGE_CODE):
                meeting_text = _meeting_words(occurrence, sample)
            notify(people_alike, NotificationKind.MEETING, url=url,
                   title=reminder_title(kind, texts.meeting_day_for(occurrence.starts_at,
                                                                    sample)),
                   params={"meeting": meeting_text})
        emailed = [p for p in fresh if p.email_reminders and p.email]
        for person in emailed:
            queue_email(_reminder_email(occurrence, kind, person))
    return len(emailed)


def _meeting_words(occurrence: Occurrence, person) -> str:
    """ "Agora — samedi 28 novembre 2026, 10:30": the series and its start, in the
    person's zone (and language, when called under it)."""
    return f"{occurrence.series.title} — {texts.moment_for(occurrence.starts_at, person)}"


def _reminder_email(occurrence: Occurrence, kind: ReminderKind, person) -> EmailMessage:
    """A reminder in the person's language, its dates and times in their zone, and "today"
    or "tomorrow" said from their calendar at the moment it is sent."""
    with translation.override(person.language or settings.LANGUAGE_CODE):
        day = texts.meeting_day_for(occurrence.starts_at, person)
        context = {
            "occurrence": occurrence, "person": person, "kind": kind,
            "agenda": queries.agenda(occurrence),
            "url": settings.AUTOGESTION_SITE_URL + occurrence.get_absolute_url(),
            "when": texts.moment_for(occurrence.starts_at, person),
            "deadline": (texts.moment_for(occurrence.deadline, person)
                         if occurrence.deadline else ""),
            "day": day.value}
        subject = _(reminder_title(kind, day)) % {
            "meeting": _meeting_words(occurrence, person)}
        body = render_to_string("assemblies/email/reminder.txt", context)
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])


def send_due_reminders(now: datetime | None = None, horizon_days: int = 40) -> int:
    """Queue every reminder due now, for every active series. Safe to run often: the
    log of sent reminders keeps each to one per person."""
    now = now or clock.now()
    queued = 0
    for series in MeetingSeries.objects.filter(is_active=True).select_related("body"):
        for occurrence in queries.occurrences_of(series, now - timedelta(days=1),
                                                 now + timedelta(days=horizon_days)):
            if occurrence.cancelled:
                continue
            moments = rules.ReminderMoments(agenda_opens=occurrence.agenda_opens,
                                            deadline=occurrence.deadline,
                                            meeting_start=occurrence.starts_at)
            for kind in rules.due_reminders(moments, now, occurrence.agenda_published):
                queued += _notify(occurrence, kind)
    return queued
