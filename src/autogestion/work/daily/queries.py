"""Reading daily plans for the pages and the API, each with a fixed number of queries
whatever the number of tasks and people.

Learners: a person on a task drawn from a post is shown as learning when the published
rotation puts them beside the holders of that post that day (Assignment.role=learner).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from django.contrib.auth import get_user_model
from django.db.models import Prefetch

from autogestion.cooperatives.models import Body
from autogestion.cooperatives.selectors import active_member_ids, active_members

from ..models import (
    Assignment,
    AssignmentRole,
    DailyPlan,
    DailyPlanStatus,
    Gap,
    Post,
    Rotation,
    RotationStatus,
    Task,
)
from . import rules

User = get_user_model()


@dataclass(frozen=True)
class OnTask:
    person: object  # the User
    learning: bool = False


@dataclass
class TaskRow:
    task: Task
    people: list[OnTask]
    mine: bool = False

    @property
    def person_ids(self) -> list[int]:
        return [p.person.pk for p in self.people]


@dataclass
class PlanView:
    day: date
    plan: DailyPlan | None
    tasks: list[TaskRow] = field(default_factory=list)

    @property
    def mine(self) -> list[TaskRow]:
        return [row for row in self.tasks if row.mine]

    @property
    def published(self) -> bool:
        return self.plan is not None and self.plan.status == DailyPlanStatus.PUBLISHED


def learner_keys(body: Body, days) -> set[tuple[date, int, int]]:
    """(day, post id, person id) of the learners of the published rotations."""
    return set(Assignment.objects.filter(
        rotation__body=body, rotation__status=RotationStatus.PUBLISHED, day__in=list(days),
        role=AssignmentRole.LEARNER).values_list("day", "post_id", "person_id"))


def _people():
    return Prefetch("people", queryset=User.objects.only(
        "id", "display_name", "first_name", "last_name").order_by("display_name", "pk"))


def plans_on(body: Body, days: list[date], viewer=None) -> dict[date, PlanView]:
    """The plans of the body on these days (None where there is none), with their tasks
    in order and the people on each; `mine` marks the viewer's tasks."""
    views = {day: PlanView(day=day, plan=None) for day in days}
    plans = list(DailyPlan.objects.filter(body=body, day__in=days)
                 .prefetch_related(Prefetch("tasks", queryset=Task.objects.select_related("post")
                                            .order_by("position", "pk")
                                            .prefetch_related(_people()))))
    if not plans:
        return views
    posted = any(t.post_id for p in plans for t in p.tasks.all())
    learners = learner_keys(body, [p.day for p in plans]) if posted else set()
    viewer_id = getattr(viewer, "pk", None) if getattr(viewer, "is_authenticated", False) \
        else None
    for plan in plans:
        plan.body = body
        rows = []
        for task in plan.tasks.all():
            people = [OnTask(person, (plan.day, task.post_id, person.pk) in learners)
                      for person in task.people.all()]
            rows.append(TaskRow(task=task, people=people,
                                mine=viewer_id is not None
                                and any(p.person.pk == viewer_id for p in people)))
        views[plan.day] = PlanView(day=plan.day, plan=plan, tasks=rows)
    return views


def plan_on(body: Body, day: date, viewer=None) -> PlanView:
    return plans_on(body, [day], viewer)[day]


def members_of(body: Body) -> list:
    """The body's active members, by name: who can be put on a task."""
    return list(active_members(body).order_by("display_name", "pk"))


def posts_of(body: Body) -> list[Post]:
    return list(Post.objects.filter(body=body, active=True).order_by("name"))


# The week ------------------------------------------------------------------------------

@dataclass
class WeekView:
    summary: rules.WeekSummary
    people: dict[int, object]  # id -> User
    monday: date

    @cached_property
    def rows(self) -> list[dict]:
        """Per person, most loaded first: the PersonWeek, its cells in day order, its
        counts in post order, its share of the week in percent. `cells_days` and
        `posts_keys` pair each with its day or post (a cell names its column on a
        phone)."""
        rows = []
        for row in self.summary.people:
            cells = [row.by_day.get(day, []) for day in self.summary.days]
            posts = [row.by_post.get(key, 0) for key in self.summary.post_keys]
            rows.append({"person": self.people.get(row.person_id), "row": row,
                         "cells": cells, "posts": posts,
                         "cells_days": list(zip(cells, self.summary.days, strict=True)),
                         "posts_keys": list(zip(posts, self.summary.post_keys, strict=True)),
                         "share": self.summary.share_of(row)})
        return rows

    @property
    def day_totals(self) -> list[tuple[date, int]]:
        return [(day, self.summary.per_day[day]) for day in self.summary.days]


def week_of(body: Body, day: date) -> WeekView:
    """Who was on which task of the published plans of the ISO week holding `day`: the
    body's members (even those with nothing), and anyone else who was on a task."""
    days = rules.week_of(day)
    through = Task.people.through
    rows = list(through.objects.filter(
        task__plan__body=body, task__plan__status=DailyPlanStatus.PUBLISHED,
        task__plan__day__gte=days[0], task__plan__day__lte=days[-1])
        .values_list("user_id", "task__plan__day", "task_id", "task__title", "task__post_id",
                     "task__post__name"))
    learners = learner_keys(body, days) if any(r[4] for r in rows) else set()
    done = [rules.Done(person_id=person, day=day, task_id=task, title=title,
                       post_key=post_name or rules.OTHER,
                       learning=(day, post, person) in learners)
            for person, day, task, title, post, post_name in rows]
    members = members_of(body)
    people = {person.pk: person for person in members}
    others = {d.person_id for d in done} - set(people)
    if others:  # people who left the body since
        people.update({p.pk: p for p in User.objects.filter(pk__in=others)})
    summary = rules.week_summary(days, done, [p.pk for p in members])
    return WeekView(summary=summary, people=people, monday=days[0])


# Preparing a plan from the rotation ------------------------------------------------------

def covering_rotation(body: Body, day: date) -> Rotation | None:
    """The published rotation of the body that covers the day (the latest published, if
    two do)."""
    return (Rotation.objects.filter(body=body, status=RotationStatus.PUBLISHED,
                                    first_day__lte=day, last_day__gte=day)
            .order_by("-published_at", "-pk").first())


def seeds_of(body: Body, rotation: Rotation, day: date) -> list[rules.SeedTask]:
    """The tasks a plan of `day` starts with: one per post of the rotation, its active
    members on it."""
    members = active_member_ids(body)
    posts = dict(Post.objects.filter(body=body, active=True).values_list("pk", "name"))
    placements = [rules.Placement(post_id=post, person_id=person, role=role)
                  for post, person, role in Assignment.objects.filter(rotation=rotation, day=day)
                  .order_by("role", "pk").values_list("post_id", "person_id", "role")
                  if person in members]
    missing = dict(Gap.objects.filter(rotation=rotation, day=day)
                   .values_list("post_id", "missing"))
    return rules.seed_tasks(posts, placements, missing)
