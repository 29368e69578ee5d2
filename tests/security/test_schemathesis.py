"""The API answers as its OpenAPI document says, for a signed-in operator and for an
anonymous caller: Schemathesis generates requests from /api/openapi.json, positive
(fitting the schema) and negative (not fitting it), for every operation, against the
demo cooperative, and checks each answer.

Checks on:
- not_a_server_error: never a 500;
- status_code_conformance, content_type_conformance, response_schema_conformance,
  response_headers_conformance: every answer is one the document declares, in the
  declared shape;
- negative_data_rejection: input that does not fit the schema is refused (4xx);
- positive_data_acceptance: input that fits the schema is never refused as not fitting
  it (422). A 400 stays expected: it is the domain's refusal of input that fits the
  schema but not the rules ("the end comes before the start", a name already taken),
  which no JSON Schema can say; 401/403/404/409 are the other refusals of a valid
  request (not signed in, not allowed, no such thing, clashes with the current state);
- missing_required_header.
Checks off:
- ignored_auth: the anonymous pass below sends every operation without credentials
  and checks each answer against the document (401 where sign-in is required), which
  this check would repeat with two more requests per successful one;
- unsupported_method and allow_header_conformance act only on the requests of
  Schemathesis' coverage phase (undeclared methods, OPTIONS), not on generated ones:
  the 405 with `Allow` is Django's own;
- use_after_free and ensure_resource_availability need links between operations,
  which the document does not declare; object_level_authorization needs two signed-in
  identities per request (the permission matrix is tested per capability).

Path parameters of positive requests are either generated or the ids and short names of
real demo objects, so that requests reach the views' and services' checks and not only the
404 of an unknown id. Bounded and derandomized: the same requests on every run.
"""

import pytest
import schemathesis
from django.apps import apps
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from autogestion.accounts.services import create_api_token
from autogestion.config.wsgi import application
from autogestion.core.demo import load_demo

POSITIVE, NEGATIVE = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE
# Examples per operation and kind of input. An anonymous caller of a signed-in
# operation is refused (401) before any of its input is read: a few requests show it.
EXAMPLES = {POSITIVE: 15, NEGATIVE: 8}
REFUSED_BEFORE_INPUT = {POSITIVE: 2}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance,
          negative_data_rejection, positive_data_acceptance, missing_required_header]
CONFIG = schemathesis.Config.from_dict({"checks": {"positive_data_acceptance": {
    "expected-statuses": ["2xx", "400", "401", "403", "404", "409"]}}})

# Path parameter → the model whose rows it names. `token_id` is left generated: a real
# one would revoke the token the run signs in with.
REAL_OBJECTS = {
    "series_id": "assemblies.MeetingSeries", "item_id": "assemblies.AgendaItem",
    "membership_id": "cooperatives.Membership", "proposal_id": "decisions.Proposal",
    "group_id": "decisions.StarGroup", "room_id": "facilitation.Room",
    "account_id": "economy.Account", "payment_id": "economy.Payment",
    "request_id": "economy.PaymentRequest", "offer_id": "economy.Offer",
    "resource_id": "commons.SharedResource", "booking_id": "commons.Booking",
    "post_id": "work.Post", "skill_id": "work.Skill",
    "unavailability_id": "work.Unavailability", "rotation_id": "work.Rotation",
    "assignment_id": "work.Assignment", "knowledge_id": "work.Knowledge",
    "task_id": "work.Task",
}

real_values: dict[str, list] = {}


def _collect_real_values() -> None:
    real_values.clear()
    for name, label in REAL_OBJECTS.items():
        model = apps.get_model(label)
        real_values[name] = list(model.objects.order_by("pk").values_list("pk", flat=True)[:5])
    bodies = apps.get_model("cooperatives.Body").objects.order_by("pk")
    real_values["slug"] = list(bodies.values_list("slug", flat=True)[:6])
    meetings = apps.get_model("assemblies.Meeting").objects.order_by("original_start")
    plans = apps.get_model("work.DailyPlan").objects.order_by("day")
    real_values["day"] = sorted(
        {m.original_start.date().isoformat() for m in meetings[:3]}
        | {p.day.isoformat() for p in plans[:3]})
    session_model = "assemblies.ProgramSession"
    real_values["session_id"] = list(apps.get_model(session_model).objects
                                     .order_by("pk").values_list("pk", flat=True)[:5])


def _failures(headers: dict) -> list[str]:
    failures = []
    # Loaded here, not on import: the document is built from every router.
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application, config=CONFIG)
    for result in schema.get_all_operations():
        operation = result.ok()
        examples = EXAMPLES if headers or _is_public(operation) else REFUSED_BEFORE_INPUT
        for mode, count in examples.items():
            try:
                _exercise(operation, mode, count, headers)
            except (Exception, BaseExceptionGroup) as failure:  # Schemathesis' FailureGroup
                failures.append(f"{operation.label} [{mode.value}]: {failure}")
    return failures


def _is_public(operation) -> bool:
    return {} in operation.definition.raw.get("security", [])


def _exercise(operation, mode, count: int, headers: dict) -> None:
    @settings(max_examples=count, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=_cases(operation, mode))
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        assert mode == NEGATIVE  # nothing to negate (a plain string)


def _cases(operation, mode):
    generated = operation.as_strategy(generation_mode=mode)
    names = [p.name for p in operation.path_parameters]
    if mode != POSITIVE or not names:
        return generated
    # The i-th real value of each parameter: ids and short names that exist.
    count = max((len(real_values.get(name, [])) for name in names), default=0)
    real = [operation.as_strategy(generation_mode=mode, path_parameters={
        name: real_values[name][i % len(real_values[name])]
        for name in names if real_values.get(name)}) for i in range(count)]
    return st.one_of(generated, *real)


@pytest.fixture
def demo(db):
    load_demo()
    _collect_real_values()
    # Requests go through the WSGI handler, not the test client: as the client does,
    # keep Django from closing the test's connection (its open transaction) after each.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_api_answers_an_operator_as_documented(demo, make_person):
    operator = make_person("Operator", superuser=True)
    _, secret = create_api_token(person=operator, name="schemathesis", scope="full")
    failures = _failures({"Authorization": f"Bearer {secret}"})
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(failures)


def test_api_answers_an_anonymous_caller_as_documented(demo):
    failures = _failures({})
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(failures)
