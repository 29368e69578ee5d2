"""Pure rules of decisions (DOMAIN.md R1, R5, R15): which method a class of decision
takes, which positions are valid, and how a closed round is decided. Services load the
positions, call `decide`, and write what it answers. Nobody types an outcome by hand."""

from __future__ import annotations

import enum
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction

from autogestion.core.refusal import Refusal


class Method(enum.StrEnum):
    CONSENT = "consent"
    CONSENSUS = "consensus"
    MAJORITY = "majority"


class DecisionClass(enum.StrEnum):
    STATUTES = "statutes"
    ORIENTATION = "orientation"
    EXCLUSION = "exclusion"
    EXECUTIVE = "executive"
    LEGAL_ACT = "legal_act"


# "Les décisions fondamentales et graves" take consensus, executive ones consent, and the
# legal acts of a SCOP or SCIC general meeting follow cooperative law: a majority vote.
DEFAULT_POLICY: dict[DecisionClass, Method] = {
    DecisionClass.STATUTES: Method.CONSENSUS,
    DecisionClass.ORIENTATION: Method.CONSENSUS,
    DecisionClass.EXCLUSION: Method.CONSENSUS,
    DecisionClass.EXECUTIVE: Method.CONSENT,
    DecisionClass.LEGAL_ACT: Method.MAJORITY,
}

# Consensus asks more than consent (everyone's agreement rather than nobody's objection).
STRENGTH = {Method.CONSENT: 1, Method.CONSENSUS: 2}


def allowed_methods(required: Method) -> list[Method]:
    """The methods a proposer may choose when the class requires `required`: the same or
    a stronger one. A legal act takes the vote the law prescribes, nothing else."""
    if required == Method.MAJORITY:
        return [Method.MAJORITY]
    return [m for m in (Method.CONSENT, Method.CONSENSUS) if STRENGTH[m] >= STRENGTH[required]]


def check_method(required: Method, chosen: Method) -> None:
    if chosen not in allowed_methods(required):
        raise Refusal("weaker_method", required=required, chosen=chosen)


def check_policy(decision_class: DecisionClass, method: Method) -> None:
    """A body sets its own policy, within the law: legal acts stay majority votes, and
    majority votes stay for legal acts."""
    if (decision_class == DecisionClass.LEGAL_ACT) != (method == Method.MAJORITY):
        raise Refusal("policy_against_law", decision_class=decision_class, method=method)


# A body's settings for deciding: the bounds of each number, and its yes/no switches.
SETTING_BOUNDS = {"star_group_size": (4, 8), "quorum_percent": (0, 100),
                  "threshold_percent": (50, 99), "min_seniority_days": (0, 3650),
                  # R16: minimum participation of consent and consensus rounds (0: none,
                  # as in an assembly), and how many proxies a member may hold in a legal
                  # vote (the statutes' limit; 0: no proxies).
                  "min_participation_consent": (0, 100),
                  "min_participation_consensus": (0, 100), "max_proxies": (0, 5)}
SETTING_SWITCHES = ("concerned_veto_blocks", "anonymous_ballots")


def check_settings(fields: dict) -> None:
    """Each setting changed is known and within its bounds (a whole number, or yes/no)."""
    for name, value in fields.items():
        if name in SETTING_BOUNDS:
            low, high = SETTING_BOUNDS[name]
            if isinstance(value, bool) or not isinstance(value, int) \
                    or not low <= value <= high:
                raise Refusal("setting_out_of_bounds", name=name, low=low, high=high)
        elif name in SETTING_SWITCHES:
            if not isinstance(value, bool):
                raise Refusal("setting_not_yes_or_no", name=name)
        else:
            raise Refusal("unknown_setting", name=name)


def check_majority_body(method: Method, *, general_meeting: bool) -> None:
    """Majority votes are the general meeting of a cooperative's (the law's), nobody
    else's."""
    if method == Method.MAJORITY and not general_meeting:
        raise Refusal("majority_outside_general_meeting")


# A round lasts at most this long: a longer one is a typing mistake, and the members
# would forget it.
MAX_ROUND_DAYS = 90


def check_deadline(deadline: datetime | None, now: datetime) -> None:
    """A round's deadline, when there is one, is in the future and within
    MAX_ROUND_DAYS."""
    if deadline is None:
        return
    if deadline <= now:
        raise Refusal("deadline_past")
    if deadline > now + timedelta(days=MAX_ROUND_DAYS):
        raise Refusal("deadline_too_far", days=MAX_ROUND_DAYS)


# Positions -----------------------------------------------------------------------------

