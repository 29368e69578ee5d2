"""Pure rules of work rotation and polyvalence (DOMAIN.md R12, R13).

No Django here. `plan` proposes who holds each post for each shift of a period:

* only capable people hold a post ("capable" or "teaching"); a "learning" person is
  only added beside a capable holder, as an extra that never counts toward `needed`;
* nobody appears twice in one shift;
* nobody holds the same post more than `max_streak` consecutive shifts (the trailing
  streaks of `history` count);
* declared unavailability is respected;
* a post is only held on the shifts it is needed (`Post.held_on`; None: every shift);
* load is spread by a greedy choice: least loaded first (a running streak on this post
  counts as extra load, so rotation wins over a tie), then the shortest streak on this
  post, then the one away from this post the longest, then id. Within a shift the
  scarcest post (fewest free capable people) is filled first.

When a (shift, post) cannot be filled the plan carries a `Gap` that says why, instead
of failing. Every choice carries a reason code and details, so the proposal can be
explained, adjusted by hand (then checked with `violations`) and published.
`round_robin` is the naive baseline used to measure fairness.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time

LEVELS = ("capable", "learning", "teaching")
CAPABLE_LEVELS = frozenset({"capable", "teaching"})

HOLDER = "holder"
LEARNER = "learner"

# Reason codes of assignments.
ONLY_CAPABLE = "only_capable"
LEAST_LOAD = "least_load"
SHORTEST_STREAK = "shortest_streak"
LONGEST_SINCE = "longest_since"
ID_ORDER = "id_order"
ROUND_ROBIN = "round_robin"
LEARNER_PAIRED_WITH = "learner_paired_with"
# Written by hand edits of a proposal: a person placed by a coordinator, a place left open.
BY_HAND = "by_hand"
LEFT_OPEN = "left_open"

# Reason codes of gaps.
NOBODY_CAPABLE = "nobody_capable"
EVERYONE_UNAVAILABLE = "everyone_unavailable"
STREAK_LIMIT = "streak_limit"
ALREADY_ASSIGNED = "already_assigned"  # the capable ones all hold another post that shift


@dataclass(frozen=True)
class Post:
    id: str
    name: str = ""
    needed: int = 1
    # The shift ids on which the post is held (the market stall: Saturdays); None: all.
    held_on: frozenset[str] | None = None
    # R12: fewer capable people than this and the post is at risk.
    capable_needed: int = 2

    def held(self, shift_id: str) -> bool:
        return self.held_on is None or shift_id in self.held_on


@dataclass(frozen=True)
class Skill:
    person_id: str
    post_id: str
    level: str  # "capable" | "learning" | "teaching" (teaching implies capable)

    @property
    def capable(self) -> bool:
        return self.level in CAPABLE_LEVELS


@dataclass(frozen=True)
class Shift:
    id: str
    start: date | datetime
    label: str = ""


@dataclass(frozen=True)
class Unavailable:
    person_id: str
    shift_id: str


@dataclass(frozen=True)
class Past:
    """A post held in a shift before the period (to carry streaks across the boundary)."""

    start: date | datetime
    post_id: str
    person_id: str


@dataclass(frozen=True)
class Assignment:
    shift_id: str
    post_id: str
    person_id: str
    role: str  # HOLDER | LEARNER
    reason: str
    details: Mapping[str, object] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Gap:
    shift_id: str
    post_id: str
    reason: str
    missing: int
    details: Mapping[str, object] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Plan:
    assignments: tuple[Assignment, ...]
    gaps: tuple[Gap, ...]
    shift_order: tuple[str, ...]  # shift ids, chronological
    people: tuple[str, ...]  # everyone able to hold at least one post

    def holders(self, shift_id: str, post_id: str) -> list[str]:
        return [
            a.person_id
            for a in self.assignments
            if a.shift_id == shift_id and a.post_id == post_id and a.role == HOLDER
        ]


# --- helpers -----------------------------------------------------------------------


def _sort_key(start: date | datetime) -> datetime:
    if isinstance(start, datetime):
        return start.replace(tzinfo=None)
    return datetime.combine(start, time.min)


def _ordered(shifts: Iterable[Shift]) -> list[Shift]:
    shifts = list(shifts)
    ids = [s.id for s in shifts]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate shift id")
    return sorted(shifts, key=lambda s: (_sort_key(s.start), s.id))


def _check_skills(skills: Iterable[Skill]) -> list[Skill]:
    skills = list(skills)
    for s in skills:
        if s.level not in LEVELS:
            raise ValueError(f"unknown skill level {s.level!r}")
    return skills


def _capable_by_post(skills: list[Skill]) -> dict[str, list[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for s in skills:
        if s.capable:
            out[s.post_id].add(s.person_id)
    return {post: sorted(people) for post, people in out.items()}


def _learning_by_post(skills: list[Skill]) -> dict[str, list[str]]:
    capable = {(s.person_id, s.post_id) for s in skills if s.capable}
    out: dict[str, set[str]] = defaultdict(set)
    for s in skills:
        if s.level == "learning" and (s.person_id, s.post_id) not in capable:
            out[s.post_id].add(s.person_id)
    return {post: sorted(people) for post, people in out.items()}


def _away(unavailable: Iterable[Unavailable]) -> set[tuple[str, str]]:
    return {(u.person_id, u.shift_id) for u in unavailable}


def _history_state(history: Iterable[Past]) -> tuple[dict, dict]:
    """Per person: (index of last shift held, post, run length) with the last past shift
    at index -1; and per (person, post) the index of the last time they held it."""
    history = list(history)
    starts = sorted({_sort_key(p.start) for p in history})
    index = {start: i - len(starts) for i, start in enumerate(starts)}
    by_person: dict[str, dict[int, str]] = defaultdict(dict)
    last_on: dict[tuple[str, str], int] = {}
    for p in history:
        i = index[_sort_key(p.start)]
        by_person[p.person_id][i] = p.post_id
        key = (p.person_id, p.post_id)
        last_on[key] = max(last_on.get(key, i), i)
    run_state: dict[str, tuple[int, str, int]] = {}
    for person, held in by_person.items():
        last = max(held)
        post = held[last]
        run = 0
        i = last
        while held.get(i) == post:
            run += 1
            i -= 1
        run_state[person] = (last, post, run)
    return run_state, last_on


def _gap(shift_id, post, missing, capable, chosen, away, busy, blocked) -> Gap:
    rest = [p for p in capable if p not in chosen]
    unavailable = [p for p in rest if p in away]
    streak = [p for p in rest if p not in away and p in blocked]
    elsewhere = [p for p in rest if p not in away and p not in blocked and p in busy]
    if not rest:
        reason = NOBODY_CAPABLE
    elif len(unavailable) == len(rest):
        reason = EVERYONE_UNAVAILABLE
    elif streak and len(streak) >= len(elsewhere):
        reason = STREAK_LIMIT
    else:
        reason = ALREADY_ASSIGNED
    details = {
        "needed": post.needed,
        "capable": len(capable),
        "unavailable": tuple(unavailable),
        "streak_limit": tuple(streak),
        "already_assigned": tuple(elsewhere),
    }
    return Gap(shift_id, post.id, reason, missing, details)


# --- the planner -------------------------------------------------------------------


def plan(
    posts: Iterable[Post],
    shifts: Iterable[Shift],
    skills: Iterable[Skill],
    unavailable: Iterable[Unavailable] = (),
    max_streak: int = 2,
    history: Iterable[Past] = (),
) -> Plan:
    if max_streak < 1:
        raise ValueError("max_streak must be at least 1")
    posts = sorted(posts, key=lambda p: p.id)
    order = _ordered(shifts)
    skills = _check_skills(skills)
    levels = _levels(skills)
    capable = _capable_by_post(skills)
    learning = _learning_by_post(skills)
    away = _away(unavailable)
    run_state, last_on = _history_state(history)
    load: dict[str, int] = defaultdict(int)
    learned: dict[str, int] = defaultdict(int)
    assignments: list[Assignment] = []
    gaps: list[Gap] = []

    def streak_on(person: str, post_id: str, i: int) -> int:
        last, held, run = run_state.get(person, (None, None, 0))
        return run if last == i - 1 and held == post_id else 0

    for i, shift in enumerate(order):
        in_shift: set[str] = set()
        away_now = {p for (p, s) in away if s == shift.id}

        def free(person: str, in_shift=in_shift, away_now=away_now) -> bool:
            return person not in in_shift and person not in away_now

        # Scarcest post first, so that people rare on one post are not used up elsewhere.
        def scarcity(post: Post, free=free) -> tuple:
            n = sum(1 for p in capable.get(post.id, ()) if free(p))
            return (n - post.needed, post.id)

        held_by: dict[str, list[str]] = {}
        posts_now = [p for p in posts if p.held(shift.id)]
        for post in sorted(posts_now, key=scarcity):
            pool = capable.get(post.id, [])
            blocked = {p for p in pool if streak_on(p, post.id, i) >= max_streak}
            chosen: list[str] = []
            for _ in range(post.needed):
                candidates = [p for p in pool if free(p) and p not in blocked]
                if not candidates:
                    break

                def key(p: str, post_id=post.id, i=i) -> tuple:
                    since = i - last_on.get((p, post_id), -(10**9))
                    return (load[p] + streak_on(p, post_id, i), streak_on(p, post_id, i), -since, p)

                candidates.sort(key=key)
                person = candidates[0]
                best = key(person)
                details = {
                    "load_before": load[person],
                    "candidates": len(candidates),
                    "streak_before": best[1],
                }
                if len(candidates) == 1:
                    reason = ONLY_CAPABLE
                else:
                    runner_up = candidates[1]
                    second = key(runner_up)
                    reason = next(
                        code
                        for code, a, b in zip(
                            (LEAST_LOAD, SHORTEST_STREAK, LONGEST_SINCE, ID_ORDER),
                            best,
                            second,
                            strict=True,
                        )
                        if a != b or code == ID_ORDER
                    )
                    if reason == LEAST_LOAD and load[person] >= load[runner_up]:
                        # Not fewer days held: what tipped it is the runner-up's run on
                        # this post, which counts as load.
                        reason = SHORTEST_STREAK
                    details |= {"next_load": load[runner_up], "next_streak": second[1]}
                assignments.append(Assignment(shift.id, post.id, person, HOLDER, reason, details))
                chosen.append(person)
                in_shift.add(person)
                load[person] += 1
                last_on[(person, post.id)] = i
                run_state[person] = (i, post.id, streak_on(person, post.id, i) + 1)
            held_by[post.id] = chosen
            if len(chosen) < post.needed:
                busy = in_shift - set(chosen)
                gaps.append(
                    _gap(
                        shift.id,
                        post,
                        post.needed - len(chosen),
                        pool,
                        chosen,
                        away_now,
                        busy,
                        blocked,
                    )
                )

        # Then one learner beside each filled post, with whoever is still free.
        for post in posts_now:
            holders = held_by.get(post.id) or []
            if not holders:
                continue
            candidates = [p for p in learning.get(post.id, []) if free(p)]
            if not candidates:
                continue
            candidates.sort(key=lambda p: (learned[p], p))
            person = candidates[0]
            teaching = [h for h in holders if (h, post.id, "teaching") in levels]
            teacher = (teaching or holders)[0]
            details = {"holder": teacher, "teaching": bool(teaching)}
            assignments.append(
                Assignment(shift.id, post.id, person, LEARNER, LEARNER_PAIRED_WITH, details)
            )
            in_shift.add(person)
            learned[person] += 1

    people = tuple(sorted({p for pool in capable.values() for p in pool}))
    return Plan(tuple(assignments), tuple(gaps), tuple(s.id for s in order), people)


def _levels(skills: list[Skill]) -> set[tuple[str, str, str]]:
    return {(s.person_id, s.post_id, s.level) for s in skills}


# --- the naive baseline ------------------------------------------------------------


def round_robin(
    posts: Iterable[Post],
    shifts: Iterable[Shift],
    skills: Iterable[Skill],
    unavailable: Iterable[Unavailable] = (),
) -> Plan:
    """Per post, cycle through the capable people in id order; skip whoever is away or
    already placed in the shift. Ignores load and streaks."""
    posts = sorted(posts, key=lambda p: p.id)
    order = _ordered(shifts)
    capable = _capable_by_post(_check_skills(skills))
    away = _away(unavailable)
    pointer: dict[str, int] = defaultdict(int)
    assignments: list[Assignment] = []
    gaps: list[Gap] = []
    for shift in order:
        in_shift: set[str] = set()
        away_now = {p for (p, s) in away if s == shift.id}
        for post in (p for p in posts if p.held(shift.id)):
            pool = capable.get(post.id, [])
            chosen: list[str] = []
            for _ in range(post.needed):
                for step in range(len(pool)):
                    k = (pointer[post.id] + step) % len(pool)
                    person = pool[k]
                    if person not in in_shift and person not in away_now:
                        pointer[post.id] = k + 1
                        chosen.append(person)
                        in_shift.add(person)
                        assignments.append(
                            Assignment(shift.id, post.id, person, HOLDER, ROUND_ROBIN, {})
                        )
                        break
                else:
                    break
            if len(chosen) < post.needed:
                busy = in_shift - set(chosen)
                gaps.append(
                    _gap(
                        shift.id,
                        post,
                        post.needed - len(chosen),
                        pool,
                        chosen,
                        away_now,
                        busy,
                        set(),
                    )
                )
    people = tuple(sorted({p for pool in capable.values() for p in pool}))
    return Plan(tuple(assignments), tuple(gaps), tuple(s.id for s in order), people)


# --- metrics and checks ------------------------------------------------------------


def loads(plan: Plan) -> dict[str, int]:
    """Posts held per person over the period (learners are extras and do not count)."""
    out = dict.fromkeys(plan.people, 0)
    for a in plan.assignments:
        if a.role == HOLDER:
            out[a.person_id] = out.get(a.person_id, 0) + 1
    return out


def load_spread(plan: Plan) -> int:
    """Max minus min of posts held among the people able to hold something."""
    values = list(loads(plan).values())
    return max(values) - min(values) if values else 0


def streaks(plan: Plan, history: Iterable[Past] = ()) -> dict[tuple[str, str], int]:
    """Longest run of consecutive shifts on the same post, per (person, post)."""
    run_state, _ = _history_state(history)
    index = {s: i for i, s in enumerate(plan.shift_order)}
    held: dict[str, dict[int, str]] = defaultdict(dict)
    for a in plan.assignments:
        if a.role == HOLDER:
            held[a.person_id][index[a.shift_id]] = a.post_id
    best: dict[tuple[str, str], int] = defaultdict(int)
    for person in sorted(set(held) | set(run_state)):
        last, post, run = run_state.get(person, (None, None, 0))
        current_post, current = (post, run) if last == -1 else (None, 0)
        if current_post is not None:
            best[(person, current_post)] = max(best[(person, current_post)], current)
        for i in range(len(plan.shift_order)):
            p = held[person].get(i)
            if p is not None and p == current_post:
                current += 1
            else:
                current_post, current = p, (1 if p is not None else 0)
            if p is not None:
                best[(person, p)] = max(best[(person, p)], current)
    return dict(best)


def longest_streak(plan: Plan, history: Iterable[Past] = ()) -> int:
    return max(streaks(plan, history).values(), default=0)


def violations(
    plan: Plan,
    posts: Iterable[Post],
    skills: Iterable[Skill],
    unavailable: Iterable[Unavailable] = (),
    max_streak: int | None = None,
    history: Iterable[Past] = (),
) -> list[tuple[str, str, str, str]]:
    """Check a (possibly hand-adjusted) plan: (code, shift_id, post_id, person_id)."""
    skills = _check_skills(skills)
    levels = _levels(skills)
    capable = {(s.person_id, s.post_id) for s in skills if s.capable}
    away = _away(unavailable)
    posts = {p.id: p for p in posts}
    out: list[tuple[str, str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for a in plan.assignments:
        if a.post_id in posts and not posts[a.post_id].held(a.shift_id):
            out.append(("post_not_held", a.shift_id, a.post_id, a.person_id))
        if (a.person_id, a.shift_id) in seen:
            out.append(("twice_in_shift", a.shift_id, a.post_id, a.person_id))
        seen.add((a.person_id, a.shift_id))
        if (a.person_id, a.shift_id) in away:
            out.append(("unavailable", a.shift_id, a.post_id, a.person_id))
        if a.role == HOLDER and (a.person_id, a.post_id) not in capable:
            out.append(("not_capable", a.shift_id, a.post_id, a.person_id))
        if a.role == LEARNER:
            if (a.person_id, a.post_id, "learning") not in levels:
                out.append(("not_learning", a.shift_id, a.post_id, a.person_id))
            if not plan.holders(a.shift_id, a.post_id):
                out.append(("learner_alone", a.shift_id, a.post_id, a.person_id))
    if max_streak is not None:
        for (person, post), run in sorted(streaks(plan, history).items()):
            if run > max_streak:
                out.append(("streak", "", post, person))
    gaps = {(g.shift_id, g.post_id) for g in plan.gaps}
    for shift_id in plan.shift_order:
        for post in posts.values():
            if (
                post.held(shift_id)
                and len(plan.holders(shift_id, post.id)) < post.needed
                and ((shift_id, post.id) not in gaps)
            ):
                out.append(("unreported_gap", shift_id, post.id, ""))
    return out


# --- polyvalence and self-training (R12, R13) ---------------------------------------


def posts_at_risk(
    posts: Iterable[Post], skills: Iterable[Skill], minimum: int | None = None
) -> list[tuple[str, int]]:
    """Posts with fewer capable people than `minimum` (by default each post's own
    `capable_needed`), the most fragile first."""
    capable = _capable_by_post(_check_skills(skills))
    counts = [
        (p.id, len(capable.get(p.id, [])), p.capable_needed if minimum is None else minimum)
        for p in posts
    ]
    return sorted(((pid, n) for pid, n, least in counts if n < least), key=lambda t: (t[1], t[0]))


def teaching_pairs(skills: Iterable[Skill]) -> list[tuple[str, str, str]]:
    """(teacher, learner, post) for every post someone teaches and someone wants to learn."""
    skills = _check_skills(skills)
    teachers: dict[str, set[str]] = defaultdict(set)
    for s in skills:
        if s.level == "teaching":
            teachers[s.post_id].add(s.person_id)
    learners = _learning_by_post(skills)
    return sorted(
        (t, learner, post)
        for post, people in learners.items()
        for learner in people
        for t in teachers.get(post, ())
        if t != learner
    )


TEACH = "teach"
LEARN = "learn"


@dataclass(frozen=True)
class Wish:
    """A line of a teach/learn list: `subject` is opaque here (a post, a free topic)."""

    person_id: str
    kind: str  # TEACH | LEARN
    subject: str


@dataclass(frozen=True)
class Pairing:
    """A suggested learning pair. `others`: the other people who teach the subject;
    `also`: the learner's other wishes this teacher can teach too (one session may
    cover them)."""

    teacher: str
    learner: str
    subject: str
    others: tuple[str, ...] = ()
    also: tuple[str, ...] = ()


def topic_key(text: str) -> str:
    """How free topics are matched: "  Réparation de  VÉLOS " and "reparation de velos"
    are one topic (case folded, accents stripped, spaces collapsed)."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.split())


