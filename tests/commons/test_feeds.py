"""The .ics feed of a resource, read back with an independent parser (the `ics`
package; the feed is written with `icalendar`): the confirmed bookings at their exact
times, who booked only for those who may know, closed bodies' feeds behind a session
or the person's secret calendar token."""

import ics
import pytest
from django.test import Client

from autogestion.assemblies.services import calendar_token_of, reset_calendar_token
from autogestion.commons import services

from .conftest import at

pytestmark = pytest.mark.django_db


def events_of(response) -> list:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = ics.Calendar(response.content.decode())
    return sorted(calendar.events, key=lambda e: e.begin)


@pytest.fixture
def booked(world, premises, van):
    """Two confirmed bookings of the premises (one across the clock change), a cancelled
    one and a request of the van that is not confirmed."""
    first = services.book_resource(actor=world["member"], resource_id=premises.pk,
                                   starts_at=at(14, 10), ends_at=at(14, 12),
                                   purpose="Atelier vélo")
    second = services.book_resource(actor=world["coordinator"], resource_id=premises.pk,
                                    starts_at=at(29, 9), ends_at=at(29, 11, 30),
                                    for_body=world["open_group"])
    gone = services.book_resource(actor=world["member"], resource_id=premises.pk,
                                  starts_at=at(15, 10), ends_at=at(15, 12))
    services.cancel_booking(actor=world["member"], booking_id=gone.pk)
    services.book_resource(actor=world["member"], resource_id=van.pk, starts_at=at(14, 9),
                           ends_at=at(14, 18))
    return first, second


def test_the_feed_holds_the_confirmed_bookings_at_their_times(world, premises, booked):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world["member"])
    first, second = events_of(client.get(f"/resources/{premises.pk}/calendar.ics"))
    assert (first.begin.datetime, first.end.datetime) == (at(14, 10), at(14, 12))
    # Sunday 29 March, after the change to summer time: 09:00 in Paris is 07:00 UTC.
    assert second.begin.datetime == at(29, 9) and second.begin.datetime.hour == 7
    assert (second.end - second.begin).total_seconds() == 2.5 * 3600
    assert first.name == "Local de la CIT — Member" and first.description == "Atelier vélo"
    assert second.name == "Local de la CIT — Accueil"
    assert first.location == "12 rue des Lois"
    assert first.uid == f"booking-{booked[0].pk}@autogestion"


def test_the_public_sees_the_slots_only(world, premises, booked):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/resources/{premises.pk}/calendar.ics")
    events = events_of(response)
    assert [e.name for e in events] == ["Local de la CIT — booked"] * 2
    assert all(not e.description for e in events)
    assert "private" not in response.get("Cache-Control", "")


def test_a_closed_bodys_feed_needs_a_member(world, make_person):
    hidden = services.create_resource(actor=world["coordinator"],
                                      steward=world["closed_group"], kind="tool",
                                      name="Coffre", audience="steward")
    services.book_resource(actor=world["coordinator"], resource_id=hidden.pk,
                           starts_at=at(14, 10), ends_at=at(14, 12))
    url = f"/resources/{hidden.pk}/calendar.ics"
    anonymous = Client()
    assert anonymous.get(url).status_code == 404
    assert anonymous.get(url + "?token=wrong").status_code == 404
    assert anonymous.get(url + f"?token={calendar_token_of(world['member']).token}") \
        .status_code == 404
    token = calendar_token_of(world["coordinator"]).token
    response = anonymous.get(url + f"?token={token}")
    assert [e.name for e in events_of(response)] == ["Coffre — Coordinator"]
    assert "private" in response["Cache-Control"]
    reset_calendar_token(person=world["coordinator"])
    assert anonymous.get(url + f"?token={token}").status_code == 404


def test_a_name_with_a_line_break_is_escaped_in_the_feed(world, premises):
    """A CR/LF in the resource's name used to make the feed answer 500."""
    services.update_resource(actor=world["coordinator"], resource_id=premises.pk,
                             name="Local\r\nX-INJECTED:1")
    response = Client().get(f"/resources/{premises.pk}/calendar.ics")
    assert response.status_code == 200
    assert b"\r\nX-INJECTED" not in response.content
    ics.Calendar(response.content.decode())  # still a calendar to an independent parser
