"""Invitations for a caller, for pages and the API (core/access.py's rule).

- The body whose invitations one makes or lists: found through cooperatives.access
  (a closed body is hidden, 404, from whoever may not see it); then 403 saying who may
  invite when the caller sees the body but may not.
- An invitation by its number (to revoke it): 404 when its body is hidden from the
  caller or it does not exist, 403 when the caller neither made it nor coordinates.
- An invitation by its token: the token is the credential (whoever holds the link may
  read who invites them where); unknown, 404. Whether it is still open is the
  services' question (410).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autogestion.cooperatives import access as bodies
from autogestion.cooperatives import permissions as body_permissions
from autogestion.cooperatives.models import Body
from autogestion.core import access
from autogestion.core.errors import PermissionDenied

from . import permissions
from .models import Invitation, hash_token

NO_INVITATION = gettext_lazy("There is no such invitation. Check the link, or ask the "
                             "person who invited you for a new one.")
NO_INVITATION_NUMBER = gettext_lazy("There is no invitation with this number.")


def who_may_invite(body: Body) -> str:
    """The 403 message: who may invite into this body."""
    if body.is_open:
        return _("Only members of %(body)s invite people into it.") % {"body": body.name}
    return _("%(body)s is closed: only its coordinators invite people into it.") % {
        "body": body.name}


def get_body_to_invite(user, slug: str) -> Body:
    """The body `user` invites into, or whose invitations they list."""
    return check_body_to_invite(user, bodies.find_body(slug))


def _body_visible(user, invitation: Invitation) -> bool:
    return body_permissions.can_view_body_details(user, invitation.body)


def get_invitation_for(user, slug: str, invitation_id) -> Invitation:
    """An invitation of body `slug` to revoke."""
    body = bodies.get_body_for(user, slug)
    return check_invitation(user, access.get_for(
        user, Invitation.objects.select_related("body", "invited_by", "college"),
        may_see=_body_visible, hidden=NO_INVITATION_NUMBER, pk=invitation_id,
        body=body))


def check_invitation(user, invitation: Invitation) -> Invitation:
    """The same checks on an invitation in hand (the services, after their lock)."""
    return access.check(user, invitation, may_see=_body_visible,
                        hidden=NO_INVITATION_NUMBER, may=permissions.can_revoke_invitation,
                        refusal=_("Only the person who made this invitation, or a "
                                  "coordinator of %(body)s, revokes it.")
                        % {"body": invitation.body.name})


def find_invitation(token: str, queryset=None) -> Invitation:
    """The invitation of this token, open or not (the page says which), else 404."""
    source = queryset if queryset is not None else Invitation.objects.select_related(
        "body", "invited_by", "college")
    return access.get_for(None, source, may_see=lambda u, i: True, hidden=NO_INVITATION,
                          token_hash=hash_token(str(token or "")))


def check_body_to_invite(user, body: Body) -> Body:
    """The same checks on a body in hand (the services)."""
    bodies.check_body(user, body)
    if not permissions.can_invite(user, body):
        raise PermissionDenied(who_may_invite(body))
    return body
