"""What waits for a person in the decisions app ("À faire", core/todo.py): the open
rounds of their bodies in which they have not taken a position yet (R15: consensus needs
everyone), the soonest deadline first."""

from datetime import timedelta

from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from autogestion.cooperatives import selectors
from autogestion.cooperatives.models import College
from autogestion.cooperatives.permissions import active_body_ids
from autogestion.core import clock
from autogestion.core.todo import LATER, LIMIT, Section, TodoItem, moment_text, urgency_of

from .models import DecisionSettings, Position, Proxy, Round
from .rules import Method

POSITIONS = Section("positions", gettext_lazy("Rounds waiting for my position"), 10)
SECTIONS = [POSITIONS]


def waiting_rounds(person, limit: int = LIMIT) -> list[Round]:
    """Open rounds of the person's bodies without their position (nor a proxy they gave),
    whose deadline has not passed, soonest deadline first. Legal votes only where the
    person has voting rights (seniority, college: decisions/queries.eligible_memberships).
    Two queries, four with legal votes among them."""
    bodies = active_body_ids(person)
    if not bodies:
        return []
    now = clock.now()
    rounds = list(
        Round.objects.filter(closed_at__isnull=True, proposal__body_id__in=bodies)
        .filter(Q(deadline__isnull=True) | Q(deadline__gt=now))
        .exclude(Exists(Position.objects.filter(round=OuterRef("pk"), person=person)))
        .exclude(Exists(Proxy.objects.filter(round=OuterRef("pk"), giver=person,
                                             revoked_at__isnull=True)))
        .select_related("proposal__body")
        .order_by(F("deadline").asc(nulls_last=True), "opened_at", "pk")[:limit * 2])
    votes = [r for r in rounds if r.proposal.method == Method.MAJORITY]
    if votes:
        allowed = _bodies_with_voting_rights(person, {r.proposal.body for r in votes}, now)
        rounds = [r for r in rounds
                  if r.proposal.method != Method.MAJORITY or r.proposal.body_id in allowed]
    return rounds[:limit]


def _bodies_with_voting_rights(person, bodies, now) -> set[int]:
    """Which of `bodies` count the person's vote in a legal vote now: enough days of
    membership, and a college where the cooperative has colleges. Two queries."""
    days = dict(DecisionSettings.objects.filter(body__in=bodies)
                .values_list("body_id", "min_seniority_days"))
    with_colleges = set(College.objects.filter(cooperative__in=bodies)
                        .values_list("cooperative_id", flat=True).distinct())
    allowed = set()
    for membership in selectors.active_memberships(person=person).filter(body__in=bodies):
        seniority = days.get(membership.body_id, 0)
        if seniority and (membership.joined_at is None
                          or membership.joined_at > now - timedelta(days=seniority)):
            continue
        if membership.body_id in with_colleges and membership.college_id is None:
            continue
        allowed.add(membership.body_id)
    return allowed


def items(person, today) -> list[TodoItem]:
    found = []
    for round_ in waiting_rounds(person):
        proposal = round_.proposal
        if round_.deadline:
            detail = _("%(body)s · round %(number)s · until %(when)s") % {
                "body": proposal.body.name, "number": round_.number,
                "when": moment_text(round_.deadline, today)}
        else:
            detail = _("%(body)s · round %(number)s · open until a facilitator closes it") % {
                "body": proposal.body.name, "number": round_.number}
        found.append(TodoItem(
            section=POSITIONS, title=proposal.title,
            url=reverse("proposal_detail", args=[proposal.pk]) + "#round",
            action=pgettext("action", "Vote") if proposal.method == Method.MAJORITY
            else pgettext("action", "Take a position"),
            detail=detail, when=round_.deadline,
            urgency=urgency_of(round_.deadline) if round_.deadline else LATER))
    return found
