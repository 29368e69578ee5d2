"""Every read of the decisions app: a body's policy and settings, who may take a
position, the counts of a round, the proposal page, the body's proposals and the
register, each with a fixed number of queries whatever the number of positions.
Nothing here writes, and nothing here imports services."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from autogestion.cooperatives import selectors
from autogestion.cooperatives.models import Body
from autogestion.cooperatives.rules import Kind
from autogestion.core import clock
from autogestion.core.errors import DomainError
from autogestion.core.inputs import parse_day

from . import permissions, rules
from .models import (
    Comment,
    Decision,
    DecisionSettings,
    MeetingProxy,
    MethodChoice,
    OutcomeChoice,
    Position,
    Proposal,
    Proxy,
    Round,
    StarGroup,
)
from .rules import DecisionClass, Method, Stance

# Policy and settings ----------------------------------------------------------------


def policy_of(body: Body) -> dict[DecisionClass, Method]:
    """The method each class of decision takes in `body`: its own choices over the
    domain's defaults."""
    policy = dict(rules.DEFAULT_POLICY)
    for row in body.decision_policies.all():
        policy[DecisionClass(row.decision_class)] = Method(row.method)
    return policy


def settings_of(body: Body) -> DecisionSettings:
    """The body's settings; an unsaved row of defaults when it never changed them."""
    found = DecisionSettings.objects.filter(body=body).first()
    return found or DecisionSettings(body=body)


def policy_decisions(body: Body) -> dict[str, Proposal]:
    """For each of the body's rules last changed by a decision (R16), that proposal:
    "policy.executive", "star_group_size", "groups_need_ratification"... One query."""
    found: dict[str, Proposal] = {}
    for proposal in (Proposal.objects.filter(body=body, change_kind="decisions.policy",
                                             change_applied_at__isnull=False)
                     .order_by("change_applied_at", "pk")):
        for name, value in proposal.change_params.items():
            if name == "policy":
                found.update({f"policy.{c}": proposal for c in value})
            else:
                found[name] = proposal
    return found


def upcoming_agenda_items(body: Body, limit: int = 100):
    """The agenda items of the body's coming meetings a proposal may be tied to (not
    discarded nor delayed), soonest first."""
    from autogestion.assemblies.models import AgendaItem

    return (AgendaItem.objects.filter(meeting__series__body=body,
                                      meeting__ends_at__gte=clock.now(),
                                      status__in=["new", "accepted"])
            .select_related("meeting").order_by("meeting__starts_at", "position", "pk")
            [:limit])


def is_secret(proposal: Proposal) -> bool:
    """A majority vote in a body with secret ballots names nobody."""
    return proposal.method == Method.MAJORITY and settings_of(proposal.body).anonymous_ballots


# Members ------------------------------------------------------------------------------


def eligible_memberships(body: Body, method: Method, now: datetime, *,
                         body_settings: DecisionSettings | None = None,
                         has_colleges: bool | None = None):
    """Who may take a position: active members; for a legal vote, those of enough
    seniority and, in a cooperative with colleges, those who belong to a college."""
    members = selectors.active_memberships(body=body)
    if method == Method.MAJORITY:
        days = (body_settings or settings_of(body)).min_seniority_days
        if days:
            members = members.filter(joined_at__lte=now - timedelta(days=days))
        if has_colleges is None:
            has_colleges = body.kind == Kind.COOPERATIVE and body.colleges.exists()
        if has_colleges:
            members = members.filter(college__isnull=False)
    return members


def count_by_college(memberships) -> dict[int | None, int]:
    """One pass over the entitled members: how many in each college (None: in none)."""
    return dict(memberships.values_list("college_id").annotate(n=Count("pk")).order_by())


def is_in_a_college(person, body: Body) -> bool:
    return selectors.active_memberships(body=body, person=person) \
        .filter(college__isnull=False).exists()


def members_for_form(body: Body):
    """The active members a proposal of exclusion may name."""
    return selectors.active_memberships(body=body).select_related("person") \
        .order_by("person__display_name", "pk")


def members_concerned(body: Body):
    """Everyone a round of `body` is told about (in-app, pushed to those who opted in):
    its active members whose account is active, whether or not they take e-mails (those
    who do also get the e-mail: services.notify_round)."""
    return selectors.active_members(body).filter(is_active=True)


def working_groups_of(body: Body, person_ids) -> dict[int, int]:
    """For each person, one working group of `body` (a group under it) they belong to:
    star debates mix people of different groups."""
    return dict(
        selectors.active_memberships().filter(person_id__in=person_ids, body__kind=Kind.GROUP,
                                              body__path__startswith=body.path)
        .exclude(body=body).order_by("body__path").values_list("person_id", "body_id"))


