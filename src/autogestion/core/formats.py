"""Numbers as the reader's language writes them: "38,00 Os" and "100 %" in French,
"38.00 Os" and "100%" in English, thousands grouped ("12 500,00"). Every page, e-mail
and CSV meant for people goes through here; the API keeps plain JSON numbers."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import pgettext


def number_text(value, places: int | None = None) -> str:
    """`value` (int, Decimal, float) grouped and with the language's decimal mark,
    rounded half up to `places` (Django's number_format only cuts the digits off)."""
    if places is not None:
        value = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return number_format(value, places, use_l10n=True, force_grouping=True)


def amount_text(minor: int, decimals: int, symbol: str = "") -> str:
    """An amount held in minor units (cents), with its currency's symbol after it."""
    text = number_text(Decimal(minor).scaleb(-decimals), decimals)
    return f"{text}\u00a0{symbol}" if symbol else text


def percent_text(value, places: int = 0) -> str:
    """A percentage: `value` is already in percent (65 → "65 %"). Whole numbers lose
    their decimals ("100 %", not "100.0 %")."""
    value = Decimal(str(value))
    if places and value == value.to_integral_value():
        places = 0
    # Translators: a percentage; French puts a narrow no-break space before the sign.
    return pgettext("percent", "%(number)s%%") % {"number": number_text(value, places)}
