"""The meeting room through the API (DOMAIN.md R6, R7): its speaking list, gestures,
roles, current item and timers.

Each endpoint checks that the caller may see the room (a closed body's rooms answer 404
to others, as if they did not exist; an open body's rooms are public), calls one service
of `services.py` and answers with the room as everyone sees it — the same snapshot the
websocket sends (`state`) — plus the caller's own place in the list and roles. Refusals
come from the services as DomainError subclasses: 400 for bad input, 403 for an action
the caller may not take, 409 for one that clashes with the list (twice on it, nobody
waiting), with the message and the field.

A room is opened for an occurrence, addressed as in the assemblies API: its series and
the local date the recurrence rule gives it (`/meetings/12/2026-01-31/room`).

Live, the room's websocket `/ws/rooms/{room_id}/` sends the same answer at each change
and takes the same actions (consumers.py); a phone app or a bot connects to it with the
same personal token as here, in `Authorization: Bearer <token>` or as the subprotocols
`autogestion.token, autogestion.token.<token>`.
"""

from datetime import datetime

from ninja import Field, Router, Schema, Status

from autogestion.assemblies import rules as assembly_rules
from autogestion.core import clock, history
from autogestion.core.api import public
from autogestion.core.api_schemas import Input, Integer, StatusEventOut, refusals
from autogestion.core.api_types import MAX_ID, Text

from . import access, permissions, queries, services
from .models import Gesture, GestureKind, Room, RoomRole

router = Router(tags=["meeting room"])


# Schemas -----------------------------------------------------------------------------

class SpeakerOut(Schema):
    who: str = Field(description="\"p:<person id>\", or \"n:<name>\" for someone without "
                                 "an account.")
    name: str
    kind: str | None
    since: datetime | None


class HandOut(Schema):
    who: str
    name: str
    kind: str = Field(description="speak, technical, clarifying or direct_response.")
    turns: int = Field(description="Turns already spoken (process points do not count).")


class SkippedOut(Schema):
    who: str
    name: str


class CurrentItemOut(Schema):
    id: int
    title: str
    minutes: int
    since: datetime | None


class SnapshotOut(Schema):
    """What every screen in the room shows; the websocket sends the same."""

    room: int
    version: int = Field(description="Goes up with every change to the list.")
    closed: bool
    speaker: SpeakerOut | None
    speaker_limit: int | None = Field(description="Seconds per speaker, if any.")
    queue: list[HandOut] = Field(description="In the order people get the floor: process "
                                             "points first, then fewest turns first.")
    skipped: list[SkippedOut]
    can_undo: bool
    gestures: dict[str, int] = Field(description="Live gestures, by kind.")
    fading: dict[str, list[datetime]] = Field(
        description="Per kind, when each live gesture that is not held fades, soonest "
                    "first. Nothing is sent when one fades: a client takes it off its "
                    "count at that moment, measured from `now`.")
    item: CurrentItemOut | None


class PlaceOut(Schema):
    position: int = Field(description="1 = next.")
    reason: str = Field(description="process_point, not_spoken_yet or spoken_before.")
    turns: int
    ahead_with_fewer: int = Field(description="People before me who have spoken less.")
    text: str = Field(description="Where I stand and why, as the room page says it, in "
                                  "my language.")


class RoomOut(Schema):
    id: int
    body: str
    series_id: int
    day: str = Field(description="The occurrence's address (YYYY-MM-DD).")
    status: str = Field(description="open or closed.")
    opened_at: datetime
    closed_at: datetime | None
    events: list[StatusEventOut] = Field(description="The room's openings and closings, "
                                                   "oldest first.")
    speaker_limit_seconds: int | None
    reset_turns_per_item: bool
    state: SnapshotOut
    now: datetime = Field(description="The server's time when `state` was made: gestures "
                                      "in `state.fading` fade at their moments counted "
                                      "from it, whatever the client's clock says.")
    me: str | None = Field(description="My key in the list (null when not signed in).")
    place: PlaceOut | None = Field(description="Where I stand in the list, and why.")
    my_roles: list[str]
    can_take_part: bool
    can_facilitate: bool
    can_keep_time: bool


