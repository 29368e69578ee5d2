"""Bodies and membership through the API: same permissions and messages as the pages."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from autogestion.core.api import public
from autogestion.core.api_schemas import Input, StatusEventOut, refusals, text_up_to
from autogestion.core.api_types import Id, Text
from autogestion.core.errors import NotFound
from autogestion.core.history import event_out
from autogestion.core.inputs import parse_amount

from . import access, founding, permissions, queries, services
from .models import Body, BodyKind, LegalForm, MembershipRole
from .rules import Kind

router = Router(tags=["bodies"])


class BodySummary(Schema):
    slug: str
    name: str
    kind: str
    is_open: bool
    parent: str | None
    # proposed (a group waiting for its parent's ratification), active, dissolved.
    status: str = "active"
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
    groups_need_ratification: bool = False
    # Founded, ratified, moved, dissolved (for those who see the body's details).
    history: list[StatusEventOut] = []
    # A SCOP's employee shares broken by its current members (R5), in words.
    scop_warnings: list[str] = []


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
            "parent": parent_slug, "status": body.status}
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
        groups_need_ratification=page.body.groups_need_ratification,
        history=[event_out(e) for e in page.events], scop_warnings=page.scop_warnings,
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


# Founding and editing -------------------------------------------------------------------

class FoundIn(Input):
    kind: BodyKind = Field(description="network or cooperative at the top or inside a "
                           "network; group inside a cooperative or group.")
    name: text_up_to(150, min_length=1)
    slug: text_up_to(80) = ""
    legal_form: LegalForm | None = Field(None, description="For a cooperative.")
    description: text_up_to(10_000) = ""
    place: text_up_to(255) = ""
    rhythm: text_up_to(255) = ""
    is_open: bool = True


class FoundOut(BodySummary):
    # The ratification put to the parent, when its rules ask for one.
    ratification_proposal: int | None = None


def _found(request, parent, payload: FoundIn):
    body, proposal = founding.found_body(
        actor=request.user, parent=parent, kind=payload.kind, name=payload.name,
        slug=payload.slug, legal_form=payload.legal_form or "",
        description=payload.description, place=payload.place, rhythm=payload.rhythm,
        is_open=payload.is_open)
    body.member_count = 1 if body.memberships.filter(status="active").exists() else 0
    data = _summary(body, True)
    data["ratification_proposal"] = proposal.pk if proposal else None
    return Status(201, data)


@router.post("/bodies", response={201: FoundOut, **refusals(400, 403, 409)})
def create_body(request, payload: FoundIn):
    """Operators found a top-level network or cooperative; they become its first
    coordinator."""
    return _found(request, None, payload)


@router.post("/bodies/{slug}/children", response={201: FoundOut, **refusals(400, 403, 404, 409)})
def found_inside(request, slug: str, payload: FoundIn):
    """Found a body inside this one: a group (any active member of the cooperative or
    group, R17), or inside a network a cooperative or network (its coordinators). Where
    the parent ratifies its groups, the group is proposed and the ratification is put
    to the parent as a proposal (`ratification_proposal`)."""
    parent = access.get_body_for(
        request.user, slug,
        may=lambda u, b: (permissions.can_manage_body(u, b) if b.kind == Kind.NETWORK
                          else permissions.can_found_group(u, b)),
        refusal=_("Only members of %(body)s found groups inside it; inside a network, "
                  "its coordinators create cooperatives."))
    return _found(request, parent, payload)


class BodyChangeIn(Input):
    name: text_up_to(150, min_length=1) | None = None
    description: text_up_to(10_000) | None = None
    place: text_up_to(255) | None = None
    rhythm: text_up_to(255) | None = None
    is_open: bool | None = None


@router.patch("/bodies/{slug}", response={200: BodySummary, **refusals(400, 403, 404, 409)})
def update_body(request, slug: str, payload: BodyChangeIn):
    """Coordinators change their body's name, description, place, rhythm, openness (the
    fields sent)."""
    body = access.get_body_to_manage(request.user, slug)
    fields = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    body = services.update_body(actor=request.user, body=body, **fields)
    return _summary(body, True, member_count=queries.body_page(
        body, request.user, progress_limit=0, with_children=False).member_count)


# Colleges ---------------------------------------------------------------------------------

class CollegeIn(Input):
    id: Id | None = Field(None, description="An existing college; none for a new one.")
    name: text_up_to(100)
    weight_percent: int = Field(description="From 10 to 50; the set adds up to 100.")


class CollegesIn(Input):
    colleges: list[CollegeIn] = Field(description="The whole set: colleges left out are "
                                      "removed (refused while they have members).")



@router.put("/bodies/{slug}/colleges",
            response={200: list[CollegeOut], **refusals(400, 403, 404, 409)})
def set_colleges(request, slug: str, payload: CollegesIn):
    """A cooperative's colleges as one set, checked as a set (each 10-50 %, together
    100 %) and saved at once: one refused value and nothing changes."""
    body = access.get_cooperative_to_manage(request.user, slug,
                                            _("Only a cooperative has colleges."))
    saved = services.set_colleges(actor=request.user, cooperative=body,
                                  colleges=[c.dict() for c in payload.colleges])
    return [{"id": c.pk, "name": c.name, "weight_percent": c.weight_percent} for c in saved]


# Roles and colleges of members ------------------------------------------------------------

class MemberRoleIn(Input):
    person_id: Id
    role: MembershipRole


class MemberCollegeIn(Input):
    person_id: Id
    college_id: Id


class ChangeOut(Schema):
    person: str
    kind: str = Field(description="role_changed, college_changed or capital_changed.")
    note: str = Field(description="From what to what, e.g. \"member → coordinator\".")
    by: str | None
    at: datetime


def _member_out(body, person, viewer) -> dict:
    return next(r for r in queries.directory(body, viewer) if r["id"] == person.pk)


@router.put("/bodies/{slug}/roles", response={200: MemberOut, **refusals(400, 403, 404, 409)})
def set_role(request, slug: str, payload: MemberRoleIn):
    """Coordinators change a member's role; the change is kept in the history."""
    body = access.get_body_to_manage(request.user, slug)
    person = access.find_member(body, payload.person_id)
    services.set_member_role(actor=request.user, body=body, person=person, role=payload.role)
    return _member_out(body, person, request.user)


