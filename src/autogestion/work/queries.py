"""Reads for the work pages and the API, each in a fixed number of queries, and the plain
words that explain the rotation: why this person holds this post this day, and why a
post is left uncovered. Every reason text is here, once, translatable."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from autogestion.cooperatives.models import Body
from autogestion.cooperatives.selectors import (
    active_bodies,
    active_member_ids,
    active_members,
    active_memberships,
)
from autogestion.core import clock, history

from . import rules
from .models import (
    Assignment,
    AssignmentRole,
    Gap,
    Knowledge,
    KnowledgeKind,
    Post,
    Rotation,
    RotationStatus,
    Skill,
    SkillLevel,
    TrainingSession,
    Unavailability,
)

# How far back published assignments are read so that runs on a post carry over.
HISTORY_DAYS = 14

# Why the planner (or a person) put someone on a post for a day.
ASSIGNMENT_REASONS = {
    rules.ONLY_CAPABLE: _("only capable person free that day"),
    rules.LEAST_LOAD: ngettext_lazy(
        "least load so far: %(load)s day against %(next)s for the others",
        "least load so far: %(load)s days against %(next)s for the others", "load"),
    rules.SHORTEST_STREAK: ngettext_lazy(
        "as many days as the next one, who has held this post %(next_streak)s day in a row",
        "as many days as the next one, who has held this post %(next_streak)s days in a row",
        "next_streak"),
    "shortest_streak_more_load": ngettext_lazy(
        "%(load)s days against %(next)s for the next one, but they have held this post "
        "%(next_streak)s day in a row: rotating first",
        "%(load)s days against %(next)s for the next one, but they have held this post "
        "%(next_streak)s days in a row: rotating first", "next_streak"),
    rules.LONGEST_SINCE: _("as many days as the others, and away from this post the "
                           "longest"),
    rules.ID_ORDER: _("equal with the others on every count: taken in a fixed order"),
    rules.ROUND_ROBIN: _("in turn"),
    rules.LEARNER_PAIRED_WITH: _("learning beside %(holder)s"),
    "learner_with_teacher": _("learning beside %(holder)s, who teaches it"),
    rules.BY_HAND: _("set by hand by %(name)s"),
    "by_hand_anonymous": _("set by hand"),
}

# Why a post is not covered on a day.
GAP_REASONS = {
    rules.NOBODY_CAPABLE: _("nobody is capable of %(post)s: declare skills or train "
                            "someone"),
    "nobody_else_capable": ngettext_lazy(
        "only %(capable)s person is capable of %(post)s: train someone",
        "only %(capable)s people are capable of %(post)s: train someone", "capable"),
    rules.EVERYONE_UNAVAILABLE: _("every capable person is unavailable that day "
                                  "(%(names)s)"),
    rules.STREAK_LIMIT: _("the capable people free that day have held it as many days in "
                          "a row as allowed (%(names)s): train someone so others can take "
                          "over"),
    rules.ALREADY_ASSIGNED: _("the capable people hold another post that day (%(names)s)"),
    rules.LEFT_OPEN: _("left open by hand"),
}

LEVEL_LABELS = dict(SkillLevel.choices)


def explain_assignment(row: Assignment, names: dict[int, str]) -> str:
    details = row.details or {}
    if row.reason == rules.BY_HAND:
        if row.set_by_id in names:
            return str(ASSIGNMENT_REASONS[rules.BY_HAND] % {"name": names[row.set_by_id]})
        return str(ASSIGNMENT_REASONS["by_hand_anonymous"])
    if row.reason == rules.LEARNER_PAIRED_WITH:
        code = "learner_with_teacher" if details.get("teaching") else row.reason
        return str(ASSIGNMENT_REASONS[code] % {"holder": names.get(details.get("holder"),
                                                                    "?")})
    code = row.reason
    if code == rules.SHORTEST_STREAK and details.get("load_before", 0) > details.get(
            "next_load", 0):
        code = "shortest_streak_more_load"
    text = ASSIGNMENT_REASONS.get(code)
    if text is None:
        return row.reason
    return str(text % {"load": details.get("load_before", 0),
                       "next": details.get("next_load", 0),
                       "streak": details.get("streak_before", 0),
                       "next_streak": details.get("next_streak", 0)})


def explain_gap(gap: Gap, post_name: str, names: dict[int, str]) -> str:
    details = gap.details or {}
    code = gap.reason
    if code == rules.NOBODY_CAPABLE and details.get("capable"):
        code = "nobody_else_capable"
    text = GAP_REASONS.get(code)
    if text is None:
        return gap.reason
    people = details.get(code if code in (rules.STREAK_LIMIT, rules.ALREADY_ASSIGNED)
                         else "unavailable", [])
    return str(text % {"post": post_name, "capable": details.get("capable", 0),
                       "names": ", ".join(names.get(p, "?") for p in people)})


def _gap_people(gaps) -> set[int]:
    return {p for g in gaps for key in ("unavailable", "streak_limit", "already_assigned")
            for p in (g.details or {}).get(key, [])}


def names_of(ids) -> dict[int, str]:
    ids = {i for i in ids if isinstance(i, int)}
    if not ids:
        return {}
    return {p.pk: p.public_name for p in get_user_model().objects.filter(pk__in=ids)}


# A body's work home --------------------------------------------------------------------

@dataclass
class PostRow:
    post: Post
    capable: list = field(default_factory=list)      # skills, capable or teaching
    learning: list = field(default_factory=list)
    at_risk: bool = False
    mine: Skill | None = None

    @property
    def capable_count(self) -> int:
        return len(self.capable)

    @property
    def confirmed_count(self) -> int:
        return sum(1 for s in self.capable if s.confirmed_at is not None)

    @property
    def days_text(self) -> str:
        return weekdays_text(self.post.weekdays)


@dataclass
class PairRow:
    teacher: str
    learner: str
    subject: str
    others: list[str]


@dataclass
class WorkHome:
    body: Body
    posts: list[PostRow]
    retired: list[Post]
    at_risk: list[PostRow]
    pairs: list[PairRow]
    rotations: list[Rotation]
    my_days: list[Assignment]
    unconfirmed: int


WEEKDAY_NAMES = {"1": _("Mon"), "2": _("Tue"), "3": _("Wed"), "4": _("Thu"), "5": _("Fri"),
                 "6": _("Sat"), "7": _("Sun")}


def weekdays_text(weekdays: str) -> str:
    if weekdays == "1234567":
        return str(_("every day"))
    return ", ".join(str(WEEKDAY_NAMES[d]) for d in weekdays)


def member_skills(body: Body, posts=None):
    """Skills of the body's active members on its posts, with the person."""
    members = active_memberships(body=body).values("person_id")
    query = Skill.objects.filter(person_id__in=members).select_related("person")
    return query.filter(post__in=posts) if posts is not None else query.filter(post__body=body)


