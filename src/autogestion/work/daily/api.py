"""Daily plans through the API (DOMAIN.md R3, R12, R13; issue #6): a body's plan for a
day, preparing it from the published rotation, its tasks and the people on them,
publishing it, and the week's distribution of work.

Same services (work/daily/services.py), same rules, same messages as the pages: refusals come as
DomainError subclasses that core/api.py turns into 400/403/404/409 with `detail` and
`field`. Daily plans are for the body's members (and operators): a closed body does not
exist for the others (404), an open one answers 403. Every endpoint needs a signed-in
caller (401 otherwise).

Days are YYYY-MM-DD in the platform's time zone; times of tasks are "HH:MM" of that day;
datetimes are answered with their offset.
"""

from datetime import date, datetime

from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from autogestion.cooperatives.models import Body
from autogestion.core import clock, history
from autogestion.core.api_schemas import Input, LocalTime, StatusEventOut, refusals, text_up_to
from autogestion.core.api_types import MAX_ID, Id, Text
from autogestion.core.errors import NotFound
from autogestion.core.inputs import parse_day

from .. import permissions
from ..models import Task
from . import access, queries
from . import services as daily

router = Router(tags=["daily plans"])


# Schemas -----------------------------------------------------------------------------

class TaskPersonOut(Schema):
    id: int
    name: str
    learning: bool = Field(description="Learning the post beside its holders, as the "
                                       "published rotation says.")


class TaskOut(Schema):
    id: int
    title: str
    post_id: int | None
    post: str | None
    starts_at: LocalTime | None
    ends_at: LocalTime | None
    position: int
    note: str
    people: list[TaskPersonOut]
    mine: bool = Field(description="The caller is on this task.")


class PlanOut(Schema):
    id: int
    body: str
    day: date
    status: str = Field(description="draft or published.")
    note: str
    published_at: datetime | None = Field(description="Last publication: a change to a "
                                                      "published plan publishes it again.")
    tasks: list[TaskOut]
    can_plan: bool
    events: list[StatusEventOut] = Field(description="Prepared, published: by whom, when.")


class PrepareIn(Input):
    day: Text | None = Field(None, description="YYYY-MM-DD; default: tomorrow.")
    note: Text = Field("", max_length=daily.PLAN_NOTE_MAX)


class NoteIn(Input):
    note: Text = Field(max_length=daily.PLAN_NOTE_MAX)


class TaskIn(Input):
    title: Text = Field("", max_length=daily.TITLE_MAX, description="Default: the post's "
                                                                    "name.")
    post_id: Id | None = Field(None, description="A post of the body the task is drawn from.")
    starts_at: LocalTime | None = Field(None, description="HH:MM")
    ends_at: LocalTime | None = Field(None, description="HH:MM, after starts_at.")
    note: Text = Field("", max_length=daily.TASK_NOTE_MAX)
    people: list[Id] = Field([], max_length=daily.MAX_PEOPLE,
                             description="Ids of active members of the body.")


class TaskPatch(Input):
    """Only the fields sent change; send null to clear a time."""

    title: text_up_to(daily.TITLE_MAX) | None = None
    starts_at: LocalTime | None = None
    ends_at: LocalTime | None = None
    note: text_up_to(daily.TASK_NOTE_MAX) | None = None
    people: list[Id] | None = Field(None, max_length=daily.MAX_PEOPLE)


class PeopleIn(Input):
    people: list[Id] = Field(max_length=daily.MAX_PEOPLE,
                             description="Ids of active members of the body; [] takes "
                                         "everyone off.")


class TaskMoveIn(Input):
    step: int = Field(ge=-daily.MAX_TASKS, le=daily.MAX_TASKS,
                      description="Places to move: negative up, positive down.")


class WeekTaskOut(Schema):
    id: int
    title: str
    post: str | None
    learning: bool


class WeekDayOut(Schema):
    day: date
    tasks: list[WeekTaskOut]


class PostCountOut(Schema):
    post: str | None = Field(description="The post; null for tasks added by hand.")
    count: int


class WeekPersonOut(Schema):
    id: int
    name: str
    total: int
    learning: int = Field(description="Of which as a learner.")
    share_percent: int
    most_loaded: bool
    days: list[WeekDayOut]
    by_post: list[PostCountOut]


