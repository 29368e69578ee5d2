"""Tomorrow's tasks told (issue #14): when the evening meeting publishes tomorrow's plan,
each person on one of its tasks finds in the app (and by push, if they opted in) what
they do and when, with the way to the plan — once per person and plan: publishing again
after a change tells only the people it newly puts on a task."""

from datetime import date, time

import pytest

from autogestion.notifications.models import Notification
from autogestion.work.daily import services as daily
from autogestion.work.models import DailyPlanNotice

from .daily_support import WEDNESDAY, build_farm, freeze_clock

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    yield from freeze_clock()


@pytest.fixture
def farm(world, make_person):
    return build_farm(world, make_person)


def plan_with_tasks(farm, day=WEDNESDAY):
    """Milking at 7:00 (Ana, Ben), the fence during the day (Ana), on a draft plan."""
    plan = daily.prepare_daily_plan(actor=farm["member"], body=farm["coop"], day=day)
    milking = daily.add_task(actor=farm["member"], plan_id=plan.pk, title="Milking",
                             starts_at=time(7, 0), ends_at=time(8, 30),
                             people=[farm["Ana"], farm["Ben"]])
    fence = daily.add_task(actor=farm["member"], plan_id=plan.pk, title="Fence",
                           people=[farm["Ana"]])
    return plan, milking, fence


def told(kind="task_tomorrow") -> dict:
    return {n.person_id: n for n in Notification.objects.filter(kind=kind)}


class TestPublishing:
    def test_each_person_on_a_task_is_told_their_tasks_and_times(self, farm):
        plan, _milking, _fence = plan_with_tasks(farm)
        assert told() == {}  # a plan being prepared tells nobody
        daily.publish_daily_plan(actor=farm["member"], plan_id=plan.pk)
        notices = told()
        assert set(notices) == {farm["Ana"].pk, farm["Ben"].pk}
        # Ana's two tasks in the plan's order, each with its time; one notice for both.
        assert notices[farm["Ana"].pk].title == \
            "Tomorrow: Milking at 07:00, Fence (during the day)"
        assert notices[farm["Ben"].pk].title == "Tomorrow: Milking at 07:00"
        slug = farm["coop"].slug
        assert notices[farm["Ben"].pk].url == f"/bodies/{slug}/daily/2026-03-11/"
        assert notices[farm["Ben"].pk].body == f"Daily plan — {farm['coop'].name}"

    def test_someone_who_left_the_body_since_the_draft_is_not_told(self, farm):
        from autogestion.cooperatives import services as bodies

        plan, _milking, _fence = plan_with_tasks(farm)
        bodies.leave_body(person=farm["Ben"], body=farm["coop"])
        daily.publish_daily_plan(actor=farm["member"], plan_id=plan.pk)
        assert set(told()) == {farm["Ana"].pk}

    def test_changes_after_publishing_tell_only_the_newcomers(self, farm):
        plan, milking, _fence = plan_with_tasks(farm)
        daily.publish_daily_plan(actor=farm["member"], plan_id=plan.pk)
        # The meeting changes the time, then puts Cleo on the milking: the plan is
        # published again each time; only Cleo hears of it now.
        daily.update_task(actor=farm["member"], task_id=milking.pk, title="Milking",
                          starts_at=time(6, 30))
        assert Notification.objects.filter(kind="task_tomorrow").count() == 2
        daily.set_task_people(actor=farm["member"], task_id=milking.pk,
                              people=[farm["Ana"], farm["Ben"], farm["Cleo"]])
        notices = told()
        assert set(notices) == {farm["Ana"].pk, farm["Ben"].pk, farm["Cleo"].pk}
        assert notices[farm["Cleo"].pk].title == "Tomorrow: Milking at 06:30"
        assert Notification.objects.filter(kind="task_tomorrow").count() == 3
        assert DailyPlanNotice.objects.filter(plan=plan).count() == 3

    def test_in_the_persons_language(self, farm):
        ana = farm["Ana"]
        ana.language = "fr"
        ana.save(update_fields=["language"])
        plan, _milking, _fence = plan_with_tasks(farm)
        daily.publish_daily_plan(actor=farm["member"], plan_id=plan.pk)
        assert told()[ana.pk].title == \
            "Demain : Milking à 07:00, Fence (dans la journée)"

    def test_today_and_a_later_day_are_said_as_such(self, farm):
        today, _m, _f = plan_with_tasks(farm, day=date(2026, 3, 10))
        daily.publish_daily_plan(actor=farm["member"], plan_id=today.pk)
        assert told()[farm["Ben"].pk].title == "Today: Milking at 07:00"
        Notification.objects.all().delete()
        later, _m, _f = plan_with_tasks(farm, day=date(2026, 3, 12))
        daily.publish_daily_plan(actor=farm["member"], plan_id=later.pk)
        assert told()[farm["Ben"].pk].title == "On Thursday 12 March: Milking at 07:00"

    def test_nobody_on_a_task_nobody_told(self, farm):
        plan = daily.prepare_daily_plan(actor=farm["member"], body=farm["coop"],
                                        day=WEDNESDAY)
        daily.add_task(actor=farm["member"], plan_id=plan.pk, title="Free task")
        daily.publish_daily_plan(actor=farm["member"], plan_id=plan.pk)
        assert Notification.objects.count() == 0
