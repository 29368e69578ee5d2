"""Pure rules of bodies and membership (DOMAIN.md R1, R2).

No Django here: services load rows, turn them into these small values, ask the rules,
and write what the rules answer. A refusal is a `Refusal` carrying a code; the service
turns the code into a message in the person's language.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from autogestion.core.refusal import Refusal


class Kind(enum.StrEnum):
    NETWORK = "network"
    COOPERATIVE = "cooperative"
    GROUP = "group"


class Status(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    DECLINED = "declined"
    LEFT = "left"


class Role(enum.StrEnum):
    MEMBER = "member"
    COORDINATOR = "coordinator"
    STEWARD = "steward"


class BodyStatus(enum.StrEnum):
    """A body's life (R17): a group founded where its parent ratifies groups is
    "proposed" until the parent's decision adopts it; a dissolved body stays readable
    with its history, and takes no new member, group or proposal."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    DISSOLVED = "dissolved"


BODY_TRANSITIONS: dict[str, frozenset[str]] = {
    BodyStatus.PROPOSED: frozenset({BodyStatus.ACTIVE, BodyStatus.DISSOLVED}),
    BodyStatus.ACTIVE: frozenset({BodyStatus.DISSOLVED}),
    BodyStatus.DISSOLVED: frozenset(),
}


CURRENT = frozenset({Status.PENDING, Status.ACTIVE})

# What may contain what: a network holds networks and cooperatives ("réseau de
# réseaux"); a cooperative holds groups; groups nest.
ALLOWED_PARENTS: dict[Kind, frozenset[Kind | None]] = {
    Kind.NETWORK: frozenset({None, Kind.NETWORK}),
    Kind.COOPERATIVE: frozenset({None, Kind.NETWORK}),
    Kind.GROUP: frozenset({Kind.COOPERATIVE, Kind.GROUP}),
}


def check_parent(kind: Kind, parent_kind: Kind | None) -> None:
    if parent_kind not in ALLOWED_PARENTS[kind]:
        raise Refusal("bad_parent", kind=kind, parent_kind=parent_kind)


def child_path(parent_path: str | None, own_id: int) -> str:
    """Materialized path of a body: '/1/4/9/' lists the ids from the root to itself."""
    return f"{parent_path or '/'}{own_id}/"


def ancestor_ids(path: str) -> list[int]:
    """Ids of the ancestors, root first, the body itself excluded."""
    ids = [int(part) for part in path.strip("/").split("/") if part]
    return ids[:-1]


def enclosing_cooperative_id(path: str, kinds_by_id: dict[int, Kind]) -> int | None:
    """The cooperative a group belongs to (the nearest cooperative on its path)."""
    ids = [int(part) for part in path.strip("/").split("/") if part]
    for body_id in reversed(ids):
        if kinds_by_id.get(body_id) == Kind.COOPERATIVE:
            return body_id
    return None


@dataclass(frozen=True)
class JoinRequest:
    """What the rules need to know to answer a request to join a body."""

    kind: Kind
    is_open: bool
    current_status: Status | None
    member_of_enclosing_cooperative: bool
    college_ids: frozenset[int]
    chosen_college_id: int | None
    body_status: str = BodyStatus.ACTIVE


def decide_join(request: JoinRequest) -> Status:
    """Active at once for an open body, pending for a closed one; or a refusal."""
    if request.body_status == BodyStatus.DISSOLVED:
        raise Refusal("body_dissolved")
    if request.current_status == Status.ACTIVE:
        raise Refusal("already_member")
    if request.current_status == Status.PENDING:
        raise Refusal("already_requested")
    if request.kind == Kind.GROUP and not request.member_of_enclosing_cooperative:
        raise Refusal("join_cooperative_first")
    if request.kind == Kind.COOPERATIVE and request.college_ids:
        if request.chosen_college_id is None:
            raise Refusal("college_required")
        if request.chosen_college_id not in request.college_ids:
            raise Refusal("unknown_college")
    elif request.chosen_college_id is not None:
        raise Refusal("no_colleges_here")
    return Status.ACTIVE if request.is_open else Status.PENDING


def check_decision_on_request(status: Status | None) -> None:
    """A coordinator accepts or declines only a pending request, once."""
    if status is None:
        raise Refusal("no_such_request")
    if status != Status.PENDING:
        raise Refusal("request_already_decided", status=status)


def check_leave(status: Status | None, role: Role | None, other_coordinators: int,
                other_active_members: int) -> None:
    """One may leave a body one is in; the last coordinator of a body that still has
    members hands over first, so pending requests always have someone to answer them."""
    if status not in CURRENT:
        raise Refusal("not_a_member")
    if (status == Status.ACTIVE and role == Role.COORDINATOR and other_coordinators == 0
            and other_active_members > 0):
        raise Refusal("last_coordinator")


@dataclass(frozen=True)
class Stint:
    """One period of membership: joined, and left or still running."""

    joined_at: datetime
    left_at: datetime | None = None


def seniority_days(stints: Iterable[Stint], now: datetime) -> int:
    """Days of uninterrupted membership up to now: the current stint only, because
    leaving and coming back starts seniority again (as for a credit union's 90 days)."""
    current = [s for s in stints if s.left_at is None and s.joined_at <= now]
    if not current:
        return 0
    return (now - max(s.joined_at for s in current)).days


def has_seniority(stints: Iterable[Stint], now: datetime, min_days: int) -> bool:
    return seniority_days(stints, now) >= min_days