class WeekOut(Schema):
    body: str
    first_day: date
    last_day: date
    total: int
    spread: int = Field(description="Most tasks minus fewest, among the people listed.")
    per_day: list[int]
    people: list[WeekPersonOut] = Field(description="Most loaded first; members with no "
                                                    "task included.")


class WeekQuery(Schema):
    week: Text = Field("", description="Any day (YYYY-MM-DD) of the ISO week; default: "
                                       "this week.")


# What the caller may see: access.py (the pages' rules too) ----------------------------

def _day(text: str) -> date:
    return parse_day(text, "day")


# Shaping the answers -------------------------------------------------------------------

def _task_out(row: queries.TaskRow) -> dict:
    t = row.task
    return {"id": t.pk, "title": t.title, "post_id": t.post_id,
            "post": t.post.name if t.post_id and t.post else None,
            "starts_at": t.starts_at, "ends_at": t.ends_at, "position": t.position,
            "note": t.note, "mine": row.mine,
            "people": [{"id": p.person.pk, "name": p.person.public_name,
                        "learning": p.learning} for p in row.people]}


def _plan_out(request, body: Body, day: date) -> dict:
    view = queries.plan_on(body, day, request.user)
    if view.plan is None:
        raise NotFound(_("There is no plan for %(day)s yet.") % {"day": daily.day_text(day)})
    plan = view.plan
    published = clock.local(plan.published_at)
    return {"id": plan.pk, "body": body.slug, "day": plan.day, "status": plan.status,
            "note": plan.note, "published_at": published,
            "tasks": [_task_out(row) for row in view.tasks],
            "can_plan": bool(permissions.can_plan_day(request.user, body)),
            "events": history.history_out(plan)}


def _one_task_out(request, task: Task) -> dict:
    view = queries.plan_on(task.plan.body, task.plan.day, request.user)
    row = next((r for r in view.tasks if r.task.pk == task.pk), None)
    if row is None:
        raise NotFound(_("There is no such task."))
    return _task_out(row)


def _week_out(body: Body, week: queries.WeekView) -> dict:
    summary = week.summary
    people = []
    for item in week.rows:
        row, person = item["row"], item["person"]
        people.append({
            "id": row.person_id, "name": person.public_name if person else "",
            "total": row.total, "learning": row.learning, "share_percent": item["share"],
            "most_loaded": row.most_loaded,
            "days": [{"day": day, "tasks": [
                {"id": d.task_id, "title": d.title, "post": d.post_key or None,
                 "learning": d.learning} for d in cell]}
                for day, cell in zip(summary.days, item["cells"], strict=True)],
            "by_post": [{"post": key or None, "count": count}
                        for key, count in zip(summary.post_keys, item["posts"], strict=True)
                        if count]})
    return {"body": body.slug, "first_day": summary.days[0], "last_day": summary.days[-1],
            "total": summary.total, "spread": summary.spread,
            "per_day": [summary.per_day[day] for day in summary.days], "people": people}


# Plans ---------------------------------------------------------------------------------

@router.get("/bodies/{slug}/daily-summary", response={200: WeekOut, **refusals(400, 403, 404)})
def week_summary(request, slug: str, filters: Query[WeekQuery]):
    """Who was on which task of the published plans over an ISO week, with the totals per
    person and per post; the most loaded are flagged unless everyone did the same."""
    body = access.get_body_for(request.user, slug)
    day = parse_day(filters.week, "week", optional=True) or clock.today()
    return _week_out(body, queries.week_of(body, day))


@router.post("/bodies/{slug}/daily-plans", response={201: PlanOut, **refusals(400, 403, 404, 409)})
def prepare_plan(request, slug: str, payload: PrepareIn):
    """The evening meeting prepares the plan of a day (default: tomorrow): one task per
    post of the published rotation covering it, its holders and learners on it. 409 if
    the day has a plan already."""
    body = access.get_body_for(request.user, slug)
    day = _day(payload.day) if payload.day else None
    plan = daily.prepare_daily_plan(actor=request.user, body=body, day=day, note=payload.note)
    return Status(201, _plan_out(request, body, plan.day))


