"""Pages and API answer the same questions the same way: the resources listed to each
audience (and in which order), a resource's week of bookings, my bookings, the requests
I decide, and every refusal, with the same status for each role."""

import re

import pytest
from django.db import transaction

from autogestion.commons import services
from tests.support.http import api_client, client_for

from .conftest import at

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "outsider", "member", "coordinator", "operator", "other_coordinator")


def person(world, role):
    return None if role == "anonymous" else world[role]


def ids_in(pattern: str, page) -> list[int]:
    """The ids a page shows, in order, each once."""
    assert page.status_code == 200, page.status_code
    found = [int(n) for n in re.findall(pattern, page.content.decode())]
    return list(dict.fromkeys(found))


@pytest.fixture
def things(world, premises, van, make_person):
    """An open cooperative's premises and van, a closed group's safe, an open group's
    inactive projector; bookings and requests on them by several people."""
    hidden = services.create_resource(actor=world["coordinator"],
                                      steward=world["closed_group"], kind="tool",
                                      name="Coffre", audience="steward")
    projector = services.create_resource(actor=world["coordinator"],
                                         steward=world["open_group"], kind="tool",
                                         name="Projecteur", audience="network",
                                         is_active=False)
    booked = services.book_resource(actor=world["member"], resource_id=premises.pk,
                                    starts_at=at(12, 10), ends_at=at(12, 12),
                                    purpose="purpose-member")
    services.book_resource(actor=world["coordinator"], resource_id=premises.pk,
                           starts_at=at(13, 18), ends_at=at(13, 21), purpose="purpose-coord")
    cancelled = services.book_resource(actor=world["member"], resource_id=premises.pk,
                                       starts_at=at(15, 9), ends_at=at(15, 10))
    services.cancel_booking(actor=world["member"], booking_id=cancelled.pk)
    request = services.book_resource(actor=world["member"], resource_id=van.pk,
                                     starts_at=at(14, 9), ends_at=at(15, 18),
                                     purpose="purpose-request")
    secret = services.book_resource(actor=world["coordinator"], resource_id=hidden.pk,
                                    starts_at=at(12, 9), ends_at=at(12, 11),
                                    purpose="purpose-secret")
    return {"premises": premises, "van": van, "hidden": hidden, "projector": projector,
            "booked": booked, "request": request, "secret": secret}


class TestSameAnswers:
    @pytest.mark.parametrize("role", ROLES)
    def test_resources_listed_to_each_audience(self, world, things, role):
        page = client_for(person(world, role))
        api = api_client(person(world, role))
        rows = api.get("/api/resources").json()
        listed = ids_in(r'id="resource-(\d+)"', page.get("/resources/"))
        # The page puts those I may book first, in the API's order otherwise.
        assert listed == [r["id"] for r in sorted(rows, key=lambda r: not r["may_book"])]
        bookable = api.get("/api/resources?bookable=true").json()
        assert [r["id"] for r in bookable] == [r["id"] for r in rows if r["may_book"]]
        for slug in ("cit", "accueil"):
            assert ids_in(r'id="resource-(\d+)"', page.get(f"/bodies/{slug}/resources/")) \
                == [r["id"] for r in api.get(f"/api/resources?body={slug}").json()]

    @pytest.mark.parametrize("role", ROLES)
    @pytest.mark.parametrize("name", ["premises", "van", "hidden"])
    def test_a_resources_week_of_bookings(self, world, things, role, name):
        resource = things[name]
        page = client_for(person(world, role)).get(f"/resources/{resource.pk}/?week=2026-03-09")
        api = api_client(person(world, role)).get(
            f"/api/resources/{resource.pk}/bookings?from=2026-03-09&to=2026-03-15")
        assert page.status_code == api.status_code
        if api.status_code != 200:
            return
        slots = api.json()
        assert ids_in(r'data-booking="(\d+)"', page) == [b["id"] for b in slots]
        text = page.content.decode()
        # Who booked and why: shown to the same people.
        for purpose in ("purpose-member", "purpose-coord", "purpose-request",
                        "purpose-secret"):
            shown = any(b["purpose"] == purpose for b in slots)
            assert (purpose in text) == shown, (purpose, role)

    @pytest.mark.parametrize("role", ["member", "coordinator", "operator", "outsider"])
    def test_my_bookings(self, world, things, role):
        page = client_for(world[role]).get("/bookings/")
        mine = api_client(world[role]).get("/api/me/bookings").json()
        shown = ids_in(r'id="booking-(\d+)"', page)
        upcoming = [b["id"] for b in mine if b["ends_at"] >= "2026-03-10T12:00:00+01:00"]
        assert shown == upcoming
        assert {b["status"] for b in mine} <= {"confirmed", "requested", "cancelled"}

    @pytest.mark.parametrize("role", ["member", "coordinator", "operator", "outsider"])
    def test_requests_to_decide(self, world, things, role):
        page = client_for(world[role]).get("/bookings/")
        waiting = api_client(world[role]).get("/api/me/booking-requests").json()
        assert ids_in(r'id="request-(\d+)"', page) == [b["id"] for b in waiting]
        expected = [things["request"].pk] if role in ("coordinator", "operator") else []
        assert [b["id"] for b in waiting] == expected


