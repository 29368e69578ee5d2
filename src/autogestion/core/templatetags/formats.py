"""Template filters for numbers in the reader's language (core/formats.py):
`{% load formats %}` then `{{ minor|amount:currency }}`, `{{ 65|percent }}`,
`{{ 1234.5|number:2 }}`."""

from django import template

from autogestion.core import formats

register = template.Library()


@register.filter
def amount(minor, currency):
    """`currency` is anything with `decimals` and `symbol` (a Currency), or a number of
    decimals."""
    if minor is None or minor == "":
        return ""
    if isinstance(currency, int):
        return formats.amount_text(int(minor), currency)
    return formats.amount_text(int(minor), currency.decimals, getattr(currency, "symbol", ""))


@register.filter
def percent(value, places=0):
    if value is None or value == "":
        return ""
    return formats.percent_text(value, int(places))


@register.filter
def number(value, places=None):
    if value is None or value == "":
        return ""
    return formats.number_text(value, None if places is None else int(places))
