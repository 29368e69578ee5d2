"""The recurrence builder (rules.build_rrule), its reading back (parse_rrule) and the
rule in words (describe_rrule), without a database. The produced rules are expanded by
dateutil to check the dates people will actually meet on."""

from datetime import date, datetime

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given
from hypothesis import strategies as st

from autogestion.assemblies import rules
from autogestion.assemblies.rules import Recurrence, Refusal


def dates(rule: str, first: date, count: int) -> list[date]:
    start = datetime.combine(first, datetime.min.time())
    return [d.date() for d in list(rrulestr(rule, dtstart=start)[:count])]


BUILT = [
    # (choices, rule, first day, the first dates it gives)
    (Recurrence("monthly", ordinal=-1, weekday="SA"), "FREQ=MONTHLY;BYDAY=-1SA",
     date(2026, 11, 1), [date(2026, 11, 28), date(2026, 12, 26), date(2027, 1, 30)]),
    (Recurrence("monthly", ordinal=1, weekday="TU"), "FREQ=MONTHLY;BYDAY=1TU",
     date(2026, 12, 1), [date(2026, 12, 1), date(2027, 1, 5), date(2027, 2, 2)]),
    (Recurrence("monthly", ordinal=3, weekday="TH", interval=2),
     "FREQ=MONTHLY;INTERVAL=2;BYDAY=3TH", date(2026, 11, 1),
     [date(2026, 11, 19), date(2027, 1, 21), date(2027, 3, 18)]),
    (Recurrence("monthly", ordinal=-2, weekday="FR"), "FREQ=MONTHLY;BYDAY=-2FR",
     date(2026, 12, 1), [date(2026, 12, 18), date(2027, 1, 22)]),
    (Recurrence("monthly", monthly_by="day", month_day=15), "FREQ=MONTHLY;BYMONTHDAY=15",
     date(2026, 11, 20), [date(2026, 12, 15), date(2027, 1, 15)]),
    (Recurrence("monthly", monthly_by="day", month_day=-1), "FREQ=MONTHLY;BYMONTHDAY=-1",
     date(2027, 1, 1), [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31)]),
    # Day 31: the months without one are skipped.
    (Recurrence("monthly", monthly_by="day", month_day=31), "FREQ=MONTHLY;BYMONTHDAY=31",
     date(2027, 1, 1), [date(2027, 1, 31), date(2027, 3, 31), date(2027, 5, 31)]),
    (Recurrence("weekly", weekdays=("MO",)), "FREQ=WEEKLY;BYDAY=MO",
     date(2026, 11, 26), [date(2026, 11, 30), date(2026, 12, 7)]),
    # Days given in any order come out in the week's order.
    (Recurrence("weekly", weekdays=("th", "MO")), "FREQ=WEEKLY;BYDAY=MO,TH",
     date(2026, 11, 26), [date(2026, 11, 26), date(2026, 11, 30), date(2026, 12, 3)]),
    (Recurrence("weekly", weekdays=("WE",), interval=2), "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
     date(2026, 12, 2), [date(2026, 12, 2), date(2026, 12, 16), date(2026, 12, 30)]),
    (Recurrence("daily"), "FREQ=DAILY", date(2026, 12, 30),
     [date(2026, 12, 30), date(2026, 12, 31), date(2027, 1, 1)]),
    (Recurrence("daily", interval=3), "FREQ=DAILY;INTERVAL=3", date(2026, 12, 30),
     [date(2026, 12, 30), date(2027, 1, 2)]),
    (Recurrence("daily", count=2), "FREQ=DAILY;COUNT=2", date(2026, 12, 1),
     [date(2026, 12, 1), date(2026, 12, 2)]),
    (Recurrence("weekly", weekdays=("SA",), until=date(2026, 12, 12)),
     "FREQ=WEEKLY;BYDAY=SA;UNTIL=20261212T235959", date(2026, 11, 30),
     [date(2026, 12, 5), date(2026, 12, 12)]),
]


@pytest.mark.parametrize(("choice", "rule", "first", "expected"), BUILT)
def test_the_builder_gives_the_rule_and_its_dates(choice, rule, first, expected):
    built = rules.build_rrule(choice)
    assert built == rule
    assert dates(built, first, len(expected) + 1)[:len(expected)] == expected
    # The rule the builder makes is one the series accepts as it is.
    assert rules.check_rrule(built, first) == built


