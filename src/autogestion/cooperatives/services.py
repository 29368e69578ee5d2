"""Every write about bodies and membership. Views, API, CLI and the demo call these;
nothing else saves these models. Each function checks permission, runs in a
transaction and records its history."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from autogestion.core import history
from autogestion.core.errors import Conflict, DomainError, NotFound, PermissionDenied

from . import access, permissions, selectors, signals
from .models import (
    Body,
    BodyEvent,
    BodyKind,
    College,
    LegalForm,
    Membership,
    MembershipEvent,
    ProgressUpdate,
)
from .rules import (
    BODY_TRANSITIONS,
    CURRENT,
    BodyStatus,
    CollegeDraft,
    JoinRequest,
    Kind,
    Move,
    Refusal,
    Role,
    Status,
    check_colleges,
    check_decision_on_request,
    check_founding_inside,
    check_leave,
    check_move,
    check_parent,
    child_path,
    decide_join,
    founded_status,
    moved_path,
    path_depth,
)

# Short names the site's own addresses use under /bodies/.
RESERVED_SLUGS = frozenset({"new"})


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
    if code == "body_dissolved":
        return Conflict(_("This body is dissolved: it takes no new members, groups or "
                          "proposals."))
    if code == "parent_not_ratified":
        return Conflict(_("This group is still proposed: found groups inside it once its "
                          "parent has ratified it."), field="parent")
    if code == "only_groups_move":
        return DomainError(_("Only a group moves inside its cooperative."), field="group")
    if code == "move_cycle":
        return DomainError(_("A group cannot move inside itself or one of its own groups."),
                           field="parent")
    if code == "move_other_cooperative":
        return DomainError(_("A group moves only inside its own cooperative."),
                           field="parent")
    if code == "move_same_place":
        return DomainError(_("The group is already there: choose another place."),
                           field="parent")
    if code == "college_name_missing":
        return DomainError(_("Give every college a name."), field="colleges")
    if code == "college_name_twice":
        return DomainError(_("Two colleges are named “%(name)s”: give each its own name.")
                           % {"name": refusal.details["name"]}, field="colleges")
    if code == "college_weight":
        return DomainError(_("“%(name)s” weighs %(weight)s %%: a college weighs from 10 %% "
                             "to 50 %%.") % refusal.details, field="colleges")
    if code == "colleges_total":
        return DomainError(_("The weights add up to %(total)s %%: they must add up to "
                             "100 %%.") % refusal.details, field="colleges")
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
    """Create (found) a network, cooperative or group (R17). Operators create top-level
    bodies; coordinators of a network (and operators) create bodies inside it; any
    active member of a cooperative or group founds a group inside it (R1), which its
    parent learns in its log of progress and at its next Agora (signal
    `group_founded`, on commit). Where the parent's rules ask for a ratification, the
    group is "proposed" until the parent's decision adopts it (the page or API that
    founds it proposes `cooperatives.ratify_group`). The founder coordinates it."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the body a name."), field="name")
    if kind not in Kind.__members__.values():
        raise DomainError(_("Unknown kind of body."), field="kind")
    if parent is None and not permissions.is_operator(actor):
        raise PermissionDenied(_("Only operators create top-level bodies."))
    if parent is not None:
        parent = Body.objects.select_for_update().get(pk=parent.pk)
        if kind == Kind.GROUP:
            access.check_body(actor, parent, may=permissions.can_found_group,
                              refusal=_("Only members of %(body)s found groups inside it."))
        else:
            access.check_body(actor, parent, may=permissions.can_manage_body,
                              refusal=_("Only coordinators of %(body)s create bodies "
                                        "inside it."))
    try:
        check_parent(Kind(kind), Kind(parent.kind) if parent else None)
        if parent is not None:
            check_founding_inside(parent.status)
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
    if slug in RESERVED_SLUGS or Body.objects.filter(slug=slug).exists():
        raise Conflict(_("The short name “%(slug)s” is taken; choose another.") % {"slug": slug},
                       field="slug")
    if Body.objects.filter(parent=parent, name=name).exists():
        raise Conflict(_("There is already a body named “%(name)s” here.") % {"name": name},
                       field="name")
    status = (founded_status(parent.groups_need_ratification) if kind == Kind.GROUP
              else BodyStatus.ACTIVE)
    body = Body.objects.create(
        kind=kind, parent=parent, name=name, slug=slug, legal_form=legal_form,
        description=(description or "").strip(), place=(place or "").strip(),
        rhythm=(rhythm or "").strip(), is_open=is_open, status=status,
        path="/pending/", depth=(parent.depth + 1) if parent else 0,
    )
    body.path = child_path(parent.path if parent else None, body.pk)
    body.save(update_fields=["path"])
    founder = actor if actor is not None and actor.is_authenticated else None
    history.record(body, event_model=BodyEvent, subject="body", actor=founder,
                   reason=_("founded"))
    if founder is not None and (
        kind != Kind.GROUP or _is_active(founder, body.enclosing_cooperative())
    ):
        _activate(founder, body, role=Role.COORDINATOR, by=founder)
    if kind == Kind.GROUP:
        _announce_group(body, founder)
    return body