@router.get("/bodies/{slug}/roles", response={200: list[ChangeOut], **refusals(403, 404)})
def role_history(request, slug: str):
    """The history of role, college and capital changes in the body, newest first."""
    body = access.get_body_to_manage(request.user, slug)
    return [{"person": e.membership.person.public_name, "kind": e.kind, "note": e.note,
             "by": e.actor.public_name if e.actor else None, "at": e.at}
            for e in queries.role_history(body)]


@router.put("/bodies/{slug}/member-college",
            response={200: MemberOut, **refusals(400, 403, 404, 409)})
def set_member_college(request, slug: str, payload: MemberCollegeIn):
    """Coordinators move a member to another college; the history keeps "A → B"."""
    body = access.get_cooperative_to_manage(request.user, slug,
                                            _("Only a cooperative has colleges."))
    person = access.find_member(body, payload.person_id)
    college = body.colleges.filter(pk=payload.college_id).first()
    if college is None:
        raise NotFound(_("This college does not belong to this cooperative."))
    services.change_member_college(actor=request.user, body=body, person=person,
                                   college=college)
    return _member_out(body, person, request.user)


# A SCOP's capital and employees -----------------------------------------------------------

class PartnerOut(Schema):
    id: int
    name: str
    capital: str = Field(description="Euros, e.g. \"500.00\".")
    is_employee: bool


class CapitalOut(Schema):
    members: int
    employees: int
    employee_vote_percent: float
    capital: str
    employee_capital_percent: float
    warnings: list[str] = Field(description="The law's employee shares the current "
                                "members break (SCOP: 65 % of votes, 51 % of capital).")
    partners: list[PartnerOut]


class CapitalIn(Input):
    person_id: Id
    capital: text_up_to(40) = Field(description="Euros, e.g. \"500\" or \"500.50\".")
    is_employee: bool


def _capital(body) -> dict:
    shares = queries.scop_shares_of(body)
    return {"members": shares.members, "employees": shares.employees,
            "employee_vote_percent": round(shares.employee_vote_percent, 2),
            "capital": f"{shares.capital_cents // 100}.{shares.capital_cents % 100:02d}",
            "employee_capital_percent": round(shares.employee_capital_percent, 2),
            "warnings": queries.scop_share_warnings(body),
            "partners": [{"id": m.person_id, "name": m.person.public_name,
                          "capital": m.capital_euros, "is_employee": m.is_employee}
                         for m in queries.capital_rows(body)]}


@router.get("/bodies/{slug}/capital", response={200: CapitalOut, **refusals(403, 404)})
def get_capital(request, slug: str):
    """The capital held by each member and who is an employee, with the shares."""
    return _capital(access.get_cooperative_to_manage(
        request.user, slug, _("Only a cooperative records its members' capital.")))


@router.put("/bodies/{slug}/capital", response={200: CapitalOut, **refusals(400, 403, 404)})
def set_capital(request, slug: str, payload: CapitalIn):
    """Coordinators record a member's capital and employee status (kept in history)."""
    body = access.get_cooperative_to_manage(request.user, slug,
                                  _("Only a cooperative records its members' capital."))
    person = access.find_member(body, payload.person_id)
    cents = parse_amount(payload.capital, 2, "capital", zero=True)
    services.set_member_capital(actor=request.user, body=body, person=person,
                                capital_cents=cents, is_employee=payload.is_employee)
    return _capital(body)
