"""Every write about bodies and membership. Views, API, CLI and the demo call these;
nothing else saves these models. Each function checks permission, runs in a
transaction and records its history."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from autogestion.core.errors import Conflict, DomainError, NotFound, PermissionDenied

from . import access, permissions, selectors
from .models import (
    Body,
    BodyKind,
    College,
    LegalForm,
    Membership,
    MembershipEvent,
    ProgressUpdate,
)
from .rules import (
    CURRENT,
    JoinRequest,
    Kind,
    Refusal,
    Role,
    Status,
    check_decision_on_request,
    check_leave,
    check_parent,
    child_path,
    decide_join,
)


def _message(refusal: Refusal) -> DomainError:
    """Words for each rule's refusal, in the person's language."""
    code = refusal.code
    if code == "already_member":
        return Conflict(_("You are already a member of this body."))
    if code == "already_requested":
        return Conflict(_("Your request to join is already waiting for a coordinator."))
    if code == "join_cooperative_first":
        return DomainError(_("Join the cooperative this group belongs to first."))
    if code == "college_required":
        return DomainError(_("Choose the college you join this cooperative in."),
                           field="college")
    if code == "unknown_college":
        return DomainError(_("This college does not belong to this cooperative."),
                           field="college")
    if code == "no_colleges_here":
        return DomainError(_("This body has no colleges: leave the college empty."),
                           field="college")
    if code == "no_such_request":
        return NotFound(_("There is no such request to join."))
    if code == "request_already_decided":
        return Conflict(_("This request has already been answered."))
    if code == "not_a_member":
        return Conflict(_("You are not a member of this body."))
    if code == "last_coordinator":
        return Conflict(_("You are the last coordinator of this body: name another "
                          "coordinator before leaving."))
    if code == "bad_parent":
        return DomainError(_("A %(kind)s cannot be placed there: networks hold networks "
                             "and cooperatives, cooperatives hold groups, groups hold "
                             "groups.") % {"kind": BodyKind(refusal.details["kind"]).label},
                           field="parent")
    return DomainError(code)


def _record(membership: Membership, kind: str, actor, note: str = "") -> None:
    MembershipEvent.objects.create(membership=membership, kind=kind, actor=actor, note=note)


# Bodies -----------------------------------------------------------------------------

@transaction.atomic
def create_body(*, actor, kind: str, name: str, parent: Body | None = None, slug: str = "",
                legal_form: str = "", description: str = "", place: str = "",
                rhythm: str = "", is_open: bool = True) -> Body:
    """Create a network, cooperative or group. Operators create top-level bodies;
    coordinators of a body create bodies inside it. The creator coordinates it."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the body a name."), field="name")
    if kind not in Kind.__members__.values():
        raise DomainError(_("Unknown kind of body."), field="kind")
    if parent is None and not permissions.is_operator(actor):
        raise PermissionDenied(_("Only operators create top-level bodies."))
    if parent is not None:
        access.check_body(actor, parent, may=permissions.can_manage_body,
                          refusal=_("Only coordinators of %(body)s create bodies inside it."))
    try:
        check_parent(Kind(kind), Kind(parent.kind) if parent else None)
    except Refusal as refusal:
        raise _message(refusal) from None
    if kind == Kind.COOPERATIVE and legal_form not in LegalForm.values:
        raise DomainError(_("Choose the cooperative's legal form."), field="legal_form")
    if kind != Kind.COOPERATIVE:
        legal_form = ""
    slug = slugify(slug or name)[:80]
    if not slug:
        raise DomainError(_("Give the body a short name made of letters or digits."),
                          field="slug")
    if Body.objects.filter(slug=slug).exists():
        raise Conflict(_("The short name “%(slug)s” is taken; choose another.") % {"slug": slug},
                       field="slug")
    if Body.objects.filter(parent=parent, name=name).exists():
        raise Conflict(_("There is already a body named “%(name)s” here.") % {"name": name},
                       field="name")
    body = Body.objects.create(
        kind=kind, parent=parent, name=name, slug=slug, legal_form=legal_form,
        description=description, place=place, rhythm=rhythm, is_open=is_open,
        path="/pending/", depth=(parent.depth + 1) if parent else 0,
    )
    body.path = child_path(parent.path if parent else None, body.pk)
    body.save(update_fields=["path"])
    if actor is not None and actor.is_authenticated and (
        kind != Kind.GROUP or _is_active(actor, body.enclosing_cooperative())
    ):
        _activate(actor, body, role=Role.COORDINATOR, by=actor)
    return body


