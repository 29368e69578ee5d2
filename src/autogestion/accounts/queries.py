"""Reads about invitations, shared by pages and the API."""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import pgettext_lazy

from autogestion.core import clock

from . import permissions
from .models import Invitation, InvitationUse
from .rules import InvitationState, state

# "invitation" is feminine in French: its states agree with it ("ouverte", "révoquée").
STATE_LABELS = {
    InvitationState.OPEN: pgettext_lazy("invitation", "open"),
    InvitationState.USED_UP: pgettext_lazy("invitation", "used up"),
    InvitationState.EXPIRED: pgettext_lazy("invitation", "expired"),
    InvitationState.REVOKED: pgettext_lazy("invitation", "revoked"),
}


def invitation_state_label(state: str) -> str:
    """An invitation's state in the reader's words (pages, messages), never its code."""
    return str(STATE_LABELS.get(state, state))


@dataclass
class InvitationRow:
    invitation: Invitation
    state: str
    may_revoke: bool

    @property
    def state_label(self) -> str:
        return invitation_state_label(self.state)


def invitations_of_body(body, user) -> list[InvitationRow]:
    """The body's invitations, newest first, with their state and acceptances: all of
    them for its coordinators (and operators), the caller's own for another member who
    may invite. Four queries, however many invitations and acceptances."""
    queryset = (Invitation.objects.filter(body=body)
                .select_related("invited_by", "revoked_by", "college")
                .prefetch_related(Prefetch(
                    "acceptances",
                    queryset=InvitationUse.objects.select_related("person"))))
    sees_all = bool(permissions.can_see_all_invitations(user, body))
    if not sees_all:
        queryset = queryset.filter(invited_by=user)
    now = clock.now()
    return [InvitationRow(invitation=i,
                          state=state(now=now, expires_at=i.expires_at, uses=i.uses,
                                      max_uses=i.max_uses,
                                      revoked=i.revoked_at is not None),
                          may_revoke=sees_all or i.invited_by_id == user.pk)
            for i in queryset]
