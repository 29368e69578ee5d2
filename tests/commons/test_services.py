"""The services of pooled resources (R11): who may put in common, book, decide and
cancel; every refusal writes nothing; fees are paid through the ledger when a booking
is confirmed, and a payment the ledger refuses refuses the confirmation."""

import io
from datetime import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from autogestion.commons import queries, services
from autogestion.commons.models import Booking, BookingEvent, ResourcePhoto, SharedResource
from autogestion.cooperatives import services as bodies
from autogestion.cooperatives.models import LegalForm
from autogestion.core import clock
from autogestion.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from autogestion.economy import services as economy
from autogestion.economy.models import Account, Payment, PaymentRequest
from tests.support.services import refused_unchanged

from .conftest import NOW, at

pytestmark = pytest.mark.django_db


def book(person, resource, start, end, **extra) -> Booking:
    return services.book_resource(actor=person, resource_id=resource.pk, starts_at=start,
                                  ends_at=end, **extra)


def refused(error, call):
    """The call is refused with `error`; no booking, event, payment or request is
    written."""
    def counts():
        return (Booking.objects.count(), BookingEvent.objects.count(), Payment.objects.count(),
                PaymentRequest.objects.count(), SharedResource.objects.count())

    return refused_unchanged(error, call, counts)


def balance(account) -> int:
    return Account.objects.get(pk=account.pk).balance


class TestResources:
    def test_coordinators_put_a_resource_in_common(self, world, premises):
        assert premises.steward == world["coop"]
        assert premises.audience_body == world["coop"]
        assert premises.open_days == 127 and premises.closes_at == time(22)

    def test_a_member_may_not(self, world):
        error = refused(PermissionDenied, lambda: services.create_resource(
            actor=world["member"], steward=world["coop"], kind="tool", name="Perceuse"))
        assert "coordinators or stewards of CIT" in str(error)

    def test_names_are_unique_per_steward(self, world, premises):
        error = refused(Conflict, lambda: services.create_resource(
            actor=world["coordinator"], steward=world["coop"], kind="premises",
            name=" Local de la CIT "))
        assert error.field == "name"

    @pytest.mark.parametrize(("fields", "field"), [
        ({"kind": "castle"}, "kind"),
        ({"name": "  "}, "name"),
        ({"opens_at": time(22), "closes_at": time(8)}, "closes_at"),
        ({"open_days": []}, "open_days"),
        ({"open_days": [0, 9]}, "open_days"),
        ({"longest_minutes": 0}, "longest_minutes"),
        ({"horizon_days": 5000}, "horizon_days"),
        ({"audience": "everyone"}, "audience"),
        ({"fee_amount": 500}, "fee_currency"),
        ({"fee_amount": -5, "fee_currency": None}, "fee_amount"),
        ({"fee_per": "week"}, "fee_per"),
        ({"colour": "red"}, None),
    ])
    def test_bad_input_says_which_field(self, world, fields, field):
        options = {"kind": "tool", "name": "Perceuse"} | fields
        error = refused(DomainError, lambda: services.create_resource(
            actor=world["coordinator"], steward=world["coop"], **options))
        assert error.field == field
        assert error.status == 400

    def test_audiences_resolve_to_the_cooperative_and_the_network(self, world):
        group = services.create_resource(actor=world["coordinator"],
                                         steward=world["open_group"], kind="tool",
                                         name="Vidéoprojecteur", audience="cooperative")
        assert group.audience_body == world["coop"]
        shared = services.create_resource(actor=world["coordinator"],
                                          steward=world["open_group"], kind="tool",
                                          name="Sono", audience="network")
        assert shared.audience_body == world["network"]
        alone = world["other"]  # a cooperative in no network
        error = refused(DomainError, lambda: services.create_resource(
            actor=world["other_coordinator"], steward=alone, kind="land", name="Champ",
            audience="network"))
        assert error.field == "audience"

    def test_a_fee_is_in_a_currency_of_the_cooperative_and_opens_its_account(self, world,
                                                                              van, oseille):
        assert queries.steward_account(van).body == world["coop"]
        other = economy.create_currency(actor=world["other_coordinator"],
                                        cooperative=world["other"], code="sous", name="Sous",
                                        symbol="S")
        error = refused(DomainError, lambda: services.create_resource(
            actor=world["coordinator"], steward=world["coop"], kind="tool", name="Scie",
            fee_amount=100, fee_currency=other))
        assert error.field == "fee_currency"

    def test_stewards_update_the_rules(self, world, premises):
        services.update_resource(actor=world["coordinator"], resource_id=premises.pk,
                                 closes_at=time(23), requires_approval=True, fee_amount=None)
        premises.refresh_from_db()
        assert premises.closes_at == time(23) and premises.requires_approval
        refused(PermissionDenied, lambda: services.update_resource(
            actor=world["member"], resource_id=premises.pk, name="Mine"))
        refused(NotFound, lambda: services.update_resource(
            actor=world["coordinator"], resource_id=10**9, name="Nothing"))


