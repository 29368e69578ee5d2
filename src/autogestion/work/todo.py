"""What waits for a person in the work app ("À faire", core/todo.py): their tasks of
today's and tomorrow's daily plans, in the bodies they are members of, in time order."""

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autogestion.cooperatives.permissions import active_body_ids
from autogestion.core import clock
from autogestion.core.todo import LIMIT, NOW, SOON, OfflinePage, Section, TodoItem, day_text

from .models import DailyPlan, DailyPlanStatus, Task

TASKS = Section("tasks", gettext_lazy("My tasks today and tomorrow"), 30)
SECTIONS = [TASKS]


def my_tasks(person, today, limit: int = LIMIT * 2) -> list[Task]:
    """The person's tasks of today's and tomorrow's plans. One query."""
    bodies = active_body_ids(person)
    if not bodies:
        return []
    return list(Task.objects.filter(people=person, plan__body_id__in=bodies,
                                    plan__day__in=[today, today + timedelta(days=1)])
                .select_related("plan__body")
                .order_by("plan__day", "starts_at", "position", "pk")[:limit])


def items(person, today) -> list[TodoItem]:
    found = []
    for task in my_tasks(person, today):
        plan = task.plan
        parts = [day_text(plan.day, today).capitalize()]
        if task.starts_at:
            hours = dateformat.time_format(task.starts_at, "H:i")
            if task.ends_at:
                hours += " – " + dateformat.time_format(task.ends_at, "H:i")
            parts.append(hours)
        parts.append(plan.body.name)
        if plan.status == DailyPlanStatus.DRAFT:
            parts.append(_("plan being prepared"))
        when = (datetime.combine(plan.day, task.starts_at, tzinfo=clock.zone())
                if task.starts_at else plan.day)
        found.append(TodoItem(
            section=TASKS, title=task.title,
            url=reverse("daily_plan", args=[plan.body.slug, plan.day.isoformat()])
            + f"#task-{task.pk}",
            action=_("See the plan"), detail=" · ".join(parts), when=when,
            urgency=NOW if plan.day == today else SOON))
    return found


def offline_pages(person, today) -> list[OfflinePage]:
    """Today's and tomorrow's plans (and the page of the two, with "my tasks") of the
    person's bodies that have one. One query."""
    bodies = active_body_ids(person)
    if not bodies:
        return []
    plans = (DailyPlan.objects.filter(body_id__in=bodies,
                                      day__in=[today, today + timedelta(days=1)])
             .select_related("body").order_by("body__path", "day"))
    pages = []
    for plan in plans:
        body = plan.body
        home = reverse("daily_plans", args=[body.slug])
        if home not in {page.url for page in pages}:
            pages.append(OfflinePage(
                _("My tasks — %(body)s") % {"body": body.name}, home))
        label = (_("Today's plan — %(body)s") if plan.day == today
                 else _("Tomorrow's plan — %(body)s"))
        pages.append(OfflinePage(label % {"body": body.name},
                                 reverse("daily_plan", args=[body.slug, plan.day.isoformat()])))
    return pages
