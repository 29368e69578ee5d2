"""Hostile inputs against every operation of the API, generated from its OpenAPI
document: a new endpoint is covered the day it is added, without a test of its own.

For every string field of every request body (and every text query parameter), an
operator signed in with a session sends a NUL, a lone surrogate, control characters, a
megabyte and CR/LF; for every operation, odd bodies (JSON behind text/plain with a NUL,
a body that is not JSON, a multipart form). Never a 5xx, and nothing the database
cannot store ends in it.

The world is the demo (built by services), loaded once per module in a transaction
rolled back at the end; each case runs in a savepoint of its own. The operator joins
the cooperative and the farm as a coordinator so that values reach the services rather
than stopping at "you are not a member"."""

import json
import re
from contextlib import contextmanager
from datetime import time, timedelta
from urllib.parse import quote

import pydantic
import pytest
from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import Max
from django.test import Client, RequestFactory
from django.utils import translation

from autogestion.cooperatives.models import ProgressUpdate
from autogestion.core.api_types import Text
from autogestion.core.parsers import RefusingParser
from tests.security import openapi
from tests.support.clock import travel

HOSTILE = {
    "nul": "a\x00b",
    "surrogate": "x\udfffy",
    "control": "a\x01b",
    "escape": "a\x1b[2Jb",
    "megabyte": "é" * 2**19,  # a megabyte of UTF-8
    "crlf": "a\r\nb",
}
# Refused at the door whatever the field: 400, and the field is named.
UNSTORABLE = {"nul", "surrogate"}


# --- The door, case by case (regressions of issue #11) --------------------------------

class TestTheDoor:
    @pytest.fixture(autouse=True)
    def _client(self, demo_world, db):
        self.client = demo_world.client()
        self.last = ProgressUpdate.objects.aggregate(last=Max("pk"))["last"]

    def written(self) -> list[str]:
        """Progress updates written by the test."""
        return list(ProgressUpdate.objects.filter(pk__gt=self.last).values_list("text",
                                                                                flat=True))

    def test_json_sent_as_text_plain_with_a_nul_is_refused(self):
        response = self.client.post("/api/bodies/cit/progress", '{"text": "a\\u0000b"}',
                                    content_type="text/plain")
        assert response.status_code == 400
        assert response.json() == {
            "detail": "The field “text” contains a NUL character; remove it and try again.",
            "field": "text"}
        assert self.written() == []

    def test_a_lone_surrogate_is_refused_naming_the_field(self):
        response = self.client.post("/api/bodies/cit/progress", '{"text": "x\\udfffy"}',
                                    content_type="application/json")
        assert response.status_code == 400
        assert response.json() == {
            "detail": "The field “text” contains \\udfff, a lone UTF-16 surrogate that is "
                      "not a character; send valid Unicode text.", "field": "text"}
        assert self.written() == []

    def test_a_surrogate_pair_is_a_character_and_welcome(self):
        response = self.client.post("/api/bodies/cit/progress",
                                    '{"text": "ok \\ud83c\\udf31"}',
                                    content_type="application/json")
        assert response.status_code == 201
        assert self.written() == ["ok \U0001f331"]

    def test_nested_values_and_keys_are_checked(self):
        response = self.client.post("/api/bodies/cit/progress",
                                    {"text": "fine", "extra": [{"deep\x00": 1}]},
                                    content_type="application/json")
        assert response.status_code == 400
        assert response.json()["field"] == "extra.0"
        assert self.written() == []

    def test_a_multipart_form_gets_415_send_json(self):
        response = self.client.post("/api/bodies/cit/progress", {"text": "hello"})
        assert response.status_code == 415
        assert response.json() == {
            "detail": "The API reads JSON only: send the body as application/json, not as "
                      "multipart/form-data."}
        assert self.written() == []

    def test_an_empty_form_is_no_body(self):
        # The test client (and some libraries) send one with a POST that has no data.
        assert self.client.post("/api/bodies/cit/leave").status_code == 200

    def test_a_body_that_is_not_json_is_refused(self):
        response = self.client.post("/api/bodies/cit/progress", "text=hello",
                                    content_type="text/plain")
        assert response.status_code == 400
        assert response.json() == {"detail": "Cannot parse request body"}

    def test_a_body_too_large_gets_413_in_json(self, settings):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
        response = self.client.post("/api/bodies/cit/progress", {"text": "a" * 2000},
                                    content_type="application/json")
        assert response.status_code == 413
        assert response.json() == {
            "detail": "The request body is larger than 1000 bytes; send less."}

    def test_a_nul_in_a_page_form_is_refused(self):
        response = self.client.post("/bodies/cit/progress/", {"text": "a\x00b"})
        assert response.status_code == 400
        assert response.json()["field"] == "text"
        assert self.written() == []

    def test_a_page_form_still_posts(self):
        response = self.client.post("/bodies/cit/progress/", {"text": "a\r\nb"})
        assert response.status_code == 302
        assert self.written() == ["a\r\nb"]

    def test_the_parser_refuses_without_the_door(self, settings):
        # The second lock: what the door would have refused, the API's parser refuses.
        settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE
                               if not m.endswith("InputDoorMiddleware")]
        response = self.client.post("/api/bodies/cit/progress",
                                    '{"text": "ok", "x": "a\\u0000"}',
                                    content_type="text/plain")
        assert response.status_code == 400
        assert self.written() == []