# Rounds ---------------------------------------------------------------------------------


def open_round_of(proposal: Proposal) -> Round | None:
    return proposal.rounds.filter(closed_at__isnull=True).first()


def count_positions(round_: Round) -> rules.Tally:
    """One GROUP BY for the counts, one small query for the named vetoes/objections."""
    counts: dict[str, int] = {}
    colleges: dict[int, dict[str, int]] = {}
    for row in (Position.objects.filter(round=round_).values("stance", "college_id")
                .annotate(n=Count("pk")).order_by()):
        counts[row["stance"]] = counts.get(row["stance"], 0) + row["n"]
        if row["college_id"] is not None:
            colleges.setdefault(row["college_id"], {})[row["stance"]] = row["n"]
    blocking = list(Position.objects.filter(round=round_,
                                            stance__in=[Stance.VETO, Stance.OBJECTION])
                    .values_list("person_id", "stance"))
    return rules.Tally(counts=counts, college_counts=colleges,
                       vetoes=tuple(p for p, s in blocking if s == Stance.VETO),
                       objections=tuple(p for p, s in blocking if s == Stance.OBJECTION))


def events_of(proposal: Proposal):
    """The proposal's history, oldest first."""
    return proposal.events.select_related("actor").order_by("at", "pk")


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
    events: list = field(default_factory=list)
    ancestors: list = field(default_factory=list)
    # Rounds before the one shown, each with what was said in it (kept after a revision).
    earlier: list = field(default_factory=list)
    # Legal votes: the proxies of the round shown (R16).
    proxies: list = field(default_factory=list)
    all_star_groups: list = field(default_factory=list)


@dataclass
class EarlierRound:
    round: Round
    counts: dict
    # Positions that say something: vetoes with their counter-proposals, objections,
    # reservations (capped), and the star debate's groups of that round.
    said: list
    star_groups: list


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
        all_groups = list(star.order_by("debate__round__number", "number"))
        page.all_star_groups = all_groups
        page.star_groups = [g for g in all_groups if g.debate.round_id == shown.pk]
        page.earlier = _earlier_rounds([r for r in rounds if r.pk != shown.pk], all_groups,
                                       secret, show_names_limit)
        if proposal.method == Method.MAJORITY:
            page.proxies = list(Proxy.objects.filter(round=shown, revoked_at__isnull=True)
                                .select_related("giver", "holder"))
    if current is not None:
        members = eligible_memberships(proposal.body, Method(proposal.method), clock.now())
        page.eligible_count = members.count()
        missing = members.exclude(person__positions__round=current).select_related("person") \
            .order_by("person__display_name")
        page.not_positioned_count = missing.count()
        page.not_positioned = [m.person for m in missing[:show_names_limit]]
    page.comments = list(proposal.comments.select_related("author"))
    page.events = list(events_of(proposal))
    return page


def _earlier_rounds(rounds: list[Round], groups: list[StarGroup], secret: bool,
                    limit: int) -> list[EarlierRound]:
    """Two queries whatever the number of rounds."""
    if not rounds:
        return []
    said: dict[int, list] = {r.pk: [] for r in rounds}
    if not secret:
        spoken = (Position.objects.filter(round__in=rounds)
                  .filter(Q(stance__in=[Stance.VETO, Stance.OBJECTION]) | ~Q(note=""))
                  .select_related("person").order_by("round_id", "updated_at"))
        for position in spoken[:limit * len(rounds)]:
            said[position.round_id].append(position)
    counts: dict[int, dict] = {r.pk: {} for r in rounds}
    for row in (Position.objects.filter(round__in=rounds).values("round_id", "stance")
                .annotate(n=Count("pk")).order_by()):
        counts[row["round_id"]][row["stance"]] = row["n"]
    return [EarlierRound(round=r, counts=counts[r.pk], said=said[r.pk],
                         star_groups=[g for g in groups if g.debate.round_id == r.pk])
            for r in reversed(rounds)]


def voters_for_proxy(proposal: Proposal, person, limit: int = 500):
    """The members who vote in this legal vote, but `person`: who may hold their proxy."""
    members = eligible_memberships(proposal.body, Method(proposal.method), clock.now())
    if person.is_authenticated:
        members = members.exclude(person=person)
    return members.select_related("person").order_by("person__display_name", "pk")[:limit]