class ActIn(Input):
    action: Text = Field(description="Anyone taking part: raise, lower. The facilitator: "
                                    "next, give_floor, skip, put_back, undo, end_turn, "
                                    "add_guest, lower_other, reset_turns.")
    who: Text = Field("", max_length=120, description="The person acted on (give_floor, "
                                                     "skip, put_back, lower_other).")
    kind: Text = Field("speak", description="speak, technical, clarifying or "
                                           "direct_response.")
    name: Text = Field("", description="add_guest: the name of someone without an account.")


class GestureIn(Input):
    kind: Text = Field(description=", ".join(GestureKind.values))
    hold: bool = Field(False, strict=True, description="Held until released; otherwise it "
                                                       "fades after 30 seconds.")


class GestureOut(Schema):
    kind: str
    held: bool
    made_at: datetime
    fades_at: datetime | None


class ReleaseIn(Input):
    kind: Text


class ReleasedOut(Schema):
    released: int


class RoleIn(Input):
    role: Text = Field(description="facilitator, co_facilitator, timekeeper, note_taker or "
                                  "mood_keeper.")
    person_id: Integer = Field(ge=1, le=MAX_ID, description="An active member of the body.")


class RoleOut(Schema):
    role: str
    person_id: int
    name: str
    assigned_at: datetime


class CurrentItemIn(Input):
    item_id: Integer | None = Field(ge=1, le=MAX_ID, description="An item of this "
                                    "meeting's agenda; null for none.")


class SettingsIn(Input):
    speaker_limit_seconds: Integer | None = Field(description="10 to 3600, or null for no "
                                                          "limit.")
    reset_turns_per_item: bool = Field(strict=True, description="Turns count per agenda "
                                                                "item, not per meeting.")


# Shaping the answers -----------------------------------------------------------------

def _room_out(request, room: Room) -> dict:
    user = request.user
    meeting = room.meeting
    series = meeting.series
    tz = assembly_rules.check_timezone(series.timezone)
    now = clock.now()
    screen = queries.screen(queries.snapshot(room, now), f"p:{user.pk}"
                            if user.is_authenticated else None, now)
    return {
        "id": room.pk, "body": series.body.slug, "series_id": series.pk,
        "day": meeting.original_start.astimezone(tz).date().isoformat(),
        "status": room.status, "opened_at": room.opened_at, "closed_at": room.closed_at,
        "events": history.history_out(room),
        "speaker_limit_seconds": room.speaker_limit_seconds,
        "reset_turns_per_item": room.reset_turns_per_item,
        "state": screen["state"], "now": now, "me": screen["me"], "place": screen["place"],
        "my_roles": queries.my_roles(room, user),
        "can_take_part": bool(permissions.can_take_part(user, room)),
        "can_facilitate": bool(permissions.can_facilitate(user, room)),
        "can_keep_time": bool(permissions.can_keep_time(user, room)),
    }


def _fresh(request, room_id: int) -> dict:
    """The room after a change, read again (the service's copy holds stale caches)."""
    return _room_out(request, access.rooms().get(pk=room_id))


def _role_out(assigned: RoomRole) -> dict:
    return {"role": assigned.role, "person_id": assigned.person_id,
            "name": assigned.person.public_name, "assigned_at": assigned.assigned_at}


def _gesture_out(gesture: Gesture) -> dict:
    return {"kind": gesture.kind, "held": gesture.held, "made_at": gesture.made_at,
            "fades_at": gesture.fades_at}


# The room ------------------------------------------------------------------------------

@router.get("/rooms/{room_id}", response={200: RoomOut, **refusals(404)}, auth=public)
def get_room(request, room_id: int):
    """The room as everyone sees it, with my place in the list and my roles."""
    return _room_out(request, access.get_room_for(request.user, room_id))


@router.post("/meetings/{series_id}/{day}/room",
             response={200: RoomOut, 201: RoomOut, **refusals(400, 403, 404, 409)})