class TestBooking:
    def test_a_member_books_at_once(self, world, premises):
        booking = book(world["member"], premises, at(14, 10), at(14, 12), purpose="Atelier")
        assert booking.status == "confirmed" and booking.decided_at == NOW
        assert booking.fee_payment is None

    def test_two_bookings_never_overlap_and_the_message_names_the_slot(self, world,
                                                                       premises):
        book(world["member"], premises, at(14, 10), at(14, 12))
        error = refused(Conflict, lambda: book(world["coordinator"], premises, at(14, 11),
                                               at(14, 13)))
        assert str(error) == ("Local de la CIT is already booked from Saturday 14 March "
                              "2026, 10:00 to 12:00: choose another time.")
        assert error.status == 409 and error.field == "starts_at"
        # Touching ends do not overlap.
        book(world["coordinator"], premises, at(14, 12), at(14, 14))
        book(world["coordinator"], premises, at(14, 8), at(14, 10))

    @pytest.mark.parametrize(("start", "end", "field", "words"), [
        ((14, 12), (14, 10), "ends_at", "The end must come after the start."),
        ((14, 12), (14, 12), "ends_at", "The end must come after the start."),
        ((10, 9), (10, 11), "starts_at", "This time has passed"),
        ((14, 7), (14, 9), "starts_at", "is open 08:00 to 22:00"),
        ((14, 20), (14, 23), "starts_at", "is open 08:00 to 22:00"),
        ((14, 8), (14, 21), "ends_at", "lasts at most 12 hours"),
        ((14, 20), (15, 9), "ends_at", "lasts at most 12 hours"),
        ((14, 21), (15, 8, 30), "ends_at", "given back the same day"),
    ])
    def test_bad_spans_are_refused_with_the_field_to_fix(self, world, premises, start, end,
                                                         field, words):
        error = refused(DomainError, lambda: book(world["member"], premises, at(*start),
                                                  at(*end)))
        assert error.status == 400 and error.field == field
        assert words in str(error)

    def test_closed_days_notice_and_horizon(self, world, premises):
        services.update_resource(actor=world["coordinator"], resource_id=premises.pk,
                                 open_days=[1, 2, 3, 4, 5, 6], notice_minutes=48 * 60,
                                 horizon_days=30)
        error = refused(DomainError, lambda: book(world["member"], premises, at(15, 10),
                                                  at(15, 12)))
        assert "is not open on Sunday 15 March 2026" in str(error)
        error = refused(DomainError, lambda: book(world["member"], premises, at(11, 10),
                                                  at(11, 12)))
        assert "at least 2 days ahead" in str(error)
        error = refused(DomainError, lambda: book(world["member"], premises, at(14, 10, month=4),
                                                  at(14, 12, month=4)))
        assert "at most 30 days ahead" in str(error)

    def test_outsiders_and_closed_bodies(self, world, premises, make_person):
        error = refused(PermissionDenied, lambda: book(world["outsider"], premises, at(14, 10),
                                                       at(14, 12)))
        assert "booked by the members of CIT" in str(error)
        hidden = services.create_resource(actor=world["coordinator"],
                                          steward=world["closed_group"], kind="tool",
                                          name="Coffre", audience="steward")
        refused(NotFound, lambda: book(world["outsider"], hidden, at(14, 10), at(14, 12)))
        # A closed group's resources stay inside it, even for the cooperative (R2).
        refused(NotFound, lambda: book(world["member"], hidden, at(14, 10), at(14, 12)))

    def test_network_audience_takes_members_of_every_cooperative_in_it(self, world,
                                                                       make_person):
        sister = bodies.create_body(actor=world["operator"], kind="cooperative",
                                    name="Sister", slug="sister", parent=world["network"],
                                    legal_form=LegalForm.SCOP)
        neighbour = make_person("Neighbour")
        bodies.join_body(person=neighbour, body=sister)
        sono = services.create_resource(actor=world["coordinator"], steward=world["coop"],
                                        kind="tool", name="Sono", audience="network",
                                        opens_at=time(8), closes_at=time(22))
        assert book(neighbour, sono, at(14, 10), at(14, 12)).status == "confirmed"
        refused(PermissionDenied, lambda: book(world["other_coordinator"], sono, at(14, 14),
                                               at(14, 16)))

    def test_an_inactive_resource_takes_no_booking(self, world, premises):
        services.update_resource(actor=world["coordinator"], resource_id=premises.pk,
                                 is_active=False)
        error = refused(Conflict, lambda: book(world["member"], premises, at(14, 10),
                                               at(14, 12)))
        assert "takes no booking" in str(error)

    def test_booking_for_a_group_needs_its_membership(self, world, premises):
        booking = book(world["member"], premises, at(14, 10), at(14, 12),
                       for_body=world["open_group"])
        assert booking.for_body == world["open_group"]
        error = refused(PermissionDenied, lambda: book(world["member"], premises, at(14, 14),
                                                       at(14, 16),
                                                       for_body=world["closed_group"]))
        assert error.field == "for_body"


