"""Bodies and memberships for a caller, for pages, the API and other apps' edges.

Built on `core.access` (R2 and the access matrix): a body's existence is public, so
`find_body` answers anyone; what a body holds (its details, directory, requests,
progress) is for those who may see the body: a stranger asking for a closed body's
things gets 404, exactly as if the body did not exist; someone who sees the body but
may not do the action gets 403 saying who may.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autogestion.core import access
from autogestion.core.errors import NotFound

from . import permissions
from .models import Body, College, Membership

NO_REQUEST = gettext_lazy("There is no such request to join.")


def no_body(slug) -> str:
    """What a body that does not exist (or is hidden from the caller) answers."""
    return _("There is no body with the short name “%(slug)s”.") % {"slug": str(slug)[:80]}


def _anyone(user, obj) -> bool:
    return True


def _body_visible(user, membership) -> bool:
    return permissions.can_view_body_details(user, membership.body)


def find_body(slug: str) -> Body:
    """Any body by its short name (that a body exists is public), else 404."""
    return access.get_for(None, Body.objects.select_related("parent"), may_see=_anyone,
                          hidden=no_body(slug), slug=slug)


def get_body_for(user, slug: str, *, may_see=permissions.can_view_body_details,
                 hidden: str | None = None, may=None, refusal: str | None = None) -> Body:
    """The body if `user` may see it (by default its details: open, or a member, or an
    operator; another app passes its own `may_see`, as "may see its meetings"), else 404
    with `hidden` or the message of a body that does not exist; then, if `may` is given,
    403 with `refusal` when `user` may not. Both messages may name the body as %(body)s.
    Every app's pages and API find a body through here."""
    return check_body(user, find_body(slug), may_see=may_see, hidden=hidden, may=may,
                      refusal=refusal)


def check_body(user, body: Body, *, may_see=permissions.can_view_body_details,
               hidden: str | None = None, may=None, refusal: str | None = None) -> Body:
    """The same checks on a body already in hand (services call it after their lock)."""
    named = {"body": body.name}
    return access.check(user, body, may_see=may_see, may=may,
                        refusal=(refusal % named) if refusal else None,
                        hidden=(hidden % named) if hidden else no_body(body.slug))


def get_body_to_manage(user, slug: str) -> Body:
    """For the edit page: its coordinators (and operators)."""
    return get_body_for(user, slug, may=permissions.can_manage_body,
                        refusal=_("Only coordinators of %(body)s can change it."))


def get_cooperative_to_manage(user, slug: str, not_a_cooperative: str) -> Body:
    """A cooperative's own settings (colleges, capital): its coordinators (and
    operators); a group or network answers 404 saying what only a cooperative has."""
    body = get_body_to_manage(user, slug)
    if body.kind != "cooperative":
        raise NotFound(not_a_cooperative)
    return body


def get_directory_for(user, slug: str) -> Body:
    """The body whose member directory `user` asks for."""
    return get_body_for(user, slug, may=permissions.can_view_directory,
                        refusal=_("The member directory is for members."))


def get_body_for_requests(user, slug: str) -> Body:
    """The body whose requests to join `user` answers: its coordinators."""
    return get_body_for(user, slug, may=permissions.can_manage_body,
                        refusal=_("Only coordinators of %(body)s answer its requests."))


def get_body_for_progress(user, slug: str) -> Body:
    """The body `user` posts progress of: its members."""
    return get_body_for(user, slug, may=permissions.can_post_progress,
                        refusal=_("Only members of %(body)s post its progress."))


def get_membership_for(user, membership_id) -> Membership:
    """A request to join to accept or decline: 404 when it does not exist or its body
    is hidden from `user`, 403 when `user` sees the body but does not coordinate it."""
    return check_membership(user, access.get_for(
        user, Membership.objects.select_related("body", "person", "college"),
        may_see=_body_visible, hidden=NO_REQUEST, pk=membership_id))


def check_membership(user, membership: Membership) -> Membership:
    """The same checks on a request already in hand (the services, after their lock)."""
    return access.check(
        user, membership, may_see=_body_visible, hidden=NO_REQUEST,
        may=lambda u, m: permissions.can_manage_body(u, m.body),
        refusal=_("Only coordinators of %(body)s answer its requests.")
        % {"body": membership.body.name})


def find_college(college_id) -> College:
    """A college chosen when joining; whether it belongs to the body is the rules' call."""
    return access.get_for(None, College, may_see=_anyone,
                          hidden=_("There is no college with this number."), pk=college_id)


def find_member(body: Body, person_id):
    """An active member of `body` named by their id (roles, colleges, capital), else 404."""
    from django.contrib.auth import get_user_model

    from .selectors import active_members

    person = get_user_model().objects.filter(
        pk__in=active_members(body).values("pk"), pk=person_id).first()
    if person is None:
        raise NotFound(_("This person is not a member of %(body)s.") % {"body": body.name})
    return person
