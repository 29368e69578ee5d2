"""The demo's daily plans: tomorrow's plan for the farm is published, drawn from the
rotation plus "Réparer la clôture", and the past days make the week's view show a
distribution; without a published rotation the demo writes the tasks by hand."""

import pytest

from autogestion.cooperatives import demo as cooperatives_demo
from autogestion.cooperatives.models import Body
from autogestion.core import clock
from autogestion.work import demo as work_demo
from autogestion.work.daily import demo as daily_demo
from autogestion.work.daily import queries as daily_queries
from autogestion.work.models import DailyPlan

from .daily_support import NOW, TODAY, WEDNESDAY, freeze_clock

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    yield from freeze_clock()


@pytest.fixture
def demo():
    world = cooperatives_demo.load_demo()
    return {b.slug: b for b in Body.objects.all()}, world["people"]


def titles(plan):
    return list(plan.tasks.order_by("position", "pk").values_list("title", flat=True))


def test_tomorrows_plan_from_the_rotation_and_a_fence(demo):
    bodies, people = demo
    work_demo.load(bodies, people)
    daily_demo.load(bodies, people)
    farm = bodies["champs-communs"]
    assert clock.now() == NOW  # the clock frozen by the caller stays frozen

    plans = {p.day: p for p in DailyPlan.objects.filter(body=farm)}
    assert sorted(plans) == [TODAY.replace(day=d) for d in (7, 8, 9, 10, 11)]
    assert all(p.status == "published" for p in plans.values())
    tomorrow = plans[WEDNESDAY]
    assert titles(tomorrow)[-1] == "Réparer la clôture"
    assert "Traite" in titles(tomorrow)  # drawn from the published rotation
    assert tomorrow.tasks.filter(post__isnull=False).count() >= 2
    assert titles(plans[TODAY.replace(day=7)]) == [t for t, _s, _e in daily_demo.BY_HAND]

    week = daily_queries.week_of(farm, TODAY)
    totals = [item["row"].total for item in week.rows]
    assert week.summary.total > 10 and max(totals) > min(totals)
    assert any(item["row"].most_loaded for item in week.rows)


def test_without_a_published_rotation_the_tasks_are_written_by_hand(demo):
    bodies, people = demo
    daily_demo.load(bodies, people)
    tomorrow = DailyPlan.objects.get(body=bodies["champs-communs"], day=WEDNESDAY)
    assert titles(tomorrow) == [*(t for t, _s, _e in daily_demo.BY_HAND), "Réparer la clôture"]
    assert tomorrow.note == "" and tomorrow.status == "published"
    assert all(task.people.count() == 2 for task in tomorrow.tasks.all())