def work_home(body: Body, user) -> WorkHome:
    """Seven queries: posts, skills, rotations, my next days, names for the pairs (none:
    they come with the skills), the user's memberships (cached)."""
    posts = list(Post.objects.filter(body=body).order_by("name"))
    active = [p for p in posts if p.active]
    rows = {p.pk: PostRow(p) for p in active}
    skills = list(member_skills(body, active)) if active else []
    people = {}
    for skill in skills:
        row = rows[skill.post_id]
        people[str(skill.person_id)] = skill.person.public_name
        if skill.level in rules.CAPABLE_LEVELS:
            row.capable.append(skill)
        else:
            row.learning.append(skill)
        if skill.person_id == getattr(user, "pk", None):
            row.mine = skill
    rposts = [rules.Post(str(p.pk), p.name, p.holders, None, p.capable_needed) for p in active]
    rskills = [rules.Skill(str(s.person_id), str(s.post_id), s.level) for s in skills]
    for post_id, _n in rules.posts_at_risk(rposts, rskills):
        rows[int(post_id)].at_risk = True
    names = {str(p.pk): p.name for p in active}
    pairs = [PairRow(people[p.teacher], people[p.learner], names[p.subject],
                     [people[o] for o in p.others]) for p in rules.match((), rskills)]
    today = clock.today()
    rotations = list(Rotation.objects.filter(body=body, last_day__gte=today - timedelta(days=7))
                     .exclude(status=RotationStatus.DISCARDED).order_by("first_day")[:12])
    my_days = []
    if getattr(user, "is_authenticated", False):
        my_days = list(Assignment.objects.filter(
            rotation__body=body, rotation__status=RotationStatus.PUBLISHED, person=user,
            day__gte=today, day__lte=today + timedelta(days=13))
            .select_related("post").order_by("day", "post__name"))
    ordered = sorted(rows.values(), key=lambda r: r.post.name.casefold())
    return WorkHome(
        body=body, posts=ordered, retired=[p for p in posts if not p.active],
        at_risk=[r for r in ordered if r.at_risk], pairs=pairs, rotations=rotations,
        my_days=my_days,
        unconfirmed=sum(1 for s in skills if s.confirmed_at is None
                        and s.level in rules.CAPABLE_LEVELS))


