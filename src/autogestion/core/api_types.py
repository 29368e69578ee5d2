"""Input types shared by every API router: what the database cannot hold is refused
as input (422) instead of failing when it reaches it."""

from typing import Annotated

from pydantic import AfterValidator, Field

from . import unstorable

MAX_ID = 2**63 - 1  # the largest bigint


def storable(value: str) -> str:
    # The door (core/middleware.py) refuses these first, naming the field; this holds
    # for input that reaches a schema another way.
    if found := unstorable.in_text(value):
        if found.character == "\x00":  # PostgreSQL stores no NUL character
            raise ValueError("must not contain the NUL character")
        raise ValueError(f"must not contain \\u{ord(found.character):04x}, a lone UTF-16 "
                         "surrogate that is not a character")
    return value


no_nul = storable  # its first name, which routers still import

Text = Annotated[str, AfterValidator(storable)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