@transaction.atomic
def update_body(*, actor, body: Body, **fields) -> Body:
    access.check_body(actor, body, may=permissions.can_manage_body,
                      refusal=_("Only coordinators of %(body)s can change it."))
    editable = {"description", "place", "rhythm", "is_open", "name"}
    unknown = set(fields) - editable
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %(fields)s")
                          % {"fields": ", ".join(sorted(unknown))})
    if "name" in fields and not (fields["name"] or "").strip():
        raise DomainError(_("Give the body a name."), field="name")
    for key, value in fields.items():
        setattr(body, key, value.strip() if isinstance(value, str) else value)
    body.save(update_fields=list(fields))
    return body


@transaction.atomic
def add_college(*, actor, cooperative: Body, name: str, weight_percent: int) -> College:
    access.check_body(actor, cooperative, may=permissions.can_manage_body,
                      refusal=_("Only coordinators of %(body)s can define its colleges."))
    if cooperative.kind != Kind.COOPERATIVE:
        raise DomainError(_("Only a cooperative has colleges."))
    if not (10 <= int(weight_percent) <= 50):
        raise DomainError(_("A college weighs between 10 % and 50 % of the votes."),
                          field="weight_percent")
    if College.objects.filter(cooperative=cooperative, name=name).exists():
        raise Conflict(_("This cooperative already has a college named “%(name)s”.")
                       % {"name": name}, field="name")
    return College.objects.create(cooperative=cooperative, name=name,
                                  weight_percent=weight_percent)


@transaction.atomic
def post_progress_update(*, actor, body: Body, text: str) -> ProgressUpdate:
    access.check_body(actor, body, may=permissions.can_post_progress,
                      refusal=_("Only members of %(body)s post its progress."))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write what the body has been doing."), field="text")
    if len(text) > 5000:
        raise DomainError(_("Keep a progress update under 5,000 characters."), field="text")
    return ProgressUpdate.objects.create(body=body, author=actor, text=text)


# Membership -------------------------------------------------------------------------

def _current(person, body: Body) -> Membership | None:
    return (Membership.objects.select_for_update()
            .filter(person=person, body=body, status__in=list(CURRENT)).first())


def _is_active(person, body: Body | None) -> bool:
    return selectors.is_active_member(person, body)


def _activate(person, body: Body, *, role: str = Role.MEMBER, college=None, by=None,
              message: str = "") -> Membership:
    now = timezone.now()
    membership = Membership.objects.create(person=person, body=body, role=role,
                                           status=Status.ACTIVE, college=college,
                                           joined_at=now, message=message)
    _record(membership, MembershipEvent.Kind.JOINED, by)
    permissions.forget_memberships(person)
    return membership


@transaction.atomic
def join_body(*, person, body: Body, college: College | None = None,
              message: str = "") -> Membership:
    """Join an open body at once, or ask to join a closed one (a coordinator answers)."""
    if not person or not person.is_authenticated:
        raise PermissionDenied(_("Sign in to join a body."))
    current = _current(person, body)
    cooperative = body.enclosing_cooperative() if body.kind == Kind.GROUP else None
    college_ids = (frozenset(body.colleges.values_list("pk", flat=True))
                   if body.kind == Kind.COOPERATIVE else frozenset())
    try:
        outcome = decide_join(JoinRequest(
            kind=Kind(body.kind), is_open=body.is_open,
            current_status=Status(current.status) if current else None,
            member_of_enclosing_cooperative=_is_active(person, cooperative),
            college_ids=college_ids,
            chosen_college_id=college.pk if college else None,
        ))
    except Refusal as refusal:
        raise _message(refusal) from None
    try:
        with transaction.atomic():
            if outcome == Status.ACTIVE:
                return _activate(person, body, college=college, by=person, message=message)
            membership = Membership.objects.create(person=person, body=body,
                                                   status=Status.PENDING, college=college,
                                                   message=message.strip())
    except IntegrityError:
        # Two joins at once: the database's one-current-membership constraint let one win.
        raise Conflict(_("You are already a member of this body, or your request is "
                         "waiting.")) from None
    _record(membership, MembershipEvent.Kind.REQUESTED, person)
    permissions.forget_memberships(person)
    return membership


def _pending_request(membership_id: int) -> Membership:
    membership = (Membership.objects.select_for_update().select_related("body", "person")
                  .filter(pk=membership_id).first())
    if membership is None:
        raise NotFound(_("There is no such request to join."))
    return membership


