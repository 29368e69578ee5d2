"""Assembly services against the real database: series and occurrences, the agenda and
its deadline, the program and its sign-ups, minutes and attendance, reminders."""

from datetime import date, time, timedelta

import pytest
from django.db import IntegrityError, transaction

from autogestion.assemblies import queries, services
from autogestion.assemblies.models import (
    AgendaItem,
    AgendaItemEvent,
    Meeting,
    MeetingSeries,
    MinutesEntry,
    ReminderSent,
    SessionSignup,
)
from autogestion.core.errors import Conflict, DomainError, NotFound, PermissionDenied

from .conftest import paris

pytestmark = pytest.mark.django_db


def add(occurrence, person, title="Item", minutes=15, kind="discussion"):
    return services.add_agenda_item(actor=person, occurrence=occurrence, title=title,
                                    duration_minutes=minutes, kind=kind)


class TestSeries:
    def test_agora_gets_its_preparation_meeting(self, agora, november):
        assert agora.preparation_offset_days == 7
        assert november.preparation_start == paris(2026, 11, 21, 18, 30)
        assert november.deadline == november.preparation_start
        assert november.starts_at == paris(2026, 11, 28, 10, 30)

    @pytest.mark.parametrize(("field", "kwargs"), [
        ("rrule", {"rrule": "every last saturday"}),
        ("rrule", {"rrule": "FREQ=HOURLY"}),
        ("timezone", {"timezone_name": "Paris/Nowhere"}),
        ("end_time", {"end_time": time(9, 0)}),
        ("title", {"title": "  "}),
    ])
    def test_bad_series_are_refused_and_nothing_written(self, world, field, kwargs):
        values = dict(actor=world["coordinator"], body=world["coop"], title="Weekly",
                      rrule="FREQ=WEEKLY;BYDAY=MO", first_day=date(2026, 1, 5),
                      start_time=time(18), end_time=time(19))
        values.update(kwargs)
        with pytest.raises(DomainError) as caught:
            services.create_series(**values)
        assert caught.value.field == field
        assert not MeetingSeries.objects.exists()

    def test_only_coordinators_plan(self, world):
        with pytest.raises(PermissionDenied):
            services.create_series(actor=world["member"], body=world["coop"], title="x",
                                   rrule="FREQ=DAILY", first_day=date(2026, 1, 1),
                                   start_time=time(18), end_time=time(19))

    def test_move_and_cancel_one_occurrence_keep_the_series(self, world, agora, november):
        december = queries.find_occurrence(agora, date(2026, 12, 26))
        services.cancel_occurrence(actor=world["coordinator"], occurrence=december,
                                   reason="Fêtes")
        services.move_occurrence(actor=world["coordinator"], occurrence=november,
                                 starts_at=paris(2026, 11, 29, 14), ends_at=paris(2026, 11, 29, 18),
                                 place="Ailleurs")
        found = queries.occurrences_of(agora, paris(2026, 11, 1), paris(2027, 2, 1))
        assert [(o.starts_at.date(), o.cancelled, o.moved) for o in found] == [
            (date(2026, 11, 29), False, True), (date(2026, 12, 26), True, False),
            (date(2027, 1, 30), False, False)]
        moved = queries.find_occurrence(agora, date(2026, 11, 28))  # still found by its day
        assert moved.place == "Ailleurs" and moved.key == "2026-11-28"
        with pytest.raises(Conflict):
            services.cancel_occurrence(actor=world["coordinator"], occurrence=december)
        with pytest.raises(DomainError, match="end must come after"):
            services.move_occurrence(actor=world["coordinator"], occurrence=moved,
                                     starts_at=paris(2026, 11, 29, 14),
                                     ends_at=paris(2026, 11, 29, 13))

    def test_database_refuses_a_meeting_ending_before_it_starts(self, agora):
        with pytest.raises(IntegrityError), transaction.atomic():
            Meeting.objects.create(series=agora, original_start=paris(2026, 1, 31, 10, 30),
                                   starts_at=paris(2026, 1, 31, 10, 30),
                                   ends_at=paris(2026, 1, 31, 9))


