"""The pure rules of the daily plan (work/daily/rules.py), without a database: which days
can be planned, task times, seeding from the rotation, ordering, and the week's sums."""

from datetime import date, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autogestion.work.daily import rules

TUESDAY = date(2026, 3, 10)


class TestDays:
    def test_tomorrow_by_default(self):
        assert rules.default_day(TUESDAY) == date(2026, 3, 11)
        assert rules.default_day(date(2026, 12, 31)) == date(2027, 1, 1)

    def test_today_and_days_to_come(self):
        assert rules.check_plannable(TUESDAY, TUESDAY) == TUESDAY
        assert rules.check_plannable(TUESDAY + timedelta(days=366), TUESDAY)
        with pytest.raises(rules.Refusal) as past:
            rules.check_plannable(TUESDAY - timedelta(days=1), TUESDAY)
        assert past.value.code == "past_day"
        with pytest.raises(rules.Refusal) as far:
            rules.check_plannable(TUESDAY + timedelta(days=367), TUESDAY)
        assert far.value.code == "too_far"

    @pytest.mark.parametrize("day", [date(2026, 3, 9), date(2026, 3, 12), date(2026, 3, 15)])
    def test_iso_week(self, day):
        week = rules.week_of(day)
        assert week[0] == date(2026, 3, 9) and week[-1] == date(2026, 3, 15)
        assert [d.isoweekday() for d in week] == [1, 2, 3, 4, 5, 6, 7]

    def test_iso_week_across_the_year(self):
        assert rules.week_of(date(2027, 1, 1))[0] == date(2026, 12, 28)


class TestTimes:
    @pytest.mark.parametrize(("starts", "ends"), [
        (None, None), (time(8), None), (time(8), time(8, 1)), (time(0), time(23, 59))])
    def test_allowed(self, starts, ends):
        rules.check_times(starts, ends)

    @pytest.mark.parametrize(("starts", "ends", "code"), [
        (time(9), time(8), "ends_before_start"), (time(9), time(9), "ends_before_start"),
        (None, time(9), "end_without_start")])
    def test_refused(self, starts, ends, code):
        with pytest.raises(rules.Refusal) as refusal:
            rules.check_times(starts, ends)
        assert refusal.value.code == code


class TestSeeds:
    POSTS = {1: "Milking", 2: "bookkeeping", 3: "Market stall", 4: "Cheese"}

    def test_one_task_per_post_in_name_order_holders_then_learners(self):
        seeds = rules.seed_tasks(self.POSTS, [
            rules.Placement(1, 12, rules.LEARNER), rules.Placement(1, 10, rules.HOLDER),
            rules.Placement(3, 11, rules.HOLDER), rules.Placement(3, 13, rules.HOLDER),
            rules.Placement(2, 14, rules.HOLDER), rules.Placement(1, 10, rules.HOLDER)])
        assert [(s.title, s.holders, s.learners) for s in seeds] == [
            ("bookkeeping", (14,), ()), ("Market stall", (11, 13), ()),
            ("Milking", (10,), (12,))]
        assert seeds[2].people == (10, 12)

    def test_gaps_get_a_task_and_unknown_posts_are_skipped(self):
        seeds = rules.seed_tasks(self.POSTS, [rules.Placement(9, 10, rules.HOLDER)],
                                 {4: 1, 1: 0, 9: 2})
        assert [(s.title, s.people, s.missing) for s in seeds] == [("Cheese", (), 1)]

    def test_nothing(self):
        assert rules.seed_tasks(self.POSTS, []) == []


class TestMoved:
    def test_up_down_and_ends(self):
        assert rules.moved([1, 2, 3], 3, -1) == [1, 3, 2]
        assert rules.moved([1, 2, 3], 1, 1) == [2, 1, 3]
        assert rules.moved([1, 2, 3], 1, -1) == [1, 2, 3]
        assert rules.moved([1, 2, 3], 2, 10) == [1, 3, 2]
        with pytest.raises(rules.Refusal):
            rules.moved([1, 2], 3, 1)


class TestWeek:
    DAYS = rules.week_of(TUESDAY)

    def done(self, person, day, task, post="Milking", learning=False):
        return rules.Done(person, self.DAYS[day], task, f"task {task}", post, learning)

    def test_totals_per_person_and_post_and_the_most_loaded(self):
        summary = rules.week_summary(self.DAYS, [
            self.done(1, 0, 10), self.done(1, 1, 11), self.done(1, 1, 12, rules.OTHER),
            self.done(2, 0, 10, learning=True), self.done(3, 5, 13, "Market stall"),
            self.done(1, 1, 11),  # twice the same: counted once
        ], people=[3, 2, 1, 4])
        rows = {r.person_id: r for r in summary.people}
        assert [r.person_id for r in summary.people] == [1, 3, 2, 4]
        assert (rows[1].total, rows[1].by_post) == (3, {"Milking": 2, rules.OTHER: 1})
        assert (rows[2].total, rows[2].learning) == (1, 1)
        assert rows[4].total == 0 and rows[4].by_day == {}
        assert [r.person_id for r in summary.people if r.most_loaded] == [1]
        assert summary.post_keys == ("Market stall", "Milking", rules.OTHER)
        assert (summary.total, summary.spread) == (5, 3)
        assert summary.per_day[self.DAYS[1]] == 2
        assert summary.share_of(rows[1]) == 60
        assert [d.task_id for d in rows[1].by_day[self.DAYS[1]]] == [11, 12]

    def test_an_even_week_flags_nobody(self):
        summary = rules.week_summary(self.DAYS, [self.done(1, 0, 10), self.done(2, 0, 10)],
                                     people=[1, 2])
        assert not any(r.most_loaded for r in summary.people) and summary.spread == 0

    def test_days_outside_the_week_do_not_count(self):
        outside = rules.Done(1, self.DAYS[0] - timedelta(days=1), 9, "x")
        summary = rules.week_summary(self.DAYS, [outside], people=[1])
        assert summary.total == 0 and summary.share_of(summary.people[0]) == 0

    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.tuples(st.integers(1, 5), st.integers(0, 6), st.integers(1, 12),
                              st.sampled_from(["Milking", "Market", rules.OTHER]),
                              st.booleans()), max_size=40),
           st.lists(st.integers(1, 7), unique=True, max_size=7))
    def test_sums_agree(self, items, people):
        done = [self.done(p, d, t, post, learning) for p, d, t, post, learning in items]
        summary = rules.week_summary(self.DAYS, done, people)
        unique = {(p, t) for p, _d, t, _post, _l in items}
        assert summary.total == sum(r.total for r in summary.people) == len(unique) \
            == sum(summary.per_day.values())
        assert set(people) <= {r.person_id for r in summary.people}
        for row in summary.people:
            assert sum(row.by_post.values()) == row.total == sum(
                len(cell) for cell in row.by_day.values())
            assert 0 <= row.learning <= row.total
        totals = [r.total for r in summary.people]
        assert totals == sorted(totals, reverse=True)
        flagged = [r for r in summary.people if r.most_loaded]
        if totals and max(totals) > min(totals):
            assert flagged and all(r.total == max(totals) for r in flagged)
            assert summary.spread == max(totals) - min(totals)
        else:
            assert not flagged
