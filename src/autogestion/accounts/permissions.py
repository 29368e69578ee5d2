"""Who may see and change a person's own data; who may invite people into a body."""

import rules

from autogestion.cooperatives.permissions import (  # noqa: F401  (can_invite: used here)
    can_invite,
    is_coordinator,
    is_operator,
)


@rules.predicate
def is_self(user, person) -> bool:
    return bool(user and user.is_authenticated and person is not None and user.pk == person.pk)


can_edit_profile = is_self

# Who may invite is a rule of bodies (cooperatives.permissions.can_invite).
# The list of a body's invitations: its coordinators (and operators) see all of them;
# a member who may invite sees the ones they made (queries.invitations_of_body).
can_see_all_invitations = is_coordinator | is_operator


@rules.predicate
def made_invitation(user, invitation) -> bool:
    return bool(user and user.is_authenticated and invitation.invited_by_id == user.pk)


@rules.predicate
def coordinates_invitation_body(user, invitation) -> bool:
    return bool(can_see_all_invitations(user, invitation.body))


# Revoking: who made it, and the body's coordinators (and operators).
can_revoke_invitation = made_invitation | coordinates_invitation_body
