"""Every write in a meeting room. Each action locks the room row, applies the pure rule,
stores the new state and the speaking turns, logs the event, and after commit sends the
new snapshot to every screen in the room."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import transaction
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from autogestion.assemblies import queries as assembly_queries
from autogestion.assemblies import services as assemblies
from autogestion.assemblies.queries import Occurrence
from autogestion.cooperatives import selectors as memberships
from autogestion.core import clock, history
from autogestion.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from autogestion.decisions import services as decisions
from autogestion.notifications.models import Kind as NotificationKind
from autogestion.notifications.services import notify

from . import permissions, queries, rules
from .models import (
    ROOM_MOVES,
    Gesture,
    GestureKind,
    Participant,
    RoleKind,
    Room,
    RoomAction,
    RoomEvent,
    RoomRole,
    RoomStatus,
    SelfDescription,
    SpeakingTurn,
)
from .rules import HandKind, Refusal


def _message(refusal: Refusal) -> DomainError:
    code = refusal.code
    texts = {
        "already_in_list": _("Already on the list: a person is on it once."),
        "already_asked": _("This process point is already requested; wait for it."),
        "not_in_list": _("This person is not on the list."),
        "not_skipped": _("This person was not skipped."),
        "list_empty": _("Nobody is waiting to speak."),
        "nobody_speaking": _("Nobody has the floor."),
        "nothing_to_undo": _("There is nothing to undo."),
    }
    return Conflict(texts.get(code, code))


def broadcast(room: Room) -> None:
    """Send the room's new snapshot to every connected screen, after commit. `public`
    tells each screen's consumer whether anyone may watch (an open body's room) or
    whether it must check that its viewer still may, before showing them this change."""
    now = clock.now()
    data = queries.snapshot(room, now)
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(room.group_name, {
            "type": "room.update", "data": data, "now": queries.moment(now),
            "public": permissions.viewing_is_public(room)})


class TooFast(DomainError):
    status = 429


# How fast one person may act in one room. A real meeting sees a hand raised and
# lowered, a few gestures tapped in a row, a facilitator calling next, skip and undo in
# quick succession: a handful of actions in a few seconds, then quiet. Ten at once, then
# two a second on average, is more than anyone in a meeting does, and keeps one script
# from making every screen in the room redraw thousands of times a second.
PACE_BURST = 10
PACE_WINDOW = 5  # seconds: PACE_BURST actions per window is the sustained two a second


def check_pace(*, who: str, room_id: int) -> None:
    """Count one action of `who` ("p:<id>", or a connection's name for someone signed
    out) in the room, or refuse it with TooFast, counting nothing. A sliding window over
    the cache's atomic counters, so that every worker process shares it (the cache is
    Redis in production): this window's count plus the previous window's, weighted by
    the part of it still within the last PACE_WINDOW seconds, stays within PACE_BURST.
    It lets PACE_BURST through at once, then refills at PACE_BURST / PACE_WINDOW a
    second, like a bucket of tokens, without a lock."""
    window, into = divmod(clock.now().timestamp(), PACE_WINDOW)
    prefix = f"room-pace:{room_id}:{who}:"
    key = f"{prefix}{int(window)}"
    previous = cache.get(f"{prefix}{int(window) - 1}", 0)
    cache.add(key, 0, timeout=PACE_WINDOW * 2 + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this action starts it again
        cache.set(key, count := 1, timeout=PACE_WINDOW * 2 + 1)
    if count + previous * (1 - into / PACE_WINDOW) > PACE_BURST:
        cache.decr(key)
        raise TooFast(_("Slow down: you are acting faster than a meeting needs. Wait a "
                        "second and try again."))


def _bump(room: Room) -> None:
    """Every change screens see gets a new version, gestures and roles included."""
    Room.objects.filter(pk=room.pk).update(version=F("version") + 1)


def _after(room: Room) -> None:
    transaction.on_commit(lambda: broadcast(Room.objects.select_related(
        "current_item", "meeting__series__body").get(pk=room.pk)))


def _locked(room_id: int) -> Room:
    room = (Room.objects.select_for_update(of=("self",))
            .select_related("meeting__series__body", "current_item").filter(pk=room_id).first())
    if room is None:
        raise NotFound(_("There is no such meeting room."))
    return room


def _open(room: Room) -> None:
    if room.is_closed:
        raise Conflict(_("The meeting room is closed."))


def _move(room: Room, to: str, *, actor, refusal) -> RoomEvent:
    """The one way a room changes status: check, save (with `closed_at`), event row."""
    room.closed_at = clock.now() if to == RoomStatus.CLOSED else None
    return history.transition(room, to, allowed=ROOM_MOVES, event_model=RoomEvent,
                              subject="room", actor=actor, refusal=refusal,
                              update_fields=("closed_at",))


def _require_taking_part(person, room: Room) -> None:
    if permissions.can_take_part(person, room):
        return
    if not person or not person.is_authenticated:
        raise PermissionDenied(_("Log in to take part in the meeting."))
    raise PermissionDenied(_("Only members of %(body)s and the meeting's registered guests "
                             "raise a hand or make a gesture here; you may watch.")
                           % {"body": room.meeting.series.body.name})


def _participant(room: Room, person=None, name: str = "") -> Participant:
    if person is not None:
        key, label = f"p:{person.pk}", person.public_name
    else:
        name = (name or "").strip()
        if not name:
            raise DomainError(_("Write the name of the person who raised their hand."),
                              field="name")
        if len(name) > 100:
            raise DomainError(_("Keep the name under 100 characters."), field="name")
        if any(ord(c) < 32 for c in name):
            raise DomainError(_("A name has no control characters."), field="name")
        key, label = f"n:{name}", name
    participant, _created = Participant.objects.get_or_create(
        room=room, key=key, defaults={"person": person, "name": label})
    return participant


@transaction.atomic
def open_room(*, actor, occurrence: Occurrence) -> Room:
    """The facilitator opens the room of a meeting and holds the facilitator role."""
    body = occurrence.series.body
    if not permissions.can_open_room(actor, body):
        raise PermissionDenied(_("Only coordinators of %(body)s open its meeting room.")
                               % {"body": body.name})
    if occurrence.cancelled:
        raise Conflict(_("This meeting is cancelled."))
    meeting = assemblies.ensure_meeting(occurrence)
    now = clock.now()
    room, created = Room.objects.get_or_create(meeting=meeting,
                                               defaults={"opened_by": actor, "opened_at": now})
    if created:
        RoomRole.objects.create(room=room, role=RoleKind.FACILITATOR, person=actor,
                                assigned_at=now)
        history.record(room, event_model=RoomEvent, subject="room", actor=actor)
    elif room.is_closed:
        _move(room, RoomStatus.OPEN, actor=actor, refusal=None)
        _bump(room)  # the screens still open on it learn it is open again
        _after(room)
    return room


def _store(room: Room, state: rules.State, actor, action: str | None, who: str = "") -> None:
    """Save the list's new state; log the action on it (None: a change of status, whose
    history is the RoomEvent written by `_move`)."""
    room.state = rules.to_data(state)
    room.version += 1
    room.save(update_fields=["state", "version", "speaker_started_at", "current_item",
                             "item_started_at"])
    if action is not None:
        RoomAction.objects.create(room=room, actor=actor, action=action, who=who,
                                  at=clock.now())
    _after(room)


def _sync_turns(room: Room, before: rules.State, after: rules.State) -> None:
    """Speaking turns in the database follow who has the floor."""
    if before.speaker == after.speaker and before.speaker_kind == after.speaker_kind:
        return
    now = clock.now()
    # A turn never ends before it began, even when the clock steps back (NTP, a node
    # whose clock is behind another's): the database refuses it (turn_ends_after_start).
    SpeakingTurn.objects.filter(room=room, ended_at__isnull=True).update(
        ended_at=Greatest(Value(now, output_field=DateTimeField()), F("started_at")))
    room.speaker_started_at = None
    if after.speaker is not None:
        participant = Participant.objects.get(room=room, key=after.speaker)
        SpeakingTurn.objects.create(room=room, participant=participant,
                                    kind=after.speaker_kind, agenda_item=room.current_item,
                                    started_at=now)
        room.speaker_started_at = now


FACILITATOR_ACTIONS = {"next", "give_floor", "skip", "put_back", "undo", "end_turn",
                       "add_guest", "lower_other", "reset_turns"}


@transaction.atomic
def act(*, actor, room_id: int, action: str, who: str = "", kind: str = HandKind.SPEAK,
        name: str = "") -> Room:
    """One action on the speaking list. Participants raise and lower their own hand;
    the facilitator and co-facilitator run the list."""
    room = _locked(room_id)
    if action in FACILITATOR_ACTIONS:
        if not permissions.can_facilitate(actor, room):
            raise PermissionDenied(_("Only the facilitator runs the speaking list."))
    else:
        _require_taking_part(actor, room)
    _open(room)
    try:
        kind = HandKind(kind or HandKind.SPEAK)
    except ValueError:
        raise DomainError(_("Unknown kind of hand."), field="kind") from None
    before = queries.state_of(room)
    try:
        after = _apply(room, before, actor, action, who, kind, name)
    except Refusal as refusal:
        raise _message(refusal) from None
    if action == "undo":
        _undo_turn(room, before, after)
    else:
        _sync_turns(room, before, after)
    if action in FLOOR_GIVING:
        _tell_the_speaker(room, after.speaker, actor)
    _store(room, after, actor, action, who or (f"p:{actor.pk}" if actor else ""))
    return room


# The actions that give someone the floor, a new turn each time. Undo gives it back to
# the previous speaker, who was told already: no new message.
FLOOR_GIVING = {"next", "give_floor"}


def _tell_the_speaker(room: Room, speaker: str | None, actor) -> None:
    """The person given the floor learns it on their phone too (in app and by push, if
    they opted in): their screen may be in a pocket. Not someone without an account,
    nor the facilitator who gave it to themselves."""
    participant = (Participant.objects.select_related("person")
                   .filter(room=room, key=speaker or "", person__isnull=False).first())
    if participant is None or participant.person_id == getattr(actor, "pk", None):
        return
    occurrence = assembly_queries.occurrence_of_meeting(room.meeting)
    notify([participant.person], NotificationKind.FLOOR_GIVEN,
           title=gettext_noop("You have the floor in %(meeting)s"),
           params={"meeting": room.meeting.series.title},
           url=reverse("room", args=[occurrence.series.pk, occurrence.key]))


def _apply(room, state, actor, action, who, kind, name) -> rules.State:
    if action == "raise":
        participant = _participant(room, person=actor)
        return rules.raise_hand(state, participant.key, kind)
    if action == "lower":
        return rules.lower_hand(state, f"p:{actor.pk}", kind)
    if action == "add_guest":
        participant = _participant(room, name=name)
        return rules.raise_hand(state, participant.key, kind)
    if action == "lower_other":
        return rules.lower_hand(state, who)
    if action == "next":
        return rules.next_speaker(state)
    if action == "give_floor":
        hand = next((h for h in state.hands if h.who == who and h.kind == kind), None)
        if hand is None:
            raise Refusal("not_in_list")
        return rules.give_floor(state, hand)
    if action == "skip":
        return rules.skip(state, who)
    if action == "put_back":
        return rules.put_back(state, who)
    if action == "end_turn":
        return rules.end_turn(state)
    if action == "reset_turns":
        return rules.reset_turns(state)
    if action == "undo":
        return rules.undo(state)
    raise DomainError(_("Unknown action."), field="action")


def _undo_turn(room: Room, before: rules.State, after: rules.State) -> None:
    """Undoing a call gives the floor back as it was: the turn just started is deleted
    (it never happened) and the previous speaker's turn goes on."""
    if before.speaker == after.speaker and before.speaker_kind == after.speaker_kind:
        return
    last = SpeakingTurn.objects.filter(room=room).order_by("-started_at", "-pk").first()
    if last is not None and before.speaker is not None and last.ended_at is None:
        last.delete()
    if after.speaker is not None:
        previous = SpeakingTurn.objects.filter(room=room, participant__key=after.speaker) \
            .order_by("-started_at", "-pk").first()
        if previous is not None:
            previous.ended_at = None
            previous.save(update_fields=["ended_at"])
            room.speaker_started_at = previous.started_at
    else:
        room.speaker_started_at = None


