"""Review probes: bad input answers 4xx with a message (never a 500) and writes
nothing; ids of other resources' bookings are refused."""

import pytest

from autogestion.commons import services
from autogestion.commons.models import Booking
from tests.support import http

from .conftest import at

pytestmark = pytest.mark.django_db

JSON = "application/json"


def client_for(person):
    """A probe answers whatever the site answers: an exception is a 500, not a crash."""
    client = http.client_for(person)
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("start, end", [
    ("2026-03-14T10:00:00+01:00", "9999-12-31T23:00:00-10:00"),
    ("0001-01-01T00:00:00+14:00", "2026-03-14T12:00:00+01:00"),
    ("9999-12-31T23:59:59", "9999-12-31T23:59:59"),
    ("2026-03-14T10:00:00+01:00", "2026-03-14T25:00:00+01:00"),
    ("", "2026-03-14T12:00:00+01:00"),
    (12, None),
])
def test_api_booking_with_extreme_times(world, premises, start, end):
    answer = client_for(world["member"]).post(
        f"/api/resources/{premises.pk}/bookings", {"starts_at": start, "ends_at": end},
        content_type=JSON)
    assert 400 <= answer.status_code < 500, answer.content
    assert not Booking.objects.exists()


@pytest.mark.parametrize("data", [
    {"start_day": "9999-12-31", "start_time": "10:00", "end_time": "00:00"},
    {"start_day": "0000-01-01", "start_time": "10:00", "end_time": "12:00"},
    {"start_day": "2026-03-14", "start_time": "25:00", "end_time": "12:00"},
    {"start_day": "2026-03-14", "start_time": "10:00", "end_time": "12:00",
     "for_body": "99999999999999999999999"},
    {"start_day": "2026-03-14", "start_time": "10:00", "end_time": "12:00",
     "purpose": "a\x00b"},
    {},
])
def test_page_booking_with_bad_input(world, premises, data):
    answer = client_for(world["member"]).post(f"/resources/{premises.pk}/book/", data)
    assert 400 <= answer.status_code < 500, answer.content[:2000]
    assert not Booking.objects.exists()


@pytest.mark.parametrize("url", [
    "/resources/9223372036854775808/", "/resources/99999999999999999999999/",
    "/api/resources/9223372036854775808", "/api/bookings/99999999999999999999",
    "/resources/{pk}/?week=9999-12-31", "/resources/{pk}/?week=0001-01-01",
    "/resources/{pk}/?week=2026-02-30", "/resources/{pk}/calendar.ics?token=%00",
    "/api/resources/{pk}/bookings?from=9999-12-25&to=9999-12-31",
    "/api/resources/{pk}/bookings?from=2026-01-01%00",
    "/api/resources?body=%00", "/bookings/",
])
def test_reading_with_bad_input(world, premises, url):
    answer = client_for(world["member"]).get(url.format(pk=premises.pk))
    assert answer.status_code < 500, answer.content[:2000]


def test_only_stewards_decide_and_only_bookers_cancel(world, premises, van):
    """A booking id in the URL gives no power over it to someone else."""
    booking = services.book_resource(actor=world["member"], resource_id=van.pk,
                                     starts_at=at(14, 10), ends_at=at(14, 12))
    # A request is not a slot taken: an outsider does not see it (404, as the API).
    answer = client_for(world["outsider"]).post(f"/bookings/{booking.pk}/cancel/")
    assert answer.status_code == 404
    answer = client_for(world["member"]).post(f"/bookings/{booking.pk}/approve/")
    assert answer.status_code == 403
    booking.refresh_from_db()
    assert booking.status == "requested"


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        answer = client.get(url)
    assert answer.status_code == 200, (url, answer.status_code)
    return len(captured)


def test_query_counts_do_not_grow_with_bookings(world, premises, van, make_person):
    from autogestion.cooperatives import services as bodies

    urls = ["/resources/", f"/resources/{premises.pk}/?week=2026-03-09",
            f"/resources/{van.pk}/?week=2026-03-09", "/bookings/", "/bodies/cit/resources/",
            "/api/resources", "/api/me/bookings", "/api/me/booking-requests",
            f"/api/resources/{premises.pk}/bookings?from=2026-03-09&to=2026-03-22",
            f"/api/resources/{van.pk}/bookings?from=2026-03-09&to=2026-03-22",
            f"/resources/{premises.pk}/calendar.ics"]
    coordinator = client_for(world["coordinator"])

    def grow(first_hour):
        for n in range(3):
            person = make_person(f"P{first_hour}{n}")
            bodies.join_body(person=person, body=world["coop"])
            services.book_resource(actor=person, resource_id=premises.pk,
                                   starts_at=at(12 + n, first_hour),
                                   ends_at=at(12 + n, first_hour + 1), purpose="x")
            services.book_resource(actor=person, resource_id=van.pk,
                                   starts_at=at(12 + n, first_hour),
                                   ends_at=at(12 + n, first_hour + 1))
            services.book_resource(actor=world["coordinator"], resource_id=premises.pk,
                                   starts_at=at(16 + n, first_hour),
                                   ends_at=at(16 + n, first_hour + 1))

    grow(8)
    for url in urls:  # the first visit creates the person's calendar token
        _queries(coordinator, url)
    before = {url: _queries(coordinator, url) for url in urls}
    grow(10)
    after = {url: _queries(coordinator, url) for url in urls}
    assert before == after


def test_the_public_does_not_read_requests_by_id(world, van):
    """An open body's resource shows the public the slots taken, not the requests."""
    booking = services.book_resource(actor=world["member"], resource_id=van.pk,
                                     starts_at=at(14, 10), ends_at=at(14, 12), purpose="move")
    assert booking.status == "requested"
    url = f"/api/bookings/{booking.pk}"
    assert client_for(None).get(url).status_code == 404
    assert client_for(world["other_coordinator"]).get(url).status_code == 404
    for person in ("member", "coordinator"):
        assert client_for(world[person]).get(url).json()["purpose"] == "move"
    services.approve_booking(actor=world["coordinator"], booking_id=booking.pk)
    public = client_for(None).get(url).json()
    assert (public["status"], public["booker"], public["purpose"]) == ("confirmed", None, None)