def participation(proposal: Proposal, round_: Round) -> dict:
    """Before closing a round: how many of the members entitled have taken a position,
    against the body's minimum for the method (rules.participation_warning). Two counts."""
    method = Method(proposal.method)
    body_settings = settings_of(proposal.body)
    members = eligible_memberships(proposal.body, method, clock.now(),
                                   body_settings=body_settings)
    positioned = members.filter(person__positions__round=round_).count()
    minimum = {Method.CONSENT: body_settings.min_participation_consent,
               Method.CONSENSUS: body_settings.min_participation_consensus}.get(method, 0)
    return rules.participation_warning(positioned, members.count(), minimum)


def meeting_proxies_of(body, person, limit: int = 100) -> list[MeetingProxy]:
    """The proxies for the body's meetings `person` gave or holds, newest first, each
    with `open_votes`: the open votes where it counts now. One query."""
    if not person.is_authenticated:
        return []
    return list(meeting_proxies().filter(meeting__series__body=body)
                .filter(Q(giver=person) | Q(holder=person))[:limit])


def meeting_proxies():
    """Proxies for meetings with what the pages show of them, and `open_votes`."""
    return (MeetingProxy.objects.select_related("meeting__series", "giver", "holder")
            .annotate(open_votes=Count("proxies", filter=Q(
                proxies__revoked_at__isnull=True, proxies__round__closed_at__isnull=True)))
            .order_by("-given_at", "-pk"))


def meetings_for_proxy(body, days: int = 120) -> list:
    """The body's coming meetings (not cancelled) a proxy may be given for."""
    from autogestion.assemblies.queries import upcoming_for_bodies

    return [o for o in upcoming_for_bodies([body], days=days, limit=50) if not o.cancelled]


def voters_of(body, person, limit: int = 500):
    """The members who vote in the body's legal votes, but `person`."""
    members = eligible_memberships(body, Method.MAJORITY, clock.now())
    if person.is_authenticated:
        members = members.exclude(person=person)
    return members.select_related("person").order_by("person__display_name", "pk")[:limit]


def proxies_of(round_: Round, person) -> tuple[Proxy | None, list[Proxy]]:
    """The proxy `person` gave in this round (active), and those they hold."""
    if round_ is None or not person.is_authenticated:
        return None, []
    active = Proxy.objects.filter(round=round_, revoked_at__isnull=True) \
        .select_related("giver", "holder")
    given = active.filter(giver=person).first()
    return given, list(active.filter(holder=person))


def _anonymous(proposal) -> bool:
    return settings_of(proposal.body).anonymous_ballots


def proposals_of(body, status: str | None = None):
    found = Proposal.objects.filter(body=body).select_related("author").annotate(
        round_count=Count("rounds", distinct=True)).order_by("-created_at", "-pk")
    if status:
        found = found.filter(status=status)
    return found


def open_proposals(body):
    """The body's proposals under discussion (a round open or a star debate), newest
    first."""
    return Proposal.objects.filter(
        body=body, status__in=[rules.ProposalStatus.OPEN, rules.ProposalStatus.POSTPONED]) \
        .order_by("-created_at", "-pk")


def recent_decisions(user, cooperative):
    """The latest decisions of the cooperative and its groups that `user` may see."""
    bodies = [b for b in Body.objects.filter(path__startswith=cooperative.path)
              if permissions.can_view_proposals(user, b)]
    return Decision.objects.filter(body__in=bodies).select_related("body")


def check_choice(value: str, choices, field: str) -> str:
    """A filter's value among `choices` (TextChoices), or empty for all."""
    if value and value not in choices.values:
        raise DomainError(_("Choose one of: %(values)s.")
                          % {"values": ", ".join(choices.values)}, field=field)
    return value


def register_filters(*, q: str = "", body: str = "", method: str = "", outcome: str = "",
                     date_from: str = "", date_to: str = "") -> dict:
    """The register's filters as the page's form and the API's query send them, checked
    the same way for both (400 on the field at fault), as `register()` takes them."""
    return {"text": (q or "").strip(), "body_slug": body or "",
            "method": check_choice(method or "", MethodChoice, "method"),
            "outcome": check_choice(outcome or "", OutcomeChoice, "outcome"),
            "date_from": parse_day(date_from, "from", optional=True),
            "date_to": parse_day(date_to, "to", optional=True)}


def register(user, text: str = "", body_slug: str = "", method: str = "", outcome: str = "",
             date_from=None, date_to=None):
    """Decisions the person may see, filtered. Open bodies' decisions are public."""
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
