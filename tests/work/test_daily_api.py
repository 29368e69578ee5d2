"""The daily plan API through the test client: same services, same rules, same messages
as the pages. Who may read and write, preparing from the rotation, tasks and people,
publication, the week's summary, refusals with their field and nothing written, and
bounded query counts."""

from datetime import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from autogestion.cooperatives import services as bodies
from autogestion.work.daily import services as daily
from autogestion.work.models import DailyPlan, Task
from tests.support.http import api_client, refused

from .daily_support import (
    NOW,
    SATURDAY,
    WEDNESDAY,
    build_farm,
    freeze_clock,
    publish_rotation,
)

pytestmark = pytest.mark.django_db

PLANS = "/api/bodies/cit/daily-plans"
WED = f"{PLANS}/2026-03-11"


@pytest.fixture(autouse=True)
def frozen_clock():
    yield from freeze_clock()


@pytest.fixture
def farm(world, make_person):
    return build_farm(world, make_person)


@pytest.fixture
def api(farm):
    """A JSON client per person (None: anonymous)."""
    return lambda name: api_client(farm[name] if name else None)


def state():
    return (list(DailyPlan.objects.values_list("day", "status", "note", "published_at")),
            list(Task.objects.values_list("title", "starts_at", "ends_at", "position")),
            list(Task.people.through.objects.values_list("task_id", "user_id")))


class TestAccess:
    def test_signed_in_only(self, api):
        refused(api(None).get(WED), 401, contains="Sign in")
        refused(api(None).post(PLANS, {"day": "2026-03-11"}), 401)

    def test_outsiders_of_an_open_body_403_of_a_closed_one_404(self, api, farm):
        refused(api("outsider").get(WED), 403,
                contains="The daily plans of CIT are for its members.")
        refused(api("outsider").post(PLANS, {}), 403)
        refused(api("member").get("/api/bodies/caisse/daily-plans/2026-03-11"), 404,
                contains="There is no body")
        refused(api("member").get("/api/bodies/nowhere/daily-summary"), 404)

    def test_a_task_outside_ones_bodies(self, api, farm):
        plan = daily.prepare_daily_plan(actor=farm["member"], body=farm["coop"], day=WEDNESDAY)
        task = daily.add_task(actor=farm["member"], plan_id=plan.pk, title="Weeding")
        before = state()
        refused(api("outsider").patch(f"/api/daily-tasks/{task.pk}", {"title": "x"}), 403)
        refused(api("outsider").delete(f"/api/daily-tasks/{task.pk}"), 403)
        refused(api("member").delete("/api/daily-tasks/987654"), 404,
                contains="There is no such task.")
        assert state() == before


class TestPlans:
    def test_prepare_read_and_publish(self, api, farm):
        publish_rotation(farm)
        response = api("member").post(PLANS, {})  # tomorrow by default
        assert response.status_code == 201, response.content
        plan = response.json()
        assert (plan["day"], plan["status"], plan["published_at"], plan["can_plan"]) == (
            "2026-03-11", "draft", None, True)
        [milking] = plan["tasks"]
        assert (milking["title"], milking["post"], milking["mine"]) == (
            "Milking", "Milking", False)
        assert milking["people"] == [
            {"id": farm["Ana"].pk, "name": "Ana", "learning": False},
            {"id": farm["Cleo"].pk, "name": "Cleo", "learning": True}]

        assert api("Cleo").get(WED).json()["tasks"][0]["mine"] is True
        published = api("Ben").post(f"{WED}/publish").json()
        assert published["status"] == "published"
        assert published["published_at"].startswith("2026-03-10T12:00:00+01:00")
        assert [(e["from_status"], e["to_status"], e["actor_id"], e["at"][:19])
                for e in published["events"]] == [
            ("", "draft", farm["member"].pk, "2026-03-10T12:00:00"),
            ("draft", "published", farm["Ben"].pk, "2026-03-10T12:00:00")]
        refused(api("Ben").post(f"{WED}/publish"), 409, contains="already published")
        refused(api("member").post(PLANS, {"day": "2026-03-11"}), 409, field="day",
                contains="There is already a plan for Wednesday 11 March 2026")

    def test_without_rotation_a_note(self, api):
        plan = api("member").post(PLANS, {"day": "2026-03-14"}).json()
        assert plan["tasks"] == [] and plan["note"].startswith("No published rotation")
        note = api("member").put(f"{PLANS}/2026-03-14/note", {"note": "Market day"}).json()
        assert note["note"] == "Market day"

    @pytest.mark.parametrize(("day", "status", "detail"), [
        ("2026-03-09", 400, "Monday 9 March 2026 is past"),
        ("11/03/2026", 400, "is not a date: write it as YYYY-MM-DD"),
        ("2026-02-30", 400, "is not a date"),
        ("3026-01-01", 400, "between the years"),
    ])
    def test_bad_days(self, api, day, status, detail):
        refused(api("member").post(PLANS, {"day": day}), status, field="day", contains=detail)
        assert DailyPlan.objects.count() == 0

    def test_a_day_without_plan(self, api):
        refused(api("member").get(f"{PLANS}/2026-03-14"), 404,
                contains="There is no plan for Saturday 14 March 2026 yet.")
        refused(api("member").get(f"{PLANS}/someday"), 400, field="day")


