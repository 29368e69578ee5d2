"""Reads for the proposal page, the body's proposals and the register, each with a
fixed number of queries whatever the number of positions."""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from autogestion.core import clock

from . import permissions
from .models import Comment, Decision, Position, Proposal, Round, StarGroup
from .rules import Method


@dataclass
class ProposalPage:
    proposal: Proposal
    rounds: list[Round]
    current: Round | None
    counts: dict[str, int] = field(default_factory=dict)
    my_position: Position | None = None
    not_positioned: list = field(default_factory=list)
    not_positioned_count: int = 0
    eligible_count: int = 0
    positions: list[Position] = field(default_factory=list)
    star_groups: list[StarGroup] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    ancestors: list = field(default_factory=list)


def proposal_page(proposal: Proposal, user, show_names_limit: int = 200) -> ProposalPage:
    rounds = list(proposal.rounds.select_related("closed_by").order_by("number"))
    current = next((r for r in rounds if r.closed_at is None), None)
    page = ProposalPage(proposal=proposal, rounds=rounds, current=current,
                        ancestors=proposal.body.ancestors())
    shown = current or (rounds[-1] if rounds else None)
    if shown is not None:
        page.counts = dict(Position.objects.filter(round=shown).values_list("stance")
                           .annotate(n=Count("pk")).order_by())
        if user.is_authenticated:
            page.my_position = Position.objects.filter(round=shown, person=user).first()
        secret = proposal.method == Method.MAJORITY and _anonymous(proposal)
        if not secret:
            # Named positions, as the register keeps them; capped on the page.
            page.positions = list(Position.objects.filter(round=shown)
                                  .select_related("person").order_by("updated_at")
                                  [:show_names_limit])
        star = StarGroup.objects.filter(debate__round__proposal=proposal) \
            .select_related("spokesperson", "debate__round").prefetch_related("members__person")
        page.star_groups = list(star.order_by("debate__round__number", "number"))
    if current is not None:
        from .services import eligible_memberships

        members = eligible_memberships(proposal.body, Method(proposal.method), clock.now())
        page.eligible_count = members.count()
        missing = members.exclude(person__positions__round=current).select_related("person") \
            .order_by("person__display_name")
        page.not_positioned_count = missing.count()
        page.not_positioned = [m.person for m in missing[:show_names_limit]]
    page.comments = list(proposal.comments.select_related("author"))
    return page


def _anonymous(proposal) -> bool:
    from .services import settings_of

    return settings_of(proposal.body).anonymous_ballots


def proposals_of(body, status: str | None = None):
    found = Proposal.objects.filter(body=body).select_related("author").annotate(
        round_count=Count("rounds", distinct=True)).order_by("-created_at", "-pk")
    if status:
        found = found.filter(status=status)
    return found


def register(user, text: str = "", body_slug: str = "", method: str = "", outcome: str = "",
             date_from=None, date_to=None):
    """Decisions the person may see, filtered. Open bodies' decisions are public."""
    from autogestion.cooperatives.models import Body

    visible_bodies = [b.pk for b in Body.objects.all()
                      if permissions.can_view_proposals(user, b)]
    found = Decision.objects.filter(body_id__in=visible_bodies).select_related("body",
                                                                                "round")
    if text:
        found = found.filter(Q(title__icontains=text) | Q(text__icontains=text))
    if body_slug:
        found = found.filter(body__slug=body_slug)
    if method:
        found = found.filter(method=method)
    if outcome:
        found = found.filter(outcome=outcome)
    if date_from:
        found = found.filter(decided_at__date__gte=date_from)
    if date_to:
        found = found.filter(decided_at__date__lte=date_to)
    return found
