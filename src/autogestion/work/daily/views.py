"""Pages of the daily plan (DOMAIN.md R3, R12, R13): today's and tomorrow's plans as the
members read them in the morning, one day's plan, the evening meeting's editing page and
the week's distribution of work. Thin: get the body, plan or task through access.py, call
one service of services.py, show the result or the refusal with its status. No
JavaScript needed: every change is a plain form that comes back to the page.

Who sees what (access.py): the daily plans are for the body's members (and operators). A
closed body answers 404 to the others, an open one 403, as the API does.
"""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autogestion.cooperatives.models import Body
from autogestion.core import clock
from autogestion.core.errors import DomainError
from autogestion.core.inputs import parse_day

from .. import permissions
from . import access, queries
from . import services as daily
from .forms import MoveForm, PlanNoteForm, PrepareForm, TaskForm


def _day(raw: str) -> date:
    try:
        return parse_day(raw, "day")
    except DomainError:
        raise Http404 from None


def _plan_url(body: Body, day: date, anchor: str = "") -> str:
    return reverse("daily_plan_edit", args=[body.slug, day.isoformat()]) + anchor


def _neighbours(day: date) -> dict:
    return {"previous_day": day - timedelta(days=1), "next_day": day + timedelta(days=1)}


# Reading ----------------------------------------------------------------------------------

def _home_context(request, body: Body, prepare_form=None, **extra) -> dict:
    today = clock.today()
    tomorrow = today + timedelta(days=1)
    views = queries.plans_on(body, [today, tomorrow], request.user)
    can_plan = permissions.can_plan_day(request.user, body)
    if can_plan and prepare_form is None:
        prepare_form = PrepareForm(initial={"day": tomorrow})
    plans = [({"id": "today", "name": _("Today")}, views[today]),
             ({"id": "tomorrow", "name": _("Tomorrow")}, views[tomorrow])]
    return {"body": body, "today": views[today], "tomorrow": views[tomorrow], "plans": plans,
            "can_plan": can_plan, "prepare_form": prepare_form, **extra}


@login_required
def daily_home(request, slug):
    """What members read in the morning: today's plan and tomorrow's, their own tasks
    first."""
    body = access.get_body_for(request.user, slug)
    return render(request, "work/daily_home.html", _home_context(request, body))


@login_required
def daily_plan(request, slug, day):
    body = access.get_body_for(request.user, slug)
    day = _day(day)
    view = queries.plan_on(body, day, request.user)
    can_plan = permissions.can_plan_day(request.user, body)
    return render(request, "work/daily_plan.html", {
        "body": body, "view": view, "day": day, "today": clock.today(), "can_plan": can_plan,
        "prepare_form": PrepareForm(initial={"day": day}) if can_plan else None,
        **_neighbours(day)})


@login_required
def daily_week(request, slug):
    """Who did what over an ISO week (?week=YYYY-MM-DD, any day of it): the tasks of the
    published plans per person and day, and the totals, the most loaded flagged."""
    body = access.get_body_for(request.user, slug)
    raw = request.GET.get("week", "")
    error = None
    try:
        day = parse_day(raw, "week", optional=True) or clock.today()
    except DomainError as exc:
        day, error = clock.today(), exc.message
    week = queries.week_of(body, day)
    return render(request, "work/daily_week.html", {
        "body": body, "week": week, "error": error,
        "previous_week": week.monday - timedelta(days=7),
        "next_week": week.monday + timedelta(days=7)}, status=400 if error else 200)


# The evening meeting ----------------------------------------------------------------------

def _edit_context(request, body: Body, view, *, bound: dict | None = None,
                  add_form=None, note_form=None, **extra) -> dict:
    members = queries.members_of(body)
    posts = queries.posts_of(body)
    bound = bound or {}
    rows = []
    for row in view.tasks:
        task = row.task
        form = bound.get(task.pk) or TaskForm(members=members, prefix=f"task-{task.pk}", initial={
            "title": task.title, "starts_at": task.starts_at, "ends_at": task.ends_at,
            "note": task.note, "people": row.person_ids})
        rows.append({"row": row, "form": form})
    context = {
        "body": body, "view": view, "day": view.day, "rows": rows, "today": clock.today(),
        "editable": view.day >= clock.today(),
        "add_form": add_form or TaskForm(members=members, posts=posts, prefix="new"),
        "note_form": note_form or PlanNoteForm(initial={"note": view.plan.note}
                                               if view.plan else None),
        "has_members": bool(members), **_neighbours(view.day)}
    context.update(extra)
    return context


@login_required
def daily_plan_edit(request, slug, day):
    """The evening meeting's page: the plan's tasks, each with its people, editable."""
    body = access.get_body_for(request.user, slug, plan=True)
    day = _day(day)
    view = queries.plan_on(body, day, request.user)
    if view.plan is None:
        return redirect("daily_plan", slug=body.slug, day=day.isoformat())
    return render(request, "work/daily_edit.html", _edit_context(request, body, view))


def _refused_edit(request, body, day, exc: DomainError | None, status: int = 400, **forms):
    view = queries.plan_on(body, day, request.user)
    if view.plan is None:
        raise Http404
    error = exc.message if exc else _("Check the form below.")
    return render(request, "work/daily_edit.html",
                  _edit_context(request, body, view, error=error, **forms),
                  status=exc.status if exc else status)