class TestAgenda:
    def test_member_adds_before_the_deadline(self, world, november, frozen):
        frozen(november.deadline - timedelta(minutes=1))
        item = add(november, world["member"], "Local", 20)
        assert item.status == "new" and item.presenter == world["member"]
        assert [(e.from_status, e.to_status, e.actor) for e in item.events.all()] == [
            ("", "new", world["member"])]

    def test_after_the_deadline_the_message_offers_the_next_agora(self, world, november,
                                                                   frozen):
        frozen(november.deadline)
        with pytest.raises(Conflict) as caught:
            add(november, world["member"])
        message = str(caught.value)
        assert "21 November 2026" in message or "Nov. 21, 2026" in message, message
        assert "26" in message and "December" in message or "Dec." in message, message
        assert caught.value.next_occurrence.key == "2026-12-26"
        assert not AgendaItem.objects.exists()

    def test_refusals(self, world, agora, november, frozen):
        frozen(november.deadline - timedelta(days=3))
        with pytest.raises(PermissionDenied):
            add(november, world["outsider"])
        for minutes in (0, -10, 481):
            with pytest.raises(DomainError, match="duration"):
                add(november, world["member"], minutes=minutes)
        with pytest.raises(DomainError, match="title"):
            add(november, world["member"], title=" ")
        with pytest.raises(DomainError, match="kind"):
            add(november, world["member"], kind="gossip")
        december = queries.find_occurrence(agora, date(2026, 12, 26))
        services.cancel_occurrence(actor=world["coordinator"], occurrence=december)
        with pytest.raises(Conflict, match="cancelled"):
            add(queries.find_occurrence(agora, date(2026, 12, 26)), world["member"])
        assert not AgendaItem.objects.exclude(is_permanent=True).exists()

    def test_permanent_items_come_back_on_every_agenda(self, world, agora, frozen):
        services.add_permanent_item(actor=world["coordinator"], series=agora,
                                    title="Point trésorerie", duration_minutes=10)
        for day in (date(2026, 11, 28), date(2026, 12, 26)):
            occurrence = queries.find_occurrence(agora, day)
            frozen(occurrence.deadline - timedelta(days=1))
            add(occurrence, world["member"])
            titles = [i.title for i in queries.agenda(
                queries.find_occurrence(agora, day)).items]
            assert titles == ["Point trésorerie", "Item"]

    def test_coordinator_orders_accepts_discards_delays_and_fixes(self, world, agora,
                                                                  november, frozen):
        frozen(november.deadline - timedelta(days=2))
        first, second, third = (add(november, world["member"], t) for t in "ABC")
        coordinator = world["coordinator"]
        services.reorder_agenda(actor=coordinator, occurrence=november,
                                item_ids=[third.pk, first.pk, second.pk])
        services.accept_agenda_item(actor=coordinator, item_id=third.pk)
        with pytest.raises(DomainError, match="why"):
            services.discard_agenda_item(actor=coordinator, item_id=first.pk, reason="")
        services.discard_agenda_item(actor=coordinator, item_id=first.pk, reason="Hors sujet")
        december = queries.find_occurrence(agora, date(2026, 12, 26))
        copy = services.delay_agenda_item(actor=coordinator, item_id=second.pk, to=december)
        assert copy.meeting.original_start == december.original_start
        assert copy.delayed_from_id == second.pk
        second.refresh_from_db()
        assert second.status == "delayed"
        with pytest.raises(Conflict):
            services.accept_agenda_item(actor=coordinator, item_id=second.pk)
        with pytest.raises(PermissionDenied):
            services.accept_agenda_item(actor=world["member"], item_id=first.pk)
        with pytest.raises(NotFound):
            services.accept_agenda_item(actor=coordinator, item_id=10**9)

        occurrence = queries.find_occurrence(agora, date(2026, 11, 28))
        view = queries.agenda(occurrence)
        assert [i.title for i in view.items] == ["C", "A", "B"]
        assert view.total_minutes == 15  # only C is still to be discussed
        services.fix_agenda(actor=coordinator, occurrence=occurrence)
        with pytest.raises(Conflict, match="already fixed"):
            services.fix_agenda(actor=coordinator, occurrence=occurrence)
        with pytest.raises(Conflict, match="fixed"):
            add(queries.find_occurrence(agora, date(2026, 11, 28)), world["member"])
        moves = {(e.item.title, e.from_status, e.to_status, e.reason)
                 for e in AgendaItemEvent.objects.select_related("item")}
        assert {("C", "new", "accepted", ""), ("A", "new", "discarded", "Hors sujet"),
                ("B", "new", "delayed", "2026-12-26"),
                ("B", "", "new", "2026-11-28")} <= moves  # the copy, carried over

    def test_fix_waits_for_every_item_to_be_answered(self, world, november, frozen):
        frozen(november.deadline - timedelta(days=2))
        add(november, world["member"])
        with pytest.raises(Conflict, match="wait"):
            services.fix_agenda(actor=world["coordinator"], occurrence=november)

    def test_time_warning(self, world, november, frozen):
        frozen(november.deadline - timedelta(days=2))
        for _ in range(2):
            add(november, world["member"], minutes=480)
        view = queries.agenda(queries.find_occurrence(november.series, date(2026, 11, 28)))
        assert view.total_minutes == 960 and view.over_minutes == 960 - 510

    def test_reorder_needs_every_item_once(self, world, november, frozen):
        frozen(november.deadline - timedelta(days=2))
        item = add(november, world["member"])
        with pytest.raises(DomainError, match="exactly once"):
            services.reorder_agenda(actor=world["coordinator"], occurrence=november,
                                    item_ids=[item.pk, item.pk])