class TestApproval:
    def test_requests_wait_and_may_overlap_each_other(self, world, van, make_person):
        first = book(world["member"], van, at(14, 9), at(15, 18))
        other = make_person("Other member")
        bodies.join_body(person=other, body=world["coop"])
        second = book(other, van, at(15, 9), at(15, 12))
        assert first.status == second.status == "requested"
        # The same person does not ask twice for the same time.
        error = refused(Conflict, lambda: book(world["member"], van, at(15, 10), at(15, 11)))
        assert "already asked" in str(error)

    def test_approving_confirms_and_pays_the_fee(self, world, van, oseille):
        request = book(world["member"], van, at(14, 9), at(15, 18), purpose="Marché")
        payer = economy.account_of(world["member"], oseille)
        payee = queries.steward_account(van)
        assert Payment.objects.count() == 0
        booking = services.approve_booking(actor=world["coordinator"], booking_id=request.pk)
        assert booking.status == "confirmed" and booking.decided_by == world["coordinator"]
        assert (balance(payer), balance(payee)) == (-1000, 1000)
        payment = Booking.objects.get(pk=request.pk).fee_payment
        assert payment.amount == 1000 and payment.payer_id == payer.pk
        assert payment.description.startswith("Fourgon: Saturday 14 March 2026, 09:00")

    def test_only_stewards_decide(self, world, van):
        request = book(world["member"], van, at(14, 9), at(14, 18))
        refused(PermissionDenied, lambda: services.approve_booking(actor=world["member"],
                                                                   booking_id=request.pk))
        refused(PermissionDenied, lambda: services.decline_booking(
            actor=world["other_coordinator"], booking_id=request.pk))

    def test_approving_an_overlapping_request_is_refused(self, world, van, make_person):
        other = make_person("Other member")
        bodies.join_body(person=other, body=world["coop"])
        first = book(world["member"], van, at(14, 9), at(15, 18))
        second = book(other, van, at(15, 9), at(15, 12))
        services.approve_booking(actor=world["coordinator"], booking_id=first.pk)
        error = refused(Conflict, lambda: services.approve_booking(
            actor=world["coordinator"], booking_id=second.pk))
        assert "already booked from Saturday 14 March 2026, 09:00 to Sunday 15 March" \
            in str(error)
        assert Booking.objects.get(pk=second.pk).status == "requested"
        # A request overlapping a confirmed booking is refused when asked.
        refused(Conflict, lambda: book(other, van, at(15, 10), at(15, 11)))
        declined = services.decline_booking(actor=world["coordinator"], booking_id=second.pk,
                                            reason="Already taken")
        assert declined.status == "declined" and declined.note == "Already taken"
        error = refused(Conflict, lambda: services.approve_booking(
            actor=world["coordinator"], booking_id=second.pk))
        assert str(error) == "This booking is already declined."

    def test_a_refused_payment_refuses_the_confirmation(self, world, van, oseille):
        payer = economy.account_of(world["member"], oseille)
        economy.set_limits(actor=world["coordinator"], account_id=payer.pk, debit_limit=500)
        request = book(world["member"], van, at(14, 9), at(14, 18))
        error = refused(Conflict, lambda: services.approve_booking(
            actor=world["coordinator"], booking_id=request.pk))
        assert "below its debit limit" in str(error) and "5.00\u00a0Os" in str(error)
        assert Booking.objects.get(pk=request.pk).status == "requested"
        assert balance(payer) == 0

    def test_a_refused_payment_refuses_an_immediate_booking(self, world, van, oseille):
        services.update_resource(actor=world["coordinator"], resource_id=van.pk,
                                 requires_approval=False, fee_amount=20_000)
        error = refused(Conflict, lambda: book(world["member"], van, at(14, 9), at(14, 18)))
        assert "below its debit limit" in str(error)

    def test_a_fee_in_social_currency_needs_its_membership(self, world, make_person, oseille):
        sister = bodies.create_body(actor=world["operator"], kind="cooperative",
                                    name="Sister", slug="sister", parent=world["network"],
                                    legal_form=LegalForm.SCOP)
        neighbour = make_person("Neighbour")
        bodies.join_body(person=neighbour, body=sister)
        tent = services.create_resource(actor=world["coordinator"], steward=world["coop"],
                                        kind="tool", name="Tente", audience="network",
                                        fee_amount=300, fee_currency=oseille)
        error = refused(PermissionDenied, lambda: book(neighbour, tent, at(14, 9),
                                                       at(14, 18)))
        assert "paid in Oseille, held by the members of CIT only" in str(error)

    def test_a_stewards_own_booking_needs_no_approval(self, world, van):
        booking = book(world["coordinator"], van, at(14, 9), at(14, 18))
        assert booking.status == "confirmed" and booking.fee_payment is not None

    def test_a_request_for_a_time_that_has_passed_is_declined_not_approved(self, world, van):
        request = book(world["member"], van, at(14, 9), at(14, 18))
        clock.freeze(at(14, 10))
        error = refused(Conflict, lambda: services.approve_booking(
            actor=world["coordinator"], booking_id=request.pk))
        assert "has passed" in str(error)

    def test_a_request_of_someone_who_left_is_not_approved(self, world, van):
        request = book(world["member"], van, at(14, 9), at(14, 18))
        bodies.leave_body(person=world["member"], body=world["coop"])
        error = refused(Conflict, lambda: services.approve_booking(
            actor=world["coordinator"], booking_id=request.pk))
        assert "no longer among those who may book" in str(error)


