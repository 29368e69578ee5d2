"""Parsing what people type into the API and the pages, with messages that say what to
write instead. Shared by every capability, so a date is a date the same way everywhere."""

import re
from datetime import date

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