class TestProgram:
    @pytest.fixture
    def workshops(self, world, november):
        make = lambda title, capacity=None: services.add_session(  # noqa: E731
            actor=world["coordinator"], occurrence=november, title=title, kind="workshop",
            starts_at=paris(2026, 11, 28, 14), ends_at=paris(2026, 11, 28, 17, 30),
            capacity=capacity)
        return make("Monnaie", capacity=1), make("Local"), make("Accueil")

    def test_one_workshop_per_slot(self, world, workshops):
        money, local, _ = workshops
        services.sign_up(person=world["member"], session_id=local.pk)
        with pytest.raises(Conflict, match="already signed up"):
            services.sign_up(person=world["member"], session_id=local.pk)
        with pytest.raises(Conflict, match="Local"):
            services.sign_up(person=world["member"], session_id=money.pk)
        assert SessionSignup.objects.filter(person=world["member"]).count() == 1

    def test_database_refuses_two_workshops_in_one_slot(self, world, workshops):
        money, local, _ = workshops
        services.sign_up(person=world["member"], session_id=local.pk)
        with pytest.raises(IntegrityError), transaction.atomic():
            SessionSignup.objects.create(session=money, person=world["member"],
                                         meeting=money.meeting, slot_start=money.starts_at,
                                         status="confirmed")

    def test_waiting_list_and_promotion(self, world, workshops, make_person):
        money = workshops[0]
        first, second = world["member"], world["coordinator"]
        assert services.sign_up(person=first, session_id=money.pk).status == "confirmed"
        assert services.sign_up(person=second, session_id=money.pk).status == "waiting"
        services.leave_session(person=first, session_id=money.pk)
        assert SessionSignup.objects.get(person=second).status == "confirmed"
        with pytest.raises(NotFound):
            services.leave_session(person=first, session_id=money.pk)

    def test_session_times_and_kinds(self, world, november):
        with pytest.raises(DomainError, match="end must come after"):
            services.add_session(actor=world["coordinator"], occurrence=november, title="x",
                                 starts_at=paris(2026, 11, 28, 14),
                                 ends_at=paris(2026, 11, 28, 13))
        meal = services.add_session(actor=world["coordinator"], occurrence=november,
                                    title="Repas", kind="meal",
                                    starts_at=paris(2026, 11, 28, 13))
        with pytest.raises(DomainError, match="Only workshops"):
            services.sign_up(person=world["member"], session_id=meal.pk)


