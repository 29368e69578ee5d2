"""Posts, skills, unavailability, rotations, teach/learn lists, pairings and training
sessions through the API (DOMAIN.md R12, R13).

Same services, same rules, same messages as the pages: refusals come from
work/services.py as DomainError subclasses, which core/api.py turns into 400/403/404/409
with `detail` and `field`. Work is for the body's members (and operators): a closed body
does not exist for the others (404), an open one answers 403. Teach/learn lists belong
to a cooperative and are for its members. Every endpoint needs a signed-in caller (401).

Declaring a skill is for oneself: sending another member's `person_id` is refused with
403 and nothing is written. A rotation the constraints make impossible is not an error:
it comes back with `gaps`, each saying which post is not covered on which day and why.

Days are YYYY-MM-DD; datetimes carry their offset (answered in the platform's zone).
"""

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Router, Schema, Status
from pydantic import AfterValidator

from autogestion.cooperatives.models import Body
from autogestion.core import clock
from autogestion.core.api_schemas import (
    Input,
    Integer,
    Moment,
    StatusEventOut,
    refusals,
    text_up_to,
)
from autogestion.core.api_types import Id, Text, no_nul
from autogestion.core.inputs import parse_day

from . import access, permissions, queries, services
from .models import Knowledge, Rotation, Skill, TrainingSession, Unavailability

router = Router(tags=["work"])


Day = Annotated[str, AfterValidator(no_nul), Field(max_length=40,
                                                     description="YYYY-MM-DD")]


# Schemas -------------------------------------------------------------------------------

class PostOut(Schema):
    id: int
    body: str
    name: str
    description: str
    holders: int = Field(description="People holding it at a time.")
    capable_needed: int = Field(description="Capable people it needs, or it is at risk.")
    weekdays: list[int] = Field(description="ISO weekdays it is held (1 = Monday).")
    active: bool
    capable: list[str] = Field(description="Members capable of it (or teaching it).")
    learning: list[str]
    confirmed: int = Field(description="How many of the capable are confirmed.")
    at_risk: bool


class PostIn(Input):
    name: Text = Field(max_length=200)
    description: Text = Field("", max_length=5000)
    holders: Integer = Field(1, ge=-1000, le=1000)
    capable_needed: Integer = Field(2, ge=-1000, le=1000)
    weekdays: list[Integer] | Text = Field(
        [1, 2, 3, 4, 5, 6, 7], description="ISO weekdays: [6] or \"6\" for Saturdays.")


class PostPatch(Input):
    name: text_up_to(200) | None = None
    description: text_up_to(5000) | None = None
    holders: Integer | None = Field(None, ge=-1000, le=1000)
    capable_needed: Integer | None = Field(None, ge=-1000, le=1000)
    weekdays: list[Integer] | Text | None = None
    active: bool | None = Field(None, strict=True)


class SkillOut(Schema):
    id: int
    post_id: int
    post: str
    person_id: int
    person: str
    level: str
    declared_at: datetime
    confirmed: bool
    confirmed_by: str | None
    confirmed_at: datetime | None


class SkillIn(Input):
    level: Text = Field(description="capable, learning or teaching.", max_length=40)
    person_id: Id | None = Field(None, description="Yourself; another member is refused.")


class UnavailabilityOut(Schema):
    id: int
    person_id: int
    person: str
    first_day: date
    last_day: date
    note: str = Field(description="Only to the person; empty for others.")


class UnavailabilityIn(Input):
    first_day: Day
    last_day: Day
    note: Text = Field("", max_length=1000)


class RotationSummary(Schema):
    id: int
    body: str
    first_day: date
    last_day: date
    max_streak: int
    status: str = Field(description="draft (a proposal), published or discarded.")
    published_at: datetime | None


class AssignmentOut(Schema):
    id: int
    day: date
    post_id: int
    post: str
    person_id: int
    person: str
    role: str = Field(description="holder or learner.")
    reason: str
    explanation: str = Field(description="Why this person, in plain words.")
    set_by_hand: bool