def test_the_parser_names_what_it_refuses():
    request = RequestFactory().post("/api/x", '{"a": ["x\\udfffy"]}',
                                    content_type="application/json")
    with translation.override("en"), pytest.raises(ValueError, match="“a.0” contains \\\\udfff"):
        RefusingParser().parse_body(request)


@pytest.mark.parametrize(("value", "problem"), [
    ("a\x00b", "must not contain the NUL character"),
    ("x\udfffy", "must not contain \\udfff, a lone UTF-16 surrogate"),
])
def test_the_text_type_refuses_what_no_database_stores(value, problem):
    with pytest.raises(pydantic.ValidationError, match=re.escape(problem)):
        pydantic.TypeAdapter(Text).validate_python(value)


# --- Every operation of the document ---------------------------------------------------

def _field_id(path: tuple) -> str:
    return ".".join(str(part) for part in path)


def _field_cases():
    for op in openapi.operations():
        fields = [("body", path) for path in openapi.string_fields(op.body)]
        fields += [("query", (name,)) for name, schema in op.query_params
                   if openapi.takes_text(schema)]
        for where, path in fields:
            # Servers refuse an address of a megabyte long before Django sees it.
            for name in [n for n in HOSTILE if where == "body" or n != "megabyte"]:
                case_id = f"{op.key} {where}:{_field_id(path)} {name}"
                reason = KNOWN_FAILURES.get((op.key, _field_id(path), name))
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                yield pytest.param(op, where, path, name, id=case_id, marks=marks)


# (operation, field, value) -> why it fails; the app's owner fixes it and removes the line.
KNOWN_FAILURES: dict[tuple[str, str, str], str] = {}

