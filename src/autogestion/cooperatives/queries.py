"""Reads for pages and the API, each with a fixed number of queries whatever the size
of the cooperative (no N+1)."""

import re
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from autogestion.core.formats import amount_text, percent_text

from . import permissions
from .models import Body, BodyEvent, LegalForm, Membership, MembershipEvent, MembershipRole
from .rules import (
    SCOP_MIN_EMPLOYEE_CAPITAL,
    SCOP_MIN_EMPLOYEE_VOTES,
    Kind,
    Partner,
    Role,
    ScopShares,
    Status,
    scop_breaches,
    scop_shares,
)


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
    can_found: bool = False  # may found a group inside it (R17)
    can_invite: bool = False  # may invite people in (accounts' invitations)
    visible_children: set = field(default_factory=set)  # whose figures the viewer sees
    events: list = field(default_factory=list)  # founded, ratified, moved, dissolved
    scop: ScopShares | None = None
    scop_warnings: list = field(default_factory=list)
    declined_reason: str | None = None  # the viewer's last request, when declined


def body_page(body: Body, user, progress_limit: int = 20, with_children: bool = True,
              with_history: bool = True) -> BodyPage:
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
    page.can_invite = bool(body.accepts_activity and permissions.can_invite(user, body))
    page.can_post = bool(permissions.can_post_progress(user, body))
    page.can_directory = bool(permissions.can_view_directory(user, body))
    page.can_found = bool(body.kind != Kind.NETWORK and body.status == "active"
                          and permissions.can_found_group(user, body))
    if user.is_authenticated and not status_role:
        declined = (MembershipEvent.objects.filter(
            membership__person=user, membership__body=body).order_by("-at", "-pk")
            .values_list("kind", "note").first())
        if declined and declined[0] == MembershipEvent.Kind.DECLINED \
                and declined[1] != "withdrawn":
            page.declined_reason = declined[1]
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
    if with_history:  # the home page shows the cooperative, not its history
        page.events = list(body_history(body))
    if body.legal_form == LegalForm.SCOP:
        page.scop = scop_shares_of(body)
        page.scop_warnings = scop_warnings_for(page.scop)
    return page


def body_history(body: Body):
    """Founded, ratified, moved, dissolved: oldest first, with who and which decision."""
    return BodyEvent.objects.filter(body=body).select_related("actor").order_by("at", "pk")


# A SCOP's employee shares (R5) -----------------------------------------------------------

def scop_shares_of(body: Body) -> ScopShares:
    """The shares of the current electorate: the active members, one person one vote."""
    return scop_shares(
        Partner(is_employee=employee, capital_cents=capital)
        for employee, capital in Membership.objects.filter(body=body, status=Status.ACTIVE)
        .values_list("is_employee", "capital_cents"))


def scop_warnings_for(shares: ScopShares) -> list[str]:
    # One decimal where the share is not whole: "64,7 %" must not read as the 65 % asked.
    words = {
        "votes": _("Employee members have %(share)s of the votes: the law asks for at "
                   "least %(minimum)s in a SCOP.")
        % {"share": percent_text(shares.employee_vote_percent, 1),
           "minimum": percent_text(SCOP_MIN_EMPLOYEE_VOTES)},
        "capital": _("Employee members hold %(share)s of the capital: the law asks "
                     "for at least %(minimum)s in a SCOP.")
        % {"share": percent_text(shares.employee_capital_percent, 1),
           "minimum": percent_text(SCOP_MIN_EMPLOYEE_CAPITAL)},
    }
    return [words[breach] for breach in scop_breaches(shares)]


def scop_share_warnings(body: Body) -> list[str]:
    """The translated warnings a legal vote of `body` shows when its current electorate
    breaks a SCOP's employee shares (votes of employee members at least 65 %, capital
    at least 51 %); empty for any other body. Two queries at most."""
    if body.legal_form != LegalForm.SCOP:
        return []
    return scop_warnings_for(scop_shares_of(body))


def capital_rows(body: Body) -> list[Membership]:
    """The active members with their capital and employee status (the SCOP's page)."""
    return list(Membership.objects.filter(body=body, status=Status.ACTIVE)
                .select_related("person")
                .order_by("person__display_name", "person__last_name", "pk"))


def role_history(body: Body, limit: int = 100):
    """Changes of role, college and capital in `body`, newest first, with who did it."""
    return (MembershipEvent.objects
            .filter(membership__body=body, kind__in=[
                MembershipEvent.Kind.ROLE_CHANGED, MembershipEvent.Kind.COLLEGE_CHANGED,
                MembershipEvent.Kind.CAPITAL_CHANGED])
            .select_related("actor", "membership__person").order_by("-at", "-pk")[:limit])


# The notes of role and capital changes keep codes and plain figures ("member →
# steward", "400.00 €, employee → 500.00 €, not an employee"): the API and the export
# give them as they are, and a page says them in its reader's words and numbers.
ROLE_NOTE = re.compile(r"(?P<old>member|coordinator|steward) → "
                       r"(?P<new>member|coordinator|steward)")
# Notes written before they kept codes hold their writer's words ("salarié·e"): their
# figures are still said the reader's way, their words kept.
CAPITAL_NOTE = re.compile(r"(?P<old>\d+)\.(?P<old_cents>\d{2}) €, (?P<old_status>[^→]+?) → "
                          r"(?P<new>\d+)\.(?P<new_cents>\d{2}) €, (?P<new_status>.+)")


def change_note_text(event: MembershipEvent) -> str:
    """The note of a change of role or capital in the reader's language ("membre →
    gardien·ne", "400,00 €, salarié·e → …"); any other note (a college's names) as it
    was written."""
    note = event.note
    if event.kind == MembershipEvent.Kind.ROLE_CHANGED and (found := ROLE_NOTE.fullmatch(note)):
        return f"{MembershipRole(found['old']).label} → {MembershipRole(found['new']).label}"
    if event.kind == MembershipEvent.Kind.CAPITAL_CHANGED and (
            found := CAPITAL_NOTE.fullmatch(note)):
        status = {"employee": _("employee"), "not an employee": _("not an employee")}

        def side(which: str) -> str:
            cents = int(found[which]) * 100 + int(found[f"{which}_cents"])
            words = found[f"{which}_status"]
            return f"{amount_text(cents, 2, '€')}, {status.get(words, words)}"

        return f"{side('old')} → {side('new')}"
    return note


def role_history_lines(body: Body, limit: int = 100) -> list[MembershipEvent]:
    """The role history as the roles page shows it: each event with its `note_text`."""
    events = list(role_history(body, limit))
    for event in events:
        event.note_text = change_note_text(event)
    return events


def movable_groups(cooperative: Body):
    """The groups of a cooperative that may move, and the places they may go."""
    return (Body.objects.descendants_of(cooperative).filter(kind=Kind.GROUP)
            .not_dissolved().order_by("path"))


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
            "college_id": m.college_id,
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
