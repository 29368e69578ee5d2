"""Pooled resources through the API: the same rules and messages as the pages; who
sees what; times with and without offsets; fees in the currency's units; refusals
that write nothing; bounded query counts."""

import pytest
from django.test import Client

from autogestion.commons import services
from autogestion.commons.models import Booking, SharedResource
from autogestion.economy.models import Payment
from tests.support.http import api_client, refused

from .conftest import at

pytestmark = pytest.mark.django_db

PEOPLE = ("outsider", "member", "coordinator", "operator", "other_coordinator")


@pytest.fixture
def clients(world):
    return {name: api_client(world[name]) for name in PEOPLE} | {"anonymous": api_client()}


def post(client, url, data=None):
    return client.post(url, data)


def patch(client, url, data):
    return client.patch(url, data)


def book(client, resource, start="2026-03-14T10:00:00+01:00", end="2026-03-14T12:00:00+01:00",
         **extra):
    return post(client, f"/api/resources/{resource.pk}/bookings",
                {"starts_at": start, "ends_at": end} | extra)


class TestResources:
    def test_create_read_update(self, world, oseille, clients):
        data = {"kind": "vehicle", "name": "Fourgon", "audience": "cooperative",
                "requires_approval": True, "open_days": [1, 2, 3, 4, 5, 6],
                "opens_at": "08:00", "closes_at": "20:00", "overnight": True,
                "longest_minutes": 4320, "fee": "10", "fee_currency": "oseille"}
        refused(post(clients["member"], "/api/bodies/cit/resources", data), 403)
        refused(post(clients["anonymous"], "/api/bodies/cit/resources", data), 401)
        refused(post(clients["outsider"], "/api/bodies/caisse/resources", data), 404)
        created = post(clients["coordinator"], "/api/bodies/cit/resources", data)
        assert created.status_code == 201, created.content
        body = created.json()
        assert body["fee"] == {"amount": {"minor": 1000, "value": "10.00"},
                               "currency": "oseille", "per": "booking"}
        assert body["open_days"] == [1, 2, 3, 4, 5, 6] and body["closes_at"] == "20:00"
        assert body["audience_body"] == "cit" and body["can_steward"]
        url = f"/api/resources/{body['id']}"
        seen = clients["anonymous"].get(url).json()
        assert seen["may_book"] is False and seen["name"] == "Fourgon"
        assert clients["member"].get(url).json()["may_book"] is True
        changed = patch(clients["coordinator"], url, {"fee": None, "closes_at": "24:00",
                                                      "longest_minutes": None})
        assert changed.status_code == 200, changed.content
        assert changed.json()["fee"] is None and changed.json()["closes_at"] == "00:00"
        assert changed.json()["longest_minutes"] is None
        refused(patch(clients["member"], url, {"name": "Mine"}), 403)
        refused(patch(clients["coordinator"], url, {"name": None}), 400, field="name")

    @pytest.mark.parametrize(("extra", "status", "field"), [
        ({"opens_at": "22:00", "closes_at": "08:00"}, 400, "closes_at"),
        ({"opens_at": "8h"}, 422, None),
        ({"open_days": [0]}, 400, "open_days"),
        ({"fee": "2.505", "fee_currency": "oseille"}, 400, "fee"),
        ({"fee": "abc", "fee_currency": "oseille"}, 400, "fee"),
        ({"fee": "2"}, 400, "fee_currency"),
        ({"fee": "2", "fee_currency": "nope"}, 400, "fee_currency"),
        ({"audience": "everyone"}, 400, "audience"),
        ({"kind": "castle"}, 400, "kind"),
        ({"name": "x\u0000y"}, 400, None),
    ])
    def test_bad_input(self, world, oseille, clients, extra, status, field):
        data = {"kind": "tool", "name": "Scie"} | extra
        response = post(clients["coordinator"], "/api/bodies/cit/resources", data)
        assert response.status_code == status, response.content
        if field:
            assert response.json()["field"] == field
        assert not SharedResource.objects.exists()

    def test_lists_hide_closed_groups_resources(self, world, premises, clients):
        services.create_resource(actor=world["coordinator"], steward=world["closed_group"],
                                 kind="tool", name="Coffre", audience="steward")
        names = {c: [r["name"] for r in clients[c].get("/api/resources").json()]
                 for c in ("anonymous", "member", "coordinator")}
        assert names["anonymous"] == names["member"] == ["Local de la CIT"]
        assert sorted(names["coordinator"]) == ["Coffre", "Local de la CIT"]
        assert clients["outsider"].get("/api/resources?bookable=true").json() == []
        assert [r["name"] for r in clients["member"].get(
            "/api/resources?body=accueil").json()] == []
        refused(clients["anonymous"].get("/api/resources?body=caisse"), 404)


