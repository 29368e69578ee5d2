"""The calendar and agenda rules, with no database: recurrence across daylight-saving
changes and month ends, the 7-day deadline, item statuses, sign-ups, reminders."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autogestion.assemblies import rules
from autogestion.assemblies.rules import ItemStatus, Refusal, ReminderKind, SignupStatus

PARIS = ZoneInfo("Europe/Paris")


def code_of(fn, *args, **kwargs) -> str:
    with pytest.raises(Refusal) as caught:
        fn(*args, **kwargs)
    return caught.value.code


class TestRecurrence:
    @given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
           st.sampled_from(["Europe/Paris", "America/Montreal", "Australia/Sydney", "UTC"]))
    @settings(max_examples=60, deadline=None)
    def test_last_saturday_is_always_a_saturday_in_the_last_week(self, day, zone):
        tz = ZoneInfo(zone)
        window_start = datetime.combine(day, time.min, tz)
        found = rules.occurrences(rules.DEFAULT_AGORA_RULE, date(1999, 1, 1), time(10, 30), tz,
                                  window_start, window_start + timedelta(days=400))
        assert 12 <= len(found) <= 14
        for start in found:
            local = start.astimezone(tz)
            assert local.weekday() == 5
            assert (local + timedelta(days=7)).month != local.month  # in the last 7 days
            assert (local.hour, local.minute) == (10, 30)  # winter and summer alike

    @given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
           st.integers(min_value=1, max_value=30))
    @settings(max_examples=60, deadline=None)
    def test_deadline_is_the_preparation_meeting_days_before(self, day, offset):
        tz = PARIS
        [start] = rules.occurrences(rules.DEFAULT_AGORA_RULE, date(1999, 1, 1), time(10, 30),
                                    tz, datetime.combine(day, time.min, tz),
                                    datetime.combine(day, time.min, tz) + timedelta(days=40)
                                    )[:1]
        deadline = rules.agenda_deadline(start, offset)
        local = deadline.astimezone(tz)
        assert local.date() == start.date() - timedelta(days=offset)
        assert (local.hour, local.minute) == (10, 30)  # same clock time across DST
        assert rules.preparation_start(start, offset) == deadline

    def test_dst_keeps_the_local_time_and_changes_utc(self):
        starts = rules.occurrences(rules.DEFAULT_AGORA_RULE, date(2026, 1, 1), time(10, 30),
                                   PARIS, datetime(2026, 3, 1, tzinfo=UTC),
                                   datetime(2026, 5, 1, tzinfo=UTC))
        assert [s.astimezone(UTC).hour for s in starts] == [9, 8]  # 28 March, 25 April

    def test_a_time_skipped_by_spring_forward_moves_after_the_jump(self):
        moment = rules.localize(datetime(2026, 3, 29, 2, 30), PARIS)
        assert moment.astimezone(PARIS).hour == 3

    @pytest.mark.parametrize("rule", ["FREQ=WEEKLY;BYDAY=MO", "RRULE:FREQ=DAILY",
                                      "freq=monthly;byday=-1sa", "FREQ=YEARLY;BYMONTH=6"])
    def test_good_rules(self, rule):
        assert rules.check_rrule(rule).startswith("FREQ=")

    @pytest.mark.parametrize("rule", ["", "every saturday", "FREQ=SOMETIMES",
                                      "DTSTART:20260101T000000\nRRULE:FREQ=DAILY",
                                      "FREQ=MONTHLY;BYDAY=XX"])
    def test_bad_rules(self, rule):
        assert code_of(rules.check_rrule, rule) == "bad_rrule"

    @pytest.mark.parametrize("rule", ["FREQ=HOURLY", "FREQ=MINUTELY", "FREQ=SECONDLY"])
    def test_too_frequent(self, rule):
        assert code_of(rules.check_rrule, rule) == "rrule_too_frequent"

    def test_time_zones(self):
        assert rules.check_timezone("Europe/Paris") == PARIS
        assert code_of(rules.check_timezone, "Mars/Olympus") == "bad_timezone"


class TestAddingItems:
    start = datetime(2026, 11, 28, 10, 30, tzinfo=PARIS)

    def adding(self, now, **overrides):
        values = dict(now=now, deadline=rules.agenda_deadline(self.start, 7), cancelled=False,
                      agenda_fixed=False, meeting_end=self.start + timedelta(hours=8),
                      minutes=20)
        values.update(overrides)
        return rules.AddingItem(**values)

    def test_until_the_deadline(self):
        deadline = rules.agenda_deadline(self.start, 7)
        rules.check_item_can_be_added(self.adding(deadline - timedelta(seconds=1)))
        refusal = code_of(rules.check_item_can_be_added, self.adding(deadline))
        assert refusal == "deadline_passed"

    def test_cancelled_fixed_over(self):
        early = self.start - timedelta(days=20)
        assert code_of(rules.check_item_can_be_added,
                       self.adding(early, cancelled=True)) == "meeting_cancelled"
        assert code_of(rules.check_item_can_be_added,
                       self.adding(early, agenda_fixed=True)) == "agenda_fixed"
        assert code_of(rules.check_item_can_be_added,
                       self.adding(self.start + timedelta(days=1), deadline=None)) \
            == "meeting_over"

    @pytest.mark.parametrize("minutes", [0, -5, 481, 10_000, True])
    def test_absurd_durations(self, minutes):
        assert code_of(rules.check_duration, minutes) == "bad_duration"

    @given(st.lists(st.integers(min_value=1, max_value=480), max_size=20),
           st.integers(min_value=0, max_value=1000))
    def test_time_warning(self, durations, available):
        over = rules.time_warning(durations, available)
        assert over == max(0, sum(durations) - available)


class TestItemStatus:
    def test_delayed_is_final_and_discarded_can_reopen(self):
        for target in ItemStatus:
            if target != ItemStatus.DELAYED:
                assert code_of(rules.check_item_transition, ItemStatus.DELAYED, target) \
                    == "bad_transition"
        rules.check_item_transition(ItemStatus.DISCARDED, ItemStatus.NEW)
        assert code_of(rules.check_item_transition, ItemStatus.DISCARDED,
                       ItemStatus.ACCEPTED) == "bad_transition"
        rules.check_item_transition(ItemStatus.NEW, ItemStatus.DELAYED)

    def test_no_transition_to_itself(self):
        for status in ItemStatus:
            with pytest.raises(Refusal):
                rules.check_item_transition(status, status)


class TestProgram:
    def test_capacity_then_waiting_list(self):
        assert rules.signup_status(None, 500) == SignupStatus.CONFIRMED
        assert rules.signup_status(3, 2) == SignupStatus.CONFIRMED
        assert rules.signup_status(3, 3) == SignupStatus.WAITING

    def test_same_slot_conflict(self):
        at = datetime(2026, 11, 28, 14, tzinfo=PARIS)
        mine = [(7, at, at + timedelta(hours=3, minutes=30))]
        assert rules.first_free_slot_conflict((at, at + timedelta(hours=1)), mine) == 7
        later = at + timedelta(hours=4)
        assert rules.first_free_slot_conflict((later, later + timedelta(hours=1)), mine) is None

    def test_times(self):
        at = datetime(2026, 11, 28, 14, tzinfo=PARIS)
        assert code_of(rules.check_times, at, at) == "ends_before_start"
        assert code_of(rules.check_times, at, at - timedelta(minutes=1)) == "ends_before_start"
        assert code_of(rules.check_times, at, at + timedelta(hours=25)) == "too_long"


class TestReminders:
    meeting = datetime(2026, 11, 28, 10, 30, tzinfo=PARIS)
    moments = rules.ReminderMoments(agenda_opens=meeting - timedelta(days=28),
                                    deadline=meeting - timedelta(days=7),
                                    meeting_start=meeting)

    def due(self, now, published=False):
        return rules.due_reminders(self.moments, now, published)

    def test_each_moment(self):
        assert self.due(self.meeting - timedelta(days=28)) == [ReminderKind.AGENDA_OPEN]
        assert self.due(self.meeting - timedelta(days=9)) == [ReminderKind.DEADLINE_SOON]
        assert self.due(self.meeting - timedelta(days=5), published=True) \
            == [ReminderKind.AGENDA_PUBLISHED]
        assert ReminderKind.MEETING_TOMORROW in self.due(self.meeting - timedelta(hours=20))
        assert self.due(self.meeting - timedelta(days=20)) == []
        assert self.due(self.meeting + timedelta(hours=1), published=True) == []

    @given(st.integers(min_value=-40 * 24 * 60, max_value=2 * 24 * 60))
    def test_never_after_the_meeting_starts(self, offset_minutes):
        now = self.meeting + timedelta(minutes=offset_minutes)
        if now >= self.meeting:
            assert self.due(now, published=True) == []


class TestRuleLimits:
    @pytest.mark.parametrize("rule", ["FREQ=DAILY;BYHOUR=1,2,3", "FREQ=WEEKLY;BYMINUTE=5"])
    def test_at_most_once_a_day(self, rule):
        assert code_of(rules.check_rrule, rule) == "rrule_too_frequent"

    def test_a_rule_that_never_happens(self):
        assert code_of(rules.check_rrule, "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30") \
            == "rrule_never"

    def test_until_is_local_time(self):
        assert code_of(rules.check_rrule, "FREQ=WEEKLY;UNTIL=20261231T000000Z") \
            == "rrule_until_utc"
        assert rules.check_rrule("FREQ=WEEKLY;UNTIL=20261231T000000", date(2026, 1, 1))

    def test_a_move_stays_within_two_months(self):
        planned = datetime(2026, 11, 28, 10, 30, tzinfo=PARIS)
        rules.check_move(planned, planned + timedelta(days=60))
        assert code_of(rules.check_move, planned, planned - timedelta(days=61)) \
            == "moved_too_far"
