"""Every write of the daily plan (DOMAIN.md R3, R12, R13): the evening meeting of a body
prepares tomorrow's plan from the published rotation, edits its tasks and the people on
them, and publishes it for the members to read in the morning and in their calendars.

Who: the body's members plan its days (`permissions.can_plan_day`); only active members
of the body are put on its tasks.

When: a plan is made for today or a day to come. The plans of past days are kept as they
were: they are the record the weekly summary counts.

Changes after publication: plans change (someone falls ill at dawn), so a published plan
stays editable by the planners. Each change to a published plan publishes it again at
once: `published_at` moves to the time of the change, which the plan page shows ("last
published at ...") and the calendar feed sends as LAST-MODIFIED, so a member who read the
plan the evening before knows to read it again.

Who is told: publishing a plan tells each person on its tasks of their tasks, in the app
(Kind.TASK_TOMORROW, pushed to those who opted in), once per person and plan; a change to
a published plan tells only the people it newly puts on a task.
"""

from collections.abc import Iterable
from datetime import date, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from autogestion.cooperatives.models import Body
from autogestion.cooperatives.selectors import (
    active_members_among,
    has_ever_been_member,
)
from autogestion.core import clock, history
from autogestion.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from autogestion.core.inputs import check_year
from autogestion.notifications.models import Kind as NotificationKind
from autogestion.notifications.services import notify

from ..models import (
    DailyPlan,
    DailyPlanEvent,
    DailyPlanNotice,
    DailyPlanStatus,
    Post,
    Task,
)
from ..permissions import can_plan_day
from . import queries, rules

TITLE_MAX = 160  # Task.title
TASK_NOTE_MAX = 300  # Task.note
PLAN_NOTE_MAX = 2000
MAX_TASKS = 60
MAX_PEOPLE = 60


# Days, words and checks ----------------------------------------------------------------

def day_text(day: date) -> str:
    return formats.date_format(day, "l j F Y")


def refusal_message(refusal: rules.Refusal) -> DomainError:
    """The words (and 4xx status) for a refusal of daily_rules: one wording for the pages,
    the API and the services."""
    code, details = refusal.code, refusal.details
    if code == "past_day":
        return DomainError(_("%(day)s is past: plan today or a day to come.")
                           % {"day": day_text(details["day"])}, field="day")
    if code == "too_far":
        return DomainError(_("Plan at most %(days)s days ahead.") % {"days": details["days"]},
                           field="day")
    if code == "end_without_start":
        return DomainError(_("Give the start time too, or no time at all."), field="starts_at")
    if code == "ends_before_start":
        return DomainError(_("The task ends after it starts: %(end)s is not after %(start)s.")
                           % {"end": details["ends_at"].strftime("%H:%M"),
                              "start": details["starts_at"].strftime("%H:%M")},
                           field="ends_at")
    if code == "unknown_task":
        return NotFound(_("There is no such task in this plan."))
    return DomainError(code)


def _check_planner(actor, body: Body) -> None:
    if not can_plan_day(actor, body):
        raise PermissionDenied(_("Only members of %(body)s plan its days.")
                               % {"body": body.name})


def _text(value: str | None, field: str, longest: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("Give the task a title, for example “Milking”."), field=field)
    if len(value) > longest:
        raise DomainError(_("At most %(n)s characters here.") % {"n": longest}, field=field)
    if "\x00" in value:
        raise DomainError(_("This text holds a character that cannot be stored."), field=field)
    return value


def _times(starts_at: time | None, ends_at: time | None) -> None:
    try:
        rules.check_times(starts_at, ends_at)
    except rules.Refusal as refusal:
        raise refusal_message(refusal) from None


def _check_day(day: date) -> date:
    check_year(day, "day")
    try:
        return rules.check_plannable(day, clock.today())
    except rules.Refusal as refusal:
        raise refusal_message(refusal) from None


def _person_ids(people: Iterable) -> list[int]:
    ids: list[int] = []
    for person in people or ():
        pk = getattr(person, "pk", person)
        if isinstance(pk, bool) or not isinstance(pk, int):
            raise DomainError(_("Name the people by their number."), field="people")
        if pk not in ids:
            ids.append(pk)
    if len(ids) > MAX_PEOPLE:
        raise DomainError(_("At most %(n)s people on one task.") % {"n": MAX_PEOPLE},
                          field="people")
    return ids