def my_skills(body: Body, user) -> tuple[list[Post], dict[int, str], set[int]]:
    """The body's active posts by name, the user's level on each, and those confirmed."""
    posts = list(Post.objects.filter(body=body, active=True).order_by("name"))
    rows = Skill.objects.filter(person=user, post__in=posts) \
        .values_list("post_id", "level", "confirmed_at")
    mine, confirmed = {}, set()
    for post_id, level, confirmed_at in rows:
        mine[post_id] = level
        if confirmed_at is not None:
            confirmed.add(post_id)
    return posts, mine, confirmed


def confirm_list(body: Body) -> list[Skill]:
    """Skills to confirm first, then the confirmed ones."""
    skills = list(member_skills(body).filter(post__active=True)
                  .select_related("post", "confirmed_by")
                  .order_by("post__name", "person__display_name", "pk"))
    return sorted(skills, key=lambda s: s.confirmed_at is not None)


def unavailability_of(body: Body, user, everyone: bool):
    query = Unavailability.objects.filter(body=body, last_day__gte=clock.today())
    if not everyone:
        query = query.filter(person=user)
    return list(query.select_related("person").order_by("first_day", "pk"))


# A rotation ----------------------------------------------------------------------------

@dataclass
class Placed:
    row: Assignment
    why: str
    # Who could take this place (capable for a holder, learning for a learner): the
    # choices of the "replace" control on a proposal.
    choices: list = field(default_factory=list)


@dataclass
class Cell:
    post: Post
    held: bool
    holders: list[Placed] = field(default_factory=list)
    learners: list[Placed] = field(default_factory=list)
    gap: str = ""
    missing: int = 0


@dataclass
class Day:
    day: date
    cells: list[Cell]


@dataclass
class GapRow:
    day: date
    post: Post
    why: str
    missing: int
    reason: str


@dataclass
class LoadRow:
    name: str
    days: int
    longest: int


@dataclass
class RotationPage:
    rotation: Rotation
    posts: list[Post]
    days: list[Day]
    gaps: list[GapRow]
    loads: list[LoadRow]
    spread: int
    longest: int
    warnings: list[str]
    members: list = field(default_factory=list)


def rotation_page(rotation: Rotation, *, with_members: bool = False,
                  with_warnings: bool = True) -> RotationPage:
    rows = list(rotation.assignments.select_related("person").order_by("day", "role", "pk"))
    gaps = list(rotation.gaps.all())
    post_ids = {r.post_id for r in rows} | {g.post_id for g in gaps}
    posts = list(Post.objects.filter(Q(body=rotation.body_id, active=True) | Q(pk__in=post_ids))
                 .order_by("name"))
    by_post = {p.pk: p for p in posts}
    names = {r.person_id: r.person.public_name for r in rows}
    names |= names_of((_gap_people(gaps) | {r.set_by_id for r in rows}) - set(names))
    cells: dict[tuple[date, int], Cell] = {}
    days = []
    for day in days_of(rotation.first_day, rotation.last_day):
        line = []
        for post in posts:
            cell = Cell(post, str(day.isoweekday()) in post.weekdays)
            cells[(day, post.pk)] = cell
            line.append(cell)
        days.append(Day(day, line))
    for row in rows:
        cell = cells.get((row.day, row.post_id))
        if cell is None:
            continue
        placed = Placed(row, explain_assignment(row, names))
        (cell.holders if row.role == AssignmentRole.HOLDER else cell.learners).append(placed)
    gap_rows = []
    for gap in sorted(gaps, key=lambda g: (g.day, by_post[g.post_id].name)):
        why = explain_gap(gap, by_post[gap.post_id].name, names)
        cell = cells.get((gap.day, gap.post_id))
        if cell is not None:
            cell.gap, cell.missing = why, gap.missing
        gap_rows.append(GapRow(gap.day, by_post[gap.post_id], why, gap.missing, gap.reason))
    warnings, able = [], set()
    if with_warnings:
        data = rotation_input(rotation, rows)
        able = {int(s.person_id) for s in data.skills if s.capable}
        names |= names_of(able - set(names))
        post_names = {str(p.pk): p.name for p in posts}
        warnings = [violation_message(code, day, post_names.get(post, ""),
                                               names.get(int(person), "") if person else "")
                    for code, day, post, person in check_rotation(rotation, rows,
                                                                           data)]
    loads, longest = _fairness(rotation, rows, names, able)
    values = [r.days for r in loads]
    page = RotationPage(rotation=rotation, posts=posts, days=days, gaps=gap_rows, loads=loads,
                        spread=max(values) - min(values) if values else 0, longest=longest,
                        warnings=warnings)
    if with_members:
        page.members = list(active_members(rotation.body).order_by("display_name", "pk"))
        _add_choices(page, posts)
    return page


