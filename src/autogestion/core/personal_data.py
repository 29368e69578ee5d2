"""All of one person's data, gathered from every app (GDPR art. 15 and 20).

Each app has a `personal_data.py` whose `export(person)` returns
{"<model_name>": [rows]} for every one of its models pointing to a person (a foreign
key to the user, whatever its name: author, actor, booker, teacher...). Each row is a
dict with at least the row's "id". Its apps.py names it (`personal_data`, see
core/registry.py); `export()` here puts them together under each app's label.
tests/accounts/test_personal_data.py walks every model with a foreign key to the user
and fails when a row pointing to someone is missing from that person's export.
"""

from datetime import date, datetime, time
from decimal import Decimal
from uuid import UUID

from django.db.models import Q

from . import registry

SECRET_FIELDS = {"password", "key_hash", "token", "secret"}


def export(person) -> dict:
    return {label: exporter(person)
            for label, exporter in registry.personal_data_exporters().items()}


def rows_of(queryset, person, *person_fields: str, exclude=()) -> list[dict]:
    """The rows of `queryset` where any of `person_fields` is `person`, as plain dicts:
    every concrete field, foreign keys as their id (`<name>_id`), dates in ISO 8601."""
    match = Q()
    for name in person_fields:
        match |= Q(**{name: person})
    model = queryset.model
    fields = [f for f in model._meta.concrete_fields
              if f.attname not in exclude and f.name not in exclude
              and f.name not in SECRET_FIELDS]
    return [{("id" if f.primary_key else f.attname): plain(getattr(row, f.attname))
             for f in fields}
            for row in queryset.filter(match).order_by("pk")]


def plain(value):
    """A value JSON can hold, readable by the person."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    if isinstance(value, list | dict | str | int | float | bool) or value is None:
        return value
    return str(value)