# Refusals: each question asked of the page and of the API, by each role, each on a world
# rolled back after the answer, so that one side's success does not change the other's.

def _page_answer(response) -> str:
    if response.status_code == 302:
        return "login" if "/accounts/login/" in response["Location"] else "ok"
    return "ok" if response.status_code == 200 else str(response.status_code)


def _api_answer(response) -> str:
    if response.status_code == 401:
        return "login"
    return "ok" if response.status_code in (200, 201, 204) else str(response.status_code)


def _answer(shape, client, question, things) -> str:
    """What `client` gets for `question` (method, url, data), in a rolled-back savepoint."""
    method, url, data = question
    savepoint = transaction.savepoint()
    try:
        return shape(getattr(client, method)(_url(url, things),
                                             *([data] if data is not None else [])))
    finally:
        transaction.savepoint_rollback(savepoint)


def _booking_form(day=17, start="10:00", end="11:00"):
    return {"start_day": f"2026-03-{day}", "start_time": start, "end_time": end,
            "purpose": "x"}


def _booking_json(day=17, start=10, end=11):
    return {"starts_at": at(day, start).isoformat(), "ends_at": at(day, end).isoformat(),
            "purpose": "x"}


RESOURCE_FORM = {"kind": "tool", "name": "Scie", "place": "", "description": "",
                 "usage_rules": "", "audience": "steward", "open_days": ["1", "2"],
                 "opens_at": "08:00", "closes_at": "18:00", "horizon_days": "60",
                 "fee": "", "fee_currency": "", "fee_per": "booking", "is_active": "on"}
RESOURCE_JSON = {"kind": "tool", "name": "Scie", "audience": "steward", "open_days": [1, 2],
                 "opens_at": "08:00", "closes_at": "18:00", "horizon_days": 60}

# name -> (page: (method, url, data), api: (method, url, data)); urls take the things.
QUESTIONS = {
    "see the premises": (("get", "/resources/{premises}/", None),
                         ("get", "/api/resources/{premises}", None)),
    "see the safe": (("get", "/resources/{hidden}/", None),
                     ("get", "/api/resources/{hidden}", None)),
    "list the closed group's resources": (("get", "/bodies/caisse/resources/", None),
                                          ("get", "/api/resources?body=caisse", None)),
    "edit the premises": (("get", "/resources/{premises}/edit/", None),
                          ("patch", "/api/resources/{premises}", {})),
    "edit the safe": (("get", "/resources/{hidden}/edit/", None),
                      ("patch", "/api/resources/{hidden}", {})),
    "put a resource in common for CIT": (
        ("post", "/bodies/cit/resources/new/", RESOURCE_FORM),
        ("post", "/api/bodies/cit/resources", RESOURCE_JSON)),
    "put a resource in common for the closed group": (
        ("post", "/bodies/caisse/resources/new/", RESOURCE_FORM),
        ("post", "/api/bodies/caisse/resources", RESOURCE_JSON)),
    "book the premises": (("post", "/resources/{premises}/book/", _booking_form()),
                          ("post", "/api/resources/{premises}/bookings", _booking_json())),
    "book the safe": (("post", "/resources/{hidden}/book/", _booking_form()),
                      ("post", "/api/resources/{hidden}/bookings", _booking_json())),
    "book the inactive projector": (
        ("post", "/resources/{projector}/book/", _booking_form()),
        ("post", "/api/resources/{projector}/bookings", _booking_json())),
    "approve the van request": (("post", "/bookings/{request}/approve/", {}),
                                ("post", "/api/bookings/{request}/approve", {})),
    "decline the van request": (("post", "/bookings/{request}/decline/", {}),
                                ("post", "/api/bookings/{request}/decline", {})),
    "cancel the van request": (("post", "/bookings/{request}/cancel/", {}),
                               ("post", "/api/bookings/{request}/cancel", {})),
    "approve a confirmed booking": (("post", "/bookings/{booked}/approve/", {}),
                                    ("post", "/api/bookings/{booked}/approve", {})),
    "cancel the member's booking": (("post", "/bookings/{booked}/cancel/", {}),
                                    ("post", "/api/bookings/{booked}/cancel", {})),
    "cancel the closed group's booking": (("post", "/bookings/{secret}/cancel/", {}),
                                          ("post", "/api/bookings/{secret}/cancel", {})),
}


def _url(template: str, things) -> str:
    return template.format(**{name: obj.pk for name, obj in things.items()})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("question", list(QUESTIONS))
def test_refusals_have_the_same_status_on_the_page_and_in_the_api(world, things, question,
                                                                  role):
    on_page, in_api = QUESTIONS[question]
    page = _answer(_page_answer, client_for(person(world, role)), on_page, things)
    api = _answer(_api_answer, api_client(person(world, role)), in_api, things)
    assert page == api, (question, role)


def test_the_table_covers_each_kind_of_answer(world, things):
    """The questions above are not all answered alike: each role meets 404, 403, 409
    and success somewhere (so the parity is not between two blanket refusals)."""
    answers = set()
    for role in ("member", "coordinator", "outsider"):
        api = api_client(world[role])
        answers |= {_answer(_api_answer, api, in_api, things)
                    for _page, in_api in QUESTIONS.values()}
    assert {"ok", "403", "404", "409"} <= answers