def _add_choices(page: RotationPage, posts: list[Post]) -> None:
    members = {m.pk: m.public_name for m in page.members}
    able: dict[tuple[int, str], list] = defaultdict(list)
    for person, post, level in (Skill.objects.filter(post__in=posts, person_id__in=members)
                                .values_list("person_id", "post_id", "level")):
        role = AssignmentRole.LEARNER if level == "learning" else AssignmentRole.HOLDER
        able[(post, role)].append((person, members[person]))
    for choices in able.values():
        choices.sort(key=lambda c: (c[1].casefold(), c[0]))
    for day in page.days:
        for cell in day.cells:
            for placed in (*cell.holders, *cell.learners):
                choices = able.get((cell.post.pk, placed.row.role), [])
                if placed.row.person_id not in {c[0] for c in choices}:
                    choices = [(placed.row.person_id, placed.row.person.public_name), *choices]
                placed.choices = choices


def _fairness(rotation: Rotation, rows, names, able=()) -> tuple[list[LoadRow], int]:
    """Days held per person and their longest run on one post, within the rotation;
    `able`: the members capable of a post, listed even with no day."""
    holders = {r.person_id for r in rows if r.role == AssignmentRole.HOLDER}
    plan = rules.Plan(
        tuple(rules.Assignment(r.day.isoformat(), str(r.post_id), str(r.person_id), r.role, "")
              for r in rows), (),
        tuple(d.isoformat() for d in days_of(rotation.first_day, rotation.last_day)),
        tuple(sorted(str(p) for p in holders | set(able))))
    streaks: dict[str, int] = defaultdict(int)
    for (person, _post), run in rules.streaks(plan).items():
        streaks[person] = max(streaks[person], run)
    loads = [LoadRow(names.get(int(p), "?"), n, streaks[p])
             for p, n in rules.loads(plan).items()]
    loads.sort(key=lambda r: (-r.days, r.name))
    return loads, max(streaks.values(), default=0)


def rotation_data(rotation: Rotation) -> dict:
    """The API's view of a rotation: assignments and gaps with their explanations."""
    page = rotation_page(rotation)
    assignments = [
        {"id": p.row.pk, "day": d.day, "post_id": c.post.pk, "post": c.post.name,
         "person_id": p.row.person_id, "person": p.row.person.public_name,
         "role": p.row.role, "reason": p.row.reason, "explanation": p.why,
         "set_by_hand": p.row.set_by_id is not None}
        for d in page.days for c in d.cells for p in (*c.holders, *c.learners)]
    gaps = [{"day": g.day, "post_id": g.post.pk, "post": g.post.name, "missing": g.missing,
             "reason": g.reason, "explanation": g.why} for g in page.gaps]
    return {"assignments": assignments, "gaps": gaps, "warnings": page.warnings,
            "load": [{"person": r.name, "days": r.days, "longest_run": r.longest}
                     for r in page.loads],
            "load_spread": page.spread, "longest_run": page.longest,
            "events": history.history_out(rotation)}


