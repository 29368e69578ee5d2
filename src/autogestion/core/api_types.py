"""Input types shared by every API router: what the database cannot hold is refused
as input (422) instead of failing when it reaches it."""

from typing import Annotated

from pydantic import AfterValidator, Field

MAX_ID = 2**63 - 1  # the largest bigint


def no_nul(value: str) -> str:
    # PostgreSQL stores no NUL character.
    if "\x00" in value:
        raise ValueError("must not contain the NUL character")
    return value


Text = Annotated[str, AfterValidator(no_nul)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