def open_room(request, series_id: int, day: str):
    """Coordinators open the room of a meeting (201) and become its facilitator. Opening
    a room that exists answers it (200), opened again if it was closed."""
    occurrence = access.get_occurrence_for(request.user, series_id, day)
    existed = queries.room_of(occurrence) is not None
    room = services.open_room(actor=request.user, occurrence=occurrence)
    return Status(200 if existed else 201, _fresh(request, room.pk))


@router.post("/rooms/{room_id}/act", response={200: RoomOut, **refusals(400, 403, 404, 409)})
def act(request, room_id: int, payload: ActIn):
    """One action on the speaking list. Anyone signed in who may see the meeting raises
    and lowers their own hand; the facilitator (or a coordinator) runs the list."""
    room = access.get_room_for(request.user, room_id)
    services.act(actor=request.user, room_id=room.pk, action=payload.action,
                 who=payload.who, kind=payload.kind, name=payload.name)
    return _fresh(request, room.pk)


@router.post("/rooms/{room_id}/close", response={200: RoomOut, **refusals(403, 404, 409)})
def close_room(request, room_id: int):
    """The facilitator closes the room; the turn in progress ends. A closed room answers
    409 (opening it again is POST /meetings/{series_id}/{day}/room)."""
    room = access.get_room_for(request.user, room_id)
    services.close_room(actor=request.user, room_id=room.pk)
    return _fresh(request, room.pk)


# Gestures ------------------------------------------------------------------------------

@router.post("/rooms/{room_id}/gestures",
             response={201: GestureOut, **refusals(400, 403, 404, 409)})
def make_gesture(request, room_id: int, payload: GestureIn):
    """A gesture, counted live without interrupting the speaker; a new one of the same
    kind renews it."""
    room = access.get_room_for(request.user, room_id)
    gesture = services.make_gesture(person=request.user, room_id=room.pk,
                                    kind=payload.kind, hold=payload.hold)
    return Status(201, _gesture_out(gesture))


@router.post("/rooms/{room_id}/gestures/release",
             response={200: ReleasedOut, **refusals(400, 403, 404)})
def release_gesture(request, room_id: int, payload: ReleaseIn):
    """Let go of my gesture of this kind (held or not)."""
    room = access.get_room_for(request.user, room_id)
    released = services.release_gesture(person=request.user, room_id=room.pk,
                                        kind=payload.kind)
    return {"released": released}


# Facilitation ------------------------------------------------------------------------

@router.put("/rooms/{room_id}/roles", response={200: RoleOut, **refusals(400, 403, 404, 409)})
def set_role(request, room_id: int, payload: RoleIn):
    """The facilitator hands a role to a member of the body (it replaces its holder)."""
    room = access.get_room_to_assign_roles(request.user, room_id)
    assigned = services.set_role(actor=request.user, room_id=room.pk, role=payload.role,
                                 person=access.person_to_assign(payload.person_id))
    return _role_out(assigned)


@router.post("/rooms/{room_id}/item", response={200: RoomOut, **refusals(403, 404, 409)})
def set_current_item(request, room_id: int, payload: CurrentItemIn):
    """The facilitator or the timekeeper moves to an agenda item (null: none); its timer
    starts."""
    room = access.get_room_for(request.user, room_id)
    services.set_current_item(actor=request.user, room_id=room.pk, item_id=payload.item_id)
    return _fresh(request, room.pk)


@router.put("/rooms/{room_id}/settings", response={200: RoomOut, **refusals(400, 403, 404, 409)})
def update_settings(request, room_id: int, payload: SettingsIn):
    """The facilitator or the timekeeper sets the time per speaker and whether turns
    count per agenda item."""
    room = access.get_room_for(request.user, room_id)
    services.update_room_settings(actor=request.user, room_id=room.pk,
                                  speaker_limit_seconds=payload.speaker_limit_seconds,
                                  reset_turns_per_item=payload.reset_turns_per_item)
    return _fresh(request, room.pk)