def rotations_of(body: Body, limit: int = 50) -> list[Rotation]:
    """The body's proposals and published rotations, latest first (discarded proposals
    are not listed; each keeps its page and history)."""
    return list(Rotation.objects.filter(body=body).exclude(status=RotationStatus.DISCARDED)
                .annotate(gap_count=Count("gaps", distinct=True),
                          assignment_count=Count("assignments", distinct=True))
                .order_by("-first_day", "-pk")[:limit])


# Teach and learn -----------------------------------------------------------------------

@dataclass
class Suggestion:
    teacher_id: int
    teacher: str
    learner_id: int
    learner: str
    subject: str         # "post:<id>" or "topic:<key>"
    label: str
    others: list[tuple[int, str]]
    also: list[str]


def subject_labels(cooperative: Body) -> dict[str, str]:
    labels = {}
    for pk, name, body in shared_posts(cooperative).values_list("pk", "name",
                                                                         "body__name"):
        labels[f"post:{pk}"] = f"{name} ({body})"
    for key, topic in (Knowledge.objects.filter(cooperative=cooperative, post__isnull=True)
                       .order_by("created_at", "pk").values_list("topic_key", "topic")):
        labels.setdefault(f"topic:{key}", topic)
    return labels


def suggestions(cooperative: Body) -> list[Suggestion]:
    wishes, skills = wishes_of(cooperative)
    pairs = rules.match(wishes, skills)
    labels = subject_labels(cooperative)
    ids = {int(x) for p in pairs for x in (p.teacher, p.learner, *p.others)}
    names = names_of(ids)
    return [Suggestion(int(p.teacher), names.get(int(p.teacher), "?"), int(p.learner),
                       names.get(int(p.learner), "?"), p.subject,
                       labels.get(p.subject, p.subject),
                       [(int(o), names.get(int(o), "?")) for o in p.others],
                       [labels.get(a, a) for a in p.also]) for p in pairs]


@dataclass
class LearningPage:
    cooperative: Body
    teach: list[Knowledge]
    learn: list[Knowledge]
    suggestions: list[Suggestion]
    mine: list[Suggestion]
    choices: list[tuple[str, str]]     # the pairs I may schedule: value, label
    sessions: list[TrainingSession]
    posts: list[Post]


def upcoming_sessions(cooperative: Body, limit: int = 100) -> list[TrainingSession]:
    return list(TrainingSession.objects.filter(cooperative=cooperative,
                                               ends_at__gte=clock.now())
                .select_related("teacher", "learner").order_by("starts_at", "pk")[:limit])


def pair_value(teacher: int, learner: int, subject: str) -> str:
    return f"{teacher}|{learner}|{subject}"


def knowledge_of(cooperative: Body, user) -> list[Knowledge]:
    """The user's teach and learn lines in the cooperative."""
    return list(Knowledge.objects.filter(cooperative=cooperative, person=user)
                .select_related("post__body").order_by("kind", "topic_key", "post__name"))


def learning_page(cooperative: Body, user) -> LearningPage:
    lines = knowledge_of(cooperative, user)
    all_suggestions = suggestions(cooperative)
    me = getattr(user, "pk", None)
    mine, choices = [], []
    for s in all_suggestions:
        teachers = [(s.teacher_id, s.teacher), *s.others]
        if me == s.learner_id or me in {t for t, _name in teachers}:
            mine.append(s)
        for teacher_id, teacher in teachers:
            if me in (teacher_id, s.learner_id):
                label = _("%(teacher)s teaches %(learner)s: %(subject)s") % {
                    "teacher": teacher, "learner": s.learner, "subject": s.label}
                choices.append((pair_value(teacher_id, s.learner_id, s.subject), str(label)))
    sessions = upcoming_sessions(cooperative)
    posts = list(shared_posts(cooperative).select_related("body")
                 .order_by("body__path", "name"))
    return LearningPage(
        cooperative=cooperative,
        teach=[k for k in lines if k.kind == KnowledgeKind.TEACH],
        learn=[k for k in lines if k.kind == KnowledgeKind.LEARN],
        suggestions=all_suggestions, mine=mine, choices=choices, sessions=sessions,
        posts=posts)


