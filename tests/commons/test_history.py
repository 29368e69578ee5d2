"""A booking's history (core.history): its creation writes the first event, each change
of status one more, through the one transition function; a refused change writes none;
the API's booking detail and the "my bookings" page show it, each to whom it may."""

import pytest

from autogestion.commons import services
from autogestion.commons.models import Booking, BookingEvent
from autogestion.core.errors import Conflict
from tests.support.http import api_client, client_for, refused

from .conftest import NOW, at

pytestmark = pytest.mark.django_db


def steps(booking) -> list[tuple]:
    return [(e.from_status, e.to_status, e.actor, e.reason)
            for e in BookingEvent.objects.filter(booking=booking).order_by("at", "pk")]


def book(person, resource, start, end, **extra) -> Booking:
    return services.book_resource(actor=person, resource_id=resource.pk, starts_at=start,
                                  ends_at=end, **extra)


class TestEvents:
    def test_a_booking_confirmed_at_once_has_one_event(self, world, premises):
        booking = book(world["member"], premises, at(14, 10), at(14, 12))
        assert steps(booking) == [("", "confirmed", world["member"], "")]
        assert BookingEvent.objects.get().at == NOW

    def test_a_request_then_its_approval(self, world, van, oseille):
        booking = book(world["member"], van, at(14, 9), at(14, 18))
        services.approve_booking(actor=world["coordinator"], booking_id=booking.pk)
        assert steps(booking) == [("", "requested", world["member"], ""),
                                  ("requested", "confirmed", world["coordinator"], "")]

    def test_declined_and_cancelled_keep_their_reason(self, world, van, premises):
        request = book(world["member"], van, at(14, 9), at(14, 18))
        services.decline_booking(actor=world["coordinator"], booking_id=request.pk,
                                 reason="En panne")
        assert steps(request)[-1] == ("requested", "declined", world["coordinator"],
                                      "En panne")
        booking = book(world["member"], premises, at(14, 10), at(14, 12))
        services.cancel_booking(actor=world["member"], booking_id=booking.pk,
                                reason="Plus besoin")
        assert steps(booking) == [("", "confirmed", world["member"], ""),
                                  ("confirmed", "cancelled", world["member"], "Plus besoin")]

    def test_a_refused_change_writes_no_event(self, world, van, premises):
        request = book(world["member"], van, at(14, 9), at(14, 18))
        services.decline_booking(actor=world["coordinator"], booking_id=request.pk)
        with pytest.raises(Conflict, match="already declined"):
            services.approve_booking(actor=world["coordinator"], booking_id=request.pk)
        with pytest.raises(Conflict, match="already declined"):
            services.cancel_booking(actor=world["member"], booking_id=request.pk)
        assert len(steps(request)) == 2

    def test_the_transition_function_refuses_what_the_state_machine_does(self, world,
                                                                         premises):
        booking = book(world["member"], premises, at(14, 10), at(14, 12))
        with pytest.raises(Conflict, match="already confirmed"):
            services.move_booking(booking, "declined", actor=world["coordinator"])
        booking.refresh_from_db()
        assert booking.status == "confirmed" and len(steps(booking)) == 1

    def test_confirming_over_a_confirmed_booking_is_refused_with_no_event(self, world, van,
                                                                          make_person):
        from autogestion.cooperatives import services as bodies

        other = make_person("Other")
        bodies.join_body(person=other, body=world["coop"])
        first = book(world["member"], van, at(14, 9), at(14, 18))
        second = book(other, van, at(14, 10), at(14, 12))
        services.approve_booking(actor=world["coordinator"], booking_id=first.pk)
        with pytest.raises(Conflict) as caught:
            services.approve_booking(actor=world["coordinator"], booking_id=second.pk)
        assert "Fourgon is already booked from Saturday 14 March 2026, 09:00 to 18:00" \
            in str(caught.value)
        assert [s[1] for s in steps(second)] == ["requested"]


class TestShown:
    def test_the_api_detail_lists_the_events_to_whom_it_may(self, world, premises):
        booking = book(world["member"], premises, at(14, 10), at(14, 12), purpose="Atelier")
        cancelled = api_client(world["coordinator"]).post(
            f"/api/bookings/{booking.pk}/cancel", {"reason": "Travaux"})
        assert cancelled.status_code == 200, cancelled.content
        events = cancelled.json()["events"]
        assert [(e["from_status"], e["to_status"], e["actor"], e["reason"]) for e in events] \
            == [(None, "confirmed", "Member", ""), ("confirmed", "cancelled", "Coordinator",
                                                     "Travaux")]
        assert events[0]["at"] == "2026-03-10T12:00:00+01:00"
        mine = api_client(world["member"]).get(f"/api/bookings/{booking.pk}").json()
        assert mine["events"] == events
        # The public does not see a cancelled booking at all.
        refused(api_client(None).get(f"/api/bookings/{booking.pk}"), 404)

    def test_the_public_sees_the_steps_not_who_nor_why(self, world, van):
        booking = book(world["member"], van, at(14, 9), at(14, 18))
        services.approve_booking(actor=world["coordinator"], booking_id=booking.pk)
        public = api_client(None).get(f"/api/bookings/{booking.pk}").json()
        assert [(e["to_status"], e["actor"], e["reason"]) for e in public["events"]] == [
            ("requested", None, None), ("confirmed", None, None)]

    def test_my_bookings_page_shows_the_history(self, world, van):
        booking = book(world["member"], van, at(14, 9), at(14, 18))
        page = client_for(world["member"]).get("/bookings/").content.decode()
        assert f'id="history-{booking.pk}"' not in page  # nothing happened yet
        services.approve_booking(actor=world["coordinator"], booking_id=booking.pk)
        page = client_for(world["member"]).get("/bookings/").content.decode()
        assert f'id="history-{booking.pk}"' in page and "Coordinator" in page


def test_the_migration_rebuilds_the_history_of_earlier_bookings(world, premises, van,
                                                                 oseille):
    """Bookings made before events were kept get theirs from what their row tells."""
    import importlib

    from django.apps import apps

    backfill = importlib.import_module(
        "autogestion.commons.migrations.0003_booking_events").backfill
    at_once = book(world["member"], premises, at(14, 10), at(14, 12))
    approved = book(world["member"], van, at(14, 9), at(14, 18))
    services.approve_booking(actor=world["coordinator"], booking_id=approved.pk)
    declined = book(world["member"], van, at(16, 9), at(16, 18))
    services.decline_booking(actor=world["coordinator"], booking_id=declined.pk, reason="Non")
    withdrawn = book(world["member"], van, at(17, 9), at(17, 18))
    services.cancel_booking(actor=world["member"], booking_id=withdrawn.pk)
    kept = {b.pk: steps(b) for b in (at_once, approved, declined, withdrawn)}
    BookingEvent.objects.all().delete()
    backfill(apps, None)
    assert {b.pk: steps(b) for b in (at_once, approved, declined, withdrawn)} == kept
