"""The room's state as one snapshot: what every participant's screen shows. Built once
per change and sent to everyone; each screen adds its own place in the list."""

from datetime import timedelta

from django.db.models import Count, Q

from autogestion.core import clock

from . import rules
from .models import Gesture, GestureKind, Participant, Room


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


def snapshot(room: Room) -> dict:
    state = state_of(room)
    shown = {h.who for h in state.hands} | {h.who for h in state.skipped}
    if state.speaker:
        shown.add(state.speaker)
    # One query whatever the list holds (the empty key keeps the IN clause non-empty).
    who_is = names(room, shown | {""})
    item = room.current_item
    return {
        "room": room.pk, "version": room.version, "closed": room.closed_at is not None,
        "speaker": {"who": state.speaker, "name": who_is.get(state.speaker, state.speaker),
                    "kind": state.speaker_kind.value if state.speaker_kind else None,
                    "since": room.speaker_started_at.isoformat()
                    if room.speaker_started_at else None} if state.speaker else None,
        "speaker_limit": room.speaker_limit_seconds,
        "queue": [{"who": h.who, "name": who_is.get(h.who, h.who), "kind": h.kind.value,
                   "turns": state.turns_of(h.who)} for h in rules.queue(state)],
        "skipped": [{"who": h.who, "name": who_is.get(h.who, h.who)} for h in state.skipped],
        "can_undo": state.previous is not None,
        "gestures": gesture_counts(room),
        "item": {"id": item.pk, "title": item.title, "minutes": item.duration_minutes,
                 "since": room.item_started_at.isoformat() if room.item_started_at else None}
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
