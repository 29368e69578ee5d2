"""Who may see, join and run a meeting room. Only the facilitator and co-facilitator (or
the body's coordinators) call next, skip or undo: the server checks it, not the page."""

import rules

from autogestion.assemblies.permissions import can_manage_meetings, can_view_meetings
from autogestion.cooperatives.permissions import is_signed_in

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


@rules.predicate
def can_take_part(user, room) -> bool:
    """Raise a hand, make a gesture: anyone signed in who may see the meeting (the Agora
    is open to all)."""
    return is_signed_in(user) and can_view_meetings(user, _body(room))


@rules.predicate
def can_facilitate(user, room) -> bool:
    return _holds(user, room, {RoleKind.FACILITATOR, RoleKind.CO_FACILITATOR}) \
        or can_manage_meetings(user, _body(room))


@rules.predicate
def can_keep_time(user, room) -> bool:
    return can_facilitate(user, room) or _holds(user, room, {RoleKind.TIMEKEEPER})


@rules.predicate
def can_open_room(user, body) -> bool:
    return can_manage_meetings(user, body)


rules.add_perm("facilitation.view_room", can_view_room)
rules.add_perm("facilitation.take_part", can_take_part)
rules.add_perm("facilitation.facilitate", can_facilitate)
rules.add_perm("facilitation.keep_time", can_keep_time)
