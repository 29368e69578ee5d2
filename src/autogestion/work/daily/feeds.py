"""The work in a member's own calendar feed (assemblies/feeds.py `member_calendar`): the
tasks of the published daily plans the person is on, and the training sessions they
teach or follow (R3, R13).

Only the person's private feed carries them. A body's public or members' calendar does
not: daily plans and training pairs say who works where and when, which is for the
members, and a member reads them in their own feed.

Reading costs nothing more for people without work: the feed token's query says, with
two EXISTS, whether there is anything to read (`with_work_flags`); then one query for
the tasks (and one for the people on them), one for the sessions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Event

from autogestion.cooperatives.selectors import active_body_ids
from autogestion.core import clock

from ..models import DailyPlanStatus, Task, TrainingSession

# The same window as the meetings' preparation events: two months back, a year ahead.
PAST = timedelta(days=61)
FUTURE = timedelta(days=366)


def task_uid(task_id: int) -> str:
    return f"daily-task-{task_id}@autogestion"


def training_uid(session_id: int) -> str:
    return f"training-{session_id}@autogestion"


def _member_bodies(person_ref):
    return active_body_ids(person_ref)


def _tasks(person_ref) -> QuerySet:
    return Task.objects.filter(people=person_ref, plan__status=DailyPlanStatus.PUBLISHED,
                               plan__body__in=_member_bodies(person_ref))


def _sessions(person_ref) -> QuerySet:
    return TrainingSession.objects.filter(Q(teacher=person_ref) | Q(learner=person_ref),
                                          cooperative__in=_member_bodies(person_ref))


def with_work_flags(tokens: QuerySet) -> QuerySet:
    """Feed tokens annotated with `has_daily_tasks` and `has_training_sessions`: whether
    the person was ever on a task of a published plan, or in a session. A hint that saves
    the queries of people without work; the queries themselves check the rest."""
    person = OuterRef("person")
    return tokens.annotate(
        has_daily_tasks=Exists(Task.objects.filter(
            people=person, plan__status=DailyPlanStatus.PUBLISHED)),
        has_training_sessions=Exists(TrainingSession.objects.filter(
            Q(teacher=person) | Q(learner=person))))


@dataclass
class WorkEvents:
    events: list[Event] = field(default_factory=list)
    tzids: set[str] = field(default_factory=set)


def _absolute(path: str) -> str:
    return settings.AUTOGESTION_SITE_URL + path


def task_event(task: Task, person, stamp: datetime) -> Event:
    """A whole-day event when the task has no time, else timed in the platform's zone
    (an end without a start, which the services refuse, counts as no time)."""
    plan, body = task.plan, task.plan.body
    zone = clock.zone()
    event = Event()
    event.add("uid", task_uid(task.pk))
    event.add("dtstamp", stamp)
    event.add("summary", f"{task.title} — {body.name}")
    if task.starts_at is not None:
        event.add("dtstart", datetime.combine(plan.day, task.starts_at, zone))
        if task.ends_at is not None:
            event.add("dtend", datetime.combine(plan.day, task.ends_at, zone))
    else:
        event.add("dtstart", plan.day)
        event.add("dtend", plan.day + timedelta(days=1))
    others = [p.public_name for p in task.people.all() if p.pk != person.pk]
    lines = [task.note] if task.note else []
    if others:
        lines.append(_("With: %(names)s") % {"names": ", ".join(others)})
    if plan.note:
        lines.append(plan.note)
    if lines:
        event.add("description", "\n".join(lines))
    if body.place:
        event.add("location", body.place)
    event.add("url", _absolute(reverse("daily_plan", args=[body.slug, plan.day.isoformat()])))
    event.add("last-modified", plan.published_at.astimezone(UTC))
    event.add("class", "PRIVATE")
    return event


def _subject(session: TrainingSession) -> str:
    return session.post.name if session.post_id and session.post else session.topic


def training_event(session: TrainingSession, person, stamp: datetime) -> Event:
    subject = _subject(session)
    if session.teacher_id == person.pk:
        summary = _("Teaching %(subject)s to %(name)s") % {
            "subject": subject, "name": session.learner.public_name}
    else:
        summary = _("Learning %(subject)s with %(name)s") % {
            "subject": subject, "name": session.teacher.public_name}
    event = Event()
    event.add("uid", training_uid(session.pk))
    event.add("dtstamp", stamp)
    event.add("summary", f"{summary} — {session.cooperative.name}")
    event.add("dtstart", clock.local(session.starts_at))
    event.add("dtend", clock.local(session.ends_at))
    if session.place:
        event.add("location", session.place)
    event.add("class", "PRIVATE")
    return event


def member_work_events(person, *, has_tasks: bool = True, has_sessions: bool = True,
                       now: datetime | None = None) -> WorkEvents:
    """The person's work events from two months ago to a year ahead."""
    now = now or clock.now()
    stamp = now.astimezone(UTC)
    today = clock.local(now).date()
    found = WorkEvents()
    if has_tasks:
        tasks = (_tasks(person).filter(plan__day__gte=today - PAST, plan__day__lte=today + FUTURE)
                 .select_related("plan__body").prefetch_related("people")
                 .order_by("plan__day", "position", "pk"))
        for task in tasks:
            found.events.append(task_event(task, person, stamp))
            if task.starts_at is not None:
                found.tzids.add(settings.TIME_ZONE)
    if has_sessions:
        sessions = (_sessions(person).filter(starts_at__gte=now - PAST,
                                             starts_at__lte=now + FUTURE)
                    .select_related("cooperative", "teacher", "learner", "post")
                    .order_by("starts_at", "pk"))
        for session in sessions:
            found.events.append(training_event(session, person, stamp))
            found.tzids.add(settings.TIME_ZONE)
    return found
