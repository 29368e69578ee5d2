"""Numbers in the reader's language (core/formats.py and its template filters)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from autogestion.core import clock
from autogestion.core.formats import amount_text, number_text, percent_text

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(("language", "expected"), [
    ("fr", f"38,00{NBSP}Os"), ("en", f"38.00{NBSP}Os")])
def test_an_amount_uses_the_language_s_decimal_mark(language, expected):
    with translation.override(language):
        assert amount_text(3800, 2, "Os") == expected


def test_thousands_are_grouped_and_negative_amounts_keep_their_sign():
    with translation.override("fr"):
        assert amount_text(-1256050, 2, "€") == f"-12{NBSP}560,50{NBSP}€"
    with translation.override("en"):
        assert amount_text(1256050, 2) == "12,560.50"


def test_an_amount_without_decimals():
    with translation.override("fr"):
        assert amount_text(12, 0, "h") == f"12{NBSP}h"


@pytest.mark.parametrize(("language", "value", "places", "expected"), [
    ("fr", 100, 0, f"100{NNBSP}%"), ("fr", 100.0, 1, f"100{NNBSP}%"),
    ("fr", 65.5, 1, f"65,5{NNBSP}%"), ("en", 65.5, 1, "65.5%"), ("en", 100, 1, "100%")])
def test_a_percentage_in_french_has_a_space_and_a_comma(language, value, places, expected):
    with translation.override(language):
        assert percent_text(value, places) == expected


def test_the_filters_read_a_currency_s_decimals_and_symbol():
    class Currency:
        decimals, symbol = 2, "Os"

    template = Template("{% load formats %}{{ a|amount:c }} {{ p|percent }} {{ n|number:1 }}"
                        "{{ none|amount:c }}")
    with translation.override("fr"):
        text = template.render(Context({"a": 3800, "c": Currency(), "p": 50, "n": 1234.56,
                                        "none": None}))
    assert text == f"38,00{NBSP}Os 50{NNBSP}% 1{NBSP}234,6"


def test_number_text_groups_whole_numbers():
    with translation.override("fr"):
        assert number_text(10000) == f"10{NBSP}000"


def test_a_moment_is_read_in_the_person_s_zone():
    class Person:
        time_zone = "America/Montreal"

    moment = datetime(2026, 12, 3, 3, 0, tzinfo=ZoneInfo("Europe/Paris"))
    local = clock.local_for(moment, Person())
    assert (local.day, local.hour) == (2, 21)  # still the evening before in Montréal


def test_an_unknown_zone_falls_back_to_the_platform_s():
    class Person:
        time_zone = "Mars/Olympus"

    assert clock.zone_of(Person()) == clock.zone()