def my_bodies_with_work(user) -> list[Body]:
    """The bodies the person is an active member of that have posts."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(active_bodies(user)
        .annotate(post_count=Count("posts", filter=Q(posts__active=True), distinct=True))
        .order_by("path"))



def next_monday() -> date:
    today = clock.today()
    return today + timedelta(days=7 - today.weekday())


def my_next_days(user, days: int = 14) -> list[Assignment]:
    """The person's places in published rotations, from today, for two weeks."""
    today = clock.today()
    return list(Assignment.objects.filter(
        rotation__status=RotationStatus.PUBLISHED, person=user, day__gte=today,
        day__lt=today + timedelta(days=days))
        .select_related("post", "rotation__body").order_by("day", "post__name"))


# The planner's input and checks, teach/learn subjects (read by the services too) ------

def day_text(day: date) -> str:
    return date_format(day, "l j F Y")


def days_of(first_day: date, last_day: date) -> list[date]:
    return [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]


def rules_post(post: Post, days: list[date]) -> rules.Post:
    held = frozenset(d.isoformat() for d in days if str(d.isoweekday()) in post.weekdays)
    return rules.Post(str(post.pk), post.name, post.holders, held, post.capable_needed)


@dataclass
class PlannerInput:
    """What `rules.plan` and `rules.violations` need for one body and period."""

    posts: list[rules.Post]
    shifts: list[rules.Shift]
    skills: list[rules.Skill]
    unavailable: list[rules.Unavailable]
    history: list[rules.Past]
    members: set[int]


def planner_input(body: Body, posts: list[Post], first_day: date,
                  last_day: date) -> PlannerInput:
    """Only active members of the body count: their skills, their unavailability, and
    the holders of the published days just before `first_day` (so that runs carry
    over)."""
    days = days_of(first_day, last_day)
    members = active_member_ids(body)
    skills = [rules.Skill(str(p), str(post), level) for p, post, level in
              Skill.objects.filter(post__in=posts, person_id__in=members)
              .values_list("person_id", "post_id", "level")]
    unavailable = []
    for person_id, first, last in Unavailability.objects.filter(
            body=body, person_id__in=members, first_day__lte=last_day,
            last_day__gte=first_day).values_list("person_id", "first_day", "last_day"):
        unavailable.extend(rules.Unavailable(str(person_id), d.isoformat())
                           for d in days_of(max(first, first_day), min(last, last_day)))
    return PlannerInput(
        posts=[rules_post(p, days) for p in posts],
        shifts=[rules.Shift(d.isoformat(), d) for d in days],
        skills=skills, unavailable=sorted(set(unavailable), key=lambda u: (u.shift_id,
                                                                            u.person_id)),
        history=history_before(body, first_day), members=members)


def history_before(body: Body, first_day: date) -> list[rules.Past]:
    """Holders of published rotations on the days right before `first_day`, back to the
    first day nobody held anything: the planner counts past days by their order, so a
    hole in the history must end it rather than join two runs."""
    rows = list(Assignment.objects.filter(
        rotation__body=body, rotation__status=RotationStatus.PUBLISHED,
        role=AssignmentRole.HOLDER, day__lt=first_day,
        day__gte=first_day - timedelta(days=HISTORY_DAYS))
        .values_list("day", "post_id", "person_id"))
    held_days = {day for day, _post, _person in rows}
    day = first_day - timedelta(days=1)
    while day in held_days:
        day -= timedelta(days=1)
    return [rules.Past(d, str(post), str(person)) for d, post, person in sorted(rows)
            if d > day]


def overlapping(body: Body, first_day: date, last_day: date):
    return Rotation.objects.filter(body=body, first_day__lte=last_day,
                                   last_day__gte=first_day)


def published_clash(body: Body, first_day: date, last_day: date,
                     exclude: int | None = None) -> Rotation | None:
    return (overlapping(body, first_day, last_day)
            .filter(status=RotationStatus.PUBLISHED).exclude(pk=exclude)
            .order_by("first_day").first())


def as_rules(rows) -> tuple[rules.Assignment, ...]:
    return tuple(rules.Assignment(r.day.isoformat(), str(r.post_id), str(r.person_id),
                                  r.role, r.reason or rules.BY_HAND) for r in rows)


def rotation_input(rotation: Rotation, rows) -> PlannerInput:
    """The planner's input for a rotation as it stands: its body's active posts and the
    posts it places people on."""
    post_ids = {r.post_id for r in rows}
    posts = list(Post.objects.filter(Q(body=rotation.body_id, active=True) | Q(pk__in=post_ids)))
    return planner_input(rotation.body, posts, rotation.first_day, rotation.last_day)