def match(wishes: Iterable[Wish], skills: Iterable[Skill] = ()) -> list[Pairing]:
    """Pair every (learner, subject) wanted with one person who teaches it.

    Teachers come from "teach" lines and from "teaching" skills (the skill's post_id is
    the subject), learners from "learn" lines and "learning" skills; a line and a skill
    saying the same thing count once. Nobody learns what they teach. Subjects with the
    fewest teachers are served first, and each goes to the teacher with the fewest
    pairings so far (then by id), so teaching is spread rather than piled on one
    person."""
    teachers: dict[str, set[str]] = defaultdict(set)
    wanted: dict[str, set[str]] = defaultdict(set)  # learner -> subjects
    for w in wishes:
        if w.kind not in (TEACH, LEARN):
            raise ValueError(f"unknown wish kind {w.kind!r}")
        if w.kind == TEACH:
            teachers[w.subject].add(w.person_id)
        else:
            wanted[w.person_id].add(w.subject)
    for s in _check_skills(skills):
        if s.level == "teaching":
            teachers[s.post_id].add(s.person_id)
        elif s.level == "learning":
            wanted[s.person_id].add(s.post_id)
    requests = sorted(
        (
            (learner, subject)
            for learner, subjects in wanted.items()
            for subject in subjects
            if learner not in teachers.get(subject, ())
        ),
        key=lambda r: (len(teachers.get(r[1], ())), r[1], r[0]),
    )
    count: dict[str, int] = defaultdict(int)
    out: list[Pairing] = []
    for learner, subject in requests:
        able = sorted(t for t in teachers.get(subject, ()) if t != learner)
        if not able:
            continue
        teacher = min(able, key=lambda t: (count[t], t))
        count[teacher] += 1
        also = tuple(
            sorted(
                other
                for other in wanted[learner]
                if other != subject
                and teacher in teachers.get(other, ())
                and learner not in teachers.get(other, ())
            )
        )
        out.append(Pairing(teacher, learner, subject, tuple(t for t in able if t != teacher), also))
    return sorted(out, key=lambda p: (p.subject, p.learner))


def suggests(pairings: Iterable[Pairing], teacher: str, learner: str, subject: str) -> bool:
    """Whether `match`'s pairings let `teacher` teach `learner` the `subject`: the learner
    is paired on it, with this teacher or with them among the others who teach it."""
    return any(p.subject == subject and p.learner == learner
               and teacher in (p.teacher, *p.others) for p in pairings)
