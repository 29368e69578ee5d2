"""One person's data in pooled resources (core/personal_data.py): the resources they
put in common, the photos they sent, their bookings and those they decided on, and the
history of their bookings and of what they did to others'."""

from autogestion.core.personal_data import rows_of

from .models import Booking, BookingEvent, ResourcePhoto, SharedResource


def export(person) -> dict:
    return {
        "sharedresource": rows_of(SharedResource.objects.all(), person, "created_by"),
        "resourcephoto": rows_of(ResourcePhoto.objects.all(), person, "uploaded_by"),
        "booking": rows_of(Booking.objects.all(), person, "booker", "decided_by"),
        "bookingevent": rows_of(BookingEvent.objects.all(), person, "actor",
                                "booking__booker"),
    }
