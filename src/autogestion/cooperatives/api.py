"""Bodies and membership through the API: same permissions and messages as the pages."""

from datetime import datetime

from ninja import Field, Router, Schema, Status

from autogestion.core.api import public
from autogestion.core.api_schemas import Input, refusals
from autogestion.core.api_types import Id, Text

from . import access, queries, services
from .models import Body

router = Router(tags=["bodies"])


class BodySummary(Schema):
    slug: str
    name: str
    kind: str
    is_open: bool
    parent: str | None
    # Closed bodies show only that they exist (R2): the fields below are then empty.
    description: str | None = None
    place: str | None = None
    rhythm: str | None = None
    legal_form: str | None = None
    member_count: int | None = None


class CollegeOut(Schema):
    id: int
    name: str
    weight_percent: int


class ProgressOut(Schema):
    text: str
    author: str | None
    created_at: datetime


class BodyDetail(BodySummary):
    ancestors: list[str]
    children: list[BodySummary]
    colleges: list[CollegeOut] = []
    progress_updates: list[ProgressOut] = []
    my_status: str | None = None
    my_role: str | None = None


class MemberOut(Schema):
    id: int
    name: str
    role: str
    college: str | None
    joined_at: datetime | None
    email: str | None = None
    phone: str | None = None


class MembershipRequestOut(Schema):
    id: int
    person: str
    email: str | None
    message: str
    college: str | None
    requested_at: datetime


class MembershipEventOut(Schema):
    kind: str
    by: str | None
    note: str
    at: datetime


class MembershipOut(Schema):
    id: int
    body: str
    status: str
    role: str
    college: str | None
    joined_at: datetime | None
    left_at: datetime | None
    # The stint's history, oldest first: requested, joined, accepted, role changed, left.
    events: list[MembershipEventOut] = []


class JoinIn(Input):
    college_id: Id | None = None
    message: Text = ""


class DeclineIn(Input):
    reason: Text = Field("", max_length=255)


class ProgressIn(Input):
    text: Text


def _summary(body: Body, visible: bool, member_count: int | None = None) -> dict:
    parent_slug = body.parent.slug if body.parent_id and body.parent else None
    data = {"slug": body.slug, "name": body.name, "kind": body.kind, "is_open": body.is_open,
            "parent": parent_slug}
    if visible:
        data.update(description=body.description, place=body.place, rhythm=body.rhythm,
                    legal_form=body.legal_form or None,
                    member_count=member_count if member_count is not None
                    else getattr(body, "member_count", None))
    return data


def _membership(m) -> dict:
    return {"id": m.pk, "body": m.body.slug, "status": m.status, "role": m.role,
            "college": m.college.name if m.college else None, "joined_at": m.joined_at,
            "left_at": m.left_at,
            "events": [{"kind": e.kind, "by": e.actor.public_name if e.actor else None,
                        "note": e.note, "at": e.at} for e in queries.membership_history(m)]}


@router.get("/bodies", response=list[BodySummary], auth=public)
def list_bodies(request, kind: str | None = None):
    """Every body of the tree. Closed ones show only their name and that they exist."""
    listed = queries.body_list(request.user, kind=kind)
    return [_summary(b, b.pk in listed.visible) for b in listed.bodies]


@router.get("/bodies/{slug}", response={200: BodyDetail, **refusals(404)}, auth=public)
def get_body(request, slug: str):
    page = queries.body_page(access.find_body(slug), request.user)
    data = _summary(page.body, page.can_view, member_count=page.member_count)
    data.update(
        ancestors=[a.slug for a in page.ancestors],
        children=[_summary(c, c.pk in page.visible_children) for c in page.children],
        colleges=[{"id": c.pk, "name": c.name, "weight_percent": c.weight_percent}
                  for c in page.colleges],
        progress_updates=[{"text": u.text, "author": u.author.public_name if u.author else None,
                           "created_at": u.created_at} for u in page.progress_updates],
        my_status=page.my_status, my_role=page.my_role,
    )
    return data


@router.get("/bodies/{slug}/members", response={200: list[MemberOut], **refusals(403, 404)},
            auth=public)
def list_members(request, slug: str):
    return queries.directory(access.get_directory_for(request.user, slug), request.user)


@router.post("/bodies/{slug}/progress", response={201: ProgressOut, **refusals(400, 403, 404)})
def post_progress(request, slug: str, payload: ProgressIn):
    body = access.get_body_for_progress(request.user, slug)
    update = services.post_progress_update(actor=request.user, body=body, text=payload.text)
    return Status(201, {"text": update.text, "author": request.user.public_name,
                 "created_at": update.created_at})


@router.post("/bodies/{slug}/join", response={201: MembershipOut, **refusals(400, 403, 404, 409)})
def join(request, slug: str, payload: JoinIn):
    body = access.find_body(slug)
    college = access.find_college(payload.college_id) if payload.college_id is not None \
        else None
    membership = services.join_body(person=request.user, body=body, college=college,
                                    message=payload.message)
    return Status(201, _membership(membership))


@router.post("/bodies/{slug}/leave", response={200: MembershipOut, **refusals(400, 404, 409)})
def leave(request, slug: str):
    return _membership(services.leave_body(person=request.user, body=access.find_body(slug)))


@router.get("/bodies/{slug}/requests",
            response={200: list[MembershipRequestOut], **refusals(403, 404)})
def list_requests(request, slug: str):
    body = access.get_body_for_requests(request.user, slug)
    return [
        {"id": m.pk, "person": m.person.public_name, "email": m.person.email,
         "message": m.message, "college": m.college.name if m.college else None,
         "requested_at": m.requested_at}
        for m in queries.pending_requests(body)
    ]


@router.post("/memberships/{membership_id}/accept",
             response={200: MembershipOut, **refusals(400, 403, 404, 409)})
def accept(request, membership_id: int):
    membership = access.get_membership_for(request.user, membership_id)
    return _membership(services.accept_membership_request(actor=request.user,
                                                          membership_id=membership.pk))


@router.post("/memberships/{membership_id}/decline",
             response={200: MembershipOut, **refusals(400, 403, 404, 409)})
def decline(request, membership_id: int, payload: DeclineIn | None = None):
    membership = access.get_membership_for(request.user, membership_id)
    return _membership(services.decline_membership_request(
        actor=request.user, membership_id=membership.pk,
        reason=payload.reason if payload else ""))
