"""What every router shares in its schemas: the body as a JSON object, input types
whose OpenAPI description is what they accept, the error answer and the refusals an
operation documents, amounts.

Every 4xx answer of the API has the same shape (core/api.py's exception handlers build
it): a `detail` saying what to change, the `field` at fault when there is one, and for
input that does not fit the schema (422) the list of `errors`, one per field.
"""

import re
from datetime import date, datetime, time
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema, model_validator

from .api_types import no_nul
from .errors import DomainError

# Input -----------------------------------------------------------------------------------


class Input(Schema):
    """A request body: a JSON object. django-ninja reads a schema's fields as the
    attributes of whatever it is given, so that `[]`, `null` or `1` would otherwise
    pass as a body whose fields all keep their defaults."""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data):
        raw = data._obj if isinstance(data, DjangoGetter) else data
        if not isinstance(raw, dict):
            raise ValueError(_("send the body as a JSON object, {\"field\": value, ...}"))
        return data


def _whole_number(value):
    # JSON Schema's integer includes 30.0, which a client may well write; `true` and
    # "30" are not numbers, whatever Python makes of them.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(_("must be a whole number, written as a JSON number"))
    return value


Integer = Annotated[int, BeforeValidator(_whole_number)]


def text_up_to(max_length: int, *, min_length: int = 0):
    """api_types.Text within lengths, for an optional field: `text_up_to(80) | None`.
    Written `Text | None = Field(None, max_length=80)`, pydantic checks the length after
    the NUL and words its refusal "at most 80 items after validation"."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length),
                     AfterValidator(no_nul)]


# Dates and times: JSON Schema's `format: time` and `format: date-time` demand an offset,
# which a time of day where a body meets, or a moment read in the local zone, has not;
# and pydantic alone reads a number as seconds (since midnight, or since 1970).

CLOCK_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?")
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MOMENT = re.compile(DAY.pattern + "T" + CLOCK_TIME.pattern
                    + r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?")


def _clock_time(value):
    if isinstance(value, time) or (isinstance(value, str) and CLOCK_TIME.fullmatch(value)):
        return value  # a time: an answer, shaped from the database
    raise ValueError(_("write a time of day as HH:MM or HH:MM:SS, without an offset"))


def _on_the_calendar(value: str) -> str:
    """A value of the documented shape that is no day of the calendar (2026-02-30,
    0000-00-00) is a refusal of the domain (400), not a breach of the schema (422): the
    document's pattern cannot say how many days each month has."""
    try:
        date.fromisoformat(value[:10])
    except ValueError:
        raise DomainError(_("%(day)s is not a day of the calendar: write a date that "
                            "exists, as YYYY-MM-DD.") % {"day": value[:10]}) from None
    return value


def _calendar_day(value):
    if isinstance(value, date):
        return value
    if isinstance(value, str) and DAY.fullmatch(value):
        return _on_the_calendar(value)
    raise ValueError(_("write a date as YYYY-MM-DD"))


def _moment(value):
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and MOMENT.fullmatch(value):
        return _on_the_calendar(value)
    raise ValueError(_("write a date and time as YYYY-MM-DDTHH:MM[:SS], with an offset "
                       "such as +01:00 or without one"))


LocalTime = Annotated[time, BeforeValidator(_clock_time), WithJsonSchema({
    "type": "string", "pattern": f"^{CLOCK_TIME.pattern}$",
    "description": "A time of day, HH:MM or HH:MM:SS, local to the place (no offset)."})]
CalendarDay = Annotated[date, BeforeValidator(_calendar_day)]
Moment = Annotated[datetime, BeforeValidator(_moment), WithJsonSchema({
    "type": "string", "pattern": f"^{MOMENT.pattern}$",
    "description": "YYYY-MM-DDTHH:MM[:SS], with an offset, or without one for the time "
                   "where it happens."})]


# Answers ---------------------------------------------------------------------------------


class ProblemOut(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    field: str | None = None
    errors: list[ProblemOut] | None = None


def refusals(*codes: int) -> dict[int, type[ErrorOut]]:
    """The refusals an endpoint answers besides those the API adds by itself (see
    core/api.py's AUTOMATIC_REFUSALS: 401, 403 for a session without its CSRF token,
    422 for input that does not fit the schema...): `response={200: X,
    **refusals(400, 404)}`."""
    return dict.fromkeys(codes, ErrorOut)


class Money(Schema):
    """An amount answered by the API (economy, commons)."""

    minor: int = Field(description="Exact integer in the currency's smallest unit.")
    value: str = Field(description="The same in units, e.g. \"12.50\".")


class StatusEventOut(Schema):
    """One change of status (core/history.py): from what, to what, by whom, when, why."""

    from_status: str = Field(description="Empty for the first event (the creation).")
    to_status: str
    actor: str | None = Field(description="Who did it; none when the platform did.")
    actor_id: int | None = None
    at: datetime
    reason: str