def _announce_group(group: Body, founder) -> None:
    """The parent's log of progress says a group was founded (or proposed); once it
    exists as an active body, the other capabilities hear it (the next Agora's news of
    the groups), after the transaction commits."""
    words = {"group": group.name,
             "founder": founder.public_name if founder else _("the platform")}
    if group.status == BodyStatus.PROPOSED:
        text = _("New group proposed: “%(group)s”, founded by %(founder)s. It waits for "
                 "this body's ratification.") % words
    else:
        text = _("New group founded: “%(group)s”, by %(founder)s.") % words
        # "by Inès P." ends the sentence with the name's own full stop, not two.
        text = text[:-1] if text.endswith("..") else text
    if group.description and group.is_open:  # a closed group shows only that it exists
        text += "\n\n" + group.description[:1000]
    ProgressUpdate.objects.create(body=group.parent, author=founder, text=text)
    if group.status == BodyStatus.ACTIVE:
        _send_group_founded(group, founder)


def _send_group_founded(group: Body, founder) -> None:
    transaction.on_commit(lambda: signals.group_founded.send(
        sender=Body, group=group, founder=founder))


def _locked(body: Body) -> Body:
    return Body.objects.select_for_update().get(pk=body.pk)


def _body_transition(body: Body, to: str, *, reason: str, decision=None) -> None:
    history.transition(
        body, to, allowed=BODY_TRANSITIONS, event_model=BodyEvent, subject="body",
        reason=reason, decision_id=getattr(decision, "pk", None),
        refusal=_("%(body)s is %(status)s: this cannot be done any more.")
        % {"body": body.name, "status": body.get_status_display()})


@transaction.atomic
def set_group_ratification(*, body: Body, value: bool) -> Body:
    """Whether groups founded inside `body` wait for its ratification. No actor: only
    the decisions app's policy effect calls it, when the body's proposal is adopted
    (R16); nobody sets it by hand."""
    body = _locked(body)
    if body.is_dissolved:
        raise _message(Refusal("body_dissolved"))
    if body.kind == Kind.NETWORK:
        raise DomainError(_("Groups are founded inside cooperatives and groups, not "
                          "networks."), field="groups_need_ratification")
    body.groups_need_ratification = bool(value)
    body.save(update_fields=["groups_need_ratification"])
    return body


@transaction.atomic
def ratify_group(*, group: Body, decision=None) -> Body:
    """The parent's decision adopts a proposed group: it becomes active (effect
    `cooperatives.ratify_group`), its parent's progress and next Agora hear of it."""
    group = _locked(group)
    if group.status != BodyStatus.PROPOSED:
        raise Conflict(_("“%(group)s” is not waiting for a ratification.")
                       % {"group": group.name}, field="group")
    _body_transition(group, BodyStatus.ACTIVE, reason=_("ratified by decision"),
                     decision=decision)
    ProgressUpdate.objects.create(
        body=group.parent, author=None,
        text=_("Group ratified: “%(group)s” is now one of this body's groups.")
        % {"group": group.name})
    founder = (BodyEvent.objects.filter(body=group).order_by("at", "pk")
               .values_list("actor", flat=True).first())
    from django.contrib.auth import get_user_model

    founder_user = get_user_model().objects.filter(pk=founder).first() if founder else None
    _send_group_founded(group, founder_user)
    return group