class GapOut(Schema):
    day: date
    post_id: int
    post: str
    missing: int
    reason: str
    explanation: str = Field(description="Why nobody (or not enough people) holds it.")


class LoadOut(Schema):
    person: str
    days: int
    longest_run: int


class RotationOut(RotationSummary):
    assignments: list[AssignmentOut]
    gaps: list[GapOut]
    warnings: list[str] = Field(description="Rules a hand edit bent (runs too long).")
    load: list[LoadOut]
    load_spread: int
    longest_run: int
    events: list[StatusEventOut] = Field(description="Proposed, published or discarded: by whom, "
                                               "when, why.")


class ProposeIn(Input):
    first_day: Day
    last_day: Day | None = None
    period: text_up_to(20) | None = Field(None, description="week or month, when "
                                                            "no last_day is given.")
    max_streak: Integer = Field(2, ge=-1000, le=1000)


class AssignIn(Input):
    day: Day
    post_id: Id
    person_id: Id
    role: Text = Field("holder", max_length=20)


class ReassignIn(Input):
    person_id: Id


class EditOut(Schema):
    assignment: AssignmentOut | None
    warnings: list[str]


class KnowledgeOut(Schema):
    id: int
    kind: str = Field(description="teach or learn.")
    post_id: int | None
    post: str | None
    topic: str
    created_at: datetime


class KnowledgeIn(Input):
    kind: Text = Field(max_length=20, description="teach or learn.")
    post_id: Id | None = None
    topic: Text = Field("", max_length=500)


class PersonOut(Schema):
    id: int
    name: str


class PairingOut(Schema):
    teacher: PersonOut
    learner: PersonOut
    subject: str = Field(description="post:<id> or topic:<key>.")
    label: str
    other_teachers: list[PersonOut]
    also: list[str] = Field(description="The learner's other wishes this teacher teaches.")


class TrainingOut(Schema):
    id: int
    teacher: PersonOut
    learner: PersonOut
    post_id: int | None
    topic: str
    starts_at: datetime
    ends_at: datetime
    place: str


class TrainingIn(Input):
    teacher_id: Id
    learner_id: Id
    post_id: Id | None = None
    topic: Text = Field("", max_length=500)
    starts_at: Moment
    ends_at: Moment
    place: Text = Field("", max_length=1000)


# What the caller may see: access.py (the pages' rules too) ----------------------------

def _day(text: str, field: str) -> date:
    return parse_day(text, field)


_local = clock.local


# Posts ---------------------------------------------------------------------------------

def _posts_out(body: Body, only: int | None = None) -> list[dict]:
    home = queries.work_home(body, None)
    rows = home.posts + [queries.PostRow(p) for p in home.retired]
    return [{"id": r.post.pk, "body": body.slug, "name": r.post.name,
             "description": r.post.description, "holders": r.post.holders,
             "capable_needed": r.post.capable_needed,
             "weekdays": [int(d) for d in r.post.weekdays], "active": r.post.active,
             "capable": [s.person.public_name for s in r.capable],
             "learning": [s.person.public_name for s in r.learning],
             "confirmed": r.confirmed_count, "at_risk": r.at_risk}
            for r in rows if only is None or r.post.pk == only]


@router.get("/bodies/{slug}/posts", response={200: list[PostOut], **refusals(403, 404)})
def list_posts(request, slug: str):
    return _posts_out(access.get_body_for(request.user, slug))


@router.post("/bodies/{slug}/posts", response={201: PostOut, **refusals(400, 403, 404, 409)})
def create_post(request, slug: str, payload: PostIn):
    body = access.get_body_for(request.user, slug)
    post = services.create_post(actor=request.user, body=body, name=payload.name,
                                description=payload.description, holders=payload.holders,
                                capable_needed=payload.capable_needed,
                                weekdays=payload.weekdays)
    return Status(201, _posts_out(body, post.pk)[0])