class TestBookings:
    def test_book_with_offset_or_local_time(self, world, premises, clients):
        created = book(clients["member"], premises, purpose="Atelier")
        assert created.status_code == 201, created.content
        body = created.json()
        assert body["status"] == "confirmed" and body["mine"]
        assert body["starts_at"] == "2026-03-14T10:00:00+01:00"
        local = book(clients["member"], premises, "2026-03-14T12:00", "2026-03-14T13:30")
        assert local.status_code == 201
        assert Booking.objects.get(pk=local.json()["id"]).starts_at == at(14, 12)

    @pytest.mark.parametrize(("start", "end", "status", "field", "words"), [
        ("2026-03-14T12:00:00+01:00", "2026-03-14T10:00:00+01:00", 400, "ends_at",
         "The end must come after the start."),
        ("2026-03-14T06:00:00+01:00", "2026-03-14T07:00:00+01:00", 400, "starts_at",
         "is open 08:00 to 22:00"),
        ("2026-03-29T02:30", "2026-03-29T09:00", 400, "starts_at", "clocks change"),
        ("2026-03-01T10:00:00+01:00", "2026-03-01T12:00:00+01:00", 400, "starts_at",
         "has passed"),
        ("tomorrow", "2026-03-14T12:00:00+01:00", 422, None, ""),
    ])
    def test_bad_spans(self, premises, clients, start, end, status, field, words):
        refused(book(clients["member"], premises, start, end), status, field=field,
                contains=words)
        assert not Booking.objects.exists()

    def test_overlap_is_409_with_the_same_message_as_the_pages(self, world, premises,
                                                               clients):
        book(clients["coordinator"], premises)
        refused(book(clients["member"], premises, "2026-03-14T11:00:00+01:00",
                     "2026-03-14T13:00:00+01:00"), 409, field="starts_at",
                contains="Local de la CIT is already booked from Saturday 14 March 2026, 10:00 to "
                "12:00: choose another time.")
        assert Booking.objects.count() == 1

    def test_who_may_book(self, world, premises, clients):
        refused(book(clients["outsider"], premises), 403, contains="booked by the members of CIT")
        refused(book(clients["anonymous"], premises), 401)
        refused(book(clients["member"], premises, for_body="caisse"), 403, field="for_body")
        refused(book(clients["member"], premises, for_body="nowhere"), 400, field="for_body")
        assert not Booking.objects.exists()

    def test_approval_fee_and_cancelling(self, world, van, clients):
        created = book(clients["member"], van, "2026-03-14T09:00:00+01:00",
                       "2026-03-15T18:00:00+01:00", purpose="Marché")
        request = created.json()
        assert request["status"] == "requested" and request["fee"] is None
        waiting = clients["coordinator"].get("/api/me/booking-requests").json()
        assert [b["id"] for b in waiting] == [request["id"]]
        refused(post(clients["member"], f"/api/bookings/{request['id']}/approve"), 403,
                contains="Only the stewards of Fourgon decide")
        # A request is not a slot taken: to an outsider it does not exist.
        refused(post(clients["outsider"], f"/api/bookings/{request['id']}/approve"), 404)
        approved = post(clients["coordinator"], f"/api/bookings/{request['id']}/approve")
        assert approved.status_code == 200, approved.content
        assert approved.json()["fee"] == {"minor": 1000, "value": "10.00"}
        refused(post(clients["coordinator"], f"/api/bookings/{request['id']}/approve"), 409,
                contains="already confirmed")
        # The public sees the slot, not who or why, nor the fee.
        slots = clients["anonymous"].get(f"/api/resources/{van.pk}/bookings"
                                         "?from=2026-03-09&to=2026-03-15").json()
        assert [(s["booker"], s["purpose"], s["fee"]) for s in slots] == [(None, None, None)]
        mine = clients["member"].get("/api/me/bookings").json()
        assert mine[0]["purpose"] == "Marché" and mine[0]["fee"]["minor"] == 1000
        cancelled = post(clients["member"], f"/api/bookings/{request['id']}/cancel",
                         {"reason": "Plus besoin"})
        assert cancelled.json()["status"] == "cancelled"
        assert cancelled.json()["refund_request_id"] is not None
        assert Payment.objects.count() == 1

    def test_ranges(self, premises, clients):
        url = f"/api/resources/{premises.pk}/bookings"
        refused(clients["member"].get(url + "?from=14/03/2026"), 400, field="from")
        refused(clients["member"].get(url + "?from=2026-03-14&to=2026-03-01"), 400, field="to")
        refused(clients["member"].get(url + "?from=2026-01-01&to=2026-12-31"), 400, field="to")
        assert clients["anonymous"].get(url).json() == []
        refused(clients["member"].get("/api/resources/999999"), 404)
        refused(clients["member"].get("/api/bookings/999999"), 404)

    def test_lists_ask_a_bounded_number_of_queries(self, world, premises, van, clients,
                                                   make_person, django_assert_max_num_queries):
        from autogestion.cooperatives import services as bodies

        for n in range(10):
            person = make_person()
            bodies.join_body(person=person, body=world["coop"])
            services.book_resource(actor=person, resource_id=premises.pk,
                                   starts_at=at(11, 8 + n), ends_at=at(11, 9 + n))
            services.book_resource(actor=person, resource_id=van.pk, starts_at=at(16, 9),
                                   ends_at=at(16, 10))
        for who in ("member", "coordinator", "anonymous"):
            for url in ("/api/resources", f"/api/resources/{premises.pk}/bookings"
                        "?from=2026-03-09&to=2026-03-20", "/api/me/bookings",
                        "/api/me/booking-requests"):
                with django_assert_max_num_queries(10):
                    clients[who].get(url)


def test_openapi_lists_the_endpoints(world):
    paths = Client().get("/api/openapi.json").json()["paths"]
    for path in ("/api/resources", "/api/resources/{resource_id}",
                 "/api/bodies/{slug}/resources", "/api/resources/{resource_id}/bookings",
                 "/api/bookings/{booking_id}/approve", "/api/me/bookings",
                 "/api/me/booking-requests"):
        assert path in paths, path