def check_move_group(group: Body, new_parent: Body) -> None:
    """The rules of moving a group (R1), with words: raises DomainError."""
    cooperatives = dict(Body.objects.filter(
        pk__in=[*group.ancestor_ids, *new_parent.ancestor_ids, new_parent.pk],
        kind=Kind.COOPERATIVE).values_list("pk", "path"))

    def cooperative_of(body: Body) -> int | None:
        ids = [*body.ancestor_ids, body.pk]
        found = [i for i in ids if i in cooperatives]
        return found[-1] if found else None

    try:
        check_move(Move(
            group_kind=Kind(group.kind), group_path=group.path,
            group_parent_id=group.parent_id, group_cooperative_id=cooperative_of(group),
            new_parent_id=new_parent.pk, new_parent_kind=Kind(new_parent.kind),
            new_parent_path=new_parent.path, new_parent_status=new_parent.status,
            new_parent_cooperative_id=cooperative_of(new_parent)))
    except Refusal as refusal:
        raise _message(refusal) from None
    if group.is_dissolved:
        raise _message(Refusal("body_dissolved"))
    if Body.objects.filter(parent=new_parent, name=group.name).exists():
        raise Conflict(_("There is already a body named “%(name)s” there.")
                       % {"name": group.name}, field="parent")


@transaction.atomic
def move_group(*, group: Body, new_parent: Body, decision=None) -> Body:
    """Move a group, with all its groups, under another body of its cooperative (effect
    `cooperatives.move_group`, decided by the cooperative): the paths and depths of the
    whole subtree change in this one transaction."""
    subtree = list(Body.objects.select_for_update().filter(path__startswith=group.path)
                   .order_by("pk"))
    group = next(b for b in subtree if b.pk == group.pk)
    new_parent = _locked(new_parent)
    check_move_group(group, new_parent)
    old_parent_name = group.parent.name if group.parent_id else ""
    old_prefix, new_prefix = group.path, child_path(new_parent.path, group.pk)
    for body in subtree:
        body.path = moved_path(body.path, old_prefix, new_prefix)
        body.depth = path_depth(body.path)
    group.parent = new_parent
    Body.objects.bulk_update(subtree, ["path", "depth"])
    group.save(update_fields=["parent"])
    BodyEvent.objects.create(
        body=group, from_status=group.status, to_status=group.status, actor=None,
        at=timezone.now(), decision_id=getattr(decision, "pk", None),
        reason=_("moved from %(old)s to %(new)s") % {"old": old_parent_name,
                                                     "new": new_parent.name})
    return group


def check_dissolve(body: Body) -> None:
    if body.is_dissolved:
        raise Conflict(_("%(body)s is already dissolved.") % {"body": body.name},
                       field="body")
    living = list(Body.objects.filter(parent=body).not_dissolved()
                  .order_by("name").values_list("name", flat=True))
    if living:
        raise Conflict(_("%(body)s still holds %(names)s: dissolve or move them first.")
                       % {"body": body.name, "names": ", ".join(living)}, field="body")


@transaction.atomic
def dissolve_body(*, body: Body, decision=None) -> Body:
    """Dissolve a body by its own decision or its parent's (effect
    `cooperatives.dissolve`). It stays readable with its history; it takes no new
    member, group, proposal or progress."""
    body = _locked(body)
    check_dissolve(body)
    _body_transition(body, BodyStatus.DISSOLVED, reason=_("dissolved by decision"),
                     decision=decision)
    if body.parent_id:
        ProgressUpdate.objects.create(
            body=body.parent, author=None,
            text=_("“%(body)s” was dissolved by decision.") % {"body": body.name})
    return body