# (Content-Type, body, the answer; None: whatever the operation answers below 500, as
# one that reads no body ignores a body that is not JSON).
ODD_BODIES = {
    "text-plain-json-with-nul": ("text/plain", b'{"text": "a\\u0000b"}', 400),
    "not-json": ("application/json", b"<xml>hello</xml>", None),
    "multipart": ("multipart/form-data; boundary=BoUnDaRy",
                  b'--BoUnDaRy\r\nContent-Disposition: form-data; name="text"\r\n\r\n'
                  b"hello\r\n--BoUnDaRy--\r\n", 415),
}


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), travel(), translation.override("en"):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _build_world() -> "World":
    from autogestion.accounts.services import update_profile
    from autogestion.assemblies import queries as assembly_queries
    from autogestion.assemblies import services as assembly_services
    from autogestion.assemblies.models import MeetingSeries
    from autogestion.cooperatives import services as body_services
    from autogestion.cooperatives.models import Body
    from autogestion.cooperatives.rules import Role
    from autogestion.core import clock
    from autogestion.core.demo import load_demo
    from autogestion.economy import services as economy_services
    from autogestion.economy.models import Currency
    from autogestion.facilitation import services as room_services
    from autogestion.work.daily import services as daily

    admin = update_profile(person=load_demo()["admin"], language="en")
    cit, farm = Body.objects.get(slug="cit"), Body.objects.get(slug="champs-communs")
    body_services.join_body(person=admin, body=cit)
    body_services.join_body(person=admin, body=farm, college=farm.colleges.first())
    for body in (cit, farm):
        body_services.set_member_role(actor=admin, body=body, person=admin,
                                      role=Role.COORDINATOR)
    now = clock.now()
    agora = MeetingSeries.objects.get(body=cit, kind="agora")
    upcoming, later = assembly_queries.occurrences_of(agora, now, now + timedelta(days=70))[:2]
    room = room_services.open_room(actor=admin, occurrence=upcoming)
    # A circle whose next agenda is still open (the Agora's is fixed by now).
    circle = assembly_services.create_series(
        actor=admin, body=cit, title="Cercle", rrule="FREQ=WEEKLY",
        first_day=(now + timedelta(days=12)).date(), start_time=time(18), end_time=time(20))
    plan = daily.prepare_daily_plan(actor=admin, body=farm, day=clock.today() + timedelta(days=3))
    task = daily.add_task(actor=admin, plan_id=plan.pk, title="Weeding")
    account = economy_services.account_of(admin, Currency.objects.get(code="oseille"))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin)
    ids = _ids(admin=admin, cit=cit, farm=farm, agora=agora, upcoming=upcoming, later=later,
               room=room, plan=plan, task=task, account=account)
    ids.update(circle=circle.pk, circle_day=circle.first_day.isoformat())
    return World(cookies=client.cookies, ids=ids)


def _ids(*, admin, cit, farm, agora, upcoming, later, room, plan, task, account) -> dict:
    """Real ids (and days, slugs) that paths and bodies refer to, by name."""
    from autogestion.assemblies.models import AgendaItem, ProgramSession
    from autogestion.commons.models import Booking, SharedResource
    from autogestion.cooperatives.models import Membership
    from autogestion.decisions.models import Proposal, StarGroup
    from autogestion.economy.models import Account, Offer, Payment, PaymentRequest
    from autogestion.work.models import (
        Assignment,
        Knowledge,
        Post,
        Rotation,
        Skill,
        TrainingSession,
        Unavailability,
    )

    def local_day(occurrence) -> str:
        return occurrence.starts_at.astimezone(occurrence.tz).date().isoformat()

    draft = Rotation.objects.get(body=farm, status="draft")
    farmer = farm.memberships.filter(status="active").exclude(person=admin).first().person
    return {
        "cit": cit.slug, "farm": farm.slug, "open_group": "accueil", "admin": admin.pk,
        "farmer": farmer.pk, "account": account.pk,
        "other_account": Account.objects.filter(person=farmer).first().pk,
        "membership": Membership.objects.filter(status="pending").first().pk,
        "agora": agora.pk, "day": local_day(upcoming), "later_day": local_day(later),
        "item": AgendaItem.objects.filter(meeting__series=agora, status="accepted",
                                          meeting__starts_at__gte=upcoming.starts_at)
        .order_by("pk").first().pk,
        "session": ProgramSession.objects.first().pk,
        "open_proposal": Proposal.objects.get(body=cit, status="open").pk,
        "amendable_proposal": Proposal.objects.get(body=cit, status="amendable").pk,
        "star_group": StarGroup.objects.first().pk, "room": room.pk,
        "payment": Payment.objects.first().pk,
        "payment_request": PaymentRequest.objects.filter(status="pending").first().pk,
        "offer": Offer.objects.first().pk, "resource": SharedResource.objects.first().pk,
        "booking": Booking.objects.filter(status="requested").first().pk,
        "post": Post.objects.filter(body=farm).first().pk,
        "skill": Skill.objects.filter(confirmed_by=None).first().pk,
        "unavailability": Unavailability.objects.first().pk,
        "rotation": draft.pk, "rotation_day": draft.first_day.isoformat(),
        "assignment": Assignment.objects.filter(rotation=draft).first().pk,
        "knowledge": Knowledge.objects.first().pk,
        "training": TrainingSession.objects.first().pk,
        "plan_day": plan.day.isoformat(), "task": task.pk,
        "soon": (plan.day + timedelta(days=4)).isoformat(),
    }


