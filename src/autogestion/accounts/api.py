"""The person's own data through the API: profile, memberships, export."""

from datetime import datetime

from ninja import Router, Schema

from autogestion.cooperatives.queries import memberships_for_profile

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
    email_reminders: bool


class ProfileIn(Schema):
    display_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    bio: str | None = None
    language: str | None = None
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


@router.patch("", response=ProfileOut)
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
