"""Who may read and act on proposals (R1: only members of the deciding body take
positions; R2: open bodies' proposals and register are public)."""

import rules

from autogestion.cooperatives.permissions import (
    can_manage_body,
    can_view_body_details,
    is_member,
    is_operator,
)


@rules.predicate
def can_view_proposals(user, body) -> bool:
    return can_view_body_details(user, body)


@rules.predicate
def can_propose(user, body) -> bool:
    return is_member(user, body)


@rules.predicate
def can_take_position(user, body) -> bool:
    """Members of the deciding body only — not operators, not members of its parent."""
    return is_member(user, body)


@rules.predicate
def can_facilitate(user, body) -> bool:
    """Close or extend rounds, open the next one: the body's coordinators."""
    return can_manage_body(user, body)


@rules.predicate
def can_comment(user, body) -> bool:
    return is_member(user, body) or is_operator(user)