# Founding and moving groups (R1, R17) ----------------------------------------------------

def founded_status(parent_needs_ratification: bool) -> BodyStatus:
    """A group founded by its members exists at once, unless its parent's rules ask
    for a ratification by decision: then it is proposed until adopted."""
    return BodyStatus.PROPOSED if parent_needs_ratification else BodyStatus.ACTIVE


def check_founding_inside(parent_status: str) -> None:
    """Bodies are founded only inside a body that is active."""
    if parent_status == BodyStatus.DISSOLVED:
        raise Refusal("body_dissolved")
    if parent_status == BodyStatus.PROPOSED:
        raise Refusal("parent_not_ratified")


@dataclass(frozen=True)
class Move:
    """What the rules need to answer "may this group move under that body?"."""

    group_kind: Kind
    group_path: str
    group_parent_id: int | None
    group_cooperative_id: int | None
    new_parent_id: int
    new_parent_kind: Kind
    new_parent_path: str
    new_parent_status: str
    new_parent_cooperative_id: int | None


def check_move(move: Move) -> None:
    """A group moves under its cooperative or one of its groups: never under itself or
    one of its own groups (a cycle), never to another cooperative, never into a
    dissolved body."""
    if move.group_kind != Kind.GROUP:
        raise Refusal("only_groups_move")
    if move.new_parent_path.startswith(move.group_path):
        raise Refusal("move_cycle")
    if move.new_parent_kind not in (Kind.COOPERATIVE, Kind.GROUP):
        raise Refusal("bad_parent", kind=Kind.GROUP, parent_kind=move.new_parent_kind)
    if move.new_parent_cooperative_id != move.group_cooperative_id:
        raise Refusal("move_other_cooperative")
    if move.new_parent_status == BodyStatus.DISSOLVED:
        raise Refusal("body_dissolved")
    if move.new_parent_id == move.group_parent_id:
        raise Refusal("move_same_place")


def moved_path(path: str, old_prefix: str, new_prefix: str) -> str:
    """The path of a body of a moved subtree: its old prefix (the moved group's old
    path) replaced by the new one."""
    if not path.startswith(old_prefix):
        raise ValueError(f"{path} is not under {old_prefix}")
    return new_prefix + path[len(old_prefix):]


def path_depth(path: str) -> int:
    """0 for a root ('/1/'), 1 for its child ('/1/4/')..."""
    return len([part for part in path.strip("/").split("/") if part]) - 1


# Colleges of a SCIC (R5: each 10 % to 50 %, the set 100 %) ---------------------------------

COLLEGE_MIN, COLLEGE_MAX, COLLEGES_TOTAL = 10, 50, 100


@dataclass(frozen=True)
class CollegeDraft:
    name: str
    weight_percent: int


def check_colleges(colleges: list[CollegeDraft]) -> None:
    """The whole set of a cooperative's colleges, checked as a set: each named once,
    each weighing 10 % to 50 %, together 100 %. No colleges at all is allowed (a
    cooperative that does not vote by college)."""
    seen: set[str] = set()
    for college in colleges:
        name = college.name.strip()
        if not name:
            raise Refusal("college_name_missing")
        if name.casefold() in seen:
            raise Refusal("college_name_twice", name=name)
        seen.add(name.casefold())
    for college in colleges:
        if not COLLEGE_MIN <= college.weight_percent <= COLLEGE_MAX:
            raise Refusal("college_weight", name=college.name.strip(),
                          weight=college.weight_percent)
    total = sum(college.weight_percent for college in colleges)
    if colleges and total != COLLEGES_TOTAL:
        raise Refusal("colleges_total", total=total)


# A SCOP's employee shares (R5: employees hold >= 65 % of votes, >= 51 % of the capital) --

SCOP_MIN_EMPLOYEE_VOTES, SCOP_MIN_EMPLOYEE_CAPITAL = 65, 51


@dataclass(frozen=True)
class Partner:
    """One voting member of a SCOP: whether they are an employee, and the capital they
    hold (in cents)."""

    is_employee: bool
    capital_cents: int


@dataclass(frozen=True)
class ScopShares:
    members: int
    employees: int
    capital_cents: int
    employee_capital_cents: int

    @property
    def employee_vote_percent(self) -> float:
        return 100 * self.employees / self.members if self.members else 0.0

    @property
    def employee_capital_percent(self) -> float:
        return (100 * self.employee_capital_cents / self.capital_cents
                if self.capital_cents else 0.0)


def scop_shares(partners: Iterable[Partner]) -> ScopShares:
    partners = list(partners)
    return ScopShares(
        members=len(partners), employees=sum(1 for p in partners if p.is_employee),
        capital_cents=sum(p.capital_cents for p in partners),
        employee_capital_cents=sum(p.capital_cents for p in partners if p.is_employee))


def scop_breaches(shares: ScopShares) -> list[str]:
    """Which of the law's employee shares the electorate breaks: "votes" (employees
    under 65 % of the members, one person one vote), "capital" (employees holding under
    51 % of the capital recorded). An electorate of nobody breaks nothing yet; capital
    is judged only once some is recorded."""
    breaches = []
    if shares.members and 100 * shares.employees < SCOP_MIN_EMPLOYEE_VOTES * shares.members:
        breaches.append("votes")
    if shares.capital_cents and (100 * shares.employee_capital_cents
                                 < SCOP_MIN_EMPLOYEE_CAPITAL * shares.capital_cents):
        breaches.append("capital")
    return breaches
