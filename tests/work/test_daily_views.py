"""Daily plan pages through the test client: who sees them, the morning read (today,
tomorrow, my tasks), the evening meeting's page (prepare, add, change, move, remove,
publish) working without JavaScript, refusals shown next to the form with a 4xx, the
week's distribution, and bounded query counts."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from autogestion.cooperatives import services as bodies
from autogestion.work.daily import services as daily
from autogestion.work.models import DailyPlan, Task
from tests.support.http import client_for

from .daily_support import (
    PARIS,
    SATURDAY,
    TODAY,
    WEDNESDAY,
    build_farm,
    freeze_clock,
    publish_rotation,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    yield from freeze_clock()


@pytest.fixture
def farm(world, make_person):
    return build_farm(world, make_person)


@pytest.fixture
def published(farm):
    """The rotation published; Wednesday's plan prepared, a task added, published."""
    publish_rotation(farm)
    plan = daily.prepare_daily_plan(actor=farm["member"], body=farm["coop"], day=WEDNESDAY)
    daily.add_task(actor=farm["member"], plan_id=plan.pk, title="Fix the fence",
                   starts_at=time(14), ends_at=time(17), people=[farm["Ben"], farm["Dan"]])
    daily.publish_daily_plan(actor=farm["member"], plan_id=plan.pk)
    return plan


def text(response) -> str:
    return response.content.decode()


def url(name, *parts) -> str:
    from django.urls import reverse

    return reverse(name, args=[str(p) for p in parts])


def day_url(name, day=WEDNESDAY, slug="cit"):
    return url(name, slug, day.isoformat())


def plan_of(day=WEDNESDAY):
    return DailyPlan.objects.filter(day=day).first()


def task_form(task, **values) -> dict:
    """The fields of a task's form on the editing page, as a browser posts them."""
    prefix = f"task-{task.pk}-"
    data = {"title": task.title, "starts_at": task.starts_at.strftime("%H:%M")
            if task.starts_at else "", "ends_at": task.ends_at.strftime("%H:%M")
            if task.ends_at else "", "note": task.note,
            "people": [p.pk for p in task.people.all()]}
    data.update(values)
    return {prefix + k: v for k, v in data.items()}


# Who sees what --------------------------------------------------------------------------

