"""The pure rules of bookings (R11): half-open spans, overlap, opening rules in local
time across the clock changes, fees, the state machine. No database."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autogestion.commons import rules
from autogestion.commons.rules import OpeningRules, Refusal, Span

PARIS = ZoneInfo("Europe/Paris")
BASE = datetime(2026, 3, 2, tzinfo=PARIS)  # a Monday
NOW = datetime(2026, 3, 1, 12, tzinfo=PARIS)


def span(start_minutes: int, end_minutes: int) -> Span:
    return Span(BASE + timedelta(minutes=start_minutes), BASE + timedelta(minutes=end_minutes))


def local(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return rules.localize(date(2026, month, day), time(hour, minute), PARIS)


def code_of(call) -> str:
    with pytest.raises(Refusal) as caught:
        call()
    return caught.value.code


spans = st.tuples(st.integers(0, 2000), st.integers(1, 600)).map(
    lambda t: span(t[0], t[0] + t[1]))


class TestOverlap:
    def test_touching_spans_do_not_overlap(self):
        assert not span(0, 60).overlaps(span(60, 120))
        assert not span(60, 120).overlaps(span(0, 60))
        assert span(0, 61).overlaps(span(60, 120))

    def test_a_span_inside_another_overlaps(self):
        assert span(0, 600).overlaps(span(100, 200))
        assert span(100, 200).overlaps(span(0, 600))

    @given(spans, spans)
    def test_overlap_means_a_shared_minute(self, a, b):
        shared = max(a.starts_at, b.starts_at) < min(a.ends_at, b.ends_at)
        assert a.overlaps(b) == shared == b.overlaps(a)

    @given(spans, st.lists(spans, max_size=8))
    def test_first_overlap_is_the_earliest_clash(self, wanted, others):
        clash = rules.first_overlap(wanted, others)
        clashing = [o for o in others if o.overlaps(wanted)]
        if not clashing:
            assert clash is None
        else:
            assert clash in clashing
            assert clash.starts_at == min(o.starts_at for o in clashing)

    @settings(max_examples=60)
    @given(st.lists(spans, max_size=25))
    def test_booking_one_by_one_never_leaves_two_confirmed_overlapping(self, attempts):
        """Whatever the order of the requests, what is accepted never overlaps, and
        every refusal names a confirmed booking in the way."""
        open_all = OpeningRules(tz=PARIS, overnight=True, horizon=timedelta(days=30))
        confirmed: list[Span] = []
        for attempt in attempts:
            try:
                rules.check_booking(attempt, open_all, NOW, confirmed)
            except Refusal as refusal:
                assert refusal.code == "overlap"
                assert Span(refusal.details["starts_at"], refusal.details["ends_at"]) in confirmed
                assert attempt.overlaps(Span(refusal.details["starts_at"],
                                             refusal.details["ends_at"]))
                continue
            confirmed.append(attempt)
        for i, a in enumerate(confirmed):
            for b in confirmed[i + 1:]:
                assert not a.overlaps(b)


PREMISES = OpeningRules(tz=PARIS, days=frozenset({1, 2, 3, 4, 5, 6}), opens=time(8),
                        closes=time(22), longest=timedelta(hours=12))
VAN = OpeningRules(tz=PARIS, opens=time(8), closes=time(20), overnight=True,
                   longest=timedelta(days=3))


class TestOpening:
    def test_within_the_hours_of_an_open_day(self):
        rules.check_opening(Span(local(3, 8), local(3, 20)), PREMISES)
        rules.check_opening(Span(local(3, 12), local(3, 22)), PREMISES)
        rules.check_opening(Span(local(3, 10), local(3, 11, 30)), PREMISES)

    @pytest.mark.parametrize(("start", "end", "code"), [
        ((3, 7, 59), (3, 9, 0), "outside_hours"),
        ((3, 21, 0), (3, 22, 1), "outside_hours"),
        ((8, 10, 0), (8, 12, 0), "closed_day"),       # Sunday 8 March
        ((3, 20, 0), (4, 9, 0), "too_long"),
        ((3, 21, 0), (4, 8, 30), "overnight"),
        ((3, 8, 0), (3, 21, 0), "too_long"),
    ])
    def test_refusals(self, start, end, code):
        assert code_of(lambda: rules.check_opening(Span(local(*start), local(*end)),
                                                   PREMISES)) == code

    def test_a_fraction_of_a_second_before_opening_is_before_opening(self):
        early = local(3, 8) - timedelta(microseconds=1)
        assert code_of(lambda: rules.check_opening(Span(early, local(3, 9)),
                                                   PREMISES)) == "outside_hours"

    def test_closing_at_midnight_is_the_end_of_the_day(self):
        late = OpeningRules(tz=PARIS, opens=time(18), closes=time(0))
        rules.check_opening(Span(local(3, 20), local(4, 0)), late)
        assert code_of(lambda: rules.check_opening(Span(local(3, 20), local(4, 0, 30)),
                                                   late)) == "outside_hours"

    def test_round_the_clock_but_the_same_day(self):
        always = OpeningRules(tz=PARIS)
        rules.check_opening(Span(local(3, 0), local(4, 0)), always)
        assert code_of(lambda: rules.check_opening(Span(local(3, 23), local(4, 1)),
                                                   always)) == "overnight"

    def test_a_van_is_taken_and_brought_back_within_the_hours(self):
        rules.check_opening(Span(local(6, 9), local(8, 19)), VAN)
        assert code_of(lambda: rules.check_opening(Span(local(6, 9), local(8, 21)),
                                                   VAN)) == "outside_hours"
        assert code_of(lambda: rules.check_opening(Span(local(6, 9), local(9, 19)),
                                                   VAN)) == "too_long"

    def test_hours_hold_in_local_time_across_the_clock_change(self):
        """29 March 2026: Paris goes from UTC+1 to UTC+2; 08:00 stays 08:00."""
        day_hours = OpeningRules(tz=PARIS, opens=time(8), closes=time(22))
        rules.check_opening(Span(local(29, 8), local(29, 22)), day_hours)
        assert code_of(lambda: rules.check_opening(
            Span(local(29, 8) - timedelta(minutes=1), local(29, 9)), day_hours)) == \
            "outside_hours"
        assert local(29, 8).utcoffset() == timedelta(hours=2)
        assert local(28, 8).utcoffset() == timedelta(hours=1)

    def test_a_skipped_time_is_refused_and_an_ambiguous_one_is_the_first(self):
        with pytest.raises(Refusal) as caught:
            rules.localize(date(2026, 3, 29), time(2, 30), PARIS)
        assert caught.value.code == "skipped_time"
        first = rules.localize(date(2026, 10, 25), time(2, 30), PARIS)
        assert first.utcoffset() == timedelta(hours=2)

    @pytest.mark.parametrize(("opens", "closes", "good"), [
        (time(8), time(22), True), (time(0), time(0), True), (time(18), time(0), True),
        (time(22), time(8), False), (time(8), time(8), False), (time(8, 0, 30), time(9), False),
    ])
    def test_hours(self, opens, closes, good):
        if good:
            rules.check_hours(opens, closes)
        else:
            assert code_of(lambda: rules.check_hours(opens, closes)) == "bad_hours"


class TestTiming:
    def test_the_past_notice_and_horizon(self):
        notice = OpeningRules(tz=PARIS, notice=timedelta(hours=24), horizon=timedelta(days=10))
        now = local(3, 12)
        assert code_of(lambda: rules.check_timing(Span(local(3, 11), local(3, 13)), notice,
                                                  now)) == "in_the_past"
        assert code_of(lambda: rules.check_timing(Span(local(4, 11), local(4, 13)), notice,
                                                  now)) == "short_notice"
        rules.check_timing(Span(local(4, 11), local(4, 13)), notice, now, with_notice=False)
        rules.check_timing(Span(local(4, 12), local(4, 13)), notice, now)
        assert code_of(lambda: rules.check_timing(Span(local(14, 11), local(14, 13)), notice,
                                                  now)) == "too_far"

    def test_a_span_ends_after_it_starts_and_is_aware(self):
        assert code_of(lambda: rules.check_span(Span(local(3, 12), local(3, 12)))) == \
            "ends_before_start"
        assert code_of(lambda: rules.check_span(Span(local(3, 12), local(3, 11)))) == \
            "ends_before_start"
        naive = datetime(2026, 3, 3, 12)
        assert code_of(lambda: rules.check_span(Span(naive, naive + timedelta(hours=1)))) == \
            "naive_time"


class TestFeesDaysAndStates:
    def test_fee_per_booking_and_per_hour_begun(self):
        two_and_a_bit = Span(local(3, 10), local(3, 12, 1))
        assert rules.fee_for(two_and_a_bit, 1000, "booking") == 1000
        assert rules.fee_for(two_and_a_bit, 250, "hour") == 750
        assert rules.fee_for(two_and_a_bit, None, "hour") == 0

    @given(st.sets(st.integers(1, 7), min_size=1))
    def test_days_mask_round_trip(self, days):
        mask = rules.days_to_mask(days)
        assert 1 <= mask <= 127
        assert rules.mask_to_days(mask) == days

    def test_no_day_or_a_wrong_day_is_refused(self):
        assert code_of(lambda: rules.days_to_mask([])) == "bad_days"
        assert code_of(lambda: rules.days_to_mask([0, 8])) == "bad_days"

    def test_state_machine(self):
        rules.check_transition("requested", "confirmed")
        rules.check_transition("requested", "declined")
        rules.check_transition("confirmed", "cancelled")
        for current, wanted in (("confirmed", "confirmed"), ("declined", "confirmed"),
                                ("cancelled", "cancelled"), ("confirmed", "declined")):
            assert code_of(lambda c=current, w=wanted: rules.check_transition(c, w)) == \
                "bad_transition"

    def test_week_and_day_parts(self):
        assert rules.week_of(date(2026, 3, 8)) == date(2026, 3, 2)
        assert rules.week_of(date(2026, 3, 2)) == date(2026, 3, 2)
        night = Span(local(6, 19), local(8, 10))
        assert rules.day_parts(night, date(2026, 3, 6), PARIS) == (time(19), None)
        assert rules.day_parts(night, date(2026, 3, 7), PARIS) == (time(0), None)
        assert rules.day_parts(night, date(2026, 3, 8), PARIS) == (time(0), time(10))
        assert rules.day_parts(night, date(2026, 3, 9), PARIS) is None
