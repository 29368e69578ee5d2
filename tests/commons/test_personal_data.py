"""One person's data in pooled resources: every commons row that points to them (as
creator, uploader, booker, decider or actor, and the history of their own bookings)
is in their export, and nobody else's is."""

import io

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from autogestion.commons import personal_data, services
from autogestion.commons.models import Booking, BookingEvent, ResourcePhoto, SharedResource

from .conftest import at

pytestmark = pytest.mark.django_db


def ids(rows) -> set[int]:
    return {row["id"] for row in rows}


def test_every_commons_row_pointing_to_a_person_is_exported(world, premises, van, settings,
                                                             tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path}}}
    raw = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 128, 0)).save(raw, "PNG")
    photo = services.add_photo(actor=world["coordinator"], resource_id=premises.pk,
                               image=SimpleUploadedFile("p.png", raw.getvalue()))
    mine = services.book_resource(actor=world["member"], resource_id=premises.pk,
                                  starts_at=at(14, 10), ends_at=at(14, 12), purpose="Atelier")
    request = services.book_resource(actor=world["member"], resource_id=van.pk,
                                     starts_at=at(14, 9), ends_at=at(14, 18))
    services.decline_booking(actor=world["coordinator"], booking_id=request.pk, reason="Non")

    member = personal_data.export(world["member"])
    assert ids(member["booking"]) == {mine.pk, request.pk}
    # The history of one's bookings, whoever made each step.
    assert ids(member["bookingevent"]) == set(BookingEvent.objects.values_list("pk", flat=True))
    assert member["sharedresource"] == [] and member["resourcephoto"] == []
    assert {row["purpose"] for row in member["booking"]} == {"Atelier", ""}

    coordinator = personal_data.export(world["coordinator"])
    assert ids(coordinator["sharedresource"]) == set(
        SharedResource.objects.values_list("pk", flat=True))
    assert ids(coordinator["resourcephoto"]) == {photo.pk}
    assert "token" not in coordinator["resourcephoto"][0]
    assert ids(coordinator["booking"]) == {request.pk}  # decided by them
    assert ids(coordinator["bookingevent"]) == set(
        BookingEvent.objects.filter(actor=world["coordinator"]).values_list("pk", flat=True))

    outsider = personal_data.export(world["outsider"])
    assert all(rows == [] for rows in outsider.values())
    assert set(outsider) == {"sharedresource", "resourcephoto", "booking", "bookingevent"}
    assert Booking.objects.count() == 2 and ResourcePhoto.objects.count() == 1


def test_the_app_names_its_export():
    assert apps.get_app_config("commons").personal_data == \
        "autogestion.commons.personal_data.export"
