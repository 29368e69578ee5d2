"""Every write of work (DOMAIN.md R12, R13): posts, skills and their confirmation,
unavailability, rotations (proposed by `rules.plan`, adjusted by hand, published), and
teach/learn lists with their training sessions.

Each function is one user-visible action in one transaction, checks who may do it, and
raises a DomainError whose message says what to change; nothing is written when it
raises.

Hand edits of a proposed rotation are checked with `rules.violations` against what the
planner guarantees. A change that breaks a hard rule is refused: a holder not capable,
a learner who did not declare learning, a person twice on one day or on a day they said
they are unavailable, a learner left without a holder, a post placed on a day it is not
held. A run longer than the rotation's `max_streak` is NOT refused: coordinators may
have good reasons (someone asked to do the whole week of milking), so the edit goes
through with a warning, and the proposal page keeps showing it until it is fixed or
published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from autogestion.cooperatives.models import Body
from autogestion.cooperatives.rules import Kind
from autogestion.cooperatives.selectors import is_active_member
from autogestion.core import clock, history
from autogestion.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from autogestion.core.inputs import check_year

from . import permissions, queries, rules
from .models import (
    ALL_WEEKDAYS,
    Assignment,
    AssignmentRole,
    Gap,
    Knowledge,
    KnowledgeKind,
    Post,
    Rotation,
    RotationEvent,
    RotationStatus,
    Skill,
    TrainingSession,
    Unavailability,
)

MAX_HOLDERS = 20
MAX_CAPABLE_NEEDED = 50
MAX_ROTATION_DAYS = 62
MAX_STREAK = 31
MAX_UNAVAILABLE_DAYS = 366
MAX_SESSION = timedelta(hours=12)
PERIODS = ("week", "month")

HARD_VIOLATIONS = ("post_not_held", "twice_in_shift", "unavailable", "not_capable",
                   "not_learning", "learner_alone")


def _check_organiser(actor, body: Body, message: str) -> None:
    if not permissions.can_organise_work(actor, body):
        raise PermissionDenied(message % {"body": body.name})


def _person(person_id, field: str):
    person = get_user_model().objects.filter(pk=person_id).first() \
        if isinstance(person_id, int) else None
    if person is None:
        raise NotFound(_("There is no such person."), field=field)
    return person


# Posts --------------------------------------------------------------------------------

def parse_weekdays(value) -> str:
    """"1234567", "6", "1,3,5" or [1, 3, 5] → the ISO weekdays, sorted ("135")."""
    if isinstance(value, list | tuple | set | frozenset):
        raw = "".join(str(v) for v in value)
    else:
        raw = str(value or "")
    raw = raw.replace(",", "").replace(" ", "")
    if not raw or any(c not in ALL_WEEKDAYS for c in raw):
        raise DomainError(_("Give the days of the week as numbers from 1 (Monday) to 7 "
                            "(Sunday), for example 1234567 for every day or 6 for "
                            "Saturdays."), field="weekdays")
    return "".join(sorted(set(raw)))


def _check_post_fields(name: str, description: str, holders: int,
                       capable_needed: int) -> str:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise DomainError(_("Give the post a name of 1 to 120 characters."), field="name")
    if len(description or "") > 2000:
        raise DomainError(_("The description has at most 2000 characters."),
                          field="description")
    if not isinstance(holders, int) or not 1 <= holders <= MAX_HOLDERS:
        raise DomainError(_("A post is held by 1 to %(max)s people at a time.")
                          % {"max": MAX_HOLDERS}, field="holders")
    if not isinstance(capable_needed, int) or not 1 <= capable_needed <= MAX_CAPABLE_NEEDED:
        raise DomainError(_("Ask for 1 to %(max)s capable people.")
                          % {"max": MAX_CAPABLE_NEEDED}, field="capable_needed")
    return name


def _check_name_free(body: Body, name: str, post_id: int | None = None) -> None:
    taken = Post.objects.filter(body=body, name__iexact=name).exclude(pk=post_id)
    if taken.exists():
        raise Conflict(_("%(body)s already has a post named “%(name)s”.")
                       % {"body": body.name, "name": name}, field="name")


@transaction.atomic
def create_post(*, actor, body: Body, name: str, description: str = "", holders: int = 1,
                capable_needed: int = 2, weekdays=ALL_WEEKDAYS) -> Post:
    _check_organiser(actor, body, _("Only the coordinators of %(body)s define its posts."))
    name = _check_post_fields(name, description, holders, capable_needed)
    weekdays = parse_weekdays(weekdays)
    _check_name_free(body, name)
    try:
        with transaction.atomic():
            return Post.objects.create(body=body, name=name,
                                       description=(description or "").strip(),
                                       holders=holders, capable_needed=capable_needed,
                                       weekdays=weekdays)
    except IntegrityError:
        raise Conflict(_("%(body)s already has a post named “%(name)s”.")
                       % {"body": body.name, "name": name}, field="name") from None


def _post(post_id) -> Post:
    post = Post.objects.select_related("body").filter(pk=post_id).first() \
        if isinstance(post_id, int) else None
    if post is None:
        raise NotFound(_("There is no such post."), field="post")
    return post


@transaction.atomic
def update_post(*, actor, post_id: int, name: str | None = None,
                description: str | None = None, holders: int | None = None,
                capable_needed: int | None = None, weekdays=None,
                active: bool | None = None) -> Post:
    """Change what is given; None leaves a field as it is."""
    post = _post(post_id)
    _check_organiser(actor, post.body, _("Only the coordinators of %(body)s change its "
                                         "posts."))
    name = _check_post_fields(
        post.name if name is None else name,
        post.description if description is None else description,
        post.holders if holders is None else holders,
        post.capable_needed if capable_needed is None else capable_needed)
    if name.casefold() != post.name.casefold():
        _check_name_free(post.body, name, post.pk)
    post.name = name
    if description is not None:
        post.description = description.strip()
    if holders is not None:
        post.holders = holders
    if capable_needed is not None:
        post.capable_needed = capable_needed
    if weekdays is not None:
        post.weekdays = parse_weekdays(weekdays)
    if active is not None:
        post.active = bool(active)
    try:
        with transaction.atomic():
            post.save()
    except IntegrityError:
        raise Conflict(_("%(body)s already has a post named “%(name)s”.")
                       % {"body": post.body.name, "name": name}, field="name") from None
    return post


def retire_post(*, actor, post_id: int) -> Post:
    """A retired post keeps its history but is no longer planned nor declared."""
    return update_post(actor=actor, post_id=post_id, active=False)


# Skills -------------------------------------------------------------------------------

@transaction.atomic
def declare_skill(*, actor, post_id: int, level: str, person=None) -> Skill:
    """A member says what they can do on a post. Declaring for someone else is refused:
    each person speaks for themselves; coordinators confirm. A new level clears the
    confirmation of the old one."""
    post = _post(post_id)
    if person is not None and getattr(person, "pk", person) != actor.pk:
        raise PermissionDenied(_("You declare your own skills only: each member declares "
                                 "theirs, and the coordinators confirm them."),
                               field="person")
    if level not in rules.LEVELS:
        raise DomainError(_("Choose a level: capable, learning or can teach."),
                          field="level")
    if not permissions.is_member(actor, post.body):
        raise PermissionDenied(_("Only members of %(body)s declare skills for its posts.")
                               % {"body": post.body.name})
    if not post.active:
        raise Conflict(_("The post “%(post)s” is retired: skills are no longer declared "
                         "for it.") % {"post": post.name}, field="post")
    now = clock.now()
    skill = Skill.objects.select_for_update().filter(person=actor, post=post).first()
    if skill is None:
        try:
            with transaction.atomic():
                return Skill.objects.create(person=actor, post=post, level=level,
                                            declared_at=now)
        except IntegrityError:
            raise Conflict(_("Your skill for this post changed meanwhile: try again.")) \
                from None
    if skill.level != level:
        skill.level, skill.declared_at = level, now
        skill.confirmed_by, skill.confirmed_at = None, None
        skill.save(update_fields=["level", "declared_at", "confirmed_by", "confirmed_at"])
    return skill


@transaction.atomic
def declare_skills(*, actor, body: Body, levels: dict[int, str]) -> int:
    """The skills form: per post of the body, a level or "" for none. All or nothing;
    answers how many changed."""
    if not permissions.is_member(actor, body):
        raise PermissionDenied(_("Only members of %(body)s declare skills for its posts.")
                               % {"body": body.name})
    posts = set(Post.objects.filter(body=body, active=True).values_list("pk", flat=True))
    current = dict(Skill.objects.filter(person=actor, post__in=posts)
                   .values_list("post_id", "level"))
    changed = 0
    for post_id, level in sorted(levels.items()):
        if post_id not in posts:
            raise DomainError(_("Choose among the active posts of %(body)s.")
                              % {"body": body.name}, field="post")
        if (level or None) == current.get(post_id):
            continue
        if level:
            declare_skill(actor=actor, post_id=post_id, level=level)
        else:
            withdraw_skill(actor=actor, post_id=post_id)
        changed += 1
    return changed


@transaction.atomic
def withdraw_skill(*, actor, post_id: int) -> None:
    post = _post(post_id)
    deleted, _rows = Skill.objects.filter(person=actor, post=post).delete()
    if not deleted:
        raise NotFound(_("You have declared no skill for “%(post)s”.") % {"post": post.name})


@transaction.atomic
def confirm_skill(*, actor, skill_id: int) -> Skill:
    skill = (Skill.objects.select_for_update(of=("self",))
             .select_related("post__body", "person").filter(pk=skill_id).first()
             if isinstance(skill_id, int) else None)
    if skill is None:
        raise NotFound(_("There is no such skill."))
    body = skill.post.body
    _check_organiser(actor, body, _("Only the coordinators of %(body)s confirm skills."))
    if not is_active_member(skill.person_id, body):
        raise Conflict(_("%(name)s is not a member of %(body)s: their skill is not "
                         "confirmed.") % {"name": skill.person.public_name,
                                          "body": body.name})
    if skill.confirmed_at is None:
        skill.confirmed_by, skill.confirmed_at = actor, clock.now()
        skill.save(update_fields=["confirmed_by", "confirmed_at"])
    return skill


# Unavailability -----------------------------------------------------------------------

@transaction.atomic
def declare_unavailability(*, actor, body: Body, first_day: date, last_day: date,
                           note: str = "") -> Unavailability:
    if not permissions.is_member(actor, body):
        raise PermissionDenied(_("Only members of %(body)s say when they are unavailable "
                                 "for its posts.") % {"body": body.name})
    check_year(first_day, "first_day")
    check_year(last_day, "last_day")
    if last_day < first_day:
        raise DomainError(_("The last day comes on or after the first day."),
                          field="last_day")
    if last_day < clock.today():
        raise DomainError(_("These days are past: give days to come."), field="last_day")
    if (last_day - first_day).days + 1 > MAX_UNAVAILABLE_DAYS:
        raise DomainError(_("Give at most %(n)s days at once.")
                          % {"n": MAX_UNAVAILABLE_DAYS}, field="last_day")
    note = (note or "").strip()
    if len(note) > 200:
        raise DomainError(_("The note has at most 200 characters."), field="note")
    return Unavailability.objects.create(person=actor, body=body, first_day=first_day,
                                         last_day=last_day, note=note)


@transaction.atomic
def withdraw_unavailability(*, actor, unavailability_id: int) -> None:
    found = (Unavailability.objects.filter(pk=unavailability_id).first()
             if isinstance(unavailability_id, int) else None)
    if found is None:
        raise NotFound(_("There is no such unavailability."))
    if found.person_id != actor.pk:
        raise PermissionDenied(_("Only the person who said they are unavailable withdraws "
                                 "it."))
    found.delete()


# Rotations: the planner's input --------------------------------------------------------

def period_of(first_day: date, last_day: date | None = None,
              period: str | None = None) -> tuple[date, date]:
    """The days of a rotation: explicit, or a week (7 days) or a month from first_day."""
    check_year(first_day, "first_day")
    if last_day is None:
        period = period or "week"
        if period not in PERIODS:
            raise DomainError(_("Choose a period: week or month."), field="period")
        last_day = (first_day + timedelta(days=6) if period == "week"
                    else first_day + relativedelta(months=1) - timedelta(days=1))
    check_year(last_day, "last_day")
    if last_day < first_day:
        raise DomainError(_("The last day comes on or after the first day."),
                          field="last_day")
    if (last_day - first_day).days + 1 > MAX_ROTATION_DAYS:
        raise DomainError(_("A rotation covers at most %(n)s days: plan a month at a "
                            "time.") % {"n": MAX_ROTATION_DAYS}, field="last_day")
    return first_day, last_day


def _json_details(details) -> dict:
    """Person ids back to integers, tuples to lists: what the JSON column stores."""
    out = {}
    for key, value in dict(details).items():
        if key == "holder":
            value = int(value)
        elif isinstance(value, tuple | list):
            value = [int(v) if isinstance(v, str) and v.isdigit() else v for v in value]
        out[key] = value
    return out


def _clash_message(clash: Rotation) -> Conflict:
    return Conflict(_("These days overlap the published rotation of %(first)s to "
                      "%(last)s: start after %(last)s.")
                    % {"first": queries.day_text(clash.first_day),
                       "last": queries.day_text(clash.last_day)},
                    field="first_day")


# Rotations: propose, adjust, publish ---------------------------------------------------

@transaction.atomic
def propose_rotation(*, actor, body: Body, first_day: date, last_day: date | None = None,
                     period: str | None = None, max_streak: int = 2) -> Rotation:
    """Run the planner over the body's active posts and store its proposal: who holds
    each post each day and why, and the posts it could not cover and why. A proposal
    over days another proposal covers replaces it."""
    _check_organiser(actor, body, _("Only the coordinators of %(body)s propose its "
                                    "rotations."))
    first_day, last_day = period_of(first_day, last_day, period)
    if last_day < clock.today():
        raise DomainError(_("These days are past: plan days to come."), field="first_day")
    if not isinstance(max_streak, int) or not 1 <= max_streak <= MAX_STREAK:
        raise DomainError(_("The most days in a row on one post is between 1 and %(n)s.")
                          % {"n": MAX_STREAK}, field="max_streak")
    Body.objects.select_for_update().filter(pk=body.pk).first()
    if clash := queries.published_clash(body, first_day, last_day):
        raise _clash_message(clash)
    posts = list(Post.objects.filter(body=body, active=True).order_by("pk"))
    if not posts:
        raise DomainError(_("%(body)s has no posts yet: list its posts first.")
                          % {"body": body.name})
    for replaced in (queries.overlapping(body, first_day, last_day)
                     .filter(status=RotationStatus.DRAFT).select_for_update()):
        move_rotation(replaced, RotationStatus.DISCARDED, actor=actor,
                      reason=_("Replaced by a new proposal over the same days."))
    data = queries.planner_input(body, posts, first_day, last_day)
    proposal = rules.plan(data.posts, data.shifts, data.skills, data.unavailable,
                          max_streak, data.history)
    rotation = Rotation.objects.create(body=body, first_day=first_day, last_day=last_day,
                                       max_streak=max_streak, created_by=actor,
                                       created_at=clock.now())
    history.record(rotation, event_model=RotationEvent, subject="rotation", actor=actor)
    Assignment.objects.bulk_create([
        Assignment(rotation=rotation, day=date.fromisoformat(a.shift_id),
                   post_id=int(a.post_id), person_id=int(a.person_id), role=a.role,
                   reason=a.reason, details=_json_details(a.details))
        for a in proposal.assignments])
    Gap.objects.bulk_create([
        Gap(rotation=rotation, day=date.fromisoformat(g.shift_id), post_id=int(g.post_id),
            reason=g.reason, missing=g.missing, details=_json_details(g.details))
        for g in proposal.gaps])
    return rotation


def _rotation(rotation_id, *, lock: bool = False) -> Rotation:
    query = Rotation.objects.select_related("body")
    if lock:
        query = query.select_for_update(of=("self",))
    rotation = query.filter(pk=rotation_id).first() if isinstance(rotation_id, int) else None
    if rotation is None:
        raise NotFound(_("There is no such rotation."))
    return rotation


def _draft(actor, rotation_id) -> Rotation:
    rotation = _rotation(rotation_id, lock=True)
    _check_organiser(actor, rotation.body, _("Only the coordinators of %(body)s adjust "
                                             "its rotations."))
    _check_draft(rotation)
    return rotation


def _check_draft(rotation: Rotation) -> None:
    if rotation.status == RotationStatus.PUBLISHED:
        raise Conflict(_("This rotation is published: it is no longer changed by hand."))
    if rotation.status == RotationStatus.DISCARDED:
        raise Conflict(_("This proposal is discarded: propose the days again."))


# A proposal is published or discarded; a published rotation stays as it is.
ROTATION_MOVES = {RotationStatus.DRAFT: {RotationStatus.PUBLISHED, RotationStatus.DISCARDED}}


def move_rotation(rotation: Rotation, to: str, *, actor, reason: str = "",
                  update_fields=()) -> RotationEvent:
    """The one way a rotation changes status: checked, saved and written in its history
    (409 when the move is not allowed from its status)."""
    return history.transition(rotation, to, allowed=ROTATION_MOVES, event_model=RotationEvent,
                              subject="rotation", actor=actor, reason=reason,
                              update_fields=update_fields)


def _apply(rotation: Rotation, before: list, after: list) -> list[str]:
    """Refuse the change if it breaks a hard rule that held before; return the warnings
    (runs longer than allowed) it adds."""
    new = [v for v in queries.check_rotation(rotation, after) if v not in
           set(queries.check_rotation(rotation, before))]
    if not new:
        return []
    names = queries.names_by_key(v[3] for v in new)
    posts = dict(Post.objects.filter(pk__in={int(v[2]) for v in new})
                 .values_list("pk", "name"))

    def message(v):
        return queries.violation_message(v[0], v[1], posts.get(int(v[2]), ""), names.get(v[3], ""))

    hard = [v for v in new if v[0] in HARD_VIOLATIONS]
    if hard:
        raise DomainError(message(hard[0]), field="person")
    return [message(v) for v in new]


def _refresh_gap(rotation: Rotation, day: date, post: Post) -> None:
    """After a hand edit, the (day, post) gap says how many holders are missing."""
    holders = Assignment.objects.filter(rotation=rotation, day=day, post=post,
                                        role=AssignmentRole.HOLDER).count()
    held = str(day.isoweekday()) in post.weekdays
    gap = Gap.objects.filter(rotation=rotation, day=day, post=post).first()
    if not held or holders >= post.holders:
        if gap is not None:
            gap.delete()
    elif gap is None:
        Gap.objects.create(rotation=rotation, day=day, post=post, reason=rules.LEFT_OPEN,
                           missing=post.holders - holders)
    else:
        gap.missing = post.holders - holders
        gap.save(update_fields=["missing"])


def _check_day(rotation: Rotation, day) -> date:
    if not isinstance(day, date) or not rotation.first_day <= day <= rotation.last_day:
        raise DomainError(_("Choose a day of the rotation, from %(first)s to %(last)s.")
                          % {"first": queries.day_text(rotation.first_day),
                             "last": queries.day_text(rotation.last_day)}, field="day")
    return day


def _check_holder_room(rotation: Rotation, day: date, post: Post, role: str,
                       leaving: int | None = None) -> None:
    if role != AssignmentRole.HOLDER:
        return
    holders = Assignment.objects.filter(rotation=rotation, day=day, post=post,
                                        role=AssignmentRole.HOLDER).exclude(pk=leaving)
    if holders.count() >= post.holders:
        raise Conflict(_post_full(post, day), field="post")


def _post_full(post: Post, day: date) -> str:
    return ngettext("“%(post)s” already has its holder on %(day)s: replace them instead.",
                    "“%(post)s” already has its %(n)s holders on %(day)s: replace one of "
                    "them instead.", post.holders) % {"post": post.name, "n": post.holders,
                                                      "day": queries.day_text(day)}


def _member_of(rotation: Rotation, person_id) -> int:
    person = _person(person_id, "person")
    if not is_active_member(person.pk, rotation.body):
        raise DomainError(_("%(name)s is not a member of %(body)s.")
                          % {"name": person.public_name, "body": rotation.body.name},
                          field="person")
    return person.pk


@dataclass
class Edit:
    assignment: Assignment | None
    warnings: list[str]


@transaction.atomic
def assign_by_hand(*, actor, rotation_id: int, day: date, post_id: int, person_id: int,
                   role: str = AssignmentRole.HOLDER) -> Edit:
    """Put a member on a post for a day of a proposed rotation."""
    rotation = _draft(actor, rotation_id)
    day = _check_day(rotation, day)
    post = _post(post_id)
    if post.body_id != rotation.body_id:
        raise DomainError(_("Choose a post of %(body)s.") % {"body": rotation.body.name},
                          field="post")
    if role not in AssignmentRole.values:
        raise DomainError(_("Choose a role: holder or learner."), field="role")
    person = _member_of(rotation, person_id)
    _check_holder_room(rotation, day, post, role)
    before = list(rotation.assignments.all())
    new = Assignment(rotation=rotation, day=day, post=post, person_id=person, role=role,
                     reason=rules.BY_HAND, details={}, set_by=actor)
    warnings = _apply(rotation, before, [*before, new])
    try:
        with transaction.atomic():
            new.save()
    except IntegrityError:
        raise Conflict(_("This person already has a place that day."), field="person") \
            from None
    _refresh_gap(rotation, day, post)
    return Edit(new, warnings)


def _assignment(rotation: Rotation, assignment_id) -> Assignment:
    found = (rotation.assignments.select_related("post", "person")
             .filter(pk=assignment_id).first() if isinstance(assignment_id, int) else None)
    if found is None:
        raise NotFound(_("There is no such assignment in this rotation."))
    return found


@transaction.atomic
def reassign(*, actor, rotation_id: int, assignment_id: int, person_id: int) -> Edit:
    """Someone else in the same place (same day, post and role)."""
    rotation = _draft(actor, rotation_id)
    found = _assignment(rotation, assignment_id)
    person = _member_of(rotation, person_id)
    if person == found.person_id:
        return Edit(found, [])
    before = list(rotation.assignments.all())
    after = [a for a in before if a.pk != found.pk]
    changed = Assignment(pk=found.pk, rotation=rotation, day=found.day, post=found.post,
                         person_id=person, role=found.role, reason=rules.BY_HAND, details={},
                         set_by=actor)
    warnings = _apply(rotation, before, [*after, changed])
    try:
        with transaction.atomic():
            changed.save(force_update=True)
    except IntegrityError:
        raise Conflict(_("This person already has a place that day."), field="person") \
            from None
    return Edit(changed, warnings)


@transaction.atomic
def remove_assignment(*, actor, rotation_id: int, assignment_id: int) -> Edit:
    rotation = _draft(actor, rotation_id)
    found = _assignment(rotation, assignment_id)
    before = list(rotation.assignments.all())
    warnings = _apply(rotation, before, [a for a in before if a.pk != found.pk])
    found.delete()
    _refresh_gap(rotation, found.day, found.post)
    return Edit(None, warnings)


@transaction.atomic
def publish_rotation(*, actor, rotation_id: int) -> Rotation:
    """The proposal becomes the rotation the members follow. Two published rotations of
    a body never cover the same day."""
    rotation = _rotation(rotation_id)
    _check_organiser(actor, rotation.body, _("Only the coordinators of %(body)s publish "
                                             "its rotations."))
    # The body's row serialises publications, so two overlapping drafts published at
    # the same moment cannot both pass the check below.
    Body.objects.select_for_update().filter(pk=rotation.body_id).first()
    rotation = _rotation(rotation_id, lock=True)
    if rotation.status == RotationStatus.PUBLISHED:
        raise Conflict(_("This rotation is already published."))
    _check_draft(rotation)
    if rotation.last_day < clock.today():
        raise Conflict(_("These days are past: propose a rotation for days to come."))
    if clash := queries.published_clash(rotation.body, rotation.first_day, rotation.last_day,
                                 exclude=rotation.pk):
        raise _clash_message(clash)
    rotation.published_by, rotation.published_at = actor, clock.now()
    move_rotation(rotation, RotationStatus.PUBLISHED, actor=actor,
                  update_fields=("published_by", "published_at"))
    return rotation


@transaction.atomic
def discard_rotation(*, actor, rotation_id: int) -> Rotation:
    """The proposal is set aside: no longer listed, kept with its history."""
    rotation = _draft(actor, rotation_id)
    move_rotation(rotation, RotationStatus.DISCARDED, actor=actor)
    return rotation


# Teach and learn (R13) ------------------------------------------------------------------

def _check_cooperative(cooperative: Body) -> None:
    if cooperative.kind != Kind.COOPERATIVE:
        raise DomainError(_("Teach and learn lists belong to a cooperative."))


def post_of_cooperative(cooperative: Body, post_id) -> Post:
    post = _post(post_id)
    if not queries.shared_posts(cooperative).filter(pk=post.pk).exists():
        raise DomainError(_("Choose a post of %(body)s or of one of its groups.")
                          % {"body": cooperative.name}, field="post")
    return post


def _subject(cooperative: Body, post_id, topic: str) -> tuple[Post | None, str, str]:
    """(post, topic, topic_key): a post of the cooperative, or a free topic."""
    topic = " ".join((topic or "").split())
    if post_id and topic:
        raise DomainError(_("Name a post or a topic, not both."), field="topic")
    if post_id:
        return post_of_cooperative(cooperative, post_id), "", ""
    key = rules.topic_key(topic)
    if not key:
        raise DomainError(_("Name a topic, or choose a post."), field="topic")
    if len(topic) > 120:
        raise DomainError(_("A topic has at most 120 characters."), field="topic")
    return None, topic, key


@transaction.atomic
def add_knowledge(*, actor, cooperative: Body, kind: str, post_id: int | None = None,
                  topic: str = "") -> Knowledge:
    """A line of one's own teach/learn list: a post of the cooperative or a free topic
    ("boulangerie", "réparation de vélos")."""
    _check_cooperative(cooperative)
    if not permissions.is_member(actor, cooperative):
        raise PermissionDenied(_("Teach and learn lists of %(body)s are for its members.")
                               % {"body": cooperative.name})
    if kind not in KnowledgeKind.values:
        raise DomainError(_("Choose “can teach” or “wants to learn”."), field="kind")
    post, topic, key = _subject(cooperative, post_id, topic)
    mine = Knowledge.objects.filter(person=actor, cooperative=cooperative)
    same = mine.filter(post=post) if post else mine.filter(topic_key=key)
    label = post.name if post else topic
    if same.filter(kind=kind).exists():
        raise Conflict(_("“%(what)s” is already on your list.") % {"what": label},
                       field="post" if post else "topic")
    if same.exists():
        raise Conflict(_("“%(what)s” is on your other list: remove it there first.")
                       % {"what": label}, field="post" if post else "topic")
    try:
        with transaction.atomic():
            return Knowledge.objects.create(person=actor, cooperative=cooperative, kind=kind,
                                            post=post, topic=topic, topic_key=key,
                                            created_at=clock.now())
    except IntegrityError:
        raise Conflict(_("“%(what)s” is already on your list.") % {"what": label}) from None


@transaction.atomic
def remove_knowledge(*, actor, knowledge_id: int) -> None:
    found = (Knowledge.objects.filter(pk=knowledge_id).first()
             if isinstance(knowledge_id, int) else None)
    if found is None:
        raise NotFound(_("There is no such line in the lists."))
    if found.person_id != actor.pk:
        raise PermissionDenied(_("Only its author removes a line of a teach/learn list."))
    found.delete()


def _check_moment(starts_at: datetime, ends_at: datetime) -> None:
    for value, field in ((starts_at, "starts_at"), (ends_at, "ends_at")):
        if not isinstance(value, datetime) or timezone.is_naive(value):
            raise DomainError(_("Give a date and time with its time zone."), field=field)
        check_year(value, field)
    if ends_at <= starts_at:
        raise DomainError(_("The session ends after it starts."), field="ends_at")
    if ends_at - starts_at > MAX_SESSION:
        raise DomainError(_("A session lasts at most 12 hours: schedule several."),
                          field="ends_at")
    if starts_at < clock.now():
        raise DomainError(_("This moment is past: choose a time to come."),
                          field="starts_at")


@transaction.atomic
def schedule_training(*, actor, cooperative: Body, teacher_id: int, learner_id: int,
                      starts_at: datetime, ends_at: datetime, post_id: int | None = None,
                      topic: str = "", place: str = "") -> TrainingSession:
    """Put a learning pair on the calendar: the teacher or the learner does it, both
    members of the cooperative, the teacher teaching the subject and the learner
    wanting to learn it (a pair the platform can suggest)."""
    _check_cooperative(cooperative)
    if actor.pk not in (teacher_id, learner_id):
        raise PermissionDenied(_("Only the teacher or the learner schedules their session."))
    if teacher_id == learner_id:
        raise DomainError(_("A session pairs two people: choose someone else."),
                          field="learner")
    if not permissions.is_member(actor, cooperative):
        raise PermissionDenied(_("Training sessions of %(body)s are for its members.")
                               % {"body": cooperative.name})
    other_field = "learner" if actor.pk == teacher_id else "teacher"
    other = _person(learner_id if other_field == "learner" else teacher_id, other_field)
    if not is_active_member(other.pk, cooperative):
        raise DomainError(_("%(name)s is not a member of %(body)s.")
                          % {"name": other.public_name, "body": cooperative.name},
                          field=other_field)
    post, topic, key = _subject(cooperative, post_id, topic)
    _check_moment(starts_at, ends_at)
    place = (place or "").strip()
    if len(place) > 200:
        raise DomainError(_("The place has at most 200 characters."), field="place")
    label = post.name if post else topic
    subject = queries.subject_key(post, key)
    if not queries.is_suggested_pair(cooperative, teacher_id, learner_id, subject):
        raise DomainError(_("This pair is not among the suggestions: the teacher lists "
                            "“%(what)s” as something they teach (or declares teaching "
                            "the post) and the learner as something they want to "
                            "learn.") % {"what": label}, field="post" if post else "topic")
    busy = TrainingSession.objects.filter(
        Q(teacher_id__in=(teacher_id, learner_id)) | Q(learner_id__in=(teacher_id, learner_id)),
        starts_at__lt=ends_at, ends_at__gt=starts_at)
    if busy.exists():
        raise Conflict(_("One of you already has a training session at that time."),
                       field="starts_at")
    # The topic is kept even for a post, so the session still says what it was about if
    # the post is deleted later.
    return TrainingSession.objects.create(
        cooperative=cooperative, teacher_id=teacher_id, learner_id=learner_id, post=post,
        topic=label, starts_at=starts_at, ends_at=ends_at, place=place, created_by=actor,
        created_at=clock.now())


@transaction.atomic
def cancel_training(*, actor, session_id: int) -> None:
    found = (TrainingSession.objects.select_for_update().filter(pk=session_id).first()
             if isinstance(session_id, int) else None)
    if found is None:
        raise NotFound(_("There is no such training session."))
    if actor.pk not in (found.teacher_id, found.learner_id):
        raise PermissionDenied(_("Only the teacher or the learner cancels their session."))
    if found.ends_at <= clock.now():
        raise Conflict(_("This session is over: it stays in the history."))
    found.delete()