def _form_error(form, exc: DomainError) -> None:
    if exc.field in form.fields:
        form.add_error(exc.field, exc.message)


@login_required
@require_POST
def prepare_plan(request, slug):
    body = access.get_body_for(request.user, slug, plan=True)
    form = PrepareForm(request.POST)
    if not form.is_valid():
        return render(request, "work/daily_home.html", _home_context(
            request, body, form, error=_("Check the form below.")), status=400)
    day = form.cleaned_data["day"]
    try:
        plan = daily.prepare_daily_plan(actor=request.user, body=body, day=day)
    except DomainError as exc:
        if exc.status == 409:  # it is there already: go and change it
            messages.info(request, exc.message)
            return redirect(_plan_url(body, day))
        _form_error(form, exc)
        return render(request, "work/daily_home.html", _home_context(
            request, body, form, error=exc.message), status=exc.status)
    messages.success(request, _("The plan of %(day)s is prepared: change it, then publish it.")
                     % {"day": daily.day_text(plan.day)})
    return redirect(_plan_url(body, plan.day))


@login_required
@require_POST
def publish_plan(request, slug, day):
    body = access.get_body_for(request.user, slug, plan=True)
    day = _day(day)
    plan = access.get_plan_for(request.user, slug, day, plan=True)
    try:
        daily.publish_daily_plan(actor=request.user, plan_id=plan.pk)
    except DomainError as exc:
        return _refused_edit(request, body, day, exc)
    messages.success(request, _("The plan of %(day)s is published: the members see it.")
                     % {"day": daily.day_text(day)})
    return redirect("daily_plan", slug=body.slug, day=day.isoformat())


@login_required
@require_POST
def set_note(request, slug, day):
    body = access.get_body_for(request.user, slug, plan=True)
    day = _day(day)
    plan = access.get_plan_for(request.user, slug, day, plan=True)
    form = PlanNoteForm(request.POST)
    if not form.is_valid():
        return _refused_edit(request, body, day, None, note_form=form)
    try:
        daily.set_plan_note(actor=request.user, plan_id=plan.pk, note=form.cleaned_data["note"])
    except DomainError as exc:
        _form_error(form, exc)
        return _refused_edit(request, body, day, exc, note_form=form)
    messages.success(request, _("Note saved."))
    return redirect(_plan_url(body, day))


@login_required
@require_POST
def add_task(request, slug, day):
    body = access.get_body_for(request.user, slug, plan=True)
    day = _day(day)
    plan = access.get_plan_for(request.user, slug, day, plan=True)
    form = TaskForm(request.POST, members=queries.members_of(body),
                    posts=queries.posts_of(body), prefix="new")
    if not form.is_valid():
        return _refused_edit(request, body, day, None, add_form=form)
    data = form.cleaned_data
    try:
        task = daily.add_task(actor=request.user, plan_id=plan.pk, title=data["title"],
                              post=data["post"], starts_at=data["starts_at"],
                              ends_at=data["ends_at"], note=data["note"],
                              people=data["people"])
    except DomainError as exc:
        _form_error(form, exc)
        return _refused_edit(request, body, day, exc, add_form=form)
    messages.success(request, _("“%(title)s” is added.") % {"title": task.title})
    return redirect(_plan_url(body, day, f"#task-{task.pk}"))


@login_required
@require_POST
def update_task(request, slug, task_id):
    body = access.get_body_for(request.user, slug, plan=True)
    task = access.get_task_for(request.user, task_id, slug=slug, plan=True)
    day = task.plan.day
    form = TaskForm(request.POST, members=queries.members_of(body),
                    prefix=f"task-{task.pk}")
    if not form.is_valid():
        return _refused_edit(request, body, day, None, bound={task.pk: form})
    data = form.cleaned_data
    try:
        daily.update_task(actor=request.user, task_id=task.pk, title=data["title"],
                          starts_at=data["starts_at"], ends_at=data["ends_at"],
                          note=data["note"], people=data["people"])
    except DomainError as exc:
        _form_error(form, exc)
        return _refused_edit(request, body, day, exc, bound={task.pk: form})
    messages.success(request, _("“%(title)s” is saved.") % {"title": data["title"]})
    return redirect(_plan_url(body, day, f"#task-{task.pk}"))


@login_required
@require_POST
def remove_task(request, slug, task_id):
    body = access.get_body_for(request.user, slug, plan=True)
    task = access.get_task_for(request.user, task_id, slug=slug, plan=True)
    try:
        daily.remove_task(actor=request.user, task_id=task.pk)
    except DomainError as exc:
        return _refused_edit(request, body, task.plan.day, exc)
    messages.success(request, _("“%(title)s” is removed.") % {"title": task.title})
    return redirect(_plan_url(body, task.plan.day, "#tasks"))


@login_required
@require_POST
def move_task(request, slug, task_id):
    body = access.get_body_for(request.user, slug, plan=True)
    task = access.get_task_for(request.user, task_id, slug=slug, plan=True)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _refused_edit(request, body, task.plan.day,
                             DomainError(_("Move a task up or down.")))
    try:
        daily.move_task(actor=request.user, task_id=task.pk, step=form.step)
    except DomainError as exc:
        return _refused_edit(request, body, task.plan.day, exc)
    return redirect(_plan_url(body, task.plan.day, f"#task-{task.pk}"))

