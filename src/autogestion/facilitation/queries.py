"""The room's state as one snapshot: what every participant's screen shows. Built once
per change and sent to everyone; each screen adds its own place in the list."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Max, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from autogestion.assemblies import queries as assembly_queries
from autogestion.cooperatives import selectors as memberships
from autogestion.core import clock
from autogestion.core.formats import number_text
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


def _live_gestures(room: Room, now):
    return Gesture.objects.filter(room=room).filter(Q(held=True) | Q(fades_at__gt=now))


def gestures_of(room: Room, now=None) -> tuple[dict[str, int], dict[str, list[str]]]:
    """The live gestures at `now`, in one query: their count per kind, and when each
    one that is not held fades (per kind, soonest first). Screens count them down by
    those moments: nothing is sent when a gesture fades, every screen drops it itself."""
    now = now or clock.now()
    counts = dict.fromkeys(GestureKind.values, 0)
    fading: dict[str, list[str]] = {}
    for kind, fades_at in _live_gestures(room, now).order_by("fades_at", "pk") \
            .values_list("kind", "fades_at"):
        counts[kind] = counts.get(kind, 0) + 1
        if fades_at is not None:
            fading.setdefault(kind, []).append(moment(fades_at))
    return counts, fading


def gesture_counts(room: Room) -> dict[str, int]:
    return gestures_of(room)[0]


def gesture_people(room: Room, now=None) -> list[dict]:
    """Who makes which gesture, and until when (None: held): for the facilitator
    only, never in the snapshot everyone receives."""
    now = now or clock.now()
    labels = dict(GestureKind.choices)
    return [{"kind": gesture.kind, "label": str(labels.get(gesture.kind, gesture.kind)),
             "name": str(gesture.person.public_name), "fades_at": moment(gesture.fades_at)}
            for gesture in _live_gestures(room, now).select_related("person")
            .order_by("kind", "made_at", "pk")]


def held_gestures(room: Room, person) -> list[tuple[str, str]]:
    """The gestures `person` holds in the room, (kind, label): theirs to let go."""
    if not person or not person.is_authenticated:
        return []
    labels = dict(GestureKind.choices)
    kinds = (Gesture.objects.filter(room=room, person=person, held=True)
             .order_by("kind").values_list("kind", flat=True))
    return [(kind, labels.get(kind, kind)) for kind in kinds]


_JSON = DjangoJSONEncoder()


def moment(at) -> str | None:
    """A moment as the API writes it (milliseconds, "Z" for UTC), so that the socket,
    the page's JSON and the API send the same text."""
    return _JSON.default(at) if at is not None else None


def snapshot(room: Room, now=None) -> dict:
    """What every screen shows, as it is at `now` (the gestures still live then). The
    moment itself goes beside it (`screen`), not in it: two screens asking at two
    moments see the same snapshot."""
    state = state_of(room)
    counts, fading = gestures_of(room, now)
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
                    "since": moment(room.speaker_started_at)} if state.speaker else None,
        "speaker_limit": room.speaker_limit_seconds,
        "queue": [{"who": h.who, "name": who_is.get(h.who, h.who), "kind": h.kind.value,
                   "turns": state.turns_of(h.who)} for h in rules.queue(state)],
        "skipped": [{"who": h.who, "name": who_is.get(h.who, h.who)} for h in state.skipped],
        "can_undo": state.previous is not None,
        "gestures": counts, "fading": fading,
        "item": {"id": item.pk, "title": item.title, "minutes": item.duration_minutes,
                 "since": moment(room.item_started_at)}
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


def place_text(place: dict | None) -> str:
    """Where a person stands and why, as the sentence the room page shows, in the active
    language: the page, the polling answer, the API and the websocket all say it the
    same way (a screen updated live must not say less than the page did)."""
    if place is None:
        return _("You are not on the list.")
    n = number_text(place["position"])
    if place["reason"] == "process_point":
        return _("Process point asked: number %(n)s.") % {"n": n}
    if place["reason"] == "not_spoken_yet":
        return _("Number %(n)s — priority: you have not spoken yet.") % {"n": n}
    return ngettext("Number %(n)s — you have spoken once; those who spoke less come first.",
                    "Number %(n)s — you have spoken %(turns)s times; those who spoke less "
                    "come first.", place["turns"]) % {"n": n,
                                                      "turns": number_text(place["turns"])}


def place_with_text(snapshot_data: dict, who: str | None) -> dict | None:
    """`who`'s place (None when not on the list) with its sentence."""
    place = place_from_snapshot(snapshot_data, who) if who else None
    if place is not None:
        place["text"] = place_text(place)
    return place


def screen(snapshot_data: dict, who: str | None, now) -> dict:
    """What one screen receives: the snapshot, the server's time it was made at (a
    screen expires gestures by it, whatever its own clock says), the person's key and
    place."""
    return {"state": snapshot_data, "now": moment(now), "me": who,
            "place": place_with_text(snapshot_data, who)}


FADE = timedelta(seconds=30)


# Roles -----------------------------------------------------------------------------------

def roles_held(room: Room) -> dict[str, object]:
    """{role: the person holding it} in this room."""
    return {r.role: r.person for r in room.roles.select_related("person")}


def my_roles(room: Room, user) -> list[str]:
    if not user or not user.is_authenticated:
        return []
    return sorted(r.role for r in room.roles.all() if r.person_id == user.pk)


def present_in(room: Room, occurrence) -> set[int]:
    """Who is known to be in the room: those marked present at the meeting, those who
    have been on its list or made a gesture, and those holding one of its roles."""
    present = {row.person_id for row in assembly_queries.attendance_of(occurrence)}
    present |= set(Participant.objects.filter(room=room, person__isnull=False)
                   .values_list("person_id", flat=True))
    present |= set(Gesture.objects.filter(room=room).values_list("person_id", flat=True))
    present |= {role.person_id for role in room.roles.all()}
    return present


def role_choices(room: Room, occurrence) -> dict[str, dict[str, list]]:
    """For each role, everyone who may hold it (the body's active members): all those
    present first, then the others, each part least recently in the role first
    (`rules.role_suggestions`)."""
    body = room.meeting.series.body
    people = list(memberships.active_members(body).order_by("display_name", "pk"))
    by_id = {person.pk: person for person in people}
    candidates = [(person.pk, str(person.public_name)) for person in people]
    present = present_in(room, occurrence)
    last: dict[str, dict[int, object]] = {}
    for row in (RoomRole.objects.filter(room__meeting__series__body=body)
                .values("role", "person_id").annotate(at=Max("assigned_at"))):
        last.setdefault(row["role"], {})[row["person_id"]] = row["at"]
    choices = {}
    for role in RoleKind.values:
        here, others = rules.role_suggestions(candidates, last.get(role, {}), present)
        choices[role] = {"suggested": [by_id[pk] for pk in here],
                         "others": [by_id[pk] for pk in others]}
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
