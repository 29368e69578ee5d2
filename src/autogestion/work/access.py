"""How pages and the API get a work object for a caller (core.access): posts, skills,
unavailability, rotations, teach/learn lines and training sessions.

Work is for the body's members (and operators): a closed body's work does not exist for
the others (404, as if there were none); an open body's answers 403 saying it is for its
members. Teach/learn lists and training sessions belong to a cooperative. An action for
the coordinators (`organise=`, the refusal's words with %(body)s) answers the members
403.
"""

from django.utils.translation import gettext as _

from autogestion.cooperatives.access import find_body, no_body
from autogestion.cooperatives.models import Body
from autogestion.cooperatives.permissions import can_view_body_details
from autogestion.cooperatives.rules import Kind
from autogestion.core.access import check
from autogestion.core.errors import NotFound, PermissionDenied

from . import permissions
from .models import Knowledge, Post, Rotation, Skill, TrainingSession, Unavailability


def check_work(user, body: Body, *, members_only: str | None = None,
               organise: str | None = None, hidden: str | None = None) -> Body:
    """`body` if `user` may see its work: hidden → 404, seen but not a member → 403
    (`members_only`, with %(body)s); with `organise`, also a coordinator (403)."""
    message = members_only or _("The work of %(body)s is for its members.")
    check(user, body, may_see=can_view_body_details, may=permissions.can_see_work,
          refusal=message % {"body": body.name} if body is not None else None, hidden=hidden)
    if organise is not None and not permissions.can_organise_work(user, body):
        raise PermissionDenied(organise % {"body": body.name})
    return body


def get_body_for(user, slug, *, organise: str | None = None) -> Body:
    return check_work(user, find_body(slug), organise=organise, hidden=no_body(slug))


def _one(queryset, pk, missing: str):
    found = queryset.filter(pk=pk).first() if isinstance(pk, int) else None
    if found is None:
        raise NotFound(missing)
    return found


def get_post_for(user, post_id, *, organise: str | None = None) -> Post:
    post = _one(Post.objects.select_related("body"), post_id, _("There is no such post."))
    check_work(user, post.body, organise=organise)
    return post


def get_skill_for(user, skill_id, *, organise: str | None = None) -> Skill:
    skill = _one(Skill.objects.select_related("post__body", "person", "confirmed_by"),
                 skill_id, _("There is no such skill."))
    check_work(user, skill.post.body, organise=organise)
    return skill


def get_unavailability_for(user, unavailability_id) -> Unavailability:
    found = _one(Unavailability.objects.select_related("body", "person"), unavailability_id,
                 _("There is no such unavailability."))
    check_work(user, found.body)
    return found


def get_rotation_for(user, rotation_id, *, organise: str | None = None) -> Rotation:
    rotation = _one(Rotation.objects.select_related("body", "published_by"), rotation_id,
                    _("There is no such rotation."))
    check_work(user, rotation.body, organise=organise)
    return rotation


# Teach and learn: the cooperative's ------------------------------------------------------

def check_cooperative(user, body: Body, hidden: str | None = None) -> Body:
    """Teach/learn lists are the cooperative's and for its members: hidden or not a
    cooperative → 404, seen but not a member → 403."""
    check(user, body, may_see=can_view_body_details, hidden=hidden)
    if body.kind != Kind.COOPERATIVE:
        raise NotFound(_("Teach and learn lists belong to a cooperative."))
    check(user, body, may_see=can_view_body_details, may=permissions.can_share_knowledge,
          refusal=_("Teach and learn lists of %(body)s are for its members.")
          % {"body": body.name})
    return body


def get_cooperative_for(user, slug, *, from_group: bool = False) -> Body:
    """The cooperative named by `slug`; with `from_group`, a group visible to the caller
    leads to its cooperative (the page redirects there)."""
    body = find_body(slug)
    if from_group and body.kind == Kind.GROUP:
        check(user, body, may_see=can_view_body_details, hidden=no_body(slug))
        body = body.enclosing_cooperative()
        if body is None:
            raise NotFound(_("Teach and learn lists belong to a cooperative."))
    return check_cooperative(user, body, hidden=no_body(slug))


def get_knowledge_for(user, knowledge_id) -> Knowledge:
    line = _one(Knowledge.objects.select_related("cooperative", "post"), knowledge_id,
                _("There is no such line in the lists."))
    check_cooperative(user, line.cooperative)
    return line


def get_training_for(user, session_id) -> TrainingSession:
    session = _one(TrainingSession.objects.select_related("cooperative", "teacher", "learner"),
                   session_id, _("There is no such training session."))
    check_cooperative(user, session.cooperative)
    return session
