"""A person's work data in their export (work/personal_data.py): every work row pointing
to them, under the model's name, and none pointing only to others."""

from datetime import date, datetime, time

import pytest

from autogestion.core import personal_data
from autogestion.work import services
from autogestion.work.daily import services as daily
from autogestion.work.models import Assignment, DailyPlanNotice

from .conftest import NEXT_MONDAY, PARIS

pytestmark = pytest.mark.django_db


def ids(export, name):
    return {row["id"] for row in export["work"][name]}


def test_every_work_row_pointing_to_the_person(farm):
    coordinator, ana, dan = farm["coordinator"], farm["ana"], farm["dan"]
    rotation = services.propose_rotation(actor=coordinator, body=farm["coop"],
                                         first_day=NEXT_MONDAY)
    services.publish_rotation(actor=coordinator, rotation_id=rotation.pk)
    skill = ana.skills.get(post=farm["milking"])
    services.confirm_skill(actor=coordinator, skill_id=skill.pk)
    absence = services.declare_unavailability(actor=dan, body=farm["coop"],
                                              first_day=NEXT_MONDAY, last_day=NEXT_MONDAY)
    teach = services.add_knowledge(actor=ana, cooperative=farm["coop"], kind="teach",
                                   topic="Bread")
    services.add_knowledge(actor=dan, cooperative=farm["coop"], kind="learn", topic="bread")
    session = services.schedule_training(
        actor=dan, cooperative=farm["coop"], teacher_id=ana.pk, learner_id=dan.pk,
        topic="Bread", starts_at=datetime(2026, 3, 20, 9, tzinfo=PARIS),
        ends_at=datetime(2026, 3, 20, 11, tzinfo=PARIS))
    plan = daily.prepare_daily_plan(actor=coordinator, body=farm["coop"],
                                    day=date(2026, 3, 11))
    task = daily.add_task(actor=coordinator, plan_id=plan.pk, title="Fence",
                          starts_at=time(9), ends_at=time(10), people=[dan.pk])
    daily.publish_daily_plan(actor=coordinator, plan_id=plan.pk)

    mine = personal_data.export(ana)
    assert skill.pk in ids(mine, "skill")
    assert ids(mine, "knowledge") == {teach.pk}
    assert ids(mine, "trainingsession") == {session.pk}
    assert ids(mine, "assignment") == set(
        Assignment.objects.filter(person=ana).values_list("pk", flat=True)) != set()
    assert ids(mine, "rotation") == ids(mine, "dailyplan") == set()

    theirs = personal_data.export(dan)
    assert ids(theirs, "unavailability") == {absence.pk}
    assert ids(theirs, "task") == {task.pk}
    # Told of the published plan's task: that notice is theirs, not the planner's.
    assert ids(theirs, "dailyplannotice") == set(
        DailyPlanNotice.objects.filter(person=dan).values_list("pk", flat=True)) != set()
    assert ids(mine, "dailyplannotice") == set()
    assert ids(theirs, "trainingsession") == {session.pk}

    organiser = personal_data.export(coordinator)
    assert skill.pk in ids(organiser, "skill")  # confirmed by them
    assert ids(organiser, "rotation") == {rotation.pk}
    assert ids(organiser, "rotationevent") == set(rotation.events.values_list("pk", flat=True))
    assert ids(organiser, "dailyplan") == {plan.pk}
    assert ids(organiser, "dailyplanevent") == set(plan.events.values_list("pk", flat=True))
    assert len(ids(organiser, "rotationevent")) == len(ids(organiser, "dailyplanevent")) == 2
