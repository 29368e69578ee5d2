"""The double speaking list and speech statistics as pure Python (DOMAIN.md R6, R14).

"La liste de parole double donne la priorité aux personnes ayant pas ou moins parlé":
among those waiting, the next speaker is the one with the fewest turns in this meeting,
ties going to the earliest hand. Process points (a technical point, a clarifying
question, a direct response) are asked apart; the facilitator gives them the floor
before the list, and they do not count as turns.

A `State` is immutable; every action returns a new one that remembers the previous
one, so undo restores it exactly.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from autogestion.core.refusal import Refusal

UNDO_DEPTH = 50


class HandKind(enum.StrEnum):
    SPEAK = "speak"
    TECHNICAL = "technical"           # a point of procedure
    CLARIFYING = "clarifying"         # a clarifying question
    DIRECT = "direct_response"        # a direct response to the speaker


PROCESS_ORDER = {HandKind.TECHNICAL: 0, HandKind.CLARIFYING: 1, HandKind.DIRECT: 2}


@dataclass(frozen=True)
class Hand:
    who: str        # "p:<person id>", or "n:<name>" for someone without an account
    kind: HandKind
    seq: int        # when the hand went up: a counter, so the order is exact

    @property
    def is_process(self) -> bool:
        return self.kind != HandKind.SPEAK


@dataclass(frozen=True)
class State:
    hands: tuple[Hand, ...] = ()                  # waiting, in the order raised
    turns: tuple[tuple[str, int], ...] = ()       # turns spoken, per person (sorted)
    speaker: str | None = None
    speaker_kind: HandKind | None = None
    skipped: tuple[Hand, ...] = ()                # passed over, may be put back
    seq: int = 0
    previous: State | None = field(default=None, repr=False, compare=False)

    def turns_of(self, who: str) -> int:
        return dict(self.turns).get(who, 0)


def _with_history(old: State, **changes) -> State:
    new = replace(old, previous=_trim(old), **changes)
    return new


def _trim(state: State, depth: int = UNDO_DEPTH) -> State:
    """Keep the undo chain bounded."""
    chain = []
    cursor: State | None = state
    while cursor is not None and len(chain) < depth:
        chain.append(cursor)
        cursor = cursor.previous
    if cursor is None:
        return state
    rebuilt = None
    for snapshot in reversed(chain):
        rebuilt = replace(snapshot, previous=rebuilt)
    return rebuilt


def queue(state: State) -> list[Hand]:
    """The order in which people get the floor: process points first (technical, then
    clarifying, then direct responses, each first come first served), then the ordinary
    hands, fewest turns first, ties by the earliest hand."""
    process = sorted((h for h in state.hands if h.is_process),
                     key=lambda h: (PROCESS_ORDER[h.kind], h.seq))
    ordinary = sorted((h for h in state.hands if not h.is_process),
                      key=lambda h: (state.turns_of(h.who), h.seq))
    return process + ordinary


def raise_hand(state: State, who: str, kind: HandKind = HandKind.SPEAK) -> State:
    """A person is at most once on the list, and asks at most one process point at a
    time."""
    kind = HandKind(kind)
    process = kind != HandKind.SPEAK
    if any(h.who == who and h.is_process == process for h in state.hands):
        raise Refusal("already_in_list" if not process else "already_asked", who=who)
    hand = Hand(who=who, kind=kind, seq=state.seq + 1)
    return _with_history(state, hands=(*state.hands, hand), seq=state.seq + 1,
                         skipped=tuple(h for h in state.skipped if h.who != who or
                                       h.is_process != process))


def lower_hand(state: State, who: str, kind: HandKind | None = None) -> State:
    kept = tuple(h for h in state.hands
                 if not (h.who == who and (kind is None or h.kind == HandKind(kind))))
    if len(kept) == len(state.hands):
        raise Refusal("not_in_list", who=who)
    return _with_history(state, hands=kept)


def next_speaker(state: State) -> State:
    """Give the floor to the first in the queue. An ordinary turn counts; a process point
    does not."""
    order = queue(state)
    if not order:
        raise Refusal("list_empty")
    return give_floor(state, order[0])


def give_floor(state: State, hand: Hand) -> State:
    if hand not in state.hands:
        raise Refusal("not_in_list", who=hand.who)
    turns = dict(state.turns)
    if not hand.is_process:
        turns[hand.who] = turns.get(hand.who, 0) + 1
    return _with_history(state, hands=tuple(h for h in state.hands if h != hand),
                         speaker=hand.who, speaker_kind=hand.kind,
                         turns=tuple(sorted(turns.items())))


def end_turn(state: State) -> State:
    if state.speaker is None:
        raise Refusal("nobody_speaking")
    return _with_history(state, speaker=None, speaker_kind=None)


def skip(state: State, who: str) -> State:
    """Pass over someone who is not there or not ready; they can be put back."""
    hands = [h for h in state.hands if h.who == who and not h.is_process]
    if not hands:
        raise Refusal("not_in_list", who=who)
    return _with_history(state, hands=tuple(h for h in state.hands if h not in hands),
                         skipped=(*state.skipped, *hands))


def put_back(state: State, who: str) -> State:
    """Back on the list with their original hand: their place is kept."""
    hands = [h for h in state.skipped if h.who == who]
    if not hands:
        raise Refusal("not_skipped", who=who)
    if any(h.who == who and not h.is_process for h in state.hands):
        raise Refusal("already_in_list", who=who)
    return _with_history(state, hands=tuple(sorted((*state.hands, *hands), key=lambda h: h.seq)),
                         skipped=tuple(h for h in state.skipped if h.who != who))


def reset_turns(state: State) -> State:
    """A new agenda item may start everyone at zero (a setting of the room)."""
    return _with_history(state, turns=())


def undo(state: State) -> State:
    if state.previous is None:
        raise Refusal("nothing_to_undo")
    return state.previous


@dataclass(frozen=True)
class Place:
    position: int          # 1 = next
    reason: str            # "process_point", "not_spoken_yet" or "spoken_before"
    turns: int
    ahead_with_fewer: int  # people before them in the list who have spoken less


def place_of(state: State, who: str) -> Place | None:
    """Where a person stands and why, so each one sees it ("priority: you have not
    spoken yet"). An ordinary hand is reported before a process point."""
    order = queue(state)
    found = [(i, h) for i, h in enumerate(order, start=1) if h.who == who]
    if not found:
        return None
    index, hand = next(((i, h) for i, h in found if not h.is_process), found[0])
    turns = state.turns_of(who)
    if hand.is_process:
        return Place(position=index, reason="process_point", turns=turns, ahead_with_fewer=0)
    fewer = sum(1 for h in order[:index - 1]
                if not h.is_process and state.turns_of(h.who) < turns)
    reason = "not_spoken_yet" if turns == 0 else "spoken_before"
    return Place(position=index, reason=reason, turns=turns, ahead_with_fewer=fewer)


# Role rotation ------------------------------------------------------------------------

def rotation(candidates: Sequence[tuple[int, str]],
             last_held: Mapping[int, object]) -> list[int]:
    """Everyone who may hold a role, the ones to ask first at the head, so that roles
    rotate: those who never held it (by name), then those who held it longest ago.
    `candidates` are (person id, name); `last_held` maps a person id to when they last
    held the role (any comparable moment)."""
    never = sorted((c for c in candidates if c[0] not in last_held), key=lambda c: c[1])
    held = sorted((c for c in candidates if c[0] in last_held),
                  key=lambda c: (last_held[c[0]], c[1]))
    return [person_id for person_id, _name in never + held]


def role_suggestions(candidates: Sequence[tuple[int, str]], last_held: Mapping[int, object],
                     present: Iterable[int]) -> tuple[list[int], list[int]]:
    """Whom to offer a role: everyone present first, then everyone else who may hold
    it, each part in rotation order (least recently in the role first). Nobody present is
    left out of the suggestions, however many they are: the facilitator hands the role
    to someone in the room, and a list cut at a few names hid the others."""
    here = set(present)
    ranked = rotation(candidates, last_held)
    return ([p for p in ranked if p in here], [p for p in ranked if p not in here])


# Serialisation (the room's state is kept in the database) -----------------------------

def to_data(state: State) -> dict:
    chain, cursor = [], state
    while cursor is not None:
        chain.append(_flat(cursor))
        cursor = cursor.previous
    return {"chain": chain}


def _flat(state: State) -> dict:
    return {"hands": [[h.who, h.kind.value, h.seq] for h in state.hands],
            "turns": [list(t) for t in state.turns], "speaker": state.speaker,
            "speaker_kind": state.speaker_kind.value if state.speaker_kind else None,
            "skipped": [[h.who, h.kind.value, h.seq] for h in state.skipped],
            "seq": state.seq}


def from_data(data: dict | None) -> State:
    if not data or not data.get("chain"):
        return State()
    rebuilt = None
    for flat in reversed(data["chain"]):
        rebuilt = State(
            hands=tuple(Hand(w, HandKind(k), s) for w, k, s in flat["hands"]),
            turns=tuple((w, n) for w, n in flat["turns"]), speaker=flat["speaker"],
            speaker_kind=HandKind(flat["speaker_kind"]) if flat["speaker_kind"] else None,
            skipped=tuple(Hand(w, HandKind(k), s) for w, k, s in flat["skipped"]),
            seq=flat["seq"], previous=rebuilt)
    return rebuilt


# Speech statistics (R14) ---------------------------------------------------------------

def gini(values: Sequence[float]) -> float:
    """0 when everyone speaks as long, towards 1 when one person holds the floor."""
    data = sorted(v for v in values if v >= 0)
    n, total = len(data), sum(data)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum((index + 1) * value for index, value in enumerate(data))
    return max(0.0, (2 * weighted) / (n * total) - (n + 1) / n)  # no -0.0000001 from floats


def top_fifth_share(values: Sequence[float]) -> float:
    """Share of the speaking time taken by the most talkative fifth (at least one person)."""
    data = sorted((v for v in values if v >= 0), reverse=True)
    total = sum(data)
    if not data or total == 0:
        return 0.0
    count = max(1, round(len(data) / 5))
    return sum(data[:count]) / total


def aggregate_categories(rows: Iterable[tuple[str, float]], minimum: int = 5
                         ) -> dict[str, tuple[int, float]]:
    """Self-described categories, only ever shown together, and only when at least
    `minimum` people share one: {category: (people, speaking time)}."""
    people: dict[str, int] = {}
    seconds: dict[str, float] = {}
    for category, value in rows:
        people[category] = people.get(category, 0) + 1
        seconds[category] = seconds.get(category, 0.0) + value
    return {c: (people[c], seconds[c]) for c in people if people[c] >= minimum}
