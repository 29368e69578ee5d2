"""The person's own data through the API: profile, memberships, export, API tokens."""

from datetime import datetime
from typing import Literal

from ninja import Router, Schema, Status

from autogestion.cooperatives.queries import memberships_for_profile
from autogestion.core.api_schemas import Input, refusals, text_up_to
from autogestion.core.api_types import Id, Text

from . import services

router = Router(tags=["me"])


class ProfileOut(Schema):
    id: int
    email: str
    display_name: str
    first_name: str
    last_name: str
    phone: str
    bio: str
    language: str
    time_zone: str
    email_reminders: bool


class ProfileIn(Input):
    display_name: text_up_to(150) | None = None
    first_name: text_up_to(150) | None = None
    last_name: text_up_to(150) | None = None
    phone: text_up_to(40) | None = None
    bio: Text | None = None
    language: text_up_to(8) | None = None
    # A zone of the IANA database, such as "Europe/Paris": e-mails give times in it.
    time_zone: text_up_to(64) | None = None
    email_reminders: bool | None = None


class MyMembershipOut(Schema):
    body: str
    body_name: str
    status: str
    role: str
    joined_at: datetime | None
    left_at: datetime | None


@router.get("", response=ProfileOut)
def me(request):
    return request.user


@router.patch("", response={200: ProfileOut, **refusals(400)})
def update_me(request, payload: ProfileIn):
    fields = payload.dict(exclude_none=True)
    return services.update_profile(person=request.user, **fields)


@router.get("/memberships", response=list[MyMembershipOut])
def my_memberships(request):
    return [
        {"body": m.body.slug, "body_name": m.body.name, "status": m.status, "role": m.role,
         "joined_at": m.joined_at, "left_at": m.left_at}
        for m in memberships_for_profile(request.user)
    ]


@router.get("/export")
def export(request):
    """All personal data held about you, as JSON."""
    return services.export_personal_data(request.user)


class TokenOut(Schema):
    id: int
    name: str
    hint: str
    scope: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIn(Input):
    name: Text
    scope: Literal["read", "full"]


class NewTokenOut(Schema):
    token: TokenOut
    secret: str


@router.get("/tokens", response=list[TokenOut])
def my_tokens(request):
    """Your API tokens, revoked ones included, newest first."""
    return request.user.api_tokens.all()


@router.post("/tokens", response={201: NewTokenOut, **refusals(400)})
def create_token(request, payload: TokenIn):
    """A new token. `secret` is shown in this answer only: keep it. A "read" token is
    refused (403) on every POST, PUT, PATCH and DELETE."""
    token, raw = services.create_api_token(person=request.user, name=payload.name,
                                           scope=payload.scope)
    return Status(201, {"token": token, "secret": raw})


@router.delete("/tokens/{token_id}", response={200: TokenOut, **refusals(404)})
def revoke_token(request, token_id: Id):
    """Revokes one of your tokens; it is kept in the list as revoked."""
    return services.revoke_api_token(person=request.user, token_id=token_id)
