"""Who may do what with posts, rotations, daily plans and self-training (R12, R13).

Work is the business of the body's own members: they see its posts, rotations and daily
plans, declare their own skills, and make tomorrow's plan together at the evening
meeting. Its coordinators define the posts, confirm skills and publish rotations.
Teach/learn lists are shared within the cooperative.
"""

import rules

from autogestion.cooperatives.permissions import can_manage_body, is_member, is_operator


@rules.predicate
def can_see_work(user, body) -> bool:
    return is_member(user, body) or is_operator(user)


@rules.predicate
def can_organise_work(user, body) -> bool:
    """Posts, skill confirmation, rotations: the body's coordinators (and operators)."""
    return body is not None and bool(can_manage_body(user, body))


@rules.predicate
def can_plan_day(user, body) -> bool:
    """The daily plan is made by the members at the evening meeting."""
    return is_member(user, body) or can_organise_work(user, body)


@rules.predicate
def can_share_knowledge(user, cooperative) -> bool:
    """Teach/learn lists and training sessions: members of the cooperative."""
    return is_member(user, cooperative) or is_operator(user)