# Which id fills a path parameter, by the segment before it; `bodies/{slug}` by the
# segment after it (the farm holds the posts, rotations and daily plans).
PATH_IDS = {
    ("memberships", "membership_id"): "membership", ("series", "series_id"): "agora",
    ("meetings", "series_id"): "agora", ("occurrences", "day"): "day",
    ("{series_id}", "day"): "day", ("agenda-items", "item_id"): "item",
    ("sessions", "session_id"): "session", ("proposals", "proposal_id"): "open_proposal",
    ("star-groups", "group_id"): "star_group", ("rooms", "room_id"): "room",
    ("accounts", "account_id"): "account", ("payments", "payment_id"): "payment",
    ("payment-requests", "request_id"): "payment_request", ("offers", "offer_id"): "offer",
    ("resources", "resource_id"): "resource", ("bookings", "booking_id"): "booking",
    ("posts", "post_id"): "post", ("skills", "skill_id"): "skill",
    ("unavailability", "unavailability_id"): "unavailability",
    ("rotations", "rotation_id"): "rotation", ("assignments", "assignment_id"): "assignment",
    ("knowledge", "knowledge_id"): "knowledge", ("training-sessions", "session_id"): "training",
    ("daily-plans", "day"): "plan_day", ("daily-tasks", "task_id"): "task",
}
FARM_PATHS = {"posts", "skills", "unavailability", "rotations", "pairings", "daily-summary",
              "daily-plans"}
# Operations that need another object than the usual one.
PATH_OVERRIDES = {
    "POST /api/bodies/{slug}/join": {"slug": "open_group"},
    "POST /api/proposals/{proposal_id}/revise": {"proposal_id": "amendable_proposal"},
    "POST /api/series/{series_id}/occurrences/{day}/items": {"series_id": "circle",
                                                              "day": "circle_day"},
}