class TestCancelling:
    def test_the_booker_cancels_and_the_slot_is_free_again(self, world, premises):
        booking = book(world["member"], premises, at(14, 10), at(14, 12))
        cancelled = services.cancel_booking(actor=world["member"], booking_id=booking.pk)
        assert cancelled.status == "cancelled"
        book(world["coordinator"], premises, at(14, 10), at(14, 12))

    def test_others_may_not_cancel(self, world, premises, make_person):
        booking = book(world["member"], premises, at(14, 10), at(14, 12))
        other = make_person()
        bodies.join_body(person=other, body=world["coop"])
        refused(PermissionDenied, lambda: services.cancel_booking(actor=other,
                                                                  booking_id=booking.pk))
        refused(NotFound, lambda: services.cancel_booking(actor=other, booking_id=10**9))

    def test_a_started_booking_is_not_cancelled(self, world, premises):
        booking = book(world["member"], premises, at(14, 10), at(14, 12))
        clock.freeze(at(14, 10))
        error = refused(Conflict, lambda: services.cancel_booking(actor=world["member"],
                                                                  booking_id=booking.pk))
        assert "has started" in str(error)
        clock.freeze(NOW)
        services.cancel_booking(actor=world["member"], booking_id=booking.pk)
        error = refused(Conflict, lambda: services.cancel_booking(actor=world["member"],
                                                                  booking_id=booking.pk))
        assert str(error) == "This booking is already cancelled."

    def test_a_steward_cancelling_pays_the_fee_back(self, world, van, oseille):
        booking = book(world["member"], van, at(14, 9), at(14, 18))
        services.approve_booking(actor=world["coordinator"], booking_id=booking.pk)
        payer = economy.account_of(world["member"], oseille)
        cancelled = services.cancel_booking(actor=world["coordinator"], booking_id=booking.pk,
                                            reason="Panne")
        assert cancelled.fee_refund.reverses_id == cancelled.fee_payment_id
        assert balance(payer) == 0 and balance(queries.steward_account(van)) == 0

    def test_the_booker_cancelling_asks_the_fee_back(self, world, van, oseille):
        booking = book(world["member"], van, at(14, 9), at(14, 18))
        services.approve_booking(actor=world["coordinator"], booking_id=booking.pk)
        cancelled = services.cancel_booking(actor=world["member"], booking_id=booking.pk)
        request = cancelled.refund_request
        assert request.status == "pending" and request.amount == 1000
        assert request.buyer_id == queries.steward_account(van).pk
        economy.accept_request(actor=world["coordinator"], request_id=request.pk)
        assert balance(economy.account_of(world["member"], oseille)) == 0