@router.patch("/posts/{post_id}", response={200: PostOut, **refusals(400, 403, 404, 409)})
def update_post(request, post_id: Id, payload: PostPatch):
    post = access.get_post_for(request.user, post_id)
    services.update_post(actor=request.user, post_id=post.pk, **payload.model_dump(
        exclude_unset=True))
    return _posts_out(post.body, post.pk)[0]


# Skills --------------------------------------------------------------------------------

def _skill_out(s: Skill) -> dict:
    return {"id": s.pk, "post_id": s.post_id, "post": s.post.name, "person_id": s.person_id,
            "person": s.person.public_name, "level": s.level,
            "declared_at": _local(s.declared_at), "confirmed": s.confirmed_at is not None,
            "confirmed_by": s.confirmed_by.public_name if s.confirmed_by else None,
            "confirmed_at": _local(s.confirmed_at)}


def _skills():
    return Skill.objects.select_related("post", "person", "confirmed_by")


@router.get("/bodies/{slug}/skills", response={200: list[SkillOut], **refusals(403, 404)})
def list_skills(request, slug: str):
    body = access.get_body_for(request.user, slug)
    return [_skill_out(s) for s in queries.member_skills(body)
            .select_related("post", "confirmed_by").order_by("post__name", "person_id")]


@router.put("/posts/{post_id}/skill", response={200: SkillOut, **refusals(400, 403, 404, 409)})
def declare_skill(request, post_id: Id, payload: SkillIn):
    """Declare (or change) your own level on a post."""
    post = access.get_post_for(request.user, post_id)
    skill = services.declare_skill(actor=request.user, post_id=post.pk, level=payload.level,
                                   person=payload.person_id)
    return _skill_out(_skills().get(pk=skill.pk))


@router.delete("/posts/{post_id}/skill", response={204: None, **refusals(403, 404)})
def withdraw_skill(request, post_id: Id):
    post = access.get_post_for(request.user, post_id)
    services.withdraw_skill(actor=request.user, post_id=post.pk)
    return Status(204, None)


@router.post("/skills/{skill_id}/confirm", response={200: SkillOut, **refusals(403, 404, 409)})
def confirm_skill(request, skill_id: Id):
    skill = access.get_skill_for(request.user, skill_id)
    services.confirm_skill(actor=request.user, skill_id=skill.pk)
    return _skill_out(_skills().get(pk=skill.pk))


# Unavailability ------------------------------------------------------------------------

def _unavailability_out(u: Unavailability, user) -> dict:
    return {"id": u.pk, "person_id": u.person_id, "person": u.person.public_name,
            "first_day": u.first_day, "last_day": u.last_day,
            "note": u.note if u.person_id == user.pk else ""}


@router.get("/bodies/{slug}/unavailability",
            response={200: list[UnavailabilityOut], **refusals(403, 404)})
def list_unavailability(request, slug: str):
    """Yours to come; the coordinators see everyone's (without their notes)."""
    body = access.get_body_for(request.user, slug)
    everyone = bool(permissions.can_organise_work(request.user, body))
    return [_unavailability_out(u, request.user)
            for u in queries.unavailability_of(body, request.user, everyone)]


@router.post("/bodies/{slug}/unavailability",
             response={201: UnavailabilityOut, **refusals(400, 403, 404)})
def declare_unavailability(request, slug: str, payload: UnavailabilityIn):
    body = access.get_body_for(request.user, slug)
    found = services.declare_unavailability(
        actor=request.user, body=body, first_day=_day(payload.first_day, "first_day"),
        last_day=_day(payload.last_day, "last_day"), note=payload.note)
    return Status(201, _unavailability_out(found, request.user))


@router.delete("/unavailability/{unavailability_id}", response={204: None, **refusals(403, 404)})
def withdraw_unavailability(request, unavailability_id: Id):
    found = access.get_unavailability_for(request.user, unavailability_id)
    services.withdraw_unavailability(actor=request.user, unavailability_id=found.pk)
    return Status(204, None)


# Rotations -----------------------------------------------------------------------------