def test_an_end_stops_the_dates():
    assert dates("FREQ=DAILY;COUNT=2", date(2026, 12, 1), 10) == [date(2026, 12, 1),
                                                                   date(2026, 12, 2)]
    until = rules.build_rrule(Recurrence("weekly", weekdays=("SA",),
                                         until=date(2026, 12, 12)))
    assert dates(until, date(2026, 11, 30), 10)[-1] == date(2026, 12, 12)


def test_the_last_saturday_of_december_2026_is_the_26th():
    rule = rules.build_rrule(Recurrence("monthly", ordinal=-1, weekday="SA"))
    assert date(2026, 12, 26) in dates(rule, date(2026, 12, 1), 1)


@pytest.mark.parametrize(("choice", "field"), [
    (Recurrence("hourly"), "frequency"),
    (Recurrence("yearly"), "frequency"),
    (Recurrence("daily", interval=0), "interval"),
    (Recurrence("daily", interval=100), "interval"),
    (Recurrence("daily", interval=True), "interval"),
    (Recurrence("weekly"), "weekdays"),
    (Recurrence("weekly", weekdays=("XX",)), "weekdays"),
    (Recurrence("monthly", ordinal=None, weekday="SA"), "ordinal"),
    (Recurrence("monthly", ordinal=6, weekday="SA"), "ordinal"),
    (Recurrence("monthly", ordinal=0, weekday="SA"), "ordinal"),
    (Recurrence("monthly", ordinal=-1, weekday=""), "weekday"),
    (Recurrence("monthly", ordinal=-1, weekday="SAT"), "weekday"),
    (Recurrence("monthly", monthly_by="day", month_day=0), "month_day"),
    (Recurrence("monthly", monthly_by="day", month_day=32), "month_day"),
    (Recurrence("monthly", monthly_by="day", month_day=None), "month_day"),
    (Recurrence("monthly", monthly_by="week", month_day=3), "monthly_by"),
    (Recurrence("daily", count=0), "count"),
    (Recurrence("daily", count=1001), "count"),
    (Recurrence("daily", count=3, until=date(2027, 1, 1)), "count"),
])
def test_the_builder_refuses_what_it_cannot_make(choice, field):
    with pytest.raises(Refusal) as info:
        rules.build_rrule(choice)
    assert info.value.code.startswith("builder_")
    assert info.value.details["field"] == field


WORDS = [
    ("FREQ=MONTHLY;BYDAY=-1SA", "le dernier samedi de chaque mois",
     "the last Saturday of each month"),
    ("RRULE:FREQ=MONTHLY;BYDAY=SA;BYSETPOS=-1", "le dernier samedi de chaque mois",
     "the last Saturday of each month"),
    ("FREQ=MONTHLY;BYDAY=1TU", "le premier mardi de chaque mois",
     "the first Tuesday of each month"),
    ("FREQ=MONTHLY;BYDAY=-2FR", "l’avant-dernier vendredi de chaque mois",
     "the second to last Friday of each month"),
    ("FREQ=MONTHLY;INTERVAL=2;BYDAY=3TH", "le troisième jeudi du mois, tous les 2 mois",
     "the third Thursday of every 2 months"),
    ("FREQ=WEEKLY;BYDAY=MO", "chaque lundi", "every Monday"),
    ("FREQ=WEEKLY;BYDAY=MO,TH", "chaque lundi et jeudi", "every Monday and Thursday"),
    ("FREQ=WEEKLY;BYDAY=MO,WE,FR", "chaque lundi, mercredi et vendredi",
     "every Monday, Wednesday and Friday"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", "tous les 15 jours le mercredi",
     "every other Wednesday"),
    ("FREQ=WEEKLY;INTERVAL=3;BYDAY=SU", "toutes les 3 semaines le dimanche",
     "every 3 weeks on Sunday"),
    ("FREQ=WEEKLY", "chaque semaine", "every week"),
    ("FREQ=DAILY", "chaque jour", "every day"),
    ("FREQ=DAILY;INTERVAL=2", "tous les 2 jours", "every 2 days"),
    ("FREQ=MONTHLY;BYMONTHDAY=1", "le 1er de chaque mois", "the 1st of each month"),
    ("FREQ=MONTHLY;BYMONTHDAY=15", "le 15 de chaque mois", "the 15th of each month"),
    ("FREQ=MONTHLY;BYMONTHDAY=-1", "le dernier jour de chaque mois",
     "the last day of each month"),
    ("FREQ=MONTHLY;BYMONTHDAY=22", "le 22 de chaque mois", "the 22nd of each month"),
    ("FREQ=DAILY;COUNT=10", "chaque jour, 10 fois", "every day, 10 times"),
    ("FREQ=DAILY;COUNT=1", "chaque jour, une seule fois", "every day, once"),
    ("FREQ=WEEKLY;BYDAY=SA;UNTIL=20271231T235959",
     "chaque samedi, jusqu’au 31 décembre 2027", "every Saturday, until 31 December 2027"),
    ("FREQ=MONTHLY;BYDAY=1MO;UNTIL=20270301T000000",
     "le premier lundi de chaque mois, jusqu’au 1er mars 2027",
     "the first Monday of each month, until 1 March 2027"),
]


