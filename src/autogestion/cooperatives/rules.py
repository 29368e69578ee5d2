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


def decide_join(request: JoinRequest) -> Status:
    """Active at once for an open body, pending for a closed one; or a refusal."""
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