def _summary(r: Rotation) -> dict:
    return {"id": r.pk, "body": r.body.slug, "first_day": r.first_day,
            "last_day": r.last_day, "max_streak": r.max_streak, "status": r.status,
            "published_at": _local(r.published_at)}


def _rotation_out(rotation: Rotation) -> dict:
    return _summary(rotation) | queries.rotation_data(rotation)


@router.get("/bodies/{slug}/rotations", response={200: list[RotationSummary], **refusals(403, 404)})
def list_rotations(request, slug: str):
    body = access.get_body_for(request.user, slug)
    return [_summary(r) for r in queries.rotations_of(body)]


@router.post("/bodies/{slug}/rotations",
             response={201: RotationOut, **refusals(400, 403, 404, 409)})
def propose_rotation(request, slug: str, payload: ProposeIn):
    """The planner's proposal: who holds each post each day and why, and the posts it
    could not cover and why. Replaces a proposal over the same days."""
    body = access.get_body_for(request.user, slug)
    rotation = services.propose_rotation(
        actor=request.user, body=body, first_day=_day(payload.first_day, "first_day"),
        last_day=_day(payload.last_day, "last_day") if payload.last_day else None,
        period=payload.period, max_streak=payload.max_streak)
    return Status(201, _rotation_out(rotation))


@router.get("/rotations/{rotation_id}", response={200: RotationOut, **refusals(403, 404)})
def get_rotation(request, rotation_id: Id):
    return _rotation_out(access.get_rotation_for(request.user, rotation_id))


def _edit_out(rotation: Rotation, edit: services.Edit) -> dict:
    assignment = None
    if edit.assignment is not None:
        data = queries.rotation_data(rotation)
        assignment = next(a for a in data["assignments"] if a["id"] == edit.assignment.pk)
    return {"assignment": assignment, "warnings": edit.warnings}


@router.post("/rotations/{rotation_id}/assignments",
             response={201: EditOut, **refusals(400, 403, 404, 409)})
def assign(request, rotation_id: Id, payload: AssignIn):
    """Place a member by hand on a proposal (refused if it breaks a hard rule; a run
    longer than allowed comes back as a warning)."""
    rotation = access.get_rotation_for(request.user, rotation_id)
    edit = services.assign_by_hand(actor=request.user, rotation_id=rotation.pk,
                                   day=_day(payload.day, "day"), post_id=payload.post_id,
                                   person_id=payload.person_id, role=payload.role)
    return Status(201, _edit_out(rotation, edit))


@router.patch("/rotations/{rotation_id}/assignments/{assignment_id}",
              response={200: EditOut, **refusals(400, 403, 404, 409)})
def reassign(request, rotation_id: Id, assignment_id: Id, payload: ReassignIn):
    rotation = access.get_rotation_for(request.user, rotation_id)
    edit = services.reassign(actor=request.user, rotation_id=rotation.pk,
                             assignment_id=assignment_id, person_id=payload.person_id)
    return _edit_out(rotation, edit)


@router.delete("/rotations/{rotation_id}/assignments/{assignment_id}",
               response={200: EditOut, **refusals(400, 403, 404, 409)})
def remove_assignment(request, rotation_id: Id, assignment_id: Id):
    rotation = access.get_rotation_for(request.user, rotation_id)
    edit = services.remove_assignment(actor=request.user, rotation_id=rotation.pk,
                                      assignment_id=assignment_id)
    return _edit_out(rotation, edit)


@router.post("/rotations/{rotation_id}/publish",
             response={200: RotationOut, **refusals(403, 404, 409)})
def publish_rotation(request, rotation_id: Id):
    rotation = access.get_rotation_for(request.user, rotation_id)
    services.publish_rotation(actor=request.user, rotation_id=rotation.pk)
    return _rotation_out(access.get_rotation_for(request.user, rotation_id))


@router.delete("/rotations/{rotation_id}", response={204: None, **refusals(403, 404, 409)})
def discard_rotation(request, rotation_id: Id):
    """Discard a proposal: no longer listed, kept with its history (a published
    rotation stays: 409)."""
    rotation = access.get_rotation_for(request.user, rotation_id)
    services.discard_rotation(actor=request.user, rotation_id=rotation.pk)
    return Status(204, None)


