"""Status histories (core.history): agenda items, meetings and sign-ups change status
only through their transition function, each change writes one event (from, to, by
whom, why), creation writes the first, and a refused change writes nothing. And one
person's assemblies data, exported whole (GDPR), without the feed's secret address."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from autogestion.assemblies import queries, services
from autogestion.assemblies.models import (
    AgendaItemEvent,
    Attendance,
    MeetingEvent,
    MinutesEntry,
    SessionSignupEvent,
)
from autogestion.assemblies.personal_data import export
from autogestion.core.errors import Conflict
from tests.support.http import api_client

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def moves(events) -> list[tuple]:
    return [(e.from_status, e.to_status, e.actor_id, e.reason) for e in events]


def add(occurrence, person, title="Item"):
    return services.add_agenda_item(actor=person, occurrence=occurrence, title=title,
                                    duration_minutes=15)


class TestAgendaItemHistory:
    def test_every_change_is_an_event(self, world, agora, november, frozen):
        frozen(november.deadline - timedelta(days=2))
        member, coordinator = world["member"], world["coordinator"]
        item = add(november, member)
        services.accept_agenda_item(actor=coordinator, item_id=item.pk)
        services.discard_agenda_item(actor=coordinator, item_id=item.pk, reason="Off topic")
        services.reopen_agenda_item(actor=coordinator, item_id=item.pk)
        december = queries.find_occurrence(agora, date(2026, 12, 26))
        copy = services.delay_agenda_item(actor=coordinator, item_id=item.pk, to=december)
        assert moves(item.events.all()) == [
            ("", "new", member.pk, ""),
            ("new", "accepted", coordinator.pk, ""),
            ("accepted", "discarded", coordinator.pk, "Off topic"),
            ("discarded", "new", coordinator.pk, ""),
            ("new", "delayed", coordinator.pk, "2026-12-26"),
        ]
        assert moves(copy.events.all()) == [("", "new", coordinator.pk, "2026-11-28")]
        item.refresh_from_db()
        assert (item.status, item.discard_reason) == ("delayed", "")

    def test_a_refused_change_writes_nothing(self, world, agora, november, frozen):
        frozen(november.deadline - timedelta(days=2))
        coordinator = world["coordinator"]
        item = add(november, world["member"])
        december = queries.find_occurrence(agora, date(2026, 12, 26))
        services.delay_agenda_item(actor=coordinator, item_id=item.pk, to=december)
        before = AgendaItemEvent.objects.count()
        for act in (services.accept_agenda_item, services.reopen_agenda_item):
            with pytest.raises(Conflict, match="delayed"):
                act(actor=coordinator, item_id=item.pk)
        with pytest.raises(Conflict):
            services.discard_agenda_item(actor=coordinator, item_id=item.pk, reason="No")
        item.refresh_from_db()
        assert (item.status, item.discard_reason) == ("delayed", "")
        assert AgendaItemEvent.objects.count() == before

    def test_permanent_items_start_accepted(self, world, agora, november, frozen):
        frozen(november.deadline - timedelta(days=2))
        services.add_permanent_item(actor=world["coordinator"], series=agora,
                                    title="Treasury report")
        add(november, world["member"])
        permanent = queries.agenda(queries.find_occurrence(agora, date(2026, 11, 28))).items[0]
        assert moves(permanent.events.all()) == [("", "accepted", None, "permanent")]

    def test_the_api_shows_the_history(self, world, agora, november, frozen):
        frozen(november.deadline - timedelta(days=2))
        item = add(november, world["member"])
        answer = api_client(world["coordinator"]).post(
            f"/api/agenda-items/{item.pk}/discard", {"reason": "Twice"})
        assert answer.status_code == 200
        assert [(e["from_status"], e["to_status"], e["actor"], e["reason"])
                for e in answer.json()["events"]] == [
            ("", "new", world["member"].public_name, ""),
            ("new", "discarded", world["coordinator"].public_name, "Twice")]


class TestMeetingHistory:
    def test_stored_cancelled_and_restored(self, world, november):
        coordinator = world["coordinator"]
        meeting = services.cancel_occurrence(actor=coordinator, occurrence=november,
                                             reason="Strike")
        with pytest.raises(Conflict, match="already cancelled"):
            services.cancel_occurrence(actor=coordinator, occurrence=november)
        services.restore_occurrence(actor=coordinator, occurrence=november)
        services.restore_occurrence(actor=coordinator, occurrence=november)  # nothing to do
        assert moves(meeting.events.all()) == [
            ("", "scheduled", coordinator.pk, ""),
            ("scheduled", "cancelled", coordinator.pk, "Strike"),
            ("cancelled", "scheduled", coordinator.pk, ""),
        ]
        meeting.refresh_from_db()
        assert (meeting.status, meeting.note) == ("scheduled", "")


class TestSignupHistory:
    def test_the_waiting_list_moves_up(self, world, november, frozen):
        frozen(november.starts_at - timedelta(days=3))
        coordinator, member = world["coordinator"], world["member"]
        session = services.add_session(
            actor=coordinator, occurrence=november, title="Energy", kind="workshop",
            capacity=1, starts_at=datetime(2026, 11, 28, 14, tzinfo=PARIS),
            ends_at=datetime(2026, 11, 28, 16, tzinfo=PARIS))
        services.sign_up(person=coordinator, session_id=session.pk)
        waiting = services.sign_up(person=member, session_id=session.pk)
        assert waiting.status == "waiting"
        services.leave_session(person=coordinator, session_id=session.pk)
        waiting.refresh_from_db()
        assert waiting.status == "confirmed"
        assert moves(waiting.events.all()) == [("", "waiting", member.pk, ""),
                                               ("waiting", "confirmed", None, "")]
        # The one who left: the sign-up and its history are gone with it.
        assert SessionSignupEvent.objects.count() == 2


class TestPersonalData:
    def test_every_row_pointing_to_the_person(self, world, agora, november, frozen):
        frozen(november.deadline - timedelta(days=2))
        member, coordinator = world["member"], world["coordinator"]
        item = add(november, member)
        services.accept_agenda_item(actor=coordinator, item_id=item.pk)
        services.record_attendance(actor=coordinator, occurrence=november, people=[member])
        services.write_minutes(actor=coordinator, occurrence=november, notes="Fine")
        token = services.calendar_token_of(member)
        mine = export(member)
        assert [r["id"] for r in mine["agendaitem"]] == [item.pk]
        assert {r["to_status"] for r in mine["agendaitemevent"]} == {"new"}
        assert [r["person_id"] for r in mine["attendance"]] == [member.pk]
        [feed] = mine["calendarfeedtoken"]
        assert feed["person_id"] == member.pk and "token" not in feed
        assert token.token not in repr(mine)
        theirs = export(coordinator)
        assert {r["to_status"] for r in theirs["agendaitemevent"]} == {"accepted"}
        assert [r["recorded_by_id"] for r in theirs["attendance"]] == [coordinator.pk]
        assert [r["id"] for r in theirs["minutesentry"]] == [
            MinutesEntry.objects.get().pk]
        assert [r["id"] for r in theirs["meetingevent"]] == [
            e.pk for e in MeetingEvent.objects.filter(actor=coordinator)]
        assert Attendance.objects.count() == 1

    def test_named_in_the_apps_config(self):
        from django.apps import apps

        assert apps.get_app_config("assemblies").personal_data == (
            "autogestion.assemblies.personal_data.export")