class Stance(enum.StrEnum):
    # consensus
    AGREE = "agree"
    RESERVATIONS = "reservations"
    STAND_ASIDE = "stand_aside"
    VETO = "veto"
    # consent
    FULLY_AGREE = "fully_agree"
    SLIGHT_DISAGREEMENT = "slight_disagreement"
    OBJECTION = "objection"
    # majority vote
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


STANCES: dict[Method, tuple[Stance, ...]] = {
    Method.CONSENSUS: (Stance.AGREE, Stance.RESERVATIONS, Stance.STAND_ASIDE, Stance.VETO),
    Method.CONSENT: (Stance.FULLY_AGREE, Stance.SLIGHT_DISAGREEMENT, Stance.OBJECTION),
    Method.MAJORITY: (Stance.YES, Stance.NO, Stance.ABSTAIN),
}


@dataclass(frozen=True)
class PositionInput:
    stance: str
    note: str = ""
    reason: str = ""
    counter_proposal: str = ""


def check_position(method: Method, position: PositionInput) -> Stance:
    """A veto comes with a better proposal and its reason ("doit être accompagné d'une
    proposition plus adaptée"); an objection with its reason; reservations are written."""
    try:
        stance = Stance(position.stance)
    except ValueError:
        raise Refusal("unknown_stance", method=method) from None
    if stance not in STANCES[method]:
        raise Refusal("unknown_stance", method=method)
    if stance == Stance.VETO:
        if not position.counter_proposal.strip():
            raise Refusal("veto_needs_counter_proposal")
        if not position.reason.strip():
            raise Refusal("veto_needs_reason")
    if stance == Stance.OBJECTION and not position.reason.strip():
        raise Refusal("objection_needs_reason")
    if stance == Stance.RESERVATIONS and not position.note.strip():
        raise Refusal("reservations_need_note")
    return stance


# Outcomes ------------------------------------------------------------------------------

class Outcome(enum.StrEnum):
    ADOPTED = "adopted"
    REJECTED = "rejected"
    POSTPONED = "postponed"   # a consensus veto: star debate, then a new round
    NO_QUORUM = "no_quorum"   # too few took part to decide
    # consent or consensus below the body's minimum participation: not decided
    LOW_PARTICIPATION = "low_participation"


@dataclass(frozen=True)
class Tally:
    """What a closed round holds, already counted (the database counts 100,000
    positions faster than Python reads them): positions per stance, per college and
    stance for weighted votes, and who vetoed or objected (few, and named)."""

    counts: dict[str, int] = field(default_factory=dict)
    college_counts: dict[int, dict[str, int]] = field(default_factory=dict)
    vetoes: tuple[int, ...] = ()
    objections: tuple[int, ...] = ()

    @property
    def participants(self) -> int:
        return sum(self.counts.values())

    @classmethod
    def of(cls, ballots: Iterable[tuple[int, str, int | None]]) -> Tally:
        """From (person id, stance, college id) rows: for tests and small rounds."""
        counts: Counter = Counter()
        colleges: dict[int, Counter] = {}
        vetoes, objections = [], []
        for person_id, stance, college_id in ballots:
            counts[stance] += 1
            if college_id is not None:
                colleges.setdefault(college_id, Counter())[stance] += 1
            if stance == Stance.VETO:
                vetoes.append(person_id)
            elif stance == Stance.OBJECTION:
                objections.append(person_id)
        return cls(dict(counts), {c: dict(v) for c, v in colleges.items()}, tuple(vetoes),
                   tuple(objections))


@dataclass(frozen=True)
class MajorityRule:
    """Yes must exceed `threshold` of the expressed votes (yes + no); `qualified` asks
    "at least" instead of "more than" (two thirds, 80 %). Turnout must reach `quorum`."""

    threshold: Fraction = Fraction(1, 2)
    qualified: bool = False
    quorum: Fraction = Fraction(0)

    def __post_init__(self):
        if not Fraction(0) <= self.threshold < Fraction(1):
            raise Refusal("bad_threshold")
        if not Fraction(0) <= self.quorum <= Fraction(1):
            raise Refusal("bad_quorum")


@dataclass(frozen=True)
class Context:
    method: Method
    eligible: int                                   # members entitled to take part
    concerned_person_id: int | None = None          # the person an exclusion is about
    concerned_veto_blocks: bool = False
    majority: MajorityRule = field(default_factory=MajorityRule)
    college_weights: dict[int, int] = field(default_factory=dict)  # college id → percent
    college_eligible: dict[int, int] = field(default_factory=dict)
    # Consent and consensus: the share of the members entitled who must take a position
    # for the round to decide anything (0: none, as in an assembly).
    min_participation: Fraction = Fraction(0)