class TestMinutesAndAttendance:
    def test_write_publish_and_attendance(self, world, november, frozen):
        frozen(november.deadline - timedelta(days=2))
        item = add(november, world["member"])
        coordinator = world["coordinator"]
        with pytest.raises(Conflict, match="Write the minutes"):
            services.publish_minutes(actor=coordinator, occurrence=november)
        services.write_minutes(actor=coordinator, occurrence=november, item_id=item.pk,
                               notes="Discussed", decisions="Agreed")
        services.write_minutes(actor=coordinator, occurrence=november, item_id=item.pk,
                               notes="Discussed at length")  # a second save updates
        assert MinutesEntry.objects.get().notes == "Discussed at length"
        with pytest.raises(PermissionDenied):
            services.write_minutes(actor=world["member"], occurrence=november, notes="x")
        with pytest.raises(Conflict, match="begun"):
            services.publish_minutes(actor=coordinator, occurrence=november)
        frozen(november.ends_at)
        services.publish_minutes(actor=coordinator, occurrence=november)
        assert services.record_attendance(actor=coordinator, occurrence=november,
                                          people=[world["member"], coordinator]) == 2
        assert services.record_attendance(actor=coordinator, occurrence=november,
                                          people=[world["member"]]) == 0


class TestReminders:
    def test_each_reminder_once_in_the_persons_language(self, world, november, frozen,
                                                       mailbox,
                                                       django_capture_on_commit_callbacks):
        world["member"].language = "fr"
        world["member"].save()
        frozen(november.deadline - timedelta(days=2))
        with django_capture_on_commit_callbacks(execute=True):
            queued = services.send_due_reminders()
        assert queued == 2  # the coordinator and the member of the cooperative
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_due_reminders() == 0  # already told
        messages = mailbox.wait_for(2)
        by_person = {m["To"]: m for m in messages}
        french = by_person[world["member"].email]
        assert "Plus que deux jours" in french["Subject"] or "deux jours" in french["Subject"]
        english = by_person[world["coordinator"].email]
        assert "Two days left" in english["Subject"]
        assert ReminderSent.objects.filter(kind="deadline_soon").count() == 2

    def test_people_who_turned_reminders_off_get_none(self, world, november, frozen, mailbox,
                                                     django_capture_on_commit_callbacks):
        world["member"].email_reminders = False
        world["member"].save()
        frozen(november.starts_at - timedelta(hours=20))
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_due_reminders() == 1
        [message] = mailbox.wait_for(1)
        assert message["To"] == world["coordinator"].email
        assert "Tomorrow" in message["Subject"]

    def test_publishing_the_agenda_tells_the_members(self, world, november, frozen, mailbox,
                                                     django_capture_on_commit_callbacks):
        frozen(november.deadline - timedelta(days=1))
        item = add(november, world["member"], "Budget")
        services.accept_agenda_item(actor=world["coordinator"], item_id=item.pk)
        with django_capture_on_commit_callbacks(execute=True):
            services.fix_agenda(actor=world["coordinator"], occurrence=november)
        messages = mailbox.wait_for(2)
        assert all("Budget" in m.get_content() for m in messages)


@pytest.mark.django_db(transaction=True)
def test_the_worker_scheduler_sends_due_reminders(world, november, frozen, mailbox):
    from autogestion.core import scheduler

    frozen(november.starts_at - timedelta(hours=20))
    thread = scheduler.start(interval=3600)
    try:
        messages = mailbox.wait_for(2)
    finally:
        thread.stop.set()
        thread.join(5)
    assert {m["To"] for m in messages} == {world["member"].email, world["coordinator"].email}
    assert ReminderSent.objects.filter(kind="meeting_tomorrow").count() == 2
