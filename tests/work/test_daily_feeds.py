"""The work in a member's own calendar feed: the tasks of published daily plans the
person is on (whole-day or timed in Paris time), and their training sessions; read back
with icalendar and with an independent parser (ics). Drafts, other people's tasks and
bodies one left stay out; no body's calendar shows daily plans. Query counts bounded."""

from datetime import date, datetime, time, timedelta

import ics
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from autogestion.assemblies import services as assemblies
from autogestion.cooperatives import services as bodies
from autogestion.work import services
from autogestion.work.daily import services as daily
from tests.support.http import client_for

from .daily_support import (
    NOW,
    PARIS,
    SATURDAY,
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
def plans(farm):
    """Wednesday published (Milking: Ana, Cleo learning; the fence 14:00-17:00: Ben, Dan),
    Saturday still being prepared."""
    publish_rotation(farm)
    wednesday = daily.prepare_daily_plan(actor=farm["member"], body=farm["coop"],
                                         day=WEDNESDAY, note="Rain in the afternoon")
    fence = daily.add_task(actor=farm["member"], plan_id=wednesday.pk,
                           title="Réparer la clôture", starts_at=time(14), ends_at=time(17),
                           people=[farm["Ben"], farm["Dan"]], note="Bring pliers")
    daily.publish_daily_plan(actor=farm["member"], plan_id=wednesday.pk)
    daily.prepare_daily_plan(actor=farm["member"], body=farm["coop"], day=SATURDAY)
    return {"wednesday": wednesday, "fence": fence,
            "milking": wednesday.tasks.get(title="Milking")}


def feed_url(person) -> str:
    return reverse("member_calendar", args=[assemblies.calendar_token_of(person).token])


def fetch(person) -> bytes:
    response = client_for(None).get(feed_url(person))
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    return response.content


def work_events(raw: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(raw)
    assert not calendar.get_missing_tzids()
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")
            if str(e["UID"]).startswith(("daily-task-", "training-"))}


def other_parser(raw: bytes) -> dict[str, ics.Event]:
    """The same feed read by ics, which shares no code with icalendar."""
    return {e.uid: e for e in ics.Calendar(raw.decode()).events
            if e.uid.startswith(("daily-task-", "training-"))}


def test_a_timed_task_in_paris_time(farm, plans):
    raw = fetch(farm["Ben"])
    uid = f"daily-task-{plans['fence'].pk}@autogestion"
    events = work_events(raw)
    assert set(events) == {uid}  # Ben is on nothing else published
    event = events[uid]
    assert str(event["SUMMARY"]) == "Réparer la clôture — CIT"
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.decoded("DTSTART") == datetime(2026, 3, 11, 14, 0, tzinfo=PARIS)
    assert event.decoded("DTEND") == datetime(2026, 3, 11, 17, 0, tzinfo=PARIS)
    assert str(event["DESCRIPTION"]) == "Bring pliers\nWith: Dan\nRain in the afternoon"
    assert str(event["URL"]).endswith("/bodies/cit/daily/2026-03-11/")
    assert str(event["CLASS"]) == "PRIVATE"
    assert event.decoded("LAST-MODIFIED") == NOW  # its publication

    parsed = other_parser(raw)[uid]
    assert parsed.name == "Réparer la clôture — CIT" and not parsed.all_day
    assert parsed.begin.datetime == datetime(2026, 3, 11, 14, 0, tzinfo=PARIS)
    assert parsed.begin.datetime.utcoffset() == timedelta(hours=1)  # Paris in winter
    assert parsed.end.datetime == datetime(2026, 3, 11, 17, 0, tzinfo=PARIS)


def test_a_task_without_time_is_a_whole_day(farm, plans):
    raw = fetch(farm["Cleo"])
    uid = f"daily-task-{plans['milking'].pk}@autogestion"
    event = work_events(raw)[uid]
    assert event.decoded("DTSTART") == date(2026, 3, 11)
    assert event.decoded("DTEND") == date(2026, 3, 12)
    assert str(event["SUMMARY"]) == "Milking — CIT"
    parsed = other_parser(raw)[uid]
    assert parsed.all_day and parsed.begin.date() == date(2026, 3, 11)


def test_drafts_and_other_peoples_tasks_stay_out(farm, plans):
    assert work_events(fetch(farm["member"])) == {}  # learner on Saturday's draft only
    saturday = farm["coop"].daily_plans.get(day=SATURDAY)
    daily.publish_daily_plan(actor=farm["member"], plan_id=saturday.pk)
    [event] = work_events(fetch(farm["member"])).values()
    assert str(event["SUMMARY"]) == "Market stall — CIT"


def test_a_change_after_publication_reaches_the_feed(farm, plans, frozen_clock):
    later = datetime(2026, 3, 11, 6, 30, tzinfo=PARIS)
    frozen_clock(later)
    daily.update_task(actor=farm["Ben"], task_id=plans["fence"].pk, title="Réparer la clôture",
                      starts_at=time(15), ends_at=time(18), note="")
    event = work_events(fetch(farm["Dan"]))[f"daily-task-{plans['fence'].pk}@autogestion"]
    assert event.decoded("DTSTART") == datetime(2026, 3, 11, 15, 0, tzinfo=PARIS)
    assert event.decoded("LAST-MODIFIED") == later


def test_a_body_one_left_stays_out(farm, plans):
    bodies.leave_body(person=farm["Dan"], body=farm["coop"])
    assert work_events(fetch(farm["Dan"])) == {}


def test_training_sessions_as_teacher_and_as_learner(farm):
    starts = datetime(2026, 3, 12, 7, 0, tzinfo=PARIS)
    session = services.schedule_training(
        actor=farm["Ana"], cooperative=farm["coop"], teacher_id=farm["Ana"].pk,
        learner_id=farm["Cleo"].pk, starts_at=starts, ends_at=starts + timedelta(hours=2),
        post_id=farm["milking"].pk, place="The barn")
    uid = f"training-{session.pk}@autogestion"
    taught = work_events(fetch(farm["Ana"]))[uid]
    assert str(taught["SUMMARY"]) == "Teaching Milking to Cleo — CIT"
    assert str(taught["LOCATION"]) == "The barn"
    assert taught.decoded("DTSTART") == starts
    assert taught["DTSTART"].params["TZID"] == "Europe/Paris"
    raw = fetch(farm["Cleo"])
    assert str(work_events(raw)[uid]["SUMMARY"]) == "Learning Milking with Ana — CIT"
    parsed = other_parser(raw)[uid]
    assert parsed.begin.datetime == starts and parsed.duration == timedelta(hours=2)
    assert work_events(fetch(farm["Ben"])) == {}


def test_no_body_calendar_shows_daily_plans(farm, plans):
    for client in (client_for(None), client_for(farm["Ben"])):
        response = client.get(reverse("body_calendar", args=["cit"]))
        assert response.status_code == 200
        assert b"daily-task-" not in response.content


def test_query_counts_are_bounded(farm, plans, django_assert_max_num_queries):
    url = feed_url(farm["Ana"])
    client = client_for(None)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = count()
    wednesday = plans["wednesday"]
    for n in range(8):
        daily.add_task(actor=farm["member"], plan_id=wednesday.pk, title=f"Task {n}",
                       starts_at=time(8 + n), people=[farm["Ana"], farm["Ben"]])
    starts = datetime(2026, 3, 13, 7, 0, tzinfo=PARIS)
    services.schedule_training(
        actor=farm["Ana"], cooperative=farm["coop"], teacher_id=farm["Ana"].pk,
        learner_id=farm["Cleo"].pk, starts_at=starts, ends_at=starts + timedelta(hours=1),
        post_id=farm["milking"].pk)
    # The token (with two EXISTS), the series, the tasks and their people, the sessions.
    with django_assert_max_num_queries(5):
        client.get(url)
    assert count() == few + 1
    assert len(work_events(client.get(url).content)) == 10