@transaction.atomic
def admit_invited(*, person, body: Body, invited_by, college: College | None = None
                  ) -> Membership:
    """Make a membership from an accepted invitation: active at once, closed body or not,
    because a member (`invited_by`) already said yes for the body. The other rules of
    joining still hold (a group's members belong to its cooperative; a SCIC's member
    joins in a college)."""
    if not person or not person.is_authenticated:
        raise PermissionDenied(_("Sign in to join a body."))
    current = _current(person, body)
    cooperative = body.enclosing_cooperative() if body.kind == Kind.GROUP else None
    college_ids = (frozenset(body.colleges.values_list("pk", flat=True))
                   if body.kind == Kind.COOPERATIVE else frozenset())
    try:
        decide_join(JoinRequest(
            kind=Kind(body.kind), is_open=True,
            current_status=Status(current.status) if current else None,
            member_of_enclosing_cooperative=_is_active(person, cooperative),
            college_ids=college_ids,
            chosen_college_id=college.pk if college else None,
        ))
    except Refusal as refusal:
        raise _message(refusal) from None
    try:
        with transaction.atomic():
            return _activate(person, body, college=college, by=invited_by,
                             message=_("invited"))
    except IntegrityError:
        raise Conflict(_("You are already a member of this body, or your request is "
                         "waiting.")) from None


@transaction.atomic
def accept_membership_request(*, actor, membership_id: int) -> Membership:
    membership = access.check_membership(actor, _pending_request(membership_id))
    try:
        check_decision_on_request(Status(membership.status))
    except Refusal as refusal:
        raise _message(refusal) from None
    membership.status = Status.ACTIVE
    membership.joined_at = timezone.now()
    membership.save(update_fields=["status", "joined_at"])
    _record(membership, MembershipEvent.Kind.ACCEPTED, actor)
    permissions.forget_memberships(membership.person)
    return membership


@transaction.atomic
def decline_membership_request(*, actor, membership_id: int, reason: str = "") -> Membership:
    membership = access.check_membership(actor, _pending_request(membership_id))
    try:
        check_decision_on_request(Status(membership.status))
    except Refusal as refusal:
        raise _message(refusal) from None
    membership.status = Status.DECLINED
    membership.save(update_fields=["status"])
    _record(membership, MembershipEvent.Kind.DECLINED, actor, note=reason.strip()[:255])
    permissions.forget_memberships(membership.person)
    return membership


@transaction.atomic
def leave_body(*, person, body: Body) -> Membership:
    """Leave a body (or withdraw a pending request). Leaving a cooperative also ends
    one's stints in its groups: they live inside it."""
    current = _current(person, body) if person and person.is_authenticated else None
    others = Membership.objects.filter(body=body, status=Status.ACTIVE).exclude(person=person)
    try:
        check_leave(
            Status(current.status) if current else None,
            Role(current.role) if current else None,
            other_coordinators=others.filter(role=Role.COORDINATOR).count(),
            other_active_members=others.count(),
        )
    except Refusal as refusal:
        raise _message(refusal) from None
    _end(current, by=person)
    if body.kind == Kind.COOPERATIVE:
        for inner in (Membership.objects.select_for_update()
                      .filter(person=person, status__in=list(CURRENT),
                              body__path__startswith=body.path).exclude(body=body)):
            _end(inner, by=person)
    permissions.forget_memberships(person)
    return current


def _end(membership: Membership, *, by) -> None:
    if membership.status == Status.PENDING:
        membership.status = Status.DECLINED
        membership.save(update_fields=["status"])
        _record(membership, MembershipEvent.Kind.DECLINED, by, note="withdrawn")
        return
    membership.status = Status.LEFT
    membership.left_at = timezone.now()
    membership.save(update_fields=["status", "left_at"])
    _record(membership, MembershipEvent.Kind.LEFT, by)


@transaction.atomic
def set_member_role(*, actor, body: Body, person, role: str) -> Membership:
    access.check_body(actor, body, may=permissions.can_manage_body,
                      refusal=_("Only coordinators of %(body)s change roles in it."))
    if role not in Role.__members__.values():
        raise DomainError(_("Unknown role: choose member, coordinator or steward."),
                          field="role")
    membership = _current(person, body)
    if membership is None or membership.status != Status.ACTIVE:
        raise NotFound(_("%(person)s is not a member of %(body)s.")
                       % {"person": person.public_name, "body": body.name})
    if membership.role == Role.COORDINATOR and role != Role.COORDINATOR and not (
        Membership.objects.filter(body=body, status=Status.ACTIVE, role=Role.COORDINATOR)
        .exclude(pk=membership.pk).exists()
    ):
        raise Conflict(_("A body keeps at least one coordinator: name another first."))
    if membership.role == role:
        return membership  # nothing changes, so nothing to record
    note = f"{membership.role} → {role}"
    membership.role = role
    membership.save(update_fields=["role"])
    _record(membership, MembershipEvent.Kind.ROLE_CHANGED, actor, note=note)
    permissions.forget_memberships(person)
    return membership