@dataclass
class Result:
    outcome: Outcome
    counts: dict[str, int]
    participants: int
    eligible: int
    blocking_vetoes: list[int] = field(default_factory=list)
    objections: list[int] = field(default_factory=list)
    # Majority votes: the arithmetic, shown as is on the result page.
    yes_share: Fraction | None = None
    by_college: list[dict] = field(default_factory=list)
    lines: list[tuple[str, dict]] = field(default_factory=list)


def check_college_weights(weights: dict[int, int]) -> None:
    if not weights:
        return
    if any(not 10 <= w <= 50 for w in weights.values()):
        raise Refusal("college_weight_bounds")
    if sum(weights.values()) != 100:
        raise Refusal("college_weights_sum", total=sum(weights.values()))


def decide(tally: Tally, context: Context) -> Result:
    result = Result(outcome=Outcome.NO_QUORUM, counts=dict(tally.counts),
                    participants=tally.participants, eligible=context.eligible)
    if context.method == Method.MAJORITY:
        return _majority(tally, context, result)
    if context.min_participation:
        share = (Fraction(tally.participants, context.eligible) if context.eligible
                 else Fraction(0))
        result.lines.append(("participation", {
            "positions": tally.participants, "eligible": context.eligible,
            "percent": _short_percent(share),
            "minimum": _short_percent(context.min_participation)}))
        if share < context.min_participation:
            result.outcome = Outcome.LOW_PARTICIPATION
            return result
    if not tally.participants:
        result.lines.append(("nobody_took_part", {}))
        return result
    if context.method == Method.CONSENSUS:
        result.blocking_vetoes = [
            person for person in tally.vetoes
            if context.concerned_veto_blocks or person != context.concerned_person_id]
        if len(result.blocking_vetoes) < len(tally.vetoes):
            result.lines.append(("concerned_veto_ignored", {}))
        result.outcome = Outcome.POSTPONED if result.blocking_vetoes else Outcome.ADOPTED
        result.lines.append(("vetoes", {"n": len(result.blocking_vetoes)}))
        return result
    result.objections = list(tally.objections)
    result.outcome = Outcome.REJECTED if result.objections else Outcome.ADOPTED
    result.lines.append(("objections", {"n": len(result.objections)}))
    return result


def _majority(tally: Tally, context: Context, result: Result) -> Result:
    rule = context.majority
    voters = tally.participants
    turnout = Fraction(voters, context.eligible) if context.eligible else Fraction(0)
    result.lines.append(("turnout", {"voters": voters, "eligible": context.eligible,
                                     "percent": _percent(turnout),
                                     "quorum": _percent(rule.quorum)}))
    if not voters or turnout < rule.quorum:
        result.outcome = Outcome.NO_QUORUM
        return result
    if context.college_weights:
        share = _weighted_share(tally, context, result)
    else:
        yes, no = tally.counts.get(Stance.YES, 0), tally.counts.get(Stance.NO, 0)
        share = Fraction(yes, yes + no) if yes + no else Fraction(0)
        result.lines.append(("yes_share", {"yes": yes, "expressed": yes + no,
                                           "percent": _percent(share)}))
    result.yes_share = share
    passed = share >= rule.threshold if rule.qualified else share > rule.threshold
    result.lines.append(("threshold", {"percent": _percent(rule.threshold),
                                       "qualified": rule.qualified, "passed": passed}))
    result.outcome = Outcome.ADOPTED if passed else Outcome.REJECTED
    return result


def _weighted_share(tally: Tally, context: Context, result: Result) -> Fraction:
    """In a SCIC each college counts for its weight: inside a college one member one vote,
    then the colleges' yes shares are weighted. A college where nobody expressed a vote
    drops out and the others' weights are scaled up to 100 %."""
    weighted = Fraction(0)
    weight_used = 0
    for college_id, weight in sorted(context.college_weights.items()):
        mine = tally.college_counts.get(college_id, {})
        yes, no = mine.get(Stance.YES, 0), mine.get(Stance.NO, 0)
        row = {"college_id": college_id, "weight": weight, "yes": yes, "no": no,
               "abstain": mine.get(Stance.ABSTAIN, 0),
               "eligible": context.college_eligible.get(college_id, 0), "share": None}
        if yes + no:
            share = Fraction(yes, yes + no)
            row["share"] = share
            row["share_percent"] = _percent(share)
            weighted += share * weight
            weight_used += weight
        result.by_college.append(row)
    total = weighted / weight_used if weight_used else Fraction(0)
    result.lines.append(("weighted_share", {"percent": _percent(total),
                                            "weights_used": weight_used}))
    return total


def _percent(value: Fraction) -> str:
    return f"{float(value) * 100:.1f}"


def _short_percent(value: Fraction) -> str:
    """25 rather than 25.0; 13.6 stays."""
    hundred = value * 100
    return str(int(hundred)) if hundred.denominator == 1 else f"{float(hundred):.1f}"