@router.get("/bodies/{slug}/daily-plans/{day}", response={200: PlanOut, **refusals(400, 403, 404)})
def get_plan(request, slug: str, day: str):
    """The plan of a day, its tasks in order and the people on each (`mine`: the caller's
    tasks). A plan being prepared is shown to the members too, with status draft."""
    body = access.get_body_for(request.user, slug)
    return _plan_out(request, body, _day(day))


@router.post("/bodies/{slug}/daily-plans/{day}/publish",
             response={200: PlanOut, **refusals(400, 403, 404, 409)})
def publish_plan(request, slug: str, day: str):
    """The members read it from now on; 409 if it is published already."""
    plan = access.get_plan_for(request.user, slug, _day(day))
    body = plan.body
    daily.publish_daily_plan(actor=request.user, plan_id=plan.pk)
    return _plan_out(request, body, plan.day)


@router.put("/bodies/{slug}/daily-plans/{day}/note",
            response={200: PlanOut, **refusals(400, 403, 404, 409)})
def put_note(request, slug: str, day: str, payload: NoteIn):
    plan = access.get_plan_for(request.user, slug, _day(day))
    body = plan.body
    daily.set_plan_note(actor=request.user, plan_id=plan.pk, note=payload.note)
    return _plan_out(request, body, plan.day)


# Tasks ---------------------------------------------------------------------------------

@router.post("/bodies/{slug}/daily-plans/{day}/tasks",
             response={201: TaskOut, **refusals(400, 403, 404, 409)})
def add_task(request, slug: str, day: str, payload: TaskIn):
    """A task added in the meeting, last in the plan."""
    plan = access.get_plan_for(request.user, slug, _day(day))
    body = plan.body
    task = daily.add_task(actor=request.user, plan_id=plan.pk, title=payload.title,
                          post=payload.post_id, starts_at=payload.starts_at,
                          ends_at=payload.ends_at, note=payload.note, people=payload.people)
    task.plan = plan
    plan.body = body
    return Status(201, _one_task_out(request, task))


@router.patch("/daily-tasks/{task_id}", response={200: TaskOut, **refusals(400, 403, 404, 409)})
def patch_task(request, payload: TaskPatch, task_id: int = Path(..., ge=1, le=MAX_ID)):
    """Change the title, times, note or people of a task; what is not sent stays."""
    task = access.get_task_for(request.user, task_id)
    sent = payload.model_fields_set
    values = {name: getattr(payload, name) if name in sent else getattr(task, name)
              for name in ("title", "starts_at", "ends_at", "note")}
    if values["title"] is None:
        values["title"] = ""
    if values["note"] is None:
        values["note"] = ""
    people = payload.people if "people" in sent and payload.people is not None else None
    daily.update_task(actor=request.user, task_id=task.pk, people=people, **values)
    return _one_task_out(request, task)


@router.put("/daily-tasks/{task_id}/people",
            response={200: TaskOut, **refusals(400, 403, 404, 409)})
def put_people(request, payload: PeopleIn, task_id: int = Path(..., ge=1, le=MAX_ID)):
    """Who is on the task, all at once."""
    task = access.get_task_for(request.user, task_id)
    daily.set_task_people(actor=request.user, task_id=task.pk, people=payload.people)
    return _one_task_out(request, task)


@router.post("/daily-tasks/{task_id}/move", response={200: PlanOut, **refusals(400, 403, 404, 409)})
def move_task(request, payload: TaskMoveIn, task_id: int = Path(..., ge=1, le=MAX_ID)):
    """Up (negative step) or down the plan; answers the plan in its new order."""
    task = access.get_task_for(request.user, task_id)
    daily.move_task(actor=request.user, task_id=task.pk, step=payload.step)
    return _plan_out(request, task.plan.body, task.plan.day)


@router.delete("/daily-tasks/{task_id}", response={204: None, **refusals(403, 404, 409)})
def delete_task(request, task_id: int = Path(..., ge=1, le=MAX_ID)):
    task = access.get_task_for(request.user, task_id)
    daily.remove_task(actor=request.user, task_id=task.pk)
    return Status(204, None)

