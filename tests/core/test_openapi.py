"""The OpenAPI document at /api/openapi.json says what the API does: it is a valid
OpenAPI 3.1 document, each schema has its own name, every operation documents the
refusals it answers and public reads need no credentials; and the answers the document
promises hold (a body that is not an object, a caller not signed in, times without an
offset, whole numbers written 30.0, a proposal's text within its limit)."""

import json
import typing
from datetime import time

import pytest
from django.test import Client
from openapi_spec_validator import validate
from pydantic import BaseModel, ValidationError

# core.api registers the routers, which import it: it comes first, as in the URLconf.
from autogestion.core.api import api  # isort: skip
from autogestion.assemblies.api import AgendaItemIn, AttendanceIn, SeriesIn, SessionIn
from autogestion.commons.services import MAX_LONGEST_MINUTES
from autogestion.core.errors import DomainError
from autogestion.decisions import services as decisions
from autogestion.decisions.forms import ProposalForm, RevisionForm
from autogestion.decisions.services import MAX_PROPOSAL_TEXT

JSON = "application/json"
SIGN_IN = "Sign in, or send a personal API token as 'Authorization: Bearer <token>'."
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def document() -> dict:
    return json.loads(Client().get("/api/openapi.json").content)


def operations(document):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def is_public(operation) -> bool:
    return {} in operation.get("security", [])


# The document ----------------------------------------------------------------------------

def test_the_document_is_valid_openapi(document):
    validate(document)


def test_no_two_models_share_a_schema_name():
    """Two classes of one name would be one component: the last one wins, and the other
    operations are documented with its fields."""
    seen: dict[str, set[type]] = {}
    for operation in _api_operations():
        for model in _models_of(operation):
            seen.setdefault(model.__name__, set()).add(model)
    shared = {name: sorted(f"{m.__module__}.{m.__qualname__}" for m in models)
              for name, models in seen.items() if len(models) > 1}
    assert shared == {}


def test_an_agenda_item_is_documented_with_its_own_fields(document):
    body = document["paths"]["/api/series/{series_id}/occurrences/{day}/items"]["post"]
    ref = body["requestBody"]["content"][JSON]["schema"]["$ref"]
    fields = document["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
    assert set(fields) == {"title", "description", "kind", "duration_minutes"}


def test_every_operation_documents_its_refusals(document):
    problems = []
    for label, operation in operations(document):
        codes = {int(code) for code in operation["responses"]}
        refusals = {code for code in codes if 400 <= code < 500}
        takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
        if not refusals and not is_public(operation):
            problems.append(f"{label}: no 4xx")
        if not is_public(operation) and 401 not in codes:
            problems.append(f"{label}: signed in, without 401")
        if takes_input and not {400, 422} & codes:
            problems.append(f"{label}: takes input, without 400 or 422")
        if "{" in label and 404 not in codes:
            problems.append(f"{label}: names a thing, without 404")
        for code in refusals:
            schema = operation["responses"][str(code)]["content"][JSON]["schema"]
            if schema != {"$ref": "#/components/schemas/ErrorOut"}:
                problems.append(f"{label}: {code} is not an ErrorOut")
    assert problems == []


def test_the_error_schema(document):
    error = document["components"]["schemas"]["ErrorOut"]
    assert error["required"] == ["detail"]
    assert set(error["properties"]) == {"detail", "field", "errors"}


PUBLIC_READS = {
    "GET /api/bodies", "GET /api/bodies/{slug}", "GET /api/bodies/{slug}/members",
    "GET /api/bodies/{slug}/series", "GET /api/series/{series_id}/occurrences",
    "GET /api/series/{series_id}/occurrences/{day}", "GET /api/bodies/{slug}/proposals",
    "GET /api/bodies/{slug}/decision-policy", "GET /api/proposals/{proposal_id}",
    "GET /api/decisions", "GET /api/rooms/{room_id}", "GET /api/resources",
    "GET /api/resources/{resource_id}", "GET /api/resources/{resource_id}/bookings",
    "GET /api/bookings/{booking_id}",
    # The invitation's token is the credential: whoever holds the link reads what it opens.
    "GET /api/invitations/{token}",
}


def test_public_reads_need_no_credentials(document):
    public = {label for label, operation in operations(document) if is_public(operation)}
    assert public == PUBLIC_READS
    for label, operation in operations(document):
        if label in PUBLIC_READS:
            assert operation["security"] == [{"TokenAuth": []}, {"SessionAuth": []}, {}]
            assert "401" not in operation["responses"], label


def test_times_of_day_carry_no_offset(document):
    """JSON Schema's `format: time` demands an offset, which a series' start (a time
    where it meets) has not."""
    text = json.dumps(document)
    assert '"format": "time"' not in text
    start = document["components"]["schemas"]["SeriesOut"]["properties"]["start_time"]
    assert start["type"] == "string"
    assert start["pattern"] == "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,6})?)?$"


def test_bounds_are_written_as_json_schema(document):
    text = json.dumps(document)
    assert '"ge":' not in text and '"le":' not in text
    ceiling = document["components"]["schemas"]["ResourceIn"]["properties"]["longest_minutes"]
    assert ceiling["anyOf"][0] == {"type": "integer", "minimum": 1,
                                   "maximum": MAX_LONGEST_MINUTES}


# What the document promises ---------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("body", ["[]", "null", "1", '"Camille"'])
def test_a_profile_change_is_a_json_object(make_person, body):
    person = make_person("Camille")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person)
    answer = client.patch("/api/me", body, content_type=JSON)
    assert answer.status_code == 422
    assert answer.json()["detail"] == ("Invalid input — request: Value error, send the body "
                                       "as a JSON object, {\"field\": value, ...}")
    person.refresh_from_db()
    assert person.display_name == "Camille"