# Who has not taken a position yet (R15) ------------------------------------------------

def missing(eligible_ids: Iterable[int], positioned_ids: Iterable[int]) -> list[int]:
    return sorted(set(eligible_ids) - set(positioned_ids))


# Star debate --------------------------------------------------------------------------

def star_groups(participants: Sequence[tuple[int, int | None]], size: int) -> list[list[int]]:
    """Split people into small groups of about `size` (4 to 8) mixing people from
    different working groups: sort by working group, then deal them out like cards, so
    two people of one working group sit together only when it cannot be avoided.
    `participants` are (person_id, working group id or None)."""
    if not 4 <= size <= 8:
        raise Refusal("bad_group_size")
    if not participants:
        return []
    count = max(1, math.ceil(len(participants) / size))
    ordered = sorted(participants, key=lambda p: (p[1] is None, p[1] or 0, p[0]))
    groups: list[list[int]] = [[] for _ in range(count)]
    for index, (person_id, _group) in enumerate(ordered):
        groups[index % count].append(person_id)
    return groups


# Proposal states ------------------------------------------------------------------------

class ProposalStatus(enum.StrEnum):
    OPEN = "open"             # a round is running
    POSTPONED = "postponed"   # a veto: the star debate works on it
    AMENDABLE = "amendable"   # consent objection, majority refused or no quorum
    ADOPTED = "adopted"
    WITHDRAWN = "withdrawn"


PROPOSAL_TRANSITIONS: dict[ProposalStatus, frozenset[ProposalStatus]] = {
    ProposalStatus.OPEN: frozenset({ProposalStatus.POSTPONED, ProposalStatus.AMENDABLE,
                                    ProposalStatus.ADOPTED, ProposalStatus.WITHDRAWN}),
    ProposalStatus.POSTPONED: frozenset({ProposalStatus.OPEN, ProposalStatus.WITHDRAWN}),
    ProposalStatus.AMENDABLE: frozenset({ProposalStatus.OPEN, ProposalStatus.WITHDRAWN}),
    ProposalStatus.ADOPTED: frozenset(),
    ProposalStatus.WITHDRAWN: frozenset(),
}


def check_transition(current: ProposalStatus, target: ProposalStatus) -> None:
    if target not in PROPOSAL_TRANSITIONS[current]:
        raise Refusal("bad_transition", current=current, target=target)


def status_after(outcome: Outcome) -> ProposalStatus:
    return {Outcome.ADOPTED: ProposalStatus.ADOPTED, Outcome.POSTPONED: ProposalStatus.POSTPONED,
            Outcome.REJECTED: ProposalStatus.AMENDABLE,
            Outcome.NO_QUORUM: ProposalStatus.AMENDABLE,
            Outcome.LOW_PARTICIPATION: ProposalStatus.AMENDABLE}[outcome]


def participation_warning(positions: int, eligible: int, minimum_percent: int) -> dict:
    """What the close button says before a round closes: how many took a position, and
    whether the minimum is reached (a round closed below it decides nothing)."""
    share = Fraction(positions, eligible) if eligible else Fraction(0)
    return {"positions": positions, "eligible": eligible, "percent": _short_percent(share),
            "minimum": minimum_percent,
            "below": bool(minimum_percent) and share < Fraction(minimum_percent, 100)}


# Proxies (R16) --------------------------------------------------------------------------

def check_proxy_method(method: Method) -> None:
    """Consensus and consent are personal: nobody takes a position for another."""
    if method != Method.MAJORITY:
        raise Refusal("proxy_not_personal_method", method=method)


def check_meeting_proxy_body(*, general_meeting: bool) -> None:
    """A proxy for a meeting is a proxy for its legal votes: only a cooperative's general
    meeting holds them (majority votes, as check_majority_body says)."""
    if not general_meeting:
        raise Refusal("meeting_proxy_no_legal_votes")


def check_proxy(method: Method, *, giver: int, holder: int, held_by_holder: int,
                limit: int, giver_voted: bool, holder_gave: bool = False,
                giver_holds: bool = False) -> None:
    """A proxy is for a legal vote only (consensus and consent are personal), to another
    member, within the statutes' limit of proxies held by one member; a member who has
    voted needs no proxy, and a proxy is not passed on (no chains: the holder votes in
    person)."""
    check_proxy_method(method)
    if giver == holder:
        raise Refusal("proxy_to_oneself")
    if giver_voted:
        raise Refusal("proxy_after_voting")
    if holder_gave or giver_holds:
        raise Refusal("proxy_chain")
    if held_by_holder >= limit:
        raise Refusal("proxy_limit", limit=limit)