@transaction.atomic
def make_gesture(*, person, room_id: int, kind: str, hold: bool = False) -> Gesture:
    room = _locked(room_id)
    _require_taking_part(person, room)
    if kind not in GestureKind.values:
        raise DomainError(_("Unknown gesture."), field="kind")
    _open(room)
    now = clock.now()
    # One gesture of a kind per person at a time: a new tap renews it.
    Gesture.objects.filter(room=room, person=person, kind=kind).delete()
    gesture = Gesture.objects.create(room=room, person=person, kind=kind, made_at=now,
                                     held=hold, fades_at=None if hold else now + queries.FADE)
    _bump(room)
    _after(room)
    return gesture


@transaction.atomic
def release_gesture(*, person, room_id: int, kind: str) -> int:
    room = _locked(room_id)
    _require_taking_part(person, room)
    if kind not in GestureKind.values:
        raise DomainError(_("Unknown gesture."), field="kind")
    deleted, _detail = Gesture.objects.filter(room=room, person=person, kind=kind).delete()
    _bump(room)
    _after(room)
    return deleted


@transaction.atomic
def set_role(*, actor, room_id: int, role: str, person) -> RoomRole:
    room = _locked(room_id)
    if not permissions.can_facilitate(actor, room):
        raise PermissionDenied(_("Only the facilitator assigns roles."))
    _open(room)
    if role not in RoleKind.values:
        raise DomainError(_("Unknown role."), field="role")
    body = room.meeting.series.body
    if not memberships.is_active_member(person, body):
        raise DomainError(_("%(person)s is not a member of %(body)s.")
                          % {"person": person.public_name, "body": body.name},
                          field="person_id")
    assigned, _created = RoomRole.objects.update_or_create(
        room=room, role=role, defaults={"person": person, "assigned_at": clock.now()})
    _bump(room)
    _after(room)
    return assigned