@pytest.mark.django_db
def test_a_profile_change_refuses_a_name_longer_than_its_column(make_person):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_person("Camille"))
    answer = client.patch("/api/me", {"phone": "0" * 41}, content_type=JSON)
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"field": "phone", "message":
                                        "String should have at most 40 characters"}]


@pytest.mark.django_db
@pytest.mark.parametrize("enforce_csrf_checks", [False, True])
def test_an_anonymous_write_is_asked_to_sign_in(world, enforce_csrf_checks):
    client = Client(HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=enforce_csrf_checks)
    answer = client.post("/api/bodies/cit/join", {}, content_type=JSON)
    assert answer.status_code == 401
    assert answer.json() == {"detail": SIGN_IN}


@pytest.mark.django_db
def test_a_signed_in_session_still_needs_its_csrf_token(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)
    client.force_login(world["outsider"])
    answer = client.post("/api/bodies/cit/join", {}, content_type=JSON)
    assert answer.status_code == 403
    assert answer.json() == {"detail": "CSRF check Failed"}
    assert not world["coop"].memberships.filter(person=world["outsider"]).exists()


def test_whole_numbers_may_be_written_with_a_decimal_point():
    item = {"title": "Bread oven", "duration_minutes": 30.0}
    assert AgendaItemIn.model_validate(item).duration_minutes == 30
    for wrong in (True, "30", 30.5):
        with pytest.raises(ValidationError):
            AgendaItemIn.model_validate(item | {"duration_minutes": wrong})


def test_ids_beyond_a_bigint_are_refused():
    with pytest.raises(ValidationError):
        AttendanceIn.model_validate({"person_ids": [2**63]})


def test_times_of_day_are_read_without_offset():
    series = {"title": "Agora", "first_day": "2026-01-31", "start_time": "14:00",
              "end_time": "18:00:00"}
    read = SeriesIn.model_validate(series)
    assert (read.start_time, read.end_time) == (time(14), time(18))
    for wrong in ("14:00+01:00", "14:00Z", 50400, "2pm"):
        with pytest.raises(ValidationError):
            SeriesIn.model_validate(series | {"start_time": wrong})


