"""Text the database cannot store, found wherever it hides in a request.

PostgreSQL stores no NUL character in text, and no database encodes a lone UTF-16
surrogate (JSON can write one, "\\udfff", but it is not a character): either one ends
as a 500 when it reaches a query. Every input is checked here once, whatever its
Content-Type and however its field is declared, so no form, schema or service has to
remember to."""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True)
class Unstorable:
    field: str  # "" when the problem is not in a named field (the address, a bare value)
    character: str

    @property
    def message(self) -> str:
        if self.character == "\x00":
            if self.field:
                return _("The field “%(field)s” contains a NUL character; remove it and "
                         "try again.") % {"field": self.field}
            return _("The request contains a NUL character; remove it and try again.")
        escape = f"\\u{ord(self.character):04x}"
        if self.field:
            return _("The field “%(field)s” contains %(escape)s, a lone UTF-16 surrogate "
                     "that is not a character; send valid Unicode text.") % {
                "field": self.field, "escape": escape}
        return _("The request contains %(escape)s, a lone UTF-16 surrogate that is not a "
                 "character; send valid Unicode text.") % {"escape": escape}

    def as_json(self) -> dict:
        body = {"detail": self.message}
        if self.field:
            body["field"] = self.field
        return body


def in_text(text: str, field: str = "") -> Unstorable | None:
    found = _UNSTORABLE.search(text)
    # A field's path is echoed in the message: a key of a megabyte is not.
    return Unstorable(field[:100], found.group()) if found else None


def in_data(data, field: str = "") -> Unstorable | None:
    """The first unstorable string in parsed JSON (dict keys included), with its path
    written as `a.b.0`. Walked with a stack: a deeply nested document must not
    exhaust Python's recursion."""
    stack = [(field, data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if found := in_text(value, path):
                return found
        elif isinstance(value, dict):
            for key, item in value.items():
                key = str(key)
                if found := in_text(key, path):
                    return found
                stack.append((f"{path}.{key}" if path else key, item))
        elif isinstance(value, list):
            stack.extend((f"{path}.{i}" if path else str(i), item)
                         for i, item in enumerate(value))
    return None


def in_querydict(querydict) -> Unstorable | None:
    for key, values in querydict.lists():
        if found := in_text(key):
            return found
        for value in values:
            if found := in_text(value, key):
                return found
    return None