def _check_people(body: Body, people: Iterable) -> list[int]:
    """The people put on a task: active members of the body, or a refusal naming the
    others."""
    ids = _person_ids(people)
    if not ids:
        return ids
    members = active_members_among(body, ids)
    outside = [pk for pk in ids if pk not in members]
    if not outside:
        return ids
    # Only people who are or were in the body are named: an id alone must not tell a
    # member the name of anyone else on the platform.
    known = {user.pk: user for user in get_user_model().objects.filter(pk__in=outside)
             if has_ever_been_member(user, body)}
    unknown = [pk for pk in outside if pk not in known]
    if unknown:
        raise DomainError(ngettext("There is no person with the number %(ids)s.",
                                   "There are no people with the numbers %(ids)s.",
                                   len(unknown))
                          % {"ids": ", ".join(str(pk) for pk in unknown)}, field="people")
    names = ", ".join(known[pk].public_name for pk in outside)
    raise DomainError(ngettext(
        "%(names)s is not an active member of %(body)s: only its members go on its tasks.",
        "%(names)s are not active members of %(body)s: only its members go on its tasks.",
        len(outside)) % {"names": names, "body": body.name}, field="people")


def _locked_plan(plan_id: int, actor) -> DailyPlan:
    """The plan, locked so that edits of one plan queue, and checked: the actor plans
    this body's days, and the day is not past."""
    plan = (DailyPlan.objects.select_for_update(of=("self",)).select_related("body")
            .filter(pk=plan_id).first())
    if plan is None:
        raise NotFound(_("There is no such daily plan."))
    _check_planner(actor, plan.body)
    if plan.day < clock.today():
        raise Conflict(_("The plan of %(day)s is past: it stays as it was.")
                       % {"day": day_text(plan.day)})
    return plan


def _locked_task(task_id: int, actor) -> tuple[DailyPlan, Task]:
    plan_id = Task.objects.filter(pk=task_id).values_list("plan_id", flat=True).first()
    if plan_id is None:
        raise NotFound(_("There is no such task."))
    plan = _locked_plan(plan_id, actor)
    task = Task.objects.filter(pk=task_id, plan=plan).first()
    if task is None:  # removed while we waited for the lock
        raise NotFound(_("There is no such task."))
    task.plan = plan
    return plan, task


def _changed(plan: DailyPlan) -> None:
    """A change to a published plan publishes it again (see the module's docstring); the
    people it newly puts on a task are told."""
    if plan.status == DailyPlanStatus.PUBLISHED:
        plan.published_at = clock.now()
        plan.save(update_fields=["published_at"])
        _tell_people(plan)


# What the people on a plan's tasks are told (Kind.TASK_TOMORROW): the day said from
# today, then their tasks with their times.
TASK_TITLES = {
    "today": gettext_noop("Today: %(tasks)s"),
    "tomorrow": gettext_noop("Tomorrow: %(tasks)s"),
    "other": gettext_noop("On %(day)s: %(tasks)s"),
}


def _tasks_words(tasks: list[Task]) -> str:
    """ "Milking at 07:00, Fence (during the day)" in the current language."""
    words = []
    for task in tasks:
        if task.starts_at is not None:
            words.append(_("%(task)s at %(time)s") % {
                "task": task.title, "time": formats.time_format(task.starts_at, "H:i")})
        else:
            words.append(_("%(task)s (during the day)") % {"task": task.title})
    return ", ".join(words)


