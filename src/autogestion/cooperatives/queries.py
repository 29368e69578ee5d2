"""Reads for pages and the API, each with a fixed number of queries whatever the size
of the cooperative (no N+1)."""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from . import permissions
from .models import Body, Membership, MembershipEvent
from .rules import Role, Status


def bodies_with_counts():
    return Body.objects.select_related("parent").with_member_count().order_by("path")


@dataclass
class BodyList:
    """The tree of bodies as the list page and `GET /api/bodies` show it."""

    bodies: list[Body]
    visible: set[int]  # whose details (member count, rhythm) the viewer sees
    mine: set[int]  # where the viewer is an active member


def body_list(user, kind: str | None = None) -> BodyList:
    bodies = bodies_with_counts()
    if kind:
        bodies = bodies.filter(kind=kind)
    bodies = list(bodies)
    return BodyList(
        bodies=bodies,
        visible={b.pk for b in bodies if permissions.can_view_body_details(user, b)},
        mine=permissions.active_body_ids(user),
    )


@dataclass
class BodyPage:
    body: Body
    ancestors: list[Body]
    children: list[Body]
    colleges: list = field(default_factory=list)
    progress_updates: list = field(default_factory=list)
    member_count: int = 0
    my_status: str | None = None
    my_role: str | None = None
    pending_count: int = 0
    # What the viewer may see and do here (R2).
    can_view: bool = False
    can_manage: bool = False
    can_post: bool = False
    can_directory: bool = False
    visible_children: set = field(default_factory=set)  # whose figures the viewer sees


def body_page(body: Body, user, progress_limit: int = 20, with_children: bool = True
              ) -> BodyPage:
    children = []
    if with_children:
        children = list(Body.objects.filter(parent=body).select_related("parent")
                        .with_member_count().order_by("name"))
    page = BodyPage(body=body, ancestors=body.ancestors(), children=children)
    page.visible_children = {c.pk for c in children
                             if permissions.can_view_body_details(user, c)}
    status_role = permissions.memberships_of(user).get(body.pk)
    if status_role:
        page.my_status, page.my_role = status_role
    page.can_view = bool(permissions.can_view_body_details(user, body))
    page.can_manage = bool(permissions.can_manage_body(user, body))
    page.can_post = bool(permissions.can_post_progress(user, body))
    page.can_directory = bool(permissions.can_view_directory(user, body))
    if not page.can_view:
        return page
    counts = Membership.objects.filter(body=body).aggregate(
        active=Count("pk", filter=Q(status=Status.ACTIVE)),
        pending=Count("pk", filter=Q(status=Status.PENDING)),
    )
    page.member_count = counts["active"]
    if page.can_manage:
        page.pending_count = counts["pending"]
    page.colleges = list(body.colleges.all()) if body.kind == "cooperative" else []
    page.progress_updates = list(
        body.progress_updates.select_related("author")[:progress_limit]
    )
    return page


def directory(body: Body, viewer) -> list[dict]:
    """Active members of a body. E-mail and phone only for the person themself and for
    coordinators of this body (R2)."""
    sees_all = permissions.can_manage_body(viewer, body)
    rows = []
    for m in (Membership.objects.filter(body=body, status=Status.ACTIVE)
              .select_related("person", "college")
              .order_by("person__display_name", "person__last_name", "pk")):
        personal = sees_all or (viewer.is_authenticated and viewer.pk == m.person_id)
        rows.append({
            "id": m.person_id,
            "name": m.person.public_name,
            "role": m.role,
            "role_label": m.get_role_display(),
            "college": m.college.name if m.college else None,
            "joined_at": m.joined_at,
            "email": m.person.email if personal else None,
            "phone": (m.person.phone or None) if personal else None,
        })
    return rows


def pending_requests(body: Body):
    return (Membership.objects.filter(body=body, status=Status.PENDING)
            .select_related("person", "college").order_by("requested_at"))


def membership_history(membership):
    """A stint's events, oldest first, with who caused each."""
    return (MembershipEvent.objects.filter(membership=membership).select_related("actor")
            .order_by("at", "pk"))


def memberships_for_profile(person):
    return (Membership.objects.filter(person=person)
            .select_related("body", "college").order_by("-requested_at"))


def coordinators_of(body_ids) -> dict[int, list]:
    result: dict[int, list] = {}
    for m in (Membership.objects.filter(body_id__in=body_ids, status=Status.ACTIVE,
                                        role=Role.COORDINATOR).select_related("person")):
        result.setdefault(m.body_id, []).append(m.person)
    return result


def home_cooperative(slug: str = ""):
    cooperatives = Body.objects.cooperatives()
    if slug:
        chosen = cooperatives.filter(slug=slug).first()
        if chosen:
            return chosen
    return cooperatives.order_by("pk").first()