@transaction.atomic
def update_body(*, actor, body: Body, **fields) -> Body:
    access.check_body(actor, body, may=permissions.can_manage_body,
                      refusal=_("Only coordinators of %(body)s can change it."))
    body = _locked(body)
    if body.is_dissolved:
        raise _message(Refusal("body_dissolved"))
    editable = {"description", "place", "rhythm", "is_open", "name"}
    unknown = set(fields) - editable
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %(fields)s")
                          % {"fields": ", ".join(sorted(unknown))})
    if "name" in fields and not (fields["name"] or "").strip():
        raise DomainError(_("Give the body a name."), field="name")
    if "name" in fields and Body.objects.filter(
            parent_id=body.parent_id, name=fields["name"].strip()).exclude(pk=body.pk).exists():
        raise Conflict(_("There is already a body named “%(name)s” here.")
                       % {"name": fields["name"].strip()}, field="name")
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
    total = sum(cooperative.colleges.values_list("weight_percent", flat=True)) \
        + int(weight_percent)
    if total > 100:
        raise _message(Refusal("colleges_total", total=total))
    return College.objects.create(cooperative=cooperative, name=name,
                                  weight_percent=weight_percent)


@transaction.atomic
def set_colleges(*, actor, cooperative: Body, colleges: list[dict]) -> list[College]:
    """The whole set of a cooperative's colleges, as one page or one PUT gives it: each
    entry {"id": existing college or None, "name", "weight_percent"}; colleges left out
    are removed (refused while people belong to them). Checked as a set (rules), then
    written at once: all or nothing."""
    access.check_body(actor, cooperative, may=permissions.can_manage_body,
                      refusal=_("Only coordinators of %(body)s can define its colleges."))
    cooperative = _locked(cooperative)
    if cooperative.kind != Kind.COOPERATIVE:
        raise DomainError(_("Only a cooperative has colleges."))
    if cooperative.is_dissolved:
        raise _message(Refusal("body_dissolved"))
    existing = {c.pk: c for c in College.objects.select_for_update()
                .filter(cooperative=cooperative).order_by("pk")}
    wanted = []
    for entry in colleges:
        college_id = entry.get("id")
        if college_id is not None and college_id not in existing:
            raise NotFound(_("There is no college with this number in %(body)s.")
                           % {"body": cooperative.name})
        try:
            weight = int(entry.get("weight_percent"))
        except (TypeError, ValueError):
            raise DomainError(_("Give every college a weight, a whole number of percent."),
                              field="colleges") from None
        wanted.append((college_id, (entry.get("name") or "").strip(), weight))
    kept = [college_id for college_id, _name, _weight in wanted if college_id is not None]
    if len(kept) != len(set(kept)):
        raise DomainError(_("A college appears twice in the set."), field="colleges")
    try:
        check_colleges([CollegeDraft(name=name, weight_percent=weight)
                        for _id, name, weight in wanted])
    except Refusal as refusal:
        raise _message(refusal) from None
    too_long = next((name for _id, name, _weight in wanted if len(name) > 100), None)
    if too_long:
        raise DomainError(_("“%(name)s” is too long: a college's name has at most 100 "
                            "characters.") % {"name": too_long[:40]}, field="colleges")
    removed = [college for pk, college in existing.items() if pk not in kept]
    for college in removed:
        members = Membership.objects.filter(college=college)
        current = members.filter(status__in=list(CURRENT)).count()
        if current:
            raise Conflict(_("“%(name)s” still has %(count)s member(s): move them to "
                             "another college before removing it.")
                           % {"name": college.name, "count": current}, field="colleges")
        if members.exists():
            raise Conflict(_("“%(name)s” keeps the history of former members: it cannot "
                             "be removed; rename it or change its weight instead.")
                           % {"name": college.name}, field="colleges")
    for college in removed:
        college.delete()
    # Renames may swap two names: clear them first so the unique name holds throughout.
    for pk in kept:
        College.objects.filter(pk=pk).update(name=f"\x01{pk}")
    result = []
    for college_id, name, weight in wanted:
        if college_id is None:
            result.append(College.objects.create(cooperative=cooperative, name=name,
                                                 weight_percent=weight))
        else:
            college = existing[college_id]
            college.name, college.weight_percent = name, weight
            college.save(update_fields=["name", "weight_percent"])
            result.append(college)
    return sorted(result, key=lambda c: c.name)