# Meaningful bodies where the schema alone cannot tell (choices, ids, days): without
# them the hostile value would stop at a refusal of another field. Values are names of
# `_ids` when written as "@name".
BODIES = {
    "POST /api/bodies/{slug}/series": {
        "title": "Cercle", "first_day": "@soon", "start_time": "18:00", "end_time": "20:00",
        "rrule": "FREQ=WEEKLY"},
    "POST /api/series/{series_id}/occurrences/{day}/move": {
        "starts_at": "@day T11:00:00", "ends_at": "@day T18:00:00"},
    "POST /api/series/{series_id}/occurrences/{day}/sessions": {
        "title": "Atelier", "starts_at": "@day T11:00:00", "ends_at": "@day T12:00:00"},
    "POST /api/series/{series_id}/occurrences/{day}/items": {
        "title": "Point", "kind": "information"},
    "POST /api/agenda-items/{item_id}/delay": {"to": "@later_day"},
    "POST /api/bodies/{slug}/proposals": {
        "title": "Acheter une scie", "text": "Pour l'atelier.", "decision_class": "executive",
        "method": "consent"},
    "PUT /api/bodies/{slug}/decision-policy": {"policy": {"executive": "consent"}},
    "POST /api/proposals/{proposal_id}/position": {"stance": "fully_agree"},
    "POST /api/proposals/{proposal_id}/revise": {"text": "Revue."},
    "POST /api/rooms/{room_id}/act": {"action": "raise", "kind": "speak"},
    "POST /api/rooms/{room_id}/gestures": {"kind": "agree"},
    "POST /api/rooms/{room_id}/gestures/release": {"kind": "agree"},
    "PUT /api/rooms/{room_id}/roles": {"role": "timekeeper", "person_id": "@admin"},
    "POST /api/bodies/{slug}/currencies": {"code": "sel", "name": "Sel", "symbol": "S"},
    "POST /api/me/accounts": {"currency": "oseille"},
    "POST /api/bodies/{slug}/accounts": {"currency": "oseille", "kind": "cooperative"},
    "PUT /api/accounts/{account_id}/limits": {"debit_limit": "10", "credit_ceiling": "100"},
    "PUT /api/accounts/{account_id}/status": {"status": "locked"},
    "POST /api/payments": {"payer_id": "@account", "payee_id": "@other_account",
                           "amount": "1.00", "description": "Pain"},
    "POST /api/payments/across": {"payer_id": "@account", "payee_id": "@other_account",
                                  "amount": "1.00", "description": "Pain"},
    "POST /api/payment-requests": {"seller_id": "@account", "buyer_id": "@other_account",
                                   "amount": "1.00", "description": "Pain"},
    "POST /api/bodies/{slug}/offers": {"kind": "offer", "title": "Vélo", "category": "tools",
                                       "expires_on": "@soon", "description": "Prêté",
                                       "price_euros": "5.00"},
    "POST /api/bodies/{slug}/fund/movements": {
        "amount": "10.00", "category": "donation", "description": "Don",
        "happened_on": "@plan_day"},
    "POST /api/bodies/{slug}/resources": {"kind": "tool", "name": "Scie",
                                          "audience": "cooperative"},
    "POST /api/resources/{resource_id}/bookings": {
        "starts_at": "@soon T10:00:00+01:00", "ends_at": "@soon T11:00:00+01:00"},
    "POST /api/bodies/{slug}/unavailability": {"first_day": "@soon", "last_day": "@soon"},
    "POST /api/bodies/{slug}/rotations": {"first_day": "@soon", "period": "week"},
    "POST /api/rotations/{rotation_id}/assignments": {
        "day": "@rotation_day", "post_id": "@post", "person_id": "@farmer", "role": "holder"},
    "PATCH /api/rotations/{rotation_id}/assignments/{assignment_id}": {"person_id": "@farmer"},
    "POST /api/bodies/{slug}/knowledge": {"kind": "teach", "topic": "Greffer"},
    "POST /api/bodies/{slug}/training-sessions": {
        "teacher_id": "@admin", "learner_id": "@farmer", "starts_at": "@soon T10:00:00+01:00",
        "ends_at": "@soon T11:00:00+01:00"},
    "POST /api/bodies/{slug}/daily-plans": {"day": "@soon"},
    "POST /api/bodies/{slug}/daily-plans/{day}/tasks": {"title": "Traite"},
}
# A field that only counts with a given value of another one.
FIELD_BODIES = {
    ("POST /api/rooms/{room_id}/act", "name"): {"action": "add_guest"},
    ("POST /api/rooms/{room_id}/act", "who"): {"action": "give_floor"},
}
HEADERS = {"Idempotency-Key": "hostile-inputs-suite"}


class World:
    def __init__(self, *, cookies, ids):
        self.cookies, self.ids = cookies, ids

    def client(self) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.cookies.load({key: morsel.value for key, morsel in self.cookies.items()})
        return client

    def url(self, op: openapi.Operation) -> str:
        segments = op.path.split("/")
        overrides = PATH_OVERRIDES.get(op.key, {})
        for i, segment in enumerate(segments):
            if not segment.startswith("{"):
                continue
            name = segment[1:-1]
            if name in overrides:
                key = overrides[name]
            elif (segments[i - 1], name) == ("bodies", "slug"):
                after = segments[i + 1] if i + 1 < len(segments) else ""
                key = "farm" if after in FARM_PATHS else "cit"
            else:
                key = PATH_IDS.get((segments[i - 1], name))
            # Unknown to this suite: an id nothing has, the answer is then a 404.
            segments[i] = quote(str(self.ids[key] if key else 1))
        return "/".join(segments)

    def body(self, op: openapi.Operation, field: tuple = ()):
        body = openapi.example(op.body) if op.body else None
        extra = {**BODIES.get(op.key, {}), **FIELD_BODIES.get((op.key, _field_id(field)), {})}
        if extra:
            body = {**(body or {}), **{k: self._filled(v) for k, v in extra.items()}}
        return body

    def _filled(self, value):
        if isinstance(value, str) and value.startswith("@"):
            name, _, rest = value[1:].partition(" ")
            return self.ids[name] if not rest else f"{self.ids[name]}{rest}"
        return value


