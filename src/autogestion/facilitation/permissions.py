"""Who may see, join and run a meeting room. Only the facilitator and co-facilitator (or
the body's coordinators) call next, skip or undo: the server checks it, not the page."""

import rules

from autogestion.assemblies.permissions import can_manage_meetings, can_view_meetings
from autogestion.cooperatives.permissions import is_member, is_operator, is_signed_in

from .models import RoleKind


def _body(room):
    return room.meeting.series.body


def _holds(user, room, roles) -> bool:
    if not user or not user.is_authenticated:
        return False
    cached = getattr(room, "_roles_cache", None)
    if cached is None:
        cached = {(r.role, r.person_id) for r in room.roles.all()}
        room._roles_cache = cached
    return any((role, user.pk) in cached for role in roles)


@rules.predicate
def can_view_room(user, room) -> bool:
    return can_view_meetings(user, _body(room))


def viewing_is_public(room) -> bool:
    """Anyone, signed in or not, may watch this room (an open body's, R2): then
    `can_view_room` is true for everyone and nobody's right needs checking."""
    return _body(room).is_open


@rules.predicate
def is_member_of_room_body(user, room) -> bool:
    return is_member(user, _body(room))


@rules.predicate
def is_registered_guest(user, room) -> bool:
    """Signed up to a session of this meeting's program (confirmed or waiting for a
    place): the meeting's own notion of a guest. Leaving the session ends it."""
    if not user or not user.is_authenticated:
        return False
    return user.session_signups.filter(meeting_id=room.meeting_id).exists()


@rules.predicate
def can_facilitate(user, room) -> bool:
    return _holds(user, room, {RoleKind.FACILITATOR, RoleKind.CO_FACILITATOR}) \
        or can_manage_meetings(user, _body(room))


# Raise or lower a hand, make a gesture: the body's members and the meeting's registered
# guests (and whoever runs the room). Anyone else who may see the room watches it: an
# open body's room is public to read (R2), but its list is the body's meeting's.
can_take_part = is_signed_in & can_view_room & (
    is_member_of_room_body | is_operator | can_facilitate | is_registered_guest)


@rules.predicate
def can_keep_time(user, room) -> bool:
    return can_facilitate(user, room) or _holds(user, room, {RoleKind.TIMEKEEPER})


@rules.predicate
def can_open_room(user, body) -> bool:
    return can_manage_meetings(user, body)
