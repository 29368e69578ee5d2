"""The API's operations as the OpenAPI document describes them, for suites that must
cover every endpoint without a test written for each: a new endpoint is covered the day
it is added.

Only the document is read (`api.get_openapi_schema()`), at import time, so each
operation can be a parametrized case of its own."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

from tests.support.clock import SUITE_NOW

METHODS = ("get", "post", "put", "patch", "delete")
_PARAM = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True, eq=False)
class Operation:
    method: str  # upper case
    path: str  # with {placeholders}, as in the document
    operation_id: str
    path_params: tuple[str, ...]
    query_params: tuple[tuple[str, dict], ...]  # (name, resolved schema)
    header_params: tuple[str, ...]
    body: dict | None  # resolved schema

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


@cache
def document() -> dict:
    from autogestion.core.api import api

    return api.get_openapi_schema()


def resolve(schema, components: dict | None = None):
    """The schema with every $ref replaced by what it points to (no cycles here)."""
    components = components if components is not None else document()["components"]["schemas"]
    if isinstance(schema, dict):
        if "$ref" in schema:
            return resolve(components[schema["$ref"].rsplit("/", 1)[-1]], components)
        return {key: resolve(value, components) for key, value in schema.items()}
    if isinstance(schema, list):
        return [resolve(item, components) for item in schema]
    return schema


@cache
def operations() -> tuple[Operation, ...]:
    found = []
    for path, item in document()["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            params = op.get("parameters", [])
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            found.append(Operation(
                method=method.upper(), path=path, operation_id=op["operationId"],
                path_params=tuple(_PARAM.findall(path)),
                query_params=tuple((p["name"], resolve(p.get("schema", {})))
                                   for p in params if p["in"] == "query"),
                header_params=tuple(p["name"] for p in params if p["in"] == "header"),
                body=resolve(body["schema"]) if body else None))
    return tuple(found)


def variants(schema: dict) -> list[dict]:
    """The alternatives of an anyOf/oneOf, without null; the schema itself otherwise."""
    options = schema.get("anyOf") or schema.get("oneOf")
    if not options:
        return [schema]
    return [v for option in options for v in variants(option) if v.get("type") != "null"]


def takes_text(schema: dict) -> bool:
    return any(v.get("type") == "string" for v in variants(schema))


def string_fields(schema: dict | None, path: tuple = ()) -> list[tuple]:
    """Paths to every place a string may go: property names, `0` for an array's item,
    `*` for a value of a free-form object."""
    if not schema:
        return []
    found = [path] if path and takes_text(schema) else []
    for option in variants(schema):
        kind = option.get("type")
        if kind == "object":
            for name, sub in option.get("properties", {}).items():
                found += string_fields(sub, (*path, name))
            extra = option.get("additionalProperties")
            if isinstance(extra, dict):
                found += string_fields(extra, (*path, "*"))
        elif kind == "array" and isinstance(option.get("items"), dict):
            found += string_fields(option["items"], (*path, 0))
    return list(dict.fromkeys(found))


def example(schema: dict):
    """A value the schema accepts, as plain as possible; the suite's own examples
    make it meaningful where the schema cannot tell (ids, states, choices)."""
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    option = variants(schema)[0] if variants(schema) else {}
    kind = option.get("type")
    if kind == "object":
        required = option.get("required", [])
        return {name: example(sub) for name, sub in option.get("properties", {}).items()
                if name in required}
    if kind == "array":
        count = option.get("minItems", 0)
        return [example(option.get("items", {})) for _ in range(count)]
    if kind == "integer":
        return max(option.get("minimum", 1), 1)
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if kind == "string":
        return _example_string(option)
    return None


def _example_string(schema: dict) -> str:
    later = SUITE_NOW + timedelta(days=10)
    formats = {"date": date.isoformat(later.date()), "time": time(10).isoformat("minutes"),
               "date-time": datetime.isoformat(later)}
    if schema.get("format") in formats:
        return formats[schema["format"]]
    plain = "x" * max(schema.get("minLength", 1), 1)
    if "pattern" in schema:
        # The first of a few usual shapes the pattern accepts (times, amounts, codes).
        for candidate in ("10:00", "1", "1.50", plain, *formats.values()):
            if re.search(schema["pattern"], candidate):
                return candidate
    return plain


def with_value(body, path: tuple, value):
    """A copy of `body` where the place at `path` holds `value`, creating what is
    missing on the way."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if head == 0:
        items = list(body) if isinstance(body, list) and body else [None]
        items[0] = with_value(items[0], rest, value)
        return items
    copy = dict(body) if isinstance(body, dict) else {}
    if head == "*":
        head = next(iter(copy), "key")
    copy[head] = with_value(copy.get(head), rest, value)
    return copy