@contextmanager
def _written_tables():
    written: set[str] = set()
    pattern = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)

    def record(execute, sql, params, many, context):
        if found := pattern.match(sql):
            written.add(found.group(1))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield written


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _holds_unstorable(value) -> bool:
    if isinstance(value, str):
        return bool(_UNSTORABLE.search(value))
    if isinstance(value, dict):
        return any(_holds_unstorable(k) or _holds_unstorable(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_unstorable(item) for item in value)
    return False


def _assert_nothing_unstorable_in(tables: set[str]) -> None:
    for model in apps.get_models():
        if model._meta.db_table not in tables:
            continue
        fields = [f.attname for f in model._meta.concrete_fields
                  if isinstance(f, models.CharField | models.TextField | models.JSONField)]
        for row in model._default_manager.values_list("pk", *fields):
            assert not _holds_unstorable(row[1:]), (
                f"{model._meta.label} #{row[0]} holds a character no database stores")


def _send(client: Client, op: openapi.Operation, url: str, body, content_type: str):
    # UTF-8 as clients send it (a megabyte of "é" escaped as \u00e9 would be three), but
    # a lone surrogate has no UTF-8: only its JSON escape can carry it.
    data = json.dumps(body, ensure_ascii=_holds_unstorable(body)) if body is not None else ""
    headers = {name: HEADERS.get(name, "x") for name in op.header_params}
    return client.generic(op.method, url, data, content_type=content_type, headers=headers)


@pytest.mark.parametrize(("op", "where", "path", "name"), list(_field_cases()))
def test_hostile_value_in_a_string_field(op, where, path, name, demo_world, db,
                                         django_capture_on_commit_callbacks):
    value, url = HOSTILE[name], demo_world.url(op)
    client = demo_world.client()
    with _written_tables() as written, django_capture_on_commit_callbacks(execute=True):
        if where == "query":
            encoded = quote(value.encode("utf-8", "surrogatepass"))
            responses = [client.generic(op.method, f"{url}?{path[0]}={encoded}")]
        else:
            body = openapi.with_value(demo_world.body(op, path), path, value)
            content_types = ["application/json", "text/plain"] if name in UNSTORABLE else [
                "application/json"]
            responses = [_send(client, op, url, body, ct) for ct in content_types]
    for response in responses:
        assert response.status_code < 500, response.content[:500]
        if name in UNSTORABLE and where == "body":
            assert response.status_code == 400, response.content[:500]
            assert response.json()["field"].startswith(_field_id(path).replace("*", ""))
    if where == "query" and name == "nul":
        assert responses[0].status_code == 400
    _assert_nothing_unstorable_in(written)


@pytest.mark.parametrize("odd", list(ODD_BODIES))
@pytest.mark.parametrize("op", openapi.operations(), ids=lambda op: op.key)
def test_odd_bodies_are_refused(op, odd, demo_world, db):
    content_type, data, status = ODD_BODIES[odd]
    if status is None and op.body is not None:
        status = 400
    with _written_tables() as written:
        response = demo_world.client().generic(op.method, demo_world.url(op), data,
                                               content_type=content_type)
    if status is None:
        assert response.status_code < 500, response.content[:500]
    else:
        assert response.status_code == status, response.content[:500]
        assert not written
