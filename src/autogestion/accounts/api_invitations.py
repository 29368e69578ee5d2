"""Invitations through the API: the same permissions, messages and answers as the pages
(accounts/views.py). The token is the credential of an invitation: whoever holds it
reads who invites them where (GET) and accepts it when signed in (POST)."""

from datetime import datetime
from typing import Literal

from ninja import Field, Router, Schema, Status

from autogestion.cooperatives import access as bodies
from autogestion.core import clock
from autogestion.core.api import public
from autogestion.core.api_schemas import Input, Integer, refusals, text_up_to
from autogestion.core.api_types import Id

from . import access, queries, services
from . import rules as invitation_rules
from .models import Invitation

router = Router(tags=["invitations"])


class AcceptanceOut(Schema):
    person: str
    accepted_at: datetime


class InvitationOut(Schema):
    id: int
    body: str
    kind: str
    email: str = Field(description="The address invited; empty for a link.")
    college: str | None
    invited_by: str | None
    max_uses: int
    uses: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None
    state: Literal["open", "used_up", "expired", "revoked"]
    acceptances: list[AcceptanceOut] = []


class NewInvitationOut(Schema):
    invitation: InvitationOut
    url: str = Field(description="The invitation's link, given only in this answer (and, "
                                 "for an e-mail invitation, in the e-mail): only its hash "
                                 "is kept.")


class InvitationIn(Input):
    kind: Literal["email", "link"]
    email: text_up_to(254) = ""
    college_id: Id | None = None
    max_uses: Integer | None = Field(None, ge=1, le=invitation_rules.MAX_USES,
                                     description="A link's number of uses (default 1); "
                                                 "an e-mail invitation serves once.")
    valid_days: Integer | None = Field(None, ge=1, le=invitation_rules.MAX_DAYS,
                                       description="Days until it expires (default 14).")


class InvitationView(Schema):
    body: str
    body_name: str
    invited_by: str | None
    college: str | None
    for_email: bool = Field(description="Sent to one address: only an account holding "
                                        "that address, confirmed, accepts it.")
    expires_at: datetime
    state: Literal["open"]


class AcceptIn(Input):
    college_id: Id | None = None


class JoinedOut(Schema):
    body: str
    status: str
    role: str
    college: str | None
    joined_at: datetime | None


def _out(invitation: Invitation, state: str | None = None) -> dict:
    return {
        "id": invitation.pk, "body": invitation.body.slug, "kind": invitation.kind,
        "email": invitation.email,
        "college": invitation.college.name if invitation.college_id else None,
        "invited_by": invitation.invited_by.public_name if invitation.invited_by else None,
        "max_uses": invitation.max_uses, "uses": invitation.uses,
        "created_at": clock.local(invitation.created_at),
        "expires_at": clock.local(invitation.expires_at),
        "revoked_at": clock.local(invitation.revoked_at),
        "revoked_by": invitation.revoked_by.public_name if invitation.revoked_by else None,
        "state": state or services.invitation_state(invitation),
        "acceptances": [{"person": u.person.public_name,
                         "accepted_at": clock.local(u.accepted_at)}
                        for u in invitation.acceptances.all()],
    }


@router.get("/bodies/{slug}/invitations",
            response={200: list[InvitationOut], **refusals(403, 404)})
def list_invitations(request, slug: str):
    """The body's invitations, newest first: all of them for its coordinators (and
    operators), one's own for another member who may invite (any member of an open
    body; in a closed body only its coordinators invite)."""
    body = access.get_body_to_invite(request.user, slug)
    return [_out(row.invitation, row.state)
            for row in queries.invitations_of_body(body, request.user)]


@router.post("/bodies/{slug}/invitations",
             response={201: NewInvitationOut, **refusals(400, 403, 404)})
def create_invitation(request, slug: str, payload: InvitationIn):
    """Invite by e-mail (`email`: one address, one use, sent by e-mail) or make a link
    (`max_uses` people). A body with colleges may name the college (`college_id`);
    otherwise the person invited chooses it."""
    body = access.get_body_to_invite(request.user, slug)
    college = (bodies.find_college(payload.college_id)
               if payload.college_id is not None else None)
    invitation, raw = services.create_invitation(
        actor=request.user, body=body, kind=payload.kind, email=payload.email,
        college=college, max_uses=payload.max_uses, valid_days=payload.valid_days)
    return Status(201, {"invitation": _out(invitation), "url": services.invitation_url(raw)})


@router.post("/bodies/{slug}/invitations/{invitation_id}/revoke",
             response={200: InvitationOut, **refusals(403, 404, 409)})
def revoke_invitation(request, slug: str, invitation_id: Id):
    """Withdraw an open invitation: who made it, or a coordinator of the body. Those
    who came in through it stay members."""
    invitation = access.get_invitation_for(request.user, slug, invitation_id)
    return _out(services.revoke_invitation(actor=request.user,
                                           invitation_id=invitation.pk))


@router.get("/invitations/{token}", response={200: InvitationView, **refusals(404, 410)},
            auth=public)
def get_invitation(request, token: str):
    """Who invites, into what, until when. 410 when it serves no more (revoked, used
    up, expired): ask for a new one."""
    invitation = access.find_invitation(token)
    state = services.invitation_state(invitation)
    if state != "open":
        raise services.InvitationGone(services.gone_message(state, invitation))
    return {"body": invitation.body.slug, "body_name": invitation.body.name,
            "invited_by": invitation.invited_by.public_name if invitation.invited_by
            else None,
            "college": invitation.college.name if invitation.college_id else None,
            "for_email": bool(invitation.email),
            "expires_at": clock.local(invitation.expires_at), "state": state}


@router.post("/invitations/{token}/accept",
             response={201: JoinedOut, **refusals(400, 403, 404, 409, 410)})
def accept_invitation(request, token: str, payload: AcceptIn | None = None):
    """Join the invitation's body: an active membership at once, closed body or not.
    403 when it was sent to an address you have not confirmed; 409 when you are
    already a member; 410 when it serves no more."""
    college_id = payload.college_id if payload else None
    college = bodies.find_college(college_id) if college_id is not None else None
    membership = services.accept_invitation(person=request.user, token=token,
                                            college=college)
    return Status(201, {"body": membership.body.slug, "status": membership.status,
                        "role": membership.role,
                        "college": membership.college.name if membership.college else None,
                        "joined_at": clock.local(membership.joined_at)})
