"""The room's state as one snapshot: what every participant's screen shows. Built once
per change and sent to everyone; each screen adds its own place in the list."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Max, Q

from autogestion.cooperatives import selectors as memberships
from autogestion.core import clock
from autogestion.decisions.models import Proposal

from . import rules
from .models import (
    Gesture,
    GestureKind,
    Participant,
    RoleKind,
    Room,
    RoomRole,
    SelfDescription,
)


def room_of(occurrence) -> Room | None:
    """The room of an occurrence, None until it is opened."""
    if occurrence.meeting is None:
        return None
    return (Room.objects.select_related("meeting__series__body", "current_item")
            .prefetch_related("roles").filter(meeting=occurrence.meeting).first())


def state_of(room: Room) -> rules.State:
    return rules.from_data(room.state)


def names(room: Room, keys=None) -> dict[str, str]:
    """Display names of the people on the list (not of everyone who ever was)."""
    found = Participant.objects.filter(room=room)
    if keys is not None:
        found = found.filter(key__in=set(keys))
    return dict(found.values_list("key", "name"))


def gesture_counts(room: Room) -> dict[str, int]:
    now = clock.now()
    live = Gesture.objects.filter(room=room).filter(Q(held=True) | Q(fades_at__gt=now))
    counts = dict(live.values_list("kind").annotate(n=Count("pk")).order_by())
    return {kind: counts.get(kind, 0) for kind in GestureKind.values}


def gesture_people(room: Room) -> dict[str, list[str]]:
    """Who makes which gesture: for the facilitator only."""
    now = clock.now()
    result: dict[str, list[str]] = {}
    for kind, name in (Gesture.objects.filter(room=room).filter(Q(held=True) | Q(fades_at__gt=now))
                       .values_list("kind", "person__display_name")):
        result.setdefault(kind, []).append(name or "?")
    return result


_JSON = DjangoJSONEncoder()


def _moment(moment) -> str | None:
    """A moment as the API writes it (milliseconds, "Z" for UTC), so that the socket,
    the page's JSON and the API send the same text."""
    return _JSON.default(moment) if moment is not None else None


def snapshot(room: Room) -> dict:
    state = state_of(room)
    shown = {h.who for h in state.hands} | {h.who for h in state.skipped}
    if state.speaker:
        shown.add(state.speaker)
    # One query whatever the list holds (the empty key keeps the IN clause non-empty).
    who_is = names(room, shown | {""})
    item = room.current_item
    return {
        "room": room.pk, "version": room.version, "closed": room.is_closed,
        "speaker": {"who": state.speaker, "name": who_is.get(state.speaker, state.speaker),
                    "kind": state.speaker_kind.value if state.speaker_kind else None,
                    "since": _moment(room.speaker_started_at)} if state.speaker else None,
        "speaker_limit": room.speaker_limit_seconds,
        "queue": [{"who": h.who, "name": who_is.get(h.who, h.who), "kind": h.kind.value,
                   "turns": state.turns_of(h.who)} for h in rules.queue(state)],
        "skipped": [{"who": h.who, "name": who_is.get(h.who, h.who)} for h in state.skipped],
        "can_undo": state.previous is not None,
        "gestures": gesture_counts(room),
        "item": {"id": item.pk, "title": item.title, "minutes": item.duration_minutes,
                 "since": _moment(room.item_started_at)}
        if item else None,
    }


def place_from_snapshot(snapshot_data: dict, who: str) -> dict | None:
    """The same, computed from the snapshot alone (no database): what the websocket
    consumer sends to each screen."""
    queue = snapshot_data["queue"]
    for index, hand in enumerate(queue, start=1):
        if hand["who"] != who or hand["kind"] != "speak":
            continue
        fewer = sum(1 for h in queue[:index - 1]
                    if h["kind"] == "speak" and h["turns"] < hand["turns"])
        reason = "not_spoken_yet" if hand["turns"] == 0 else "spoken_before"
        return {"position": index, "reason": reason, "turns": hand["turns"],
                "ahead_with_fewer": fewer}
    for index, hand in enumerate(queue, start=1):
        if hand["who"] == who:
            return {"position": index, "reason": "process_point", "turns": hand["turns"],
                    "ahead_with_fewer": 0}
    return None


FADE = timedelta(seconds=30)


# Roles -----------------------------------------------------------------------------------

def roles_held(room: Room) -> dict[str, object]:
    """{role: the person holding it} in this room."""
    return {r.role: r.person for r in room.roles.select_related("person")}


def my_roles(room: Room, user) -> list[str]:
    if not user or not user.is_authenticated:
        return []
    return sorted(r.role for r in room.roles.all() if r.person_id == user.pk)


def role_choices(room: Room) -> dict[str, dict[str, list]]:
    """For each role, everyone who may hold it (the body's active members), split into
    the few to ask first (those who have not held it recently, `rules.rotation`) and
    all the others, so that anyone present can be chosen."""
    body = room.meeting.series.body
    people = list(memberships.active_members(body).order_by("display_name", "pk"))
    by_id = {person.pk: person for person in people}
    candidates = [(person.pk, str(person.public_name)) for person in people]
    last: dict[str, dict[int, object]] = {}
    for row in (RoomRole.objects.filter(room__meeting__series__body=body)
                .values("role", "person_id").annotate(at=Max("assigned_at"))):
        last.setdefault(row["role"], {})[row["person_id"]] = row["at"]
    choices = {}
    for role in RoleKind.values:
        ranked = [by_id[pk] for pk in rules.rotation(candidates, last.get(role, {}))]
        choices[role] = {"suggested": ranked[:rules.SUGGESTED],
                         "others": ranked[rules.SUGGESTED:]}
    return choices


def person_to_assign(person_id: int | None):
    """The active account a role is handed to, or None."""
    if person_id is None:
        return None
    return get_user_model().objects.filter(pk=person_id, is_active=True).first()


# Events and decisions in the room ------------------------------------------------------

def proposals_of_current_item(room: Room) -> list[Proposal]:
    if room.current_item is None:
        return []
    return list(Proposal.objects.filter(agenda_item=room.current_item)
                .prefetch_related("rounds"))


def proposal_of_current_item(room: Room, proposal_id: int | None) -> Proposal | None:
    """A proposal of the item the room is on (the only ones its rounds open and close)."""
    if room.current_item is None or proposal_id is None:
        return None
    return Proposal.objects.filter(pk=proposal_id, agenda_item=room.current_item).first()


def open_round_of(proposal: Proposal):
    return proposal.rounds.filter(closed_at__isnull=True).first()


def minutes_entry(room: Room):
    """The minutes of the current item in this room's meeting, if written."""
    if room.current_item is None:
        return None
    return room.meeting.minutes.filter(agenda_item=room.current_item).first()


def self_description_of(person) -> SelfDescription | None:
    return SelfDescription.objects.filter(person=person).first()
