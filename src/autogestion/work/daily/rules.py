"""Pure rules of the daily plan (DOMAIN.md R3, R12, R13).

No Django here. The evening meeting plans the next day: its tasks are seeded from the
published rotation (one task per post, its holders and learners on it), then edited by
hand. The weekly summary counts who did what, so that the collective sees how the work
is spread and who carries the most (R12: nobody should carry a post, or the farm, alone).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from autogestion.core.refusal import Refusal

HOLDER = "holder"
LEARNER = "learner"
MAX_DAYS_AHEAD = 366


# Days and times ---------------------------------------------------------------------

def default_day(today: date) -> date:
    """The evening meeting plans tomorrow."""
    return today + timedelta(days=1)


def check_plannable(day: date, today: date) -> date:
    """A plan is made for today or a day to come; the past is kept as it was."""
    if day < today:
        raise Refusal("past_day", day=day, today=today)
    if day > today + timedelta(days=MAX_DAYS_AHEAD):
        raise Refusal("too_far", day=day, days=MAX_DAYS_AHEAD)
    return day


def check_times(starts_at: time | None, ends_at: time | None) -> None:
    """Times are optional; an end needs a start, and comes after it (same day)."""
    if ends_at is not None and starts_at is None:
        raise Refusal("end_without_start")
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise Refusal("ends_before_start", starts_at=starts_at, ends_at=ends_at)


def week_of(day: date) -> list[date]:
    """The seven days, Monday to Sunday, of the ISO week holding `day`."""
    monday = day - timedelta(days=day.isoweekday() - 1)
    return [monday + timedelta(days=n) for n in range(7)]


# Seeding from the rotation ----------------------------------------------------------

@dataclass(frozen=True)
class Placement:
    """One person on one post for the day, as the published rotation says."""

    post_id: int
    person_id: int
    role: str  # HOLDER | LEARNER


@dataclass(frozen=True)
class SeedTask:
    post_id: int
    title: str
    holders: tuple[int, ...]
    learners: tuple[int, ...]
    missing: int = 0  # people the rotation could not find for this post

    @property
    def people(self) -> tuple[int, ...]:
        return self.holders + self.learners


def seed_tasks(posts: Mapping[int, str], placements: Iterable[Placement],
               missing: Mapping[int, int] | None = None) -> list[SeedTask]:
    """One task per post of the day, in the order of the posts' names: the holders,
    then the learners beside them. A post the rotation left empty (a gap) still gets its
    task, so the meeting sees it and finds someone. Posts not in `posts` are skipped."""
    missing = missing or {}
    holders: dict[int, list[int]] = defaultdict(list)
    learners: dict[int, list[int]] = defaultdict(list)
    for p in placements:
        if p.post_id not in posts:
            continue
        target = learners if p.role == LEARNER else holders
        if p.person_id not in target[p.post_id]:
            target[p.post_id].append(p.person_id)
    used = set(holders) | set(learners) | {post for post, n in missing.items()
                                           if n > 0 and post in posts}
    ordered = sorted(used, key=lambda post: (posts[post].casefold(), post))
    return [SeedTask(post_id=post, title=posts[post], holders=tuple(holders[post]),
                     learners=tuple(learners[post]), missing=max(0, missing.get(post, 0)))
            for post in ordered]


# Ordering ---------------------------------------------------------------------------

def moved(order: Sequence[int], item: int, step: int) -> list[int]:
    """`order` with `item` moved `step` places (negative: up), stopping at the ends."""
    order = list(order)
    if item not in order:
        raise Refusal("unknown_task")
    at = order.index(item)
    target = min(max(at + step, 0), len(order) - 1)
    order.insert(target, order.pop(at))
    return order


# The week ---------------------------------------------------------------------------

OTHER = ""  # the key of the tasks added by hand, not drawn from a post


@dataclass(frozen=True)
class Done:
    """A person on a task of a published plan."""

    person_id: int
    day: date
    task_id: int
    title: str
    post_key: str = OTHER  # the post's name, or OTHER for a task added by hand
    learning: bool = False


@dataclass
class PersonWeek:
    person_id: int
    by_day: dict[date, list[Done]] = field(default_factory=dict)
    by_post: dict[str, int] = field(default_factory=dict)
    total: int = 0
    learning: int = 0
    most_loaded: bool = False


@dataclass(frozen=True)
class WeekSummary:
    days: tuple[date, ...]
    people: tuple[PersonWeek, ...]  # most tasks first, then in the order given
    post_keys: tuple[str, ...]  # posts in name order, OTHER last when present
    total: int
    per_day: Mapping[date, int]
    spread: int  # most tasks minus fewest, among the people counted

    def share_of(self, person: PersonWeek) -> int:
        """Percent of the week's places this person held."""
        return round(100 * person.total / self.total) if self.total else 0


def week_summary(days: Sequence[date], done: Iterable[Done],
                 people: Sequence[int] = ()) -> WeekSummary:
    """Who did what over `days`: per person and day the tasks, per person the number of
    tasks in all and per post. `people` (the body's members) appear even with nothing
    done, so an uneven week shows. The most loaded are flagged unless everyone did the
    same amount."""
    in_week = set(days)
    rows: dict[int, PersonWeek] = {pid: PersonWeek(pid) for pid in people}
    keys: set[str] = set()
    per_day: Counter = Counter()
    seen: set[tuple[int, int]] = set()
    for item in sorted(done, key=lambda d: (d.day, d.task_id, d.person_id)):
        if item.day not in in_week or (item.person_id, item.task_id) in seen:
            continue
        seen.add((item.person_id, item.task_id))
        row = rows.setdefault(item.person_id, PersonWeek(item.person_id))
        row.by_day.setdefault(item.day, []).append(item)
        row.by_post[item.post_key] = row.by_post.get(item.post_key, 0) + 1
        row.total += 1
        row.learning += item.learning
        keys.add(item.post_key)
        per_day[item.day] += 1
    totals = [row.total for row in rows.values()]
    highest, lowest = (max(totals), min(totals)) if totals else (0, 0)
    for row in rows.values():
        row.most_loaded = highest > lowest and row.total == highest
    order = {pid: n for n, pid in enumerate(people)}
    ranked = sorted(rows.values(),
                    key=lambda r: (-r.total, order.get(r.person_id, len(order)), r.person_id))
    post_keys = sorted((k for k in keys if k != OTHER), key=str.casefold)
    if OTHER in keys:
        post_keys.append(OTHER)
    return WeekSummary(days=tuple(days), people=tuple(ranked), post_keys=tuple(post_keys),
                       total=sum(totals), per_day={d: per_day.get(d, 0) for d in days},
                       spread=highest - lowest)