# Teach and learn -----------------------------------------------------------------------

def _knowledge_out(k: Knowledge) -> dict:
    return {"id": k.pk, "kind": k.kind, "post_id": k.post_id,
            "post": k.post.name if k.post else None, "topic": k.topic,
            "created_at": _local(k.created_at)}


@router.get("/bodies/{slug}/knowledge",
            response={200: list[KnowledgeOut], **refusals(400, 403, 404)})
def my_knowledge(request, slug: str):
    """Your teach and learn lists in this cooperative."""
    cooperative = access.get_cooperative_for(request.user, slug)
    return [_knowledge_out(k) for k in queries.knowledge_of(cooperative, request.user)]


@router.post("/bodies/{slug}/knowledge",
             response={201: KnowledgeOut, **refusals(400, 403, 404, 409)})
def add_knowledge(request, slug: str, payload: KnowledgeIn):
    cooperative = access.get_cooperative_for(request.user, slug)
    line = services.add_knowledge(actor=request.user, cooperative=cooperative,
                                  kind=payload.kind, post_id=payload.post_id,
                                  topic=payload.topic)
    return Status(201, _knowledge_out(line))


@router.delete("/knowledge/{knowledge_id}", response={204: None, **refusals(403, 404)})
def remove_knowledge(request, knowledge_id: Id):
    line = access.get_knowledge_for(request.user, knowledge_id)
    services.remove_knowledge(actor=request.user, knowledge_id=line.pk)
    return Status(204, None)


@router.get("/bodies/{slug}/pairings", response={200: list[PairingOut], **refusals(400, 403, 404)})
def pairings(request, slug: str):
    """Suggested pairs: every wish to learn with a teacher, the teaching spread."""
    cooperative = access.get_cooperative_for(request.user, slug)
    return [{"teacher": {"id": s.teacher_id, "name": s.teacher},
             "learner": {"id": s.learner_id, "name": s.learner}, "subject": s.subject,
             "label": s.label,
             "other_teachers": [{"id": i, "name": n} for i, n in s.others], "also": s.also}
            for s in queries.suggestions(cooperative)]


def _training_out(t: TrainingSession) -> dict:
    return {"id": t.pk, "teacher": {"id": t.teacher_id, "name": t.teacher.public_name},
            "learner": {"id": t.learner_id, "name": t.learner.public_name},
            "post_id": t.post_id, "topic": t.topic, "starts_at": _local(t.starts_at),
            "ends_at": _local(t.ends_at), "place": t.place}


@router.get("/bodies/{slug}/training-sessions",
            response={200: list[TrainingOut], **refusals(400, 403, 404)})
def training_sessions(request, slug: str):
    """Sessions to come in the cooperative."""
    cooperative = access.get_cooperative_for(request.user, slug)
    return [_training_out(t) for t in queries.upcoming_sessions(cooperative)]


@router.post("/bodies/{slug}/training-sessions",
             response={201: TrainingOut, **refusals(400, 403, 404, 409)})
def schedule_training(request, slug: str, payload: TrainingIn):
    cooperative = access.get_cooperative_for(request.user, slug)
    session = services.schedule_training(
        actor=request.user, cooperative=cooperative, teacher_id=payload.teacher_id,
        learner_id=payload.learner_id, starts_at=payload.starts_at, ends_at=payload.ends_at,
        post_id=payload.post_id, topic=payload.topic, place=payload.place)
    return Status(201, _training_out(TrainingSession.objects.select_related(
        "teacher", "learner").get(pk=session.pk)))


@router.delete("/training-sessions/{session_id}", response={204: None, **refusals(403, 404, 409)})
def cancel_training(request, session_id: Id):
    session = access.get_training_for(request.user, session_id)
    services.cancel_training(actor=request.user, session_id=session.pk)
    return Status(204, None)

