"""Daily plan services against the database (DOMAIN.md R3, R12, R13): a plan prepared
from the published rotation, tasks edited in the evening meeting, people who must be
members, times that end after they start, publication and changes after it, and past
plans kept as they were. Every refusal writes nothing and says what to change."""

from datetime import datetime, time, timedelta
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.db.models.query import QuerySet

from autogestion.cooperatives import services as bodies
from autogestion.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from autogestion.work import services
from autogestion.work.daily import queries as daily_queries
from autogestion.work.daily import services as daily
from autogestion.work.models import Assignment, DailyPlan, Task
from tests.support.services import refused_unchanged

from .daily_support import (
    NOW,
    PARIS,
    SATURDAY,
    SUNDAY,
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


def counts():
    through = Task.people.through
    return (DailyPlan.objects.count(), Task.objects.count(), through.objects.count(),
            tuple(DailyPlan.objects.values_list("note", "status", "published_at")),
            tuple(Task.objects.values_list("title", "starts_at", "ends_at", "position",
                                           "note")),
            tuple(through.objects.values_list("task_id", "user_id")))


def refused(exc_type, call, **kwargs):
    return refused_unchanged(exc_type, call, counts, **kwargs)


def prepare(farm, day=WEDNESDAY, actor=None, **extra):
    return daily.prepare_daily_plan(actor=actor or farm["member"], body=farm["coop"], day=day,
                                    **extra)


def tasks_of(plan):
    return [(t.title, sorted(p.public_name for p in t.people.all()))
            for t in plan.tasks.order_by("position", "pk")]


def rotation_people(day, post):
    return sorted(a.person.public_name for a in Assignment.objects.filter(
        day=day, post=post, rotation__status="published").select_related("person"))


# Preparing --------------------------------------------------------------------------

class TestPrepare:
    def test_one_task_per_post_of_the_published_rotation(self, farm):
        publish_rotation(farm)
        plan = prepare(farm, SATURDAY)
        assert (plan.status, plan.published_at, plan.created_by) == (
            "draft", None, farm["member"])
        assert tasks_of(plan) == [
            ("Market stall", rotation_people(SATURDAY, farm["market"])),
            ("Milking", rotation_people(SATURDAY, farm["milking"]))]
        assert [t.post_id for t in plan.tasks.order_by("position")] == [
            farm["market"].pk, farm["milking"].pk]
        assert plan.note == ""

    def test_learners_are_on_the_task_and_shown_as_learning(self, farm):
        publish_rotation(farm)
        prepare(farm, SATURDAY)
        view = daily_queries.plan_on(farm["coop"], SATURDAY, farm["Cleo"])
        milking = next(r for r in view.tasks if r.task.title == "Milking")
        learning = {p.person.public_name: p.learning for p in milking.people}
        assert learning == {"Ben": False, "Cleo": True}
        assert milking.mine and [r.task.title for r in view.mine] == ["Milking"]
        market = next(r for r in view.tasks if r.task.title == "Market stall")
        assert {p.person.public_name for p in market.people if p.learning} == {"Member"}

    def test_default_day_is_tomorrow(self, farm):
        plan = daily.prepare_daily_plan(actor=farm["member"], body=farm["coop"])
        assert plan.day == WEDNESDAY

    def test_without_a_published_rotation_an_empty_plan_with_a_note(self, farm):
        services.propose_rotation(actor=farm["coordinator"], body=farm["coop"],
                                  first_day=WEDNESDAY, last_day=SUNDAY)  # a draft only
        plan = prepare(farm)
        assert tasks_of(plan) == []
        assert plan.note == "No published rotation covers this day: add the tasks by hand."
        assert prepare(farm, SATURDAY, note="Rest day").note == "Rest day"

    def test_a_post_the_rotation_left_empty_gets_its_task_and_a_note(self, farm):
        cheese = services.create_post(actor=farm["coordinator"], body=farm["coop"],
                                      name="Cheese making", weekdays="3")
        publish_rotation(farm)
        plan = prepare(farm)
        task = plan.tasks.get(post=cheese)
        assert list(task.people.all()) == []
        assert task.note == "The rotation found nobody for 1 place: find someone."

    def test_people_who_left_the_body_are_not_seeded(self, farm):
        publish_rotation(farm)
        bodies.leave_body(person=farm["Ana"], body=farm["coop"])
        plan = prepare(farm)
        assert tasks_of(plan) == [("Milking", ["Cleo"])]

    def test_a_second_plan_for_the_day_is_a_conflict(self, farm):
        prepare(farm)
        error = refused(Conflict, prepare, farm=farm)
        assert error.status == 409 and error.field == "day"
        assert "There is already a plan for Wednesday 11 March 2026" in error.message

    def test_the_database_refuses_a_second_plan_too(self, farm):
        """Two meetings preparing the same day at the same moment: the unique constraint
        answers, mapped to the same conflict."""
        prepare(farm)
        with mock.patch.object(QuerySet, "exists", return_value=False):
            error = refused(Conflict, prepare, farm=farm)
        assert "already a plan" in error.message
        with pytest.raises(IntegrityError), transaction.atomic():
            DailyPlan.objects.create(body=farm["coop"], day=WEDNESDAY)

    @pytest.mark.parametrize(("day", "message"), [
        (NOW.date() - timedelta(days=1), "Monday 9 March 2026 is past"),
        (NOW.date() + timedelta(days=400), "Plan at most 366 days ahead"),
    ])
    def test_past_and_far_days_are_refused(self, farm, day, message):
        error = refused(DomainError, prepare, farm=farm, day=day)
        assert message in error.message and error.field == "day"

    def test_today_can_be_planned(self, farm):
        assert prepare(farm, NOW.date()).day == NOW.date()

    @pytest.mark.parametrize("who", ["outsider", "other_coordinator"])
    def test_only_members_plan(self, farm, who):
        error = refused(PermissionDenied, prepare, farm=farm, actor=farm[who])
        assert error.message == "Only members of CIT plan its days."

    def test_coordinators_and_operators_plan(self, farm):
        assert prepare(farm, actor=farm["coordinator"])
        assert prepare(farm, SATURDAY, actor=farm["operator"])


# Tasks ------------------------------------------------------------------------------

class TestTasks:
    def test_add_a_task_by_hand_last_with_times_and_people(self, farm):
        publish_rotation(farm)
        plan = prepare(farm)
        task = daily.add_task(actor=farm["member"], plan_id=plan.pk, title=" Fix the fence ",
                              starts_at=time(14), ends_at=time(17),
                              people=[farm["Ben"].pk, farm["Dan"]], note="Bring pliers")
        assert (task.title, task.starts_at, task.ends_at, task.note, task.post) == (
            "Fix the fence", time(14), time(17), "Bring pliers", None)
        assert tasks_of(plan)[-1] == ("Fix the fence", ["Ben", "Dan"])
        assert task.position > plan.tasks.get(title="Milking").position

    def test_a_task_drawn_from_a_post_takes_its_name(self, farm):
        plan = prepare(farm)
        task = daily.add_task(actor=farm["member"], plan_id=plan.pk, post=farm["market"].pk)
        assert (task.title, task.post) == ("Market stall", farm["market"])

    def test_a_post_of_another_body_is_refused(self, farm):
        plan = prepare(farm)
        other = services.create_post(actor=farm["coordinator"], body=farm["open_group"],
                                     name="Welcome")
        error = refused(DomainError, daily.add_task, actor=farm["member"], plan_id=plan.pk,
                        post=other.pk)
        assert error.field == "post"

    def test_a_title_is_needed(self, farm):
        plan = prepare(farm)
        error = refused(DomainError, daily.add_task, actor=farm["member"], plan_id=plan.pk,
                        title="  ")
        assert error.field == "title"
        refused(DomainError, daily.add_task, actor=farm["member"], plan_id=plan.pk,
                title="x" * 161)

    @pytest.mark.parametrize(("starts", "ends", "field", "message"), [
        (time(10), time(9), "ends_at", "The task ends after it starts: 09:00 is not after "
                                       "10:00."),
        (time(10), time(10), "ends_at", "not after"),
        (None, time(10), "starts_at", "Give the start time too"),
    ])
    def test_times_end_after_they_start(self, farm, starts, ends, field, message):
        plan = prepare(farm)
        error = refused(DomainError, daily.add_task, actor=farm["member"], plan_id=plan.pk,
                        title="Weeding", starts_at=starts, ends_at=ends)
        assert message in error.message and error.field == field
        task = daily.add_task(actor=farm["member"], plan_id=plan.pk, title="Weeding",
                              starts_at=time(8))
        refused(DomainError, daily.update_task, actor=farm["member"], task_id=task.pk,
                title="Weeding", starts_at=starts, ends_at=ends)

    def test_the_database_checks_the_times_too(self, farm):
        plan = prepare(farm)
        with pytest.raises(IntegrityError), transaction.atomic():
            Task.objects.create(plan=plan, title="Backwards", starts_at=time(10),
                                ends_at=time(9))

    def test_only_active_members_go_on_a_task_named_in_the_refusal(self, farm):
        plan = prepare(farm)
        error = refused(DomainError, daily.add_task, actor=farm["member"], plan_id=plan.pk,
                        title="Weeding", people=[farm["Ana"], farm["outsider"],
                                                 farm["other_coordinator"]])
        assert error.field == "people"
        # Never in CIT: not named (an id must not reveal anyone's name).
        assert error.message == (
            f"There are no people with the numbers {farm['outsider'].pk}, "
            f"{farm['other_coordinator'].pk}.")
        bodies.leave_body(person=farm["Ana"], body=farm["coop"])
        error = refused(DomainError, daily.add_task, actor=farm["member"], plan_id=plan.pk,
                        title="Weeding", people=[farm["Ana"]])
        assert error.message == ("Ana is not an active member of CIT: only its members go on "
                                 "its tasks.")
        error = refused(DomainError, daily.add_task, actor=farm["member"], plan_id=plan.pk,
                        title="Weeding", people=[987654])
        assert error.message == "There is no person with the number 987654."
        refused(DomainError, daily.add_task, actor=farm["member"], plan_id=plan.pk,
                title="Weeding", people=["Ana"])

    def test_update_task_and_its_people(self, farm):
        publish_rotation(farm)
        plan = prepare(farm)
        task = plan.tasks.get(title="Milking")
        daily.update_task(actor=farm["member"], task_id=task.pk, title="Milking (goats)",
                          starts_at=time(6, 30), ends_at=time(8), note="Early",
                          people=[farm["Ben"], farm["Cleo"]])
        task.refresh_from_db()
        assert (task.title, task.starts_at, task.ends_at, task.note) == (
            "Milking (goats)", time(6, 30), time(8), "Early")
        assert tasks_of(plan) == [("Milking (goats)", ["Ben", "Cleo"])]
        daily.update_task(actor=farm["member"], task_id=task.pk, title="Milking")
        task.refresh_from_db()
        assert (task.starts_at, task.ends_at, task.note) == (None, None, "")
        assert tasks_of(plan) == [("Milking", ["Ben", "Cleo"])]  # people unchanged

    def test_set_task_people(self, farm):
        plan = prepare(farm)
        task = daily.add_task(actor=farm["member"], plan_id=plan.pk, title="Weeding",
                              people=[farm["Ana"]])
        daily.set_task_people(actor=farm["member"], task_id=task.pk,
                              people=[farm["Dan"], farm["Ana"], farm["Dan"]])
        assert tasks_of(plan) == [("Weeding", ["Ana", "Dan"])]
        daily.set_task_people(actor=farm["member"], task_id=task.pk, people=[])
        assert tasks_of(plan) == [("Weeding", [])]

    def test_remove_and_move(self, farm):
        plan = prepare(farm)
        a, b, c = (daily.add_task(actor=farm["member"], plan_id=plan.pk, title=t)
                   for t in "ABC")
        daily.move_task(actor=farm["member"], task_id=c.pk, step=-1)
        assert [t for t, _ in tasks_of(plan)] == ["A", "C", "B"]
        daily.move_task(actor=farm["member"], task_id=a.pk, step=-1)  # already first
        daily.move_task(actor=farm["member"], task_id=a.pk, step=5)
        assert [t for t, _ in tasks_of(plan)] == ["C", "B", "A"]
        assert list(plan.tasks.order_by("position").values_list("position", flat=True)) == [
            0, 1, 2]
        daily.remove_task(actor=farm["member"], task_id=b.pk)
        assert [t for t, _ in tasks_of(plan)] == ["C", "A"]
        refused(NotFound, daily.remove_task, actor=farm["member"], task_id=b.pk)
        refused(NotFound, daily.add_task, actor=farm["member"], plan_id=987654, title="X")

    def test_a_member_of_another_body_does_not_touch_the_tasks(self, farm):
        plan = prepare(farm)
        task = daily.add_task(actor=farm["member"], plan_id=plan.pk, title="Weeding")
        for call, extra in ((daily.update_task, {"title": "Mine"}),
                            (daily.set_task_people, {"people": []}),
                            (daily.remove_task, {}), (daily.move_task, {"step": 1})):
            refused(PermissionDenied, call, actor=farm["other_coordinator"], task_id=task.pk,
                    **extra)
        refused(PermissionDenied, daily.publish_daily_plan, actor=farm["outsider"],
                plan_id=plan.pk)


# Publishing, changes after it, the past -----------------------------------------------

class TestPublication:
    def test_publish(self, farm):
        plan = prepare(farm)
        published = daily.publish_daily_plan(actor=farm["member"], plan_id=plan.pk)
        assert (published.status, published.published_at) == ("published", NOW)
        error = refused(Conflict, daily.publish_daily_plan, actor=farm["member"],
                        plan_id=plan.pk)
        assert "already published" in error.message

    def test_history_prepared_then_published(self, farm, frozen_clock):
        """Preparing writes the first event, publishing the second (DailyPlanEvent); a
        refused publication writes none."""
        plan = prepare(farm, actor=farm["Ben"])
        later = datetime(2026, 3, 10, 20, 30, tzinfo=PARIS)
        frozen_clock(later)
        daily.publish_daily_plan(actor=farm["member"], plan_id=plan.pk)
        refused(Conflict, daily.publish_daily_plan, actor=farm["member"], plan_id=plan.pk)
        assert [(e.from_status, e.to_status, e.actor, e.at) for e in plan.events.all()] == [
            ("", "draft", farm["Ben"], NOW), ("draft", "published", farm["member"], later)]

    def test_a_change_after_publication_publishes_again(self, farm, frozen_clock):
        plan = prepare(farm)
        daily.publish_daily_plan(actor=farm["member"], plan_id=plan.pk)
        later = datetime(2026, 3, 11, 6, 45, tzinfo=PARIS)
        frozen_clock(later)
        task = daily.add_task(actor=farm["Ben"], plan_id=plan.pk, title="Fix the fence")
        plan.refresh_from_db()
        assert (plan.status, plan.published_at) == ("published", later)
        for n, (call, extra) in enumerate((
                (daily.update_task, {"task_id": task.pk, "title": "Fence"}),
                (daily.set_task_people, {"task_id": task.pk, "people": [farm["Ben"]]}),
                (daily.move_task, {"task_id": task.pk, "step": -1}),
                (daily.remove_task, {"task_id": task.pk}),
                (daily.set_plan_note, {"plan_id": plan.pk, "note": "Rain"}))):
            frozen_clock(later + timedelta(minutes=n + 1))
            call(actor=farm["Ben"], **extra)
            plan.refresh_from_db()
            assert plan.published_at == later + timedelta(minutes=n + 1), call

    def test_a_draft_stays_a_draft_while_edited(self, farm):
        plan = prepare(farm)
        daily.add_task(actor=farm["member"], plan_id=plan.pk, title="Weeding")
        plan.refresh_from_db()
        assert (plan.status, plan.published_at) == ("draft", None)

    def test_past_plans_stay_as_they_were(self, farm, frozen_clock):
        plan = prepare(farm)
        task = daily.add_task(actor=farm["member"], plan_id=plan.pk, title="Weeding")
        daily.publish_daily_plan(actor=farm["member"], plan_id=plan.pk)
        frozen_clock(datetime(2026, 3, 12, 7, 0, tzinfo=PARIS))
        for call, extra in ((daily.add_task, {"plan_id": plan.pk, "title": "Late"}),
                            (daily.update_task, {"task_id": task.pk, "title": "Changed"}),
                            (daily.remove_task, {"task_id": task.pk}),
                            (daily.set_plan_note, {"plan_id": plan.pk, "note": "x"})):
            error = refused(Conflict, call, actor=farm["member"], **extra)
            assert error.message == ("The plan of Wednesday 11 March 2026 is past: it stays as "
                                     "it was.")

    def test_the_plan_note(self, farm):
        plan = prepare(farm)
        assert daily.set_plan_note(actor=farm["member"], plan_id=plan.pk,
                                   note="  Rain expected ").note == "Rain expected"
        refused(DomainError, daily.set_plan_note, actor=farm["member"], plan_id=plan.pk,
                note="x" * 2001)


# The week ---------------------------------------------------------------------------

def test_week_counts_the_published_plans(farm, frozen_clock):
    publish_rotation(farm)
    for day in (WEDNESDAY, SATURDAY):
        plan = prepare(farm, day)
        daily.publish_daily_plan(actor=farm["member"], plan_id=plan.pk)
    draft = prepare(farm, SUNDAY)
    daily.add_task(actor=farm["member"], plan_id=draft.pk, title="Not counted",
                   people=[farm["Dan"]])
    week = daily_queries.week_of(farm["coop"], SUNDAY)
    assert week.monday == NOW.date() - timedelta(days=1)
    totals = {item["person"].public_name: item["row"].total for item in week.rows}
    # Wednesday: Milking Ana + Cleo (learning); Saturday: Market stall Ana, Dan, Member
    # (learning), Milking Ben + Cleo (learning).
    assert totals == {"Ana": 2, "Cleo": 2, "Ben": 1, "Dan": 1, "Member": 1,
                      "Coordinator": 0}
    assert {item["person"].public_name for item in week.rows if item["row"].most_loaded} == {
        "Ana", "Cleo"}
    cleo = next(item for item in week.rows if item["person"].public_name == "Cleo")
    assert cleo["row"].learning == 2 and cleo["share"] == 29
    assert week.summary.total == 7 and week.summary.spread == 2
    assert week.summary.post_keys == ("Market stall", "Milking")


# Two meetings at once, on PostgreSQL ---------------------------------------------------

@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_meetings_preparing_the_same_day_at_once(farm):
    """Both pass the "already a plan?" check before either writes: the database's unique
    constraint lets one in, the other gets the same 409 as usual; and two tasks added at
    once to one plan queue on the plan's lock, so they get distinct places."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(2, timeout=10)
    real = daily_queries.covering_rotation
    results = []

    def slow_covering(body, day):
        barrier.wait()  # both checked, neither has written
        return real(body, day)

    def meeting(person):
        try:
            results.append(daily.prepare_daily_plan(actor=person, body=farm["coop"],
                                                    day=WEDNESDAY))
        except Conflict as exc:
            results.append(exc)
        finally:
            connection.close()

    with mock.patch.object(daily_queries, "covering_rotation", slow_covering):
        threads = [threading.Thread(target=meeting, args=(farm[n],)) for n in ("Ana", "Ben")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "DailyPlan"]
    assert DailyPlan.objects.count() == 1
    plan = DailyPlan.objects.get()

    def add(n):
        try:
            daily.add_task(actor=farm["member"], plan_id=plan.pk, title=f"Task {n}")
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    positions = list(plan.tasks.values_list("position", flat=True))
    assert len(positions) == 6 and len(set(positions)) == 6
