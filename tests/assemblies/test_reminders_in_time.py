"""Reminders as their reader lives them (issue #14): dates and times in the recipient's
own time zone, "today" or "tomorrow" said from the recipient's calendar at the moment the
reminder is sent — never "Tomorrow: evening meeting ... 3 December" on 3 December —, and
the same news in the app for every member of the body, e-mail reminders on or off."""

from datetime import date, time, timedelta

import pytest

from autogestion.assemblies import queries, rules, services
from autogestion.assemblies.models import ReminderSent
from autogestion.notifications.models import Notification

from .conftest import paris

pytestmark = pytest.mark.django_db

THURSDAY = date(2026, 12, 3)


@pytest.fixture
def evening(world):
    """The evening meeting, every day at 18:00 in Paris (no agenda deadline)."""
    return services.create_series(
        actor=world["coordinator"], body=world["coop"], title="Evening meeting",
        rrule="FREQ=DAILY", first_day=date(2026, 11, 1), start_time=time(18, 0),
        end_time=time(18, 30))


@pytest.fixture
def montreal(world):
    member = world["member"]
    member.time_zone = "America/Montreal"
    member.save(update_fields=["time_zone"])
    return member


def send(django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return services.send_due_reminders()


def by_recipient(messages) -> dict:
    return {m["To"]: m for m in messages}


def subject(message) -> str:
    return str(message["Subject"]).strip()


class TestTheDayTheReaderLivesIn:
    def test_after_midnight_the_meeting_of_the_evening_is_today(
            self, world, evening, frozen, mailbox, django_capture_on_commit_callbacks):
        # 00:10 on Thursday 3 December in Paris: the first run after midnight finds the
        # reminder of the evening's meeting still due.
        frozen(paris(2026, 12, 3, 0, 10))
        assert send(django_capture_on_commit_callbacks) == 2
        coordinator = by_recipient(mailbox.wait_for(2))[world["coordinator"].email]
        said = subject(coordinator)
        assert said.startswith("Today: Evening meeting — Thursday 3 December 2026, 18:00")
        assert "Tomorrow" not in said
        body = coordinator.get_content()
        assert "The meeting is today: Evening meeting." in body
        assert "When: Thursday 3 December 2026, 18:00" in body
        assert "tomorrow" not in body.lower()

    def test_before_midnight_it_is_tomorrow(self, world, evening, frozen, mailbox,
                                           django_capture_on_commit_callbacks):
        frozen(paris(2026, 12, 2, 23, 50))
        assert send(django_capture_on_commit_callbacks) == 2
        coordinator = by_recipient(mailbox.wait_for(2))[world["coordinator"].email]
        assert subject(coordinator).startswith(
            "Tomorrow: Evening meeting — Thursday 3 December 2026, 18:00")
        assert "The meeting is tomorrow: Evening meeting." in coordinator.get_content()

    def test_a_recipient_in_montreal_reads_her_own_day_and_hour(
            self, world, evening, montreal, frozen, mailbox,
            django_capture_on_commit_callbacks):
        # 00:10 in Paris is 18:10 on Wednesday 2 December in Montreal: the meeting (18:00
        # in Paris, 12:00 in Montreal) is tomorrow for her, today for the coordinator.
        frozen(paris(2026, 12, 3, 0, 10))
        send(django_capture_on_commit_callbacks)
        messages = by_recipient(mailbox.wait_for(2))
        hers = messages[montreal.email]
        assert subject(hers).startswith(
            "Tomorrow: Evening meeting — Thursday 3 December 2026, 12:00 "
            "(America/Montreal time)")
        assert "When: Thursday 3 December 2026, 12:00 (America/Montreal time)" \
            in hers.get_content()
        assert subject(messages[world["coordinator"].email]).startswith("Today: ")

    def test_in_french_from_the_recipients_day(self, world, evening, frozen, mailbox,
                                              django_capture_on_commit_callbacks):
        member = world["member"]
        member.language = "fr"
        member.save(update_fields=["language"])
        frozen(paris(2026, 12, 3, 0, 10))
        send(django_capture_on_commit_callbacks)
        french = by_recipient(mailbox.wait_for(2))[member.email]
        # Lower-case day and month in running text; no "Demain" on the day itself.
        assert subject(french).startswith(
            "Aujourd'hui : Evening meeting — jeudi 3 décembre 2026, 18:00")
        assert "La réunion a lieu aujourd'hui" in french.get_content()

    def test_the_agenda_deadline_in_the_recipients_zone(
            self, world, agora, november, montreal, frozen, mailbox,
            django_capture_on_commit_callbacks):
        # The deadline of the Agora of 28 November is Saturday 21 November, 18:30 in Paris:
        # 12:30 in Montreal.
        frozen(november.deadline - timedelta(days=2))
        send(django_capture_on_commit_callbacks)
        hers = by_recipient(mailbox.wait_for(2))[montreal.email]
        assert subject(hers).startswith("Two days left to add items: Agora — ")
        assert ("the preparation meeting fixes the agenda on Saturday 21 November 2026, "
                "12:30 (America/Montreal time)") in hers.get_content()


class TestInTheApp:
    def test_every_member_is_told_once_emails_or_not(
            self, world, evening, frozen, mailbox, django_capture_on_commit_callbacks):
        member = world["member"]
        member.email_reminders = False
        member.save(update_fields=["email_reminders"])
        frozen(paris(2026, 12, 3, 0, 10))
        assert send(django_capture_on_commit_callbacks) == 1  # one e-mail: the coordinator
        [message] = mailbox.wait_for(1)
        assert message["To"] == world["coordinator"].email
        notices = {n.person_id: n for n in Notification.objects.filter(kind="meeting")}
        assert set(notices) == {world["coordinator"].pk, member.pk}
        notice = notices[member.pk]
        assert notice.title == "Today: Evening meeting — Thursday 3 December 2026, 18:00"
        occurrence = queries.find_occurrence(evening, THURSDAY)
        assert notice.url == occurrence.get_absolute_url()
        # Sent again by the next run of the worker: nobody is told twice.
        assert send(django_capture_on_commit_callbacks) == 0
        assert Notification.objects.filter(kind="meeting").count() == 2
        assert ReminderSent.objects.filter(kind="meeting_tomorrow").count() == 2

    def test_each_in_their_language_and_zone(self, world, evening, montreal, frozen,
                                             mailbox, django_capture_on_commit_callbacks):
        coordinator = world["coordinator"]
        coordinator.language = "fr"
        coordinator.save(update_fields=["language"])
        frozen(paris(2026, 12, 3, 0, 10))
        send(django_capture_on_commit_callbacks)
        titles = {n.person_id: n.title for n in Notification.objects.filter(kind="meeting")}
        assert titles[coordinator.pk] == ("Aujourd'hui : Evening meeting — jeudi 3 décembre "
                                          "2026, 18:00")
        assert titles[montreal.pk] == ("Tomorrow: Evening meeting — Thursday 3 December "
                                       "2026, 12:00 (America/Montreal time)")

    def test_publishing_the_agenda_is_in_the_app_too(self, world, november, frozen, mailbox,
                                                     django_capture_on_commit_callbacks):
        frozen(november.deadline - timedelta(days=1))
        with django_capture_on_commit_callbacks(execute=True):
            services.fix_agenda(actor=world["coordinator"], occurrence=november)
        mailbox.wait_for(2)
        titles = set(Notification.objects.filter(kind="meeting").values_list("title",
                                                                               flat=True))
        assert titles == {"Agenda published: Agora — Saturday 28 November 2026, 10:30"}


class TestRules:
    @pytest.mark.parametrize(("day", "today", "said"), [
        (THURSDAY, THURSDAY, rules.RelativeDay.TODAY),
        (THURSDAY, date(2026, 12, 2), rules.RelativeDay.TOMORROW),
        (THURSDAY, date(2026, 12, 1), rules.RelativeDay.OTHER),
        (date(2027, 1, 1), date(2026, 12, 31), rules.RelativeDay.TOMORROW),
    ])
    def test_relative_day(self, day, today, said):
        assert rules.relative_day(day, today) == said

    def test_waiting_rank_in_the_order_of_sign_up(self):
        assert rules.waiting_rank([7, 3, 9], 3) == 2
        assert rules.waiting_rank([7, 3, 9], 7) == 1
        assert rules.waiting_rank([7, 3, 9], 4) is None