def _tell_people(plan: DailyPlan) -> None:
    """Tell each person on a task of this published plan of their tasks, in the app
    (and by push to those who opted in): once per person and plan, so that publishing
    again after a change tells only the people it newly puts on a task. Nothing for a
    past day."""
    today = clock.today()
    if plan.day < today:
        return
    tasks = list(plan.tasks.order_by("position", "pk").prefetch_related("people"))
    theirs: dict[int, list[Task]] = {}
    people = {}
    for task in tasks:
        for person in task.people.all():
            people[person.pk] = person
            theirs.setdefault(person.pk, []).append(task)
    told = set(DailyPlanNotice.objects.filter(plan=plan, person_id__in=list(theirs))
               .values_list("person_id", flat=True))
    # Someone who left the body (or whose account is closed) since the draft was made
    # is not told of a plan they can no longer see.
    members = active_members_among(plan.body, list(theirs))
    fresh = [people[pk] for pk in theirs
             if pk not in told and pk in members and people[pk].is_active]
    if not fresh:
        return
    DailyPlanNotice.objects.bulk_create(
        [DailyPlanNotice(plan=plan, person=person, sent_at=clock.now()) for person in fresh],
        ignore_conflicts=True)
    when = ("today" if plan.day == today
            else "tomorrow" if plan.day == today + timedelta(days=1) else "other")
    url = reverse("daily_plan", args=[plan.body.slug, plan.day.isoformat()])
    # One call per language and list of tasks: each reads their own tasks, in their words.
    groups: dict[tuple, list] = {}
    for person in fresh:
        key = (person.language or settings.LANGUAGE_CODE,
               tuple(task.pk for task in theirs[person.pk]))
        groups.setdefault(key, []).append(person)
    for (language, _ids), alike in groups.items():
        with translation.override(language):
            params = {"tasks": _tasks_words(theirs[alike[0].pk]),
                      "day": formats.date_format(plan.day, "l j F"), "body": plan.body.name}
        notify(alike, NotificationKind.TASK_TOMORROW, title=TASK_TITLES[when],
               body=gettext_noop("Daily plan — %(body)s"), params=params, url=url)


def _set_people(task: Task, ids: list[int]) -> None:
    through = Task.people.through
    through.objects.filter(task=task).exclude(user_id__in=ids).delete()
    present = set(through.objects.filter(task=task).values_list("user_id", flat=True))
    through.objects.bulk_create([through(task_id=task.pk, user_id=pk)
                                 for pk in ids if pk not in present])


# The rotation ----------------------------------------------------------------------------

def _missing_note(seed: rules.SeedTask) -> str:
    if not seed.missing:
        return ""
    return ngettext("The rotation found nobody for %(n)s place: find someone.",
                    "The rotation found nobody for %(n)s places: find someone.",
                    seed.missing) % {"n": seed.missing}


# Plans -----------------------------------------------------------------------------------

@transaction.atomic
def prepare_daily_plan(*, actor, body: Body, day: date | None = None,
                       note: str = "") -> DailyPlan:
    """The draft plan of `day` (default: tomorrow), its tasks drawn from the published
    rotation covering the day: one per post, its holders and learners on it. Without a
    published rotation the plan starts empty, with a note saying so."""
    _check_planner(actor, body)
    day = _check_day(day or rules.default_day(clock.today()))
    note = _text(note, "note", PLAN_NOTE_MAX)
    taken = _("There is already a plan for %(day)s: open it to change it.") % {
        "day": day_text(day)}
    if DailyPlan.objects.filter(body=body, day=day).exists():
        raise Conflict(taken, field="day")
    rotation = queries.covering_rotation(body, day)
    seeds = queries.seeds_of(body, rotation, day) if rotation is not None else []
    if rotation is None and not note:
        note = _("No published rotation covers this day: add the tasks by hand.")
    try:
        with transaction.atomic():  # a savepoint: two meetings preparing at once
            plan = DailyPlan.objects.create(body=body, day=day, note=note, created_by=actor)
    except IntegrityError:
        raise Conflict(taken, field="day") from None
    history.record(plan, event_model=DailyPlanEvent, subject="plan", actor=actor)
    tasks = Task.objects.bulk_create([
        Task(plan=plan, title=seed.title[:TITLE_MAX], post_id=seed.post_id, position=n,
             note=_missing_note(seed)) for n, seed in enumerate(seeds)])
    through = Task.people.through
    through.objects.bulk_create([through(task_id=task.pk, user_id=person)
                                 for task, seed in zip(tasks, seeds, strict=True)
                                 for person in seed.people])
    return plan


@transaction.atomic
def set_plan_note(*, actor, plan_id: int, note: str) -> DailyPlan:
    plan = _locked_plan(plan_id, actor)
    plan.note = _text(note, "note", PLAN_NOTE_MAX)
    plan.save(update_fields=["note"])
    _changed(plan)
    return plan


@transaction.atomic
def publish_daily_plan(*, actor, plan_id: int) -> DailyPlan:
    """The members read it from now on, on the plan page and in their calendar."""
    plan = _locked_plan(plan_id, actor)
    plan.published_at = clock.now()
    move_plan(plan, DailyPlanStatus.PUBLISHED, actor=actor, update_fields=("published_at",),
              refusal=_("The plan of %(day)s is already published: changes to it are "
                        "published as they are made.") % {"day": day_text(plan.day)})
    _tell_people(plan)
    return plan


