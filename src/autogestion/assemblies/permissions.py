"""Who may see and change meetings, agendas, programs and minutes (R2, R3). Every
predicate takes the body that holds the meeting series."""

import rules

from autogestion.cooperatives.permissions import (
    can_manage_body,
    can_view_body_details,
    is_member,
    is_operator,
    is_signed_in,
)


@rules.predicate
def can_view_meetings(user, body) -> bool:
    """Open bodies publish places, dates and agendas to everyone (R2)."""
    return can_view_body_details(user, body)


@rules.predicate
def can_add_agenda_item(user, body) -> bool:
    return is_member(user, body) or is_operator(user)


@rules.predicate
def can_manage_meetings(user, body) -> bool:
    return can_manage_body(user, body)


@rules.predicate
def can_sign_up(user, body) -> bool:
    """The Agora is open to all: anyone signed in takes part in an open body's program."""
    return is_signed_in(user) and can_view_body_details(user, body)