@transaction.atomic
def set_current_item(*, actor, room_id: int, item_id: int | None) -> Room:
    """Move to an agenda item: its timer starts; turns start again if the room counts
    them per item."""
    room = _locked(room_id)
    if not permissions.can_keep_time(actor, room):
        raise PermissionDenied(_("Only the facilitator or the timekeeper moves to another "
                                 "agenda item."))
    _open(room)
    item = None
    if item_id is not None:
        item = room.meeting.agenda_items.filter(pk=item_id).first()
        if item is None:
            raise NotFound(_("This item is not on the agenda of this meeting."))
    state = queries.state_of(room)
    room.current_item = item
    room.item_started_at = clock.now() if item else None
    if room.reset_turns_per_item and item is not None:
        state = rules.reset_turns(state)
    _store(room, state, actor, "item", str(item_id or ""))
    return room


@transaction.atomic
def update_room_settings(*, actor, room_id: int, speaker_limit_seconds: int | None = None,
                         reset_turns_per_item: bool | None = None) -> Room:
    room = _locked(room_id)
    if not permissions.can_keep_time(actor, room):
        raise PermissionDenied(_("Only the facilitator or the timekeeper sets the timers."))
    _open(room)
    if speaker_limit_seconds is not None and not 10 <= speaker_limit_seconds <= 3600:
        raise DomainError(_("A speaker's time goes from 10 seconds to an hour (or none)."),
                          field="speaker_limit_seconds")
    room.speaker_limit_seconds = speaker_limit_seconds
    if reset_turns_per_item is not None:
        room.reset_turns_per_item = reset_turns_per_item
    room.save(update_fields=["speaker_limit_seconds", "reset_turns_per_item"])
    _bump(room)
    _after(room)
    return room