# A plan being prepared is published; a published plan stays published (its changes are
# published again as they are made, see the module's docstring).
PLAN_MOVES = {DailyPlanStatus.DRAFT: {DailyPlanStatus.PUBLISHED}}


def move_plan(plan: DailyPlan, to: str, *, actor, reason: str = "", refusal=None,
              update_fields=()) -> DailyPlanEvent:
    """The one way a daily plan changes status: checked, saved and written in its history
    (409 when the move is not allowed from its status)."""
    return history.transition(plan, to, allowed=PLAN_MOVES, event_model=DailyPlanEvent,
                              subject="plan", actor=actor, reason=reason, refusal=refusal,
                              update_fields=update_fields)


# Tasks -----------------------------------------------------------------------------------

def _post_of(body: Body, post) -> Post | None:
    if post is None:
        return None
    pk = getattr(post, "pk", post)
    found = Post.objects.filter(pk=pk, body=body).first() if isinstance(pk, int) else None
    if found is None:
        raise DomainError(_("There is no such post in %(body)s.") % {"body": body.name},
                          field="post")
    return found


@transaction.atomic
def add_task(*, actor, plan_id: int, title: str = "", starts_at: time | None = None,
             ends_at: time | None = None, people: Iterable = (), note: str = "",
             post=None) -> Task:
    """A task added in the meeting, last in the plan. Its title defaults to the post's
    name when it is drawn from a post."""
    plan = _locked_plan(plan_id, actor)
    post = _post_of(plan.body, post)
    title = _text(title or (post.name if post else ""), "title", TITLE_MAX, required=True)
    note = _text(note, "note", TASK_NOTE_MAX)
    _times(starts_at, ends_at)
    ids = _check_people(plan.body, people)
    found = plan.tasks.aggregate(count=Count("pk"), last=Max("position"))
    if found["count"] >= MAX_TASKS:
        raise Conflict(_("A plan holds at most %(n)s tasks.") % {"n": MAX_TASKS})
    last = found["last"]
    task = Task.objects.create(plan=plan, title=title, post=post, starts_at=starts_at,
                               ends_at=ends_at, note=note,
                               position=0 if last is None else last + 1)
    _set_people(task, ids)
    _changed(plan)
    return task


@transaction.atomic
def update_task(*, actor, task_id: int, title: str, starts_at: time | None = None,
                ends_at: time | None = None, note: str = "",
                people: Iterable | None = None) -> Task:
    """Title, times and note as given (a time left out is cleared); the people too
    when `people` is given."""
    plan, task = _locked_task(task_id, actor)
    task.title = _text(title, "title", TITLE_MAX, required=True)
    task.note = _text(note, "note", TASK_NOTE_MAX)
    _times(starts_at, ends_at)
    task.starts_at, task.ends_at = starts_at, ends_at
    ids = _check_people(plan.body, people) if people is not None else None
    task.save(update_fields=["title", "note", "starts_at", "ends_at"])
    if ids is not None:
        _set_people(task, ids)
    _changed(plan)
    return task


@transaction.atomic
def set_task_people(*, actor, task_id: int, people: Iterable) -> Task:
    """The people on a task, all at once (an empty list takes everyone off)."""
    plan, task = _locked_task(task_id, actor)
    _set_people(task, _check_people(plan.body, people))
    _changed(plan)
    return task


@transaction.atomic
def remove_task(*, actor, task_id: int) -> None:
    plan, task = _locked_task(task_id, actor)
    task.delete()
    _changed(plan)


@transaction.atomic
def move_task(*, actor, task_id: int, step: int) -> Task:
    """Up (negative step) or down the plan; the plan's order is renumbered 0, 1, 2..."""
    plan, task = _locked_task(task_id, actor)
    tasks = {t.pk: t for t in plan.tasks.order_by("position", "pk")}
    try:
        order = rules.moved(list(tasks), task.pk, step)
    except rules.Refusal as refusal:
        raise refusal_message(refusal) from None
    changed = []
    for position, pk in enumerate(order):
        if tasks[pk].position != position:
            tasks[pk].position = position
            changed.append(tasks[pk])
    Task.objects.bulk_update(changed, ["position"])
    _changed(plan)
    return tasks[task.pk]