class TestWhoSees:
    PAGES = ["daily_plans", "daily_week"]

    @pytest.mark.parametrize("name", PAGES)
    def test_anonymous_is_sent_to_log_in(self, farm, name):
        response = client_for(None).get(url(name, "cit"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    @pytest.mark.parametrize("name", PAGES)
    def test_outsider_of_an_open_body_is_refused_with_a_reason(self, farm, name):
        response = client_for(farm["outsider"]).get(url(name, "cit"))
        assert response.status_code == 403
        assert "The daily plans of CIT are for its members." in text(response)

    def test_a_closed_body_does_not_exist_for_outsiders(self, farm):
        response = client_for(farm["member"]).get(url("daily_plans", "caisse"))
        assert response.status_code == 404
        assert client_for(farm["coordinator"]).get(url("daily_plans", "caisse")) \
            .status_code == 200

    @pytest.mark.parametrize("who", ["member", "coordinator", "operator", "Ana"])
    def test_members_and_operators_read(self, published, farm, who):
        client = client_for(farm[who])
        for address in (url("daily_plans", "cit"), day_url("daily_plan"),
                        url("daily_week", "cit"), day_url("daily_plan_edit")):
            assert client.get(address).status_code == 200, address

    def test_outsiders_do_not_write(self, published, farm):
        client = client_for(farm["outsider"])
        task = Task.objects.get(title="Fix the fence")
        for address, data in (
                (url("daily_plan_prepare", "cit"), {"day": "2026-03-12"}),
                (day_url("daily_task_add"), {"new-title": "Mine"}),
                (url("daily_task_update", "cit", task.pk), task_form(task, title="Mine")),
                (url("daily_task_remove", "cit", task.pk), {}),
                (day_url("daily_plan_publish"), {})):
            assert client.post(address, data).status_code == 403, address
        assert Task.objects.get(pk=task.pk).title == "Fix the fence"
        assert DailyPlan.objects.count() == 1

    def test_a_task_of_another_body_is_not_found_through_this_one(self, published, farm):
        task = Task.objects.get(title="Fix the fence")
        bodies.join_body(person=farm["Ana"], body=farm["open_group"])
        response = client_for(farm["Ana"]).post(url("daily_task_remove", "accueil", task.pk))
        assert response.status_code == 404 and Task.objects.filter(pk=task.pk).exists()


# Reading in the morning -----------------------------------------------------------------

class TestReading:
    def test_home_shows_today_and_tomorrow_and_my_tasks(self, published, farm):
        page = text(client_for(farm["Ben"]).get(url("daily_plans", "cit")))
        assert "Today — Tuesday 10 March" in page and "Tomorrow — Wednesday 11 March" in page
        assert "No plan for this day yet." in page  # today
        assert 'id="my-tasks"' in page and "14:00 – 17:00 · Fix the fence" in page
        assert re.search(r'class="daily-task mine">\s*<span class="when">14:00 – 17:00',
                         page)

    def test_the_day_page_lists_tasks_times_people_and_learners(self, published, farm):
        page = text(client_for(farm["Cleo"]).get(day_url("daily_plan")))
        assert "Plan of Wednesday 11 March 2026" in page and ">published<" in page
        assert "Cleo (learning)" in page and "Fix the fence" in page
        assert "during the day" in page and "14:00 – 17:00" in page
        assert "My tasks:" in page and "Milking" in page
        assert day_url("daily_plan_edit") in page

    def test_a_day_without_plan_offers_to_prepare_it(self, farm):
        page = text(client_for(farm["member"]).get(day_url("daily_plan", SATURDAY)))
        assert "No plan for this day yet." in page and 'id="prepare-form"' in page
        past = text(client_for(farm["member"]).get(day_url("daily_plan",
                                                           TODAY - timedelta(days=1))))
        assert 'id="prepare-form"' not in past

    def test_a_plan_being_prepared_says_so(self, farm):
        daily.prepare_daily_plan(actor=farm["member"], body=farm["coop"], day=WEDNESDAY)
        page = text(client_for(farm["Ben"]).get(day_url("daily_plan")))
        assert "being prepared" in page

    @pytest.mark.parametrize("day", ["2026-02-30", "2026-13-01"])
    def test_bad_days_are_not_found(self, farm, day):
        assert client_for(farm["member"]).get(f"/bodies/cit/daily/{day}/").status_code == 404


# The evening meeting ------------------------------------------------------------------

class TestMeeting:
    def test_prepare_from_the_rotation_then_change_then_publish(self, farm):
        publish_rotation(farm)
        client = client_for(farm["member"])
        response = client.post(url("daily_plan_prepare", "cit"), {"day": "2026-03-11"})
        assert response.status_code == 302
        assert response["Location"] == day_url("daily_plan_edit")
        page = text(client.get(response["Location"]))
        assert "Planning Wednesday 11 March 2026" in page and "being prepared" in page
        milking = Task.objects.get(title="Milking")
        assert f'id="task-{milking.pk}"' in page and 'id="publish-form"' in page
        assert f'for="id_task-{milking.pk}-title"' in page  # labelled fields

        response = client.post(day_url("daily_task_add"), {
            "new-title": "Réparer la clôture", "new-starts_at": "14:00",
            "new-ends_at": "17:00", "new-people": [farm["Ben"].pk, farm["Dan"].pk]})
        fence = Task.objects.get(title="Réparer la clôture")
        assert response.status_code == 302 and response["Location"].endswith(
            f"#task-{fence.pk}")
        assert sorted(p.public_name for p in fence.people.all()) == ["Ben", "Dan"]

        response = client.post(url("daily_task_update", "cit", milking.pk),
                               task_form(milking, starts_at="06:30", ends_at="08:00",
                                         people=[farm["Ben"].pk]))
        assert response.status_code == 302
        milking.refresh_from_db()
        assert milking.starts_at == time(6, 30)
        assert [p.public_name for p in milking.people.all()] == ["Ben"]

        client.post(url("daily_task_move", "cit", fence.pk), {"direction": "up"})
        assert list(plan_of().tasks.values_list("title", flat=True)) == [
            "Réparer la clôture", "Milking"]

        response = client.post(day_url("daily_plan_publish"))
        assert response.status_code == 302 and response["Location"] == day_url("daily_plan")
        assert plan_of().status == "published"
        page = text(client.get(day_url("daily_plan_edit")))
        assert "each change is published at once" in page and 'id="publish-form"' not in page

        client.post(url("daily_task_remove", "cit", fence.pk))
        assert not Task.objects.filter(pk=fence.pk).exists()

    def test_preparing_a_day_twice_leads_to_its_plan(self, farm):
        client = client_for(farm["member"])
        client.post(url("daily_plan_prepare", "cit"), {"day": "2026-03-11"})
        response = client.post(url("daily_plan_prepare", "cit"), {"day": "2026-03-11"},
                               follow=True)
        assert "There is already a plan for Wednesday 11 March 2026" in text(response)
        assert DailyPlan.objects.count() == 1

    @pytest.mark.parametrize(("day", "status", "message"), [
        ("2026-03-09", 400, "Monday 9 March 2026 is past: plan today or a day to come."),
        ("tomorrow", 400, "Enter a valid date."),
        ("", 400, "This field is required."),
    ])
    def test_prepare_refusals(self, farm, day, status, message):
        response = client_for(farm["member"]).post(url("daily_plan_prepare", "cit"),
                                                   {"day": day})
        assert response.status_code == status and message in text(response)
        assert DailyPlan.objects.count() == 0

    def test_refusals_show_next_to_the_form_and_write_nothing(self, published, farm):
        client = client_for(farm["member"])
        fence = Task.objects.get(title="Fix the fence")
        response = client.post(url("daily_task_update", "cit", fence.pk),
                               task_form(fence, starts_at="15:00", ends_at="09:00"))
        assert response.status_code == 400
        page = text(response)
        assert "The task ends after it starts: 09:00 is not after 15:00." in page
        assert 'value="15:00"' in page  # what was typed stays
        response = client.post(url("daily_task_update", "cit", fence.pk),
                               task_form(fence, people=[farm["outsider"].pk]))
        assert response.status_code == 400 and "Select a valid choice." in text(response)
        response = client.post(day_url("daily_task_add"), {"new-title": ""})
        assert response.status_code == 400
        assert "Give the task a title, or choose a post." in text(response)
        response = client.post(day_url("daily_plan_publish"))
        assert response.status_code == 409 and "already published" in text(response)
        fence.refresh_from_db()
        assert (fence.starts_at, fence.title) == (time(14), "Fix the fence")
        assert Task.objects.count() == 2

    def test_a_member_who_left_since_the_page_was_shown_is_refused(self, published, farm):
        fence = Task.objects.get(title="Fix the fence")
        data = task_form(fence)
        bodies.leave_body(person=farm["Dan"], body=farm["coop"])
        response = client_for(farm["member"]).post(url("daily_task_update", "cit", fence.pk),
                                                   data)
        assert response.status_code == 400
        assert "Select a valid choice." in text(response)

    def test_past_plans_are_shown_not_edited(self, published, farm, frozen_clock):
        frozen_clock(datetime(2026, 3, 12, 8, 0, tzinfo=PARIS))
        client = client_for(farm["member"])
        page = text(client.get(day_url("daily_plan_edit")))
        assert "This day is past: its plan stays as it was." in page
        assert "<form method=\"post\" action=\"/bodies/cit/daily/tasks/" not in page
        fence = Task.objects.get(title="Fix the fence")
        response = client.post(url("daily_task_remove", "cit", fence.pk))
        assert response.status_code == 409 and "is past" in text(response)

    def test_editing_a_day_without_plan_leads_to_the_day(self, farm):
        response = client_for(farm["member"]).get(day_url("daily_plan_edit", SATURDAY))
        assert response.status_code == 302 and response["Location"] == day_url(
            "daily_plan", SATURDAY)


# The week ------------------------------------------------------------------------------

class TestWeek:
    def test_who_did_what(self, published, farm):
        page = text(client_for(farm["member"]).get(url("daily_week", "cit") +
                                                   "?week=2026-03-12"))
        assert "Week of Monday 9 March 2026" in page
        # Milking: Ana, Cleo (learning); the fence: Ben, Dan. The member and the coordinator
        # did nothing: the four others are the most loaded.
        assert "4 places on tasks this week." in page
        ben = re.search(rf'<tr id="person-{farm["Ben"].pk}" class="most-loaded">(.*?)</tr>',
                        page, re.S)
        assert ben and "most loaded" in ben.group(1) and "Fix the fence" in ben.group(1)
        assert re.search(rf'<tr id="person-{farm["Cleo"].pk}"[^>]*>.*?Milking \(learning\)',
                         page, re.S)
        assert f'<tr id="person-{farm["member"].pk}">' in page  # nothing done, not flagged
        assert "Other tasks" in page and "Plans still being prepared are not counted" in page

    def test_a_bad_week_is_a_400_with_the_way_to_write_it(self, farm):
        response = client_for(farm["member"]).get(url("daily_week", "cit") + "?week=12/03")
        assert response.status_code == 400
        assert "is not a date: write it as YYYY-MM-DD" in text(response)


# Bounded queries -------------------------------------------------------------------------

def _count(client, address) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200, address
    return len(captured)


def _grow(farm, plan, many: int) -> None:
    people = [farm[n] for n in ("Ana", "Ben", "Cleo", "Dan", "member")]
    for n in range(many):
        daily.add_task(actor=farm["member"], plan_id=plan.pk, title=f"Task {n}",
                       starts_at=time(8 + n % 8), people=people[: 1 + n % 5])


@pytest.mark.parametrize("address", [
    "/bodies/cit/daily/", "/bodies/cit/daily/2026-03-11/", "/bodies/cit/daily/2026-03-11/edit/",
    "/bodies/cit/daily/week/?week=2026-03-11"])
def test_pages_query_counts_do_not_grow(published, farm, address,
                                        django_assert_max_num_queries):
    client = client_for(farm["member"])
    few = _count(client, address)
    _grow(farm, published, 12)
    saturday = daily.prepare_daily_plan(actor=farm["member"], body=farm["coop"], day=SATURDAY)
    _grow(farm, saturday, 6)
    daily.publish_daily_plan(actor=farm["member"], plan_id=saturday.pk)
    with django_assert_max_num_queries(14):
        client.get(address)
    assert _count(client, address) == few