@transaction.atomic
def close_room(*, actor, room_id: int) -> Room:
    room = _locked(room_id)
    if not permissions.can_facilitate(actor, room):
        raise PermissionDenied(_("Only the facilitator closes the room."))
    _move(room, RoomStatus.CLOSED, actor=actor,
          refusal=_("The meeting room is already closed."))
    state = queries.state_of(room)
    if state.speaker is not None:
        after = rules.end_turn(state)
        _sync_turns(room, state, after)
        state = after
    _store(room, state, actor, None)
    return room


@transaction.atomic
def decide_in_room(*, actor, room_id: int, action: str, proposal_id: int | None) -> None:
    """Open or close the decision round of a proposal of the current item in the room;
    positions taken in the room go to the same round as online ones, and a closed
    round's outcome is added to the minutes of the item. One transaction: the round and
    the minutes change together or not at all."""
    room = _locked(room_id)
    if not permissions.can_facilitate(actor, room):
        raise PermissionDenied(_("Only the facilitator opens and closes rounds in the room."))
    proposal = queries.proposal_of_current_item(room, proposal_id)
    if proposal is None:
        raise DomainError(_("Choose a proposal of the current agenda item."), field="proposal")
    if action == "open_round":
        decisions.open_next_round(actor=actor, proposal_id=proposal.pk, text=proposal.text)
        return
    if action != "close_round":
        raise DomainError(_("Unknown action."), field="action")
    current = queries.open_round_of(proposal)
    if current is None:
        raise DomainError(_("No round is open on this proposal."))
    closed = decisions.close_round(actor=actor, round_id=current.pk, meeting=room.meeting)
    entry = queries.minutes_entry(room)
    line = _("%(title)s — round %(n)s: %(outcome)s") % {
        "title": proposal.title, "n": closed.number, "outcome": closed.get_outcome_display()}
    assemblies.write_minutes(
        actor=actor, occurrence=assembly_queries.occurrence_of_meeting(room.meeting),
        item_id=room.current_item.pk, notes=entry.notes if entry else "",
        presented_by=entry.presented_by if entry else "",
        decisions="\n".join(filter(None, [entry.decisions if entry else "", line])),
        links=entry.links if entry else "")


@transaction.atomic
def describe_myself(*, person, category: str | None) -> SelfDescription | None:
    """Opt in (or out, with an empty category) to a self-described category."""
    if not person or not person.is_authenticated:
        raise PermissionDenied(_("Log in first."))
    category = (category or "").strip()
    if not category:
        SelfDescription.objects.filter(person=person).delete()
        return None
    if len(category) > 60:
        raise DomainError(_("Keep it under 60 characters."), field="category")
    described, _created = SelfDescription.objects.update_or_create(
        person=person, defaults={"category": category})
    return described