@transaction.atomic
def post_progress_update(*, actor, body: Body, text: str) -> ProgressUpdate:
    access.check_body(actor, body, may=permissions.can_post_progress,
                      refusal=_("Only members of %(body)s post its progress."))
    if body.is_dissolved:
        raise _message(Refusal("body_dissolved"))
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
            body_status=body.status,
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
    # A request already waiting is the same wish: the invitation answers it (yes).
    waiting = current if current is not None and current.status == Status.PENDING else None
    try:
        decide_join(JoinRequest(
            kind=Kind(body.kind), is_open=True,
            current_status=None if waiting else (Status(current.status) if current else None),
            member_of_enclosing_cooperative=_is_active(person, cooperative),
            college_ids=college_ids,
            chosen_college_id=college.pk if college else None,
            body_status=body.status,
        ))
    except Refusal as refusal:
        raise _message(refusal) from None
    if waiting is not None:
        waiting.status, waiting.joined_at = Status.ACTIVE, timezone.now()
        waiting.college = college or waiting.college
        waiting.save(update_fields=["status", "joined_at", "college"])
        _record(waiting, MembershipEvent.Kind.ACCEPTED, invited_by, note=_("invited"))
        permissions.forget_memberships(person)
        return waiting
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
    if membership.body.is_dissolved:
        raise _message(Refusal("body_dissolved"))
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
    membership = _active_membership(person, body)
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


def _active_membership(person, body: Body) -> Membership:
    if body.is_dissolved:
        raise _message(Refusal("body_dissolved"))
    membership = _current(person, body)
    if membership is None or membership.status != Status.ACTIVE:
        raise NotFound(_("%(person)s is not a member of %(body)s.")
                       % {"person": person.public_name, "body": body.name})
    return membership


@transaction.atomic
def change_member_college(*, actor, body: Body, person, college: College) -> Membership:
    """Move a member of a cooperative to another of its colleges, keeping the history
    ("A → B")."""
    access.check_body(actor, body, may=permissions.can_manage_body,
                      refusal=_("Only coordinators of %(body)s move members between its "
                                "colleges."))
    if college is None or college.cooperative_id != body.pk:
        raise DomainError(_("This college does not belong to this cooperative."),
                          field="college")
    membership = _active_membership(person, body)
    if membership.college_id == college.pk:
        return membership
    old = membership.college.name if membership.college_id else "—"
    membership.college = college
    membership.save(update_fields=["college"])
    _record(membership, MembershipEvent.Kind.COLLEGE_CHANGED, actor,
            note=f"{old} → {college.name}"[:255])
    return membership


def euros(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d} €"


@transaction.atomic
def set_member_capital(*, actor, body: Body, person, capital_cents: int,
                       is_employee: bool) -> Membership:
    """Record the capital a partner of a SCOP holds and whether they work in it (R5's
    employee shares). History: "0.00 € → 500.00 €, employee"."""
    access.check_body(actor, body, may=permissions.can_manage_body,
                      refusal=_("Only coordinators of %(body)s record its capital."))
    if body.kind != Kind.COOPERATIVE:
        raise DomainError(_("Only a cooperative records its members' capital."))
    if capital_cents is None or int(capital_cents) < 0:
        raise DomainError(_("The capital held is zero or more."), field="capital")
    membership = _active_membership(person, body)
    capital_cents = int(capital_cents)
    if (membership.capital_cents, membership.is_employee) == (capital_cents,
                                                              bool(is_employee)):
        return membership
    # Codes, not words: the page says them in its reader's language and numbers
    # (queries.change_note_text); the API and the export give the note as it is.
    status = {True: "employee", False: "not an employee"}
    note = (f"{euros(membership.capital_cents)}, {status[membership.is_employee]} → "
            f"{euros(capital_cents)}, {status[bool(is_employee)]}")
    membership.capital_cents, membership.is_employee = capital_cents, bool(is_employee)
    membership.save(update_fields=["capital_cents", "is_employee"])
    _record(membership, MembershipEvent.Kind.CAPITAL_CHANGED, actor, note=note[:255])
    return membership
