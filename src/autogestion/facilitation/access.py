"""Meeting rooms, occurrences and speech statistics for a caller: the pages, the API and
the room's websocket consumer all find them here (built on `core.access`).

A room follows its meeting's visibility (R2): a closed body's rooms, meetings and
statistics answer 404 to anyone who may not see its meetings, exactly as if they did not
exist; an open body's are public. Someone who sees the room but may not do the action
gets 403 saying who may.
"""

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autogestion.assemblies import queries as assembly_queries
from autogestion.assemblies.models import MeetingSeries
from autogestion.assemblies.permissions import can_view_meetings
from autogestion.assemblies.queries import Occurrence
from autogestion.cooperatives import access as bodies
from autogestion.cooperatives.models import Body
from autogestion.core import access
from autogestion.core.errors import DomainError, NotFound
from autogestion.core.inputs import parse_day

from . import permissions, queries
from .models import Room

NO_ROOM = gettext_lazy("There is no such meeting room.")
NO_SERIES = gettext_lazy("There is no meeting series with this number.")
ASSIGNS_ROLES = gettext_lazy("Only the facilitator assigns roles.")


def _may_see_series(user, series: MeetingSeries) -> bool:
    return can_view_meetings(user, series.body)


def rooms():
    """What every edge needs of a room: its meeting, body, current item and roles."""
    return (Room.objects.select_related("meeting__series__body", "current_item")
            .prefetch_related("roles"))


def get_room_for(user, room_id, *, may=None, refusal=None) -> Room:
    """The room if `user` may see it (else 404, as if there were none); if `may` is
    given, also that they may do the action (else 403 with `refusal`)."""
    return access.get_for(user, rooms(), may_see=permissions.can_view_room, may=may,
                          refusal=refusal, hidden=NO_ROOM, pk=room_id)


def get_room_to_assign_roles(user, room_id) -> Room:
    """Whoever may not hand out roles learns that first (403), whatever the person they
    named; the service checks it again under its lock."""
    return get_room_for(user, room_id, may=permissions.can_facilitate, refusal=ASSIGNS_ROLES)


def person_to_assign(person_id: int):
    """The active account a role is handed to; else 400 on `person_id`."""
    person = queries.person_to_assign(person_id)
    if person is None:
        raise DomainError(_("There is no person with the number %(id)s.") % {"id": person_id},
                          field="person_id")
    return person


def may_see_room(user, room_id) -> bool:
    """The websocket's question, at connection and before each change it shows: may this
    person (still) see the room? (Its consumer closes with 4403 when not.)"""
    try:
        # Asked before each change shown on a closed body's screens: the room and its
        # body only (one query), not the roles the other edges use.
        access.get_for(user, Room.objects.select_related("meeting__series__body"),
                       may_see=permissions.can_view_room, hidden=NO_ROOM, pk=room_id)
    except NotFound:
        return False
    return True


def get_series_for(user, series_id) -> MeetingSeries:
    return access.get_for(user, MeetingSeries.objects.select_related("body"),
                          may_see=_may_see_series, hidden=NO_SERIES, pk=series_id)


def get_occurrence_for(user, series_id, day: str | date) -> Occurrence:
    """The occurrence at /meetings/<series>/<YYYY-MM-DD>/ if `user` may see its body's
    meetings: 404 for a hidden or unknown series, 400 for a day that is not a date, 404
    when the series does not meet that day."""
    series = get_series_for(user, series_id)
    wanted = day if isinstance(day, date) else parse_day(day, "day")
    occurrence = assembly_queries.find_occurrence(series, wanted)
    if occurrence is None:
        raise NotFound(_("%(series)s does not meet on %(day)s.")
                       % {"series": series.title, "day": wanted.isoformat()})
    return occurrence


def get_occurrence_at(user, series_id, day: str) -> Occurrence:
    """The same for a page's address: a day that is not a date (2026-02-30) is an
    address where nothing is, 404."""
    try:
        return get_occurrence_for(user, series_id, day)
    except NotFound:
        raise
    except DomainError:
        raise NotFound(_("Not found.")) from None


def get_occurrence_room_for(user, series_id, day: str) -> tuple[Occurrence, Room | None]:
    """The occurrence of a page's address and its room (None until it is opened)."""
    occurrence = get_occurrence_at(user, series_id, day)
    return occurrence, queries.room_of(occurrence)


def get_body_speech_for(user, slug: str) -> Body:
    """The body whose speech statistics `user` asks for: they follow its meetings."""
    return bodies.get_body_for(user, slug, may_see=can_view_meetings)