@pytest.mark.parametrize(("rule", "french", "english"), WORDS)
def test_the_rule_in_words(rule, french, english):
    assert rules.describe_rrule(rule, "fr") == french
    assert rules.describe_rrule(rule, "fr-fr") == french
    assert rules.describe_rrule(rule, "en") == english
    assert rules.describe_rrule(rule, "") == english


FALLBACK = [
    ("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SA", "chaque année, selon une règle particulière",
     "every year, on a particular rule"),
    ("FREQ=MONTHLY;BYDAY=1MO,3MO", "chaque mois ou tous les quelques mois, selon une règle "
     "particulière", "every month or every few months, on a particular rule"),
    ("FREQ=WEEKLY;BYDAY=1MO", "chaque semaine ou toutes les quelques semaines, selon une "
     "règle particulière", "every week or every few weeks, on a particular rule"),
    ("FREQ=DAILY;BYMONTH=7", "chaque jour ou tous les quelques jours, selon une règle "
     "particulière", "every day or every few days, on a particular rule"),
    ("FREQ=MONTHLY;BYMONTHDAY=40", "chaque mois ou tous les quelques mois, selon une règle "
     "particulière", "every month or every few months, on a particular rule"),
    ("nonsense", "selon une récurrence particulière", "on a particular recurrence"),
    ("", "selon une récurrence particulière", "on a particular recurrence"),
]


@pytest.mark.parametrize(("rule", "french", "english"), FALLBACK)
def test_a_rule_the_builder_cannot_say_still_reads_as_words(rule, french, english):
    assert rules.parse_rrule(rule) is None
    assert rules.describe_rrule(rule, "fr") == french
    assert rules.describe_rrule(rule, "en") == english
    assert "FREQ" not in rules.describe_rrule(rule, "fr")


CHOICES = st.one_of(
    st.builds(Recurrence, st.just("daily"), st.integers(1, 99)),
    st.builds(Recurrence, st.just("weekly"), st.integers(1, 99),
              st.lists(st.sampled_from(rules.WEEKDAY_CODES), min_size=1, max_size=7,
                       unique=True).map(tuple)),
    st.builds(Recurrence, st.just("monthly"), st.integers(1, 99), st.just(()),
              st.just("weekday"), st.sampled_from(rules.ORDINALS),
              st.sampled_from(rules.WEEKDAY_CODES)),
    st.builds(Recurrence, st.just("monthly"), st.integers(1, 99), st.just(()),
              st.just("day"), st.none(), st.just(""),
              st.one_of(st.integers(1, 31), st.just(-1))),
)


@given(CHOICES, st.one_of(st.none(), st.integers(1, 1000)))
def test_every_built_rule_reads_back_as_its_choices(choice, count):
    choice = Recurrence(**{**choice.__dict__, "count": count})
    rule = rules.build_rrule(choice)
    back = rules.parse_rrule(rule)
    assert back is not None
    assert rules.build_rrule(back) == rule
    for language in ("fr", "en"):
        words = rules.describe_rrule(rule, language)
        assert words and "FREQ" not in words and "BYDAY" not in words