def png(size=(40, 30), colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path}}}
    return tmp_path


class TestPhotos:
    def test_a_steward_adds_a_photo_kept_without_its_metadata(self, world, premises, media):
        out = io.BytesIO()
        exif = Image.Exif()
        exif[0x010F] = "Camera maker"
        Image.new("RGB", (3000, 1000), (1, 2, 3)).save(out, "JPEG", exif=exif)
        photo = services.add_photo(actor=world["coordinator"], resource_id=premises.pk,
                                   image=SimpleUploadedFile("IMG_1234 chez moi.jpg",
                                                            out.getvalue()),
                                   caption="La salle")
        assert (photo.width, photo.height) == (1600, 533)
        assert "chez moi" not in photo.image.name
        with Image.open(photo.image.path) as stored:
            assert not stored.getexif()

    @pytest.mark.parametrize("content", [b"not an image", b"GIF89a" + b"\0" * 20,
                                         b"<svg xmlns='http://www.w3.org/2000/svg'/>"])
    def test_what_is_not_a_photo_is_refused(self, world, premises, media, content):
        error = refused(DomainError, lambda: services.add_photo(
            actor=world["coordinator"], resource_id=premises.pk,
            image=SimpleUploadedFile("x.png", content)))
        assert error.field == "image" and "not a photo" in str(error)
        assert not ResourcePhoto.objects.exists()

    def test_size_and_count_are_bounded(self, world, premises, media, monkeypatch):
        monkeypatch.setattr(services, "MAX_PHOTO_BYTES", 100)
        error = refused(DomainError, lambda: services.add_photo(
            actor=world["coordinator"], resource_id=premises.pk,
            image=SimpleUploadedFile("x.png", png((400, 400)))))
        assert "at most" in str(error)
        monkeypatch.setattr(services, "MAX_PHOTO_BYTES", 10**6)
        monkeypatch.setattr(services, "MAX_PHOTOS", 1)
        services.add_photo(actor=world["coordinator"], resource_id=premises.pk,
                           image=SimpleUploadedFile("x.png", png()))
        refused(Conflict, lambda: services.add_photo(
            actor=world["coordinator"], resource_id=premises.pk,
            image=SimpleUploadedFile("y.png", png())))

    def test_members_do_not_add_or_remove_photos(self, world, premises, media):
        refused(PermissionDenied, lambda: services.add_photo(
            actor=world["member"], resource_id=premises.pk,
            image=SimpleUploadedFile("x.png", png())))
        photo = services.add_photo(actor=world["coordinator"], resource_id=premises.pk,
                                   image=SimpleUploadedFile("x.png", png()))
        with pytest.raises(PermissionDenied):
            services.remove_photo(actor=world["member"], photo_id=photo.pk)
        services.remove_photo(actor=world["coordinator"], photo_id=photo.pk)
        assert not ResourcePhoto.objects.exists()


def test_week_bookings_skip_the_clock_change(world, premises):
    """Saturday 28 March in winter time, Sunday 29 in summer time: both at 10:00."""
    saturday = book(world["member"], premises, at(28, 10), at(28, 12))
    sunday = book(world["member"], premises, at(29, 10), at(29, 12))
    assert sunday.starts_at.timestamp() - saturday.starts_at.timestamp() == 23 * 3600
