"""Parsing what people type into the API and the pages, with messages that say what to
write instead. Shared by every capability, so a date is a date the same way everywhere."""

import re
from datetime import date

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from .errors import DomainError

# Dates beyond these are typing errors, and far ones make calendars expand for ever.
FIRST_YEAR, LAST_YEAR = 1900, 2200
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def check_year(value, field: str):
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise DomainError(_("Give a date between the years %(first)s and %(last)s.")
                          % {"first": FIRST_YEAR, "last": LAST_YEAR}, field=field)
    return value


def parse_day(text: str | None, field: str, *, optional: bool = False) -> date | None:
    """'2026-01-31' → a date; anything else (20260131, 2026-W05-6, 31/01/2026) refused."""
    if optional and not text:
        return None
    day = None
    if ISO_DAY.fullmatch(text or ""):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            day = None
    if day is None:
        raise DomainError(_("“%(value)s” is not a date: write it as YYYY-MM-DD, for example "
                            "2026-01-31.") % {"value": (text or "")[:40]}, field=field)
    return check_year(day, field)


# Amounts ------------------------------------------------------------------------------

# The largest amount in minor units (economy.rules.MAX_AMOUNT): far beyond any
# cooperative, well within a bigint.
MAX_MINOR_UNITS = 10**15
# What a person types in French or English, and nothing Python's Decimal also reads
# ("1e3", "1_000", "NaN", digits of other scripts): ASCII digits, spaces (plain,
# no-break or narrow no-break, as French writes "1 000,50") only between groups of
# three, and one decimal comma or point. English thousands commas ("1,000.50") are not
# read: "1,000" is a decimal comma, refused as too many decimals in a currency of 2.
AMOUNT = re.compile(r"(?P<sign>-?)(?P<units>[0-9]+|[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+)"
                    r"(?:[.,](?P<decimals>[0-9]+))?")
GROUP_SEPARATORS = str.maketrans("", "", " \u00a0\u202f")
LONGEST_AMOUNT = 40


class AmountError(ValueError):
    """Why a typed amount was refused: "form", "decimals", "sign" or "size"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def amount_in_minor_units(text: str | int, decimals: int, *, signed: bool = False) -> int:
    """'1 000,50' or '12.5' in a currency of 2 decimals → 100050 or 1250 minor units;
    zero included, negatives only when `signed`."""
    raw = str(text).strip()
    found = AMOUNT.fullmatch(raw) if len(raw) <= LONGEST_AMOUNT else None
    if found is None:
        raise AmountError("form")
    fraction = found["decimals"] or ""
    if len(fraction) > decimals:
        raise AmountError("decimals")
    units = int(found["units"].translate(GROUP_SEPARATORS))
    minor = units * 10**decimals + int(fraction.ljust(decimals, "0") or 0)
    if minor > MAX_MINOR_UNITS:
        raise AmountError("size")
    if found["sign"] and minor:
        if not signed:
            raise AmountError("sign")
        return -minor
    return minor


def amount_example(decimals: int) -> str:
    """'12,50' in French, '12.50' in English: what the refusals show."""
    if decimals == 0:
        return "12"
    point = "," if (get_language() or "").startswith("fr") else "."
    return "12" + point + "50".ljust(decimals, "0")[:decimals]


def parse_amount(text: str | int | None, decimals: int, field: str, *, zero: bool = False,
                 signed: bool = False, below: str | None = None) -> int:
    """Minor units of an amount typed in units, or a DomainError on `field` that says
    what to type. Zero is refused unless `zero`, negatives unless `signed`; `below`
    replaces the message for either."""
    example = amount_example(decimals)
    try:
        minor = amount_in_minor_units("" if text is None else text, decimals, signed=signed)
    except AmountError as error:
        if error.reason != "sign":
            raise DomainError(_amount_refusal(error.reason, decimals, example),
                              field=field) from None
        minor = None
    if minor is None or (minor == 0 and not zero):
        default = (_("Type an amount of zero or more, such as %(example)s.") if zero
                   else _("The amount must be more than zero."))
        raise DomainError(below or default % {"example": example}, field=field)
    return minor


def _amount_refusal(reason: str, decimals: int, example: str) -> str:
    if reason == "decimals" and decimals == 0:
        return _("Type a whole number, such as %(example)s.") % {"example": example}
    if reason == "decimals":
        return ngettext("Type at most %(decimals)s decimal, such as %(example)s.",
                        "Type at most %(decimals)s decimals, such as %(example)s.",
                        decimals) % {"decimals": decimals, "example": example}
    if reason == "size":
        return _("This amount is too large: type at most %(largest)s.") % {
            "largest": f"{MAX_MINOR_UNITS // 10**decimals:_}".replace("_", " ")}
    return _("Type an amount such as %(example)s.") % {"example": example}