class TestTasks:
    @pytest.fixture
    def plan(self, farm):
        return daily.prepare_daily_plan(actor=farm["member"], body=farm["coop"], day=WEDNESDAY)

    def test_add_change_people_move_remove(self, api, farm, plan):
        member = api("member")
        response = member.post(f"{WED}/tasks", {
            "title": "Réparer la clôture", "starts_at": "14:00", "ends_at": "17:00",
            "people": [farm["Ben"].pk, farm["Dan"].pk], "note": "Pliers"})
        assert response.status_code == 201, response.content
        fence = response.json()
        assert (fence["starts_at"], fence["ends_at"], fence["position"]) == (
            "14:00:00", "17:00:00", 0)
        assert [p["name"] for p in fence["people"]] == ["Ben", "Dan"]

        market = member.post(f"{WED}/tasks", {"post_id": farm["market"].pk}).json()
        assert (market["title"], market["post_id"], market["position"]) == (
            "Market stall", farm["market"].pk, 1)

        changed = member.patch(f"/api/daily-tasks/{fence['id']}",
                               {"ends_at": None, "title": "Fence"}).json()
        assert (changed["title"], changed["starts_at"], changed["ends_at"], changed["note"]) \
            == ("Fence", "14:00:00", None, "Pliers")
        assert [p["name"] for p in changed["people"]] == ["Ben", "Dan"]

        people = member.put(f"/api/daily-tasks/{fence['id']}/people",
                            {"people": [farm["member"].pk]}).json()
        assert people["mine"] is True and [p["name"] for p in people["people"]] == ["Member"]

        moved = member.post(f"/api/daily-tasks/{market['id']}/move", {"step": -1}).json()
        assert [t["title"] for t in moved["tasks"]] == ["Market stall", "Fence"]

        assert member.delete(f"/api/daily-tasks/{market['id']}").status_code == 204
        assert [t["title"] for t in member.get(WED).json()["tasks"]] == ["Fence"]

    def test_refusals_name_the_field_and_write_nothing(self, api, farm, plan):
        member = api("member")
        task = daily.add_task(actor=farm["member"], plan_id=plan.pk, title="Weeding",
                              starts_at=time(9))
        before = state()
        refused(member.post(f"{WED}/tasks", {"title": "x", "starts_at": "10:00",
                                              "ends_at": "09:00"}), 400, field="ends_at",
                contains="The task ends after it starts: 09:00 is not after 10:00.")
        refused(member.patch(f"/api/daily-tasks/{task.pk}", {"ends_at": "08:00"}), 400,
                field="ends_at")
        refused(member.post(f"{WED}/tasks", {"title": " "}), 400, field="title")
        refused(member.post(f"{WED}/tasks", {"title": "x", "people": [farm["outsider"].pk]}),
                400, field="people",
                contains=f"There is no person with the number {farm['outsider'].pk}.")
        refused(member.put(f"/api/daily-tasks/{task.pk}/people", {"people": [987654]}), 400,
                field="people", contains="There is no person with the number 987654.")
        refused(member.post(f"{WED}/tasks", {"title": "x", "starts_at": "25:00"}), 422,
                contains="starts_at")
        refused(member.post(f"{WED}/tasks", {"title": "x\u0000"}), 400, contains="NUL")
        refused(member.post(f"{WED}/tasks", {"title": "x" * 161}), 422)
        refused(member.post(f"{WED}/tasks", {"post_id": 987654}), 400, field="post")
        refused(member.post(f"{PLANS}/2026-03-14/tasks", {"title": "x"}), 404)
        assert state() == before

    def test_a_member_who_left_is_named(self, api, farm, plan):
        bodies.leave_body(person=farm["Dan"], body=farm["coop"])
        refused(api("member").post(f"{WED}/tasks", {"title": "x", "people": [farm["Dan"].pk]}),
                400, field="people", contains="Dan is not an active member of CIT")


def test_week_summary(api, farm):
    publish_rotation(farm)
    for day in (WEDNESDAY, SATURDAY):
        plan = daily.prepare_daily_plan(actor=farm["member"], body=farm["coop"], day=day)
        daily.publish_daily_plan(actor=farm["member"], plan_id=plan.pk)
    summary = api("member").get("/api/bodies/cit/daily-summary?week=2026-03-14").json()
    assert (summary["first_day"], summary["last_day"], summary["total"]) == (
        "2026-03-09", "2026-03-15", 7)
    assert summary["per_day"] == [0, 0, 2, 0, 0, 5, 0]
    people = {p["name"]: p for p in summary["people"]}
    assert people["Ana"]["total"] == 2 and people["Ana"]["most_loaded"] is True
    assert people["Coordinator"]["total"] == 0 and people["Coordinator"]["most_loaded"] is False
    assert people["Cleo"]["learning"] == 2
    assert people["Ana"]["by_post"] == [{"post": "Market stall", "count": 1},
                                        {"post": "Milking", "count": 1}]
    saturday = people["Ana"]["days"][5]
    assert saturday["day"] == "2026-03-14" and saturday["tasks"][0]["title"] == "Market stall"
    this_week = api("member").get("/api/bodies/cit/daily-summary").json()
    assert this_week["first_day"] == "2026-03-09" and NOW.date().isoweekday() == 2
    refused(api("member").get("/api/bodies/cit/daily-summary?week=soon"), 400, field="week")


def test_query_counts_do_not_grow(api, farm, django_assert_max_num_queries):
    publish_rotation(farm)
    plan = daily.prepare_daily_plan(actor=farm["member"], body=farm["coop"], day=WEDNESDAY)
    daily.publish_daily_plan(actor=farm["member"], plan_id=plan.pk)
    client = api("member").client

    def count(path):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    paths = [WED, "/api/bodies/cit/daily-summary?week=2026-03-11"]
    few = [count(p) for p in paths]
    people = [farm[n] for n in ("Ana", "Ben", "Cleo", "Dan")]
    for n in range(10):
        daily.add_task(actor=farm["member"], plan_id=plan.pk, title=f"Task {n}",
                       people=people[: 1 + n % 4])
    for path, before in zip(paths, few, strict=True):
        with django_assert_max_num_queries(10):
            client.get(path)
        assert count(path) == before