def test_dates_and_moments_are_read_from_text_only():
    session = {"title": "Bread workshop", "starts_at": "2026-01-31T14:00"}
    for fine in ("2026-01-31T14:00", "2026-01-31T14:00:30+01:00", "2026-01-31T13:00Z"):
        assert SessionIn.model_validate(session | {"starts_at": fine}).starts_at.hour in (13, 14)
    for wrong in (0, 1769868000, "2026-01-31", "2026-01-31 14:00", "31/01/2026 14:00"):
        with pytest.raises(ValidationError):
            SessionIn.model_validate(session | {"starts_at": wrong})
    series = {"title": "Agora", "first_day": "2026-01-31", "start_time": "14:00",
              "end_time": "18:00"}
    for wrong in (0, "2026-01-31T00:00", "31/01/2026"):
        with pytest.raises(ValidationError):
            SeriesIn.model_validate(series | {"first_day": wrong})


# The length of a proposal -------------------------------------------------------------------

TOO_LONG = "x" * (MAX_PROPOSAL_TEXT + 1)
LIMIT_MESSAGE = ("A proposal's text has at most 20,000 characters: shorten it, or link to "
                 "a longer document.")


@pytest.mark.django_db
def test_the_api_refuses_a_proposal_text_beyond_the_limit(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world["member"])
    proposal = {"title": "Longer opening hours", "decision_class": "executive"}
    answer = client.post("/api/bodies/cit/proposals", proposal | {"text": TOO_LONG},
                         content_type=JSON)
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"field": "text", "message":
                                        "String should have at most 20000 characters"}]
    assert not world["coop"].proposals.exists()
    fits = client.post("/api/bodies/cit/proposals",
                       proposal | {"text": "x" * MAX_PROPOSAL_TEXT}, content_type=JSON)
    assert fits.status_code == 201, fits.content


def test_the_page_forms_refuse_a_proposal_text_beyond_the_limit():
    form = ProposalForm({"title": "Longer opening hours", "text": TOO_LONG,
                         "decision_class": "executive"})
    assert form.errors["text"] == ["Ensure this value has at most 20000 characters "
                                   "(it has 20001)."]
    assert RevisionForm({"text": TOO_LONG}).errors["text"] == [
        "Ensure this value has at most 20000 characters (it has 20001)."]


@pytest.mark.django_db
def test_the_services_refuse_a_proposal_text_beyond_the_limit(world):
    with pytest.raises(DomainError) as refused:
        decisions.create_proposal(actor=world["member"], body=world["coop"],
                                  title="Longer opening hours", text=TOO_LONG,
                                  decision_class="executive")
    assert (str(refused.value), refused.value.field) == (LIMIT_MESSAGE, "text")
    proposal = decisions.create_proposal(actor=world["member"], body=world["coop"],
                                         title="Longer opening hours", text="Open at 8.",
                                         decision_class="executive")
    with pytest.raises(DomainError) as refused:
        decisions.open_next_round(actor=world["member"], proposal_id=proposal.pk,
                                  text=TOO_LONG)
    assert (str(refused.value), refused.value.field) == (LIMIT_MESSAGE, "text")


# Reading the API's models --------------------------------------------------------------------

def _api_operations():
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            yield from path_view.operations


def _models_of(operation):
    found: set[type] = set()
    roots = list(operation.models) + [m for m in operation.response_models.values()
                                      if isinstance(m, type)]
    for root in roots:
        for field in root.model_fields.values():
            _collect(field.annotation, found)
    return found


def _collect(annotation, found: set[type]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for field in annotation.model_fields.values():
            _collect(field.annotation, found)
    for argument in typing.get_args(annotation):
        _collect(argument, found)


@pytest.mark.parametrize("moment", ["0000-00-00T00:00", "2026-02-30T10:00", "5710-54-82T13:37"])
def test_a_moment_of_the_right_shape_that_is_no_day_is_refused_with_400(moment, world):
    """Schemathesis found these accepted by the document's pattern and refused with 422:
    a day that does not exist is the domain's refusal, said in words."""
    client = Client()
    client.force_login(world["coordinator"])
    response = client.post("/api/bodies/cit/proposals", {
        "title": "Un titre", "text": "Un texte", "decision_class": "executive",
        "deadline": moment}, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "is not a day of the calendar" in response.json()["detail"]
