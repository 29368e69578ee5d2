"""How the daily plan's pages and API get a body, a plan or a task for a caller
(core.access, the rules of work/access.py): the daily plans are for the body's members
(and operators); a closed body's do not exist for the others (404), an open body's answer
403. Changing a plan (`plan=True`) is for those who plan the body's days (403).
"""

from datetime import date

from django.utils.translation import gettext as _

from autogestion.cooperatives.access import find_body, no_body
from autogestion.core.errors import NotFound, PermissionDenied

from ..access import check_work
from ..models import DailyPlan, Task
from ..permissions import can_plan_day
from .services import day_text


def check_daily(user, body, *, plan: bool = False, hidden: str | None = None):
    check_work(user, body, members_only=_("The daily plans of %(body)s are for its members."),
               hidden=hidden)
    if plan and not can_plan_day(user, body):
        raise PermissionDenied(_("Only members of %(body)s plan its days.")
                               % {"body": body.name})
    return body


def get_body_for(user, slug, *, plan: bool = False):
    return check_daily(user, find_body(slug), plan=plan, hidden=no_body(slug))


def get_plan_for(user, slug, day: date, *, plan: bool = False) -> DailyPlan:
    """The plan of `day` in the body named `slug` (404 when there is none yet)."""
    body = get_body_for(user, slug, plan=plan)
    found = DailyPlan.objects.filter(body=body, day=day).first()
    if found is None:
        raise NotFound(_("There is no plan for %(day)s yet.") % {"day": day_text(day)})
    found.body = body
    return found


def get_task_for(user, task_id, *, slug=None, plan: bool = False) -> Task:
    """A task of a plan; with `slug`, of that body's plans only (the pages' addresses)."""
    tasks = Task.objects.select_related("plan__body")
    if slug is not None:
        tasks = tasks.filter(plan__body__slug=str(slug))
    task = tasks.filter(pk=task_id).first() if isinstance(task_id, int) else None
    if task is None:
        raise NotFound(_("There is no such task."))
    check_daily(user, task.plan.body, plan=plan)
    return task