def check_rotation(rotation: Rotation, rows=None,
                   data: PlannerInput | None = None) -> list[tuple[str, str, str, str]]:
    """The rules the rotation (or `rows`, its assignments after an edit) breaks, as
    `rules.violations` gives them; gaps are not counted (they are recomputed)."""
    rows = list(rotation.assignments.all()) if rows is None else rows
    data = data or rotation_input(rotation, rows)
    plan = rules.Plan(as_rules(rows), (), tuple(s.id for s in data.shifts),
                      tuple(sorted({str(r.person_id) for r in rows})))
    return [v for v in rules.violations(plan, data.posts, data.skills, data.unavailable,
                                        rotation.max_streak, data.history)
            if v[0] != "unreported_gap"]


def names_by_key(person_ids) -> dict[str, str]:
    return {str(p.pk): p.public_name
            for p in get_user_model().objects.filter(pk__in={int(i) for i in person_ids
                                                            if str(i).isdigit()})}


def violation_message(code: str, day: str, post_name: str, name: str) -> str:
    values = {"name": name, "post": post_name,
              "day": day_text(date.fromisoformat(day)) if day else ""}
    texts = {
        "post_not_held": _("“%(post)s” is not held on %(day)s."),
        "twice_in_shift": _("%(name)s already has a place on %(day)s."),
        "unavailable": _("%(name)s said they are unavailable on %(day)s."),
        "not_capable": _("%(name)s has not declared being capable of “%(post)s”: choose "
                         "someone capable, or put them beside a holder as a learner."),
        "not_learning": _("%(name)s has not declared learning “%(post)s”: a learner is "
                          "someone who declared it."),
        "learner_alone": _("A learner is always beside a holder: “%(post)s” would have no "
                           "holder on %(day)s. Replace the holder instead, or remove the "
                           "learner first."),
        "streak": _("%(name)s holds “%(post)s” more days in a row than the rotation "
                    "allows."),
    }
    return texts.get(code, code) % values


def shared_posts(cooperative: Body):
    """The posts the cooperative's teach/learn lists draw on: its own and its open
    groups' (a closed group's posts stay among its members, R2)."""
    return Post.objects.filter(body__path__startswith=cooperative.path, active=True) \
        .filter(Q(body__is_open=True) | Q(body=cooperative))


def subject_key(post: Post | None, key: str) -> str:
    return f"post:{post.pk}" if post is not None else f"topic:{key}"


def wishes_of(cooperative: Body, subject: str | None = None):
    """The cooperative's teach/learn lines and the teaching/learning skills of its
    posts, by its active members, as `rules.Wish`/`rules.Skill` (subject keys
    "post:<id>" and "topic:<key>"); with `subject`, only those."""
    members = active_memberships(body=cooperative).values("person_id")
    posts = shared_posts(cooperative)
    lines = Knowledge.objects.filter(cooperative=cooperative, person_id__in=members) \
        .filter(Q(post__isnull=True) | Q(post__in=posts))
    skills = Skill.objects.filter(post__in=posts, person_id__in=members,
                                  level__in=("teaching", "learning"))
    if subject is not None:
        kind, _sep, value = subject.partition(":")
        if kind == "post":
            lines, skills = lines.filter(post_id=value), skills.filter(post_id=value)
        else:
            lines, skills = lines.filter(topic_key=value, post__isnull=True), skills.none()
    wishes = [rules.Wish(str(person), kind, f"post:{post}" if post else f"topic:{key}")
              for person, kind, post, key in
              lines.values_list("person_id", "kind", "post_id", "topic_key")]
    skill_rows = [rules.Skill(str(person), f"post:{post}", level) for person, post, level in
                  skills.values_list("person_id", "post_id", "level")]
    return wishes, skill_rows


def is_suggested_pair(cooperative: Body, teacher: int, learner: int, subject: str) -> bool:
    """Whether `rules.match` suggests `learner` learning `subject` from `teacher` (or lists
    `teacher` among the others who teach it): what a training session may pair. Nobody
    learns what they teach."""
    wishes, skills = wishes_of(cooperative, subject)
    return rules.suggests(rules.match(wishes, skills), str(teacher), str(learner), subject)
