"""Pages of pooled resources through the test client: who sees what (anonymous,
outsider, member, steward coordinator, operator), booking in a page and its refusals
(4xx, nothing written), deciding requests, putting a resource in common, photos, and
bounded query counts."""

import io
import re

import pytest
from PIL import Image

from autogestion.commons import services
from autogestion.commons.models import Booking, ResourcePhoto, SharedResource
from autogestion.economy.models import Payment
from tests.support.http import client_for, page_refused

from .conftest import at

pytestmark = pytest.mark.django_db

PEOPLE = ("outsider", "member", "coordinator", "operator", "other_coordinator")


@pytest.fixture
def clients(world):
    return {name: client_for(world[name]) for name in PEOPLE} | {"anonymous": client_for(None)}


def text(response) -> str:
    return response.content.decode()


def booking_data(day=14, start="10:00", end="12:00", **extra):
    return {"start_day": f"2026-03-{day:02d}", "start_time": start, "end_time": end,
            "purpose": "Atelier vélo"} | extra


@pytest.fixture
def hidden(world):
    return services.create_resource(actor=world["coordinator"], steward=world["closed_group"],
                                    kind="tool", name="Coffre", audience="steward")


class TestWhoSeesWhat:
    def test_an_open_bodys_resource_is_public_but_not_who_booked(self, world, premises,
                                                                 clients):
        services.book_resource(actor=world["member"], resource_id=premises.pk,
                               starts_at=at(10, 14), ends_at=at(10, 16), purpose="Secret plan")
        page = clients["anonymous"].get(f"/resources/{premises.pk}/")
        assert page.status_code == 200
        body = text(page)
        assert "Local de la CIT" in body and "<strong>clean</strong>" in body
        assert "14:00 – 16:00" in body and "booked" in body
        assert "Secret plan" not in body and "Member" not in body
        assert "Log in to book" in body and 'id="booking-form"' not in body

    def test_members_see_who_booked_and_may_book(self, world, premises, clients):
        services.book_resource(actor=world["coordinator"], resource_id=premises.pk,
                               starts_at=at(10, 14), ends_at=at(10, 16), purpose="Compta")
        body = text(clients["member"].get(f"/resources/{premises.pk}/"))
        assert "Coordinator" in body and "Compta" in body and 'id="booking-form"' in body
        outsider = text(clients["outsider"].get(f"/resources/{premises.pk}/"))
        assert "Only members book this resource: CIT." in outsider
        assert "Compta" not in outsider

    @pytest.mark.parametrize(("who", "status"), [("anonymous", 404), ("outsider", 404),
                                                 ("member", 404), ("coordinator", 200),
                                                 ("operator", 200)])
    def test_a_closed_groups_resource_stays_inside(self, hidden, clients, who, status):
        assert clients[who].get(f"/resources/{hidden.pk}/").status_code == status
        assert clients[who].get(f"/resources/{hidden.pk}/calendar.ics").status_code == status

    def test_lists(self, world, premises, hidden, clients):
        assert "Coffre" not in text(clients["member"].get("/resources/"))
        assert "Coffre" in text(clients["coordinator"].get("/resources/"))
        page = text(clients["anonymous"].get("/bodies/cit/resources/"))
        assert "Local de la CIT" in page and "Put a resource in common" not in page
        page = text(clients["coordinator"].get("/bodies/cit/resources/"))
        assert "/bodies/cit/resources/new/" in page
        assert clients["anonymous"].get("/bodies/caisse/resources/").status_code == 404
        assert clients["anonymous"].get("/bookings/").status_code == 302

    def test_bad_week_is_a_400_with_a_message(self, premises, clients):
        page_refused(clients["member"].get(f"/resources/{premises.pk}/?week=14/03/2026"), 400,
                     "is not a date")
        page = clients["member"].get(f"/resources/{premises.pk}/?week=2026-03-18")
        assert "Week of Monday 16 March 2026" in text(page)


class TestBooking:
    def test_a_member_books_in_the_page(self, world, premises, clients):
        response = clients["member"].post(f"/resources/{premises.pk}/book/", booking_data())
        assert response.status_code == 302
        assert response["Location"].endswith("?week=2026-03-14#week")
        booking = Booking.objects.get()
        assert (booking.starts_at, booking.ends_at) == (at(14, 10), at(14, 12))
        page = text(clients["member"].get(response["Location"]))
        assert "Booked: Local de la CIT from Saturday 14 March 2026, 10:00 to 12:00." in page

    @pytest.mark.parametrize(("data", "status", "words"), [
        (booking_data(start="12:00", end="10:00"), 400, "The end must come after the start."),
        (booking_data(start="06:00", end="07:00"), 400, "is open 08:00 to 22:00"),
        (booking_data(day=29, start="02:30", end="04:00"), 400, "clocks change"),
        (booking_data(start_day="14/03/2026"), 400, "Enter a valid date."),
        (booking_data(day=9), 400, "This time has passed"),
    ])
    def test_refusals_are_4xx_and_write_nothing(self, premises, clients, data, status, words):
        page_refused(clients["member"].post(f"/resources/{premises.pk}/book/", data), status,
                     words)
        assert not Booking.objects.exists()

    def test_an_overlap_is_a_409_naming_the_slot(self, world, premises, clients):
        clients["coordinator"].post(f"/resources/{premises.pk}/book/", booking_data())
        response = clients["member"].post(f"/resources/{premises.pk}/book/",
                                          booking_data(start="11:00", end="13:00"))
        page_refused(response, 409, "already booked from Saturday 14 March 2026, 10:00 to 12:00")
        assert Booking.objects.count() == 1

    def test_outsiders_may_not_book(self, premises, hidden, clients):
        assert clients["outsider"].post(f"/resources/{premises.pk}/book/",
                                        booking_data()).status_code == 403
        assert clients["member"].post(f"/resources/{hidden.pk}/book/",
                                      booking_data()).status_code == 404
        assert clients["anonymous"].post(f"/resources/{premises.pk}/book/",
                                         booking_data()).status_code == 302
        assert not Booking.objects.exists()

    def test_until_midnight(self, world, clients):
        late = services.create_resource(actor=world["coordinator"], steward=world["coop"],
                                        kind="premises", name="Salle", open_days=range(1, 8))
        response = clients["member"].post(f"/resources/{late.pk}/book/",
                                          booking_data(start="20:00", end="00:00"))
        assert response.status_code == 302
        assert Booking.objects.get().ends_at == at(15, 0)


class TestDeciding:
    def test_the_steward_confirms_in_a_page_and_the_fee_is_paid(self, world, van, clients):
        clients["member"].post(f"/resources/{van.pk}/book/",
                               booking_data(end_day="2026-03-15", start="09:00", end="18:00"))
        request = Booking.objects.get()
        assert request.status == "requested"
        mine = text(clients["member"].get("/bookings/"))
        assert "waiting for approval" in mine
        page_refused(clients["member"].post(f"/bookings/{request.pk}/approve/"), 403,
                     "Only the stewards of Fourgon decide on its bookings.")
        page = text(clients["coordinator"].get("/bookings/"))
        assert f'id="request-{request.pk}"' in page
        response = clients["coordinator"].post(f"/bookings/{request.pk}/approve/")
        assert response.status_code == 302
        assert Booking.objects.get().status == "confirmed" and Payment.objects.count() == 1
        page_refused(clients["coordinator"].post(f"/bookings/{request.pk}/approve/"), 409,
                     "already confirmed")

    def test_decline_and_cancel(self, world, van, premises, clients):
        clients["member"].post(f"/resources/{van.pk}/book/", booking_data(start="09:00",
                                                                          end="18:00"))
        request = Booking.objects.get()
        response = clients["coordinator"].post(f"/bookings/{request.pk}/decline/",
                                               {"reason": "En panne", "next": "resource"})
        assert response.status_code == 302 and response["Location"] == f"/resources/{van.pk}/"
        assert Booking.objects.get().note == "En panne"
        clients["member"].post(f"/resources/{premises.pk}/book/", booking_data())
        booking = Booking.objects.get(resource=premises)
        assert clients["outsider"].post(f"/bookings/{booking.pk}/cancel/").status_code == 403
        assert clients["member"].post(f"/bookings/{booking.pk}/cancel/").status_code == 302
        assert Booking.objects.get(pk=booking.pk).status == "cancelled"


class TestStewarding:
    def form(self, **extra):
        return {"kind": "vehicle", "name": "Vélo cargo", "place": "Cour", "description": "",
                "usage_rules": "", "audience": "cooperative", "open_days": ["1", "2", "3"],
                "opens_at": "09:00", "closes_at": "19:00", "overnight": "on",
                "longest_hours": "48", "notice_hours": "", "horizon_days": "60", "fee": "",
                "fee_currency": "", "fee_per": "booking", "is_active": "on"} | extra

    def test_a_coordinator_puts_a_resource_in_common(self, world, oseille, clients):
        assert clients["member"].get("/bodies/cit/resources/new/").status_code == 403
        assert clients["outsider"].post("/bodies/caisse/resources/new/",
                                        self.form()).status_code == 404
        assert clients["coordinator"].get("/bodies/cit/resources/new/").status_code == 200
        response = clients["coordinator"].post("/bodies/cit/resources/new/", self.form(
            fee="2,50", fee_currency=str(oseille.pk)))
        assert response.status_code == 302, text(response)
        resource = SharedResource.objects.get()
        assert (resource.open_days, resource.longest_minutes, resource.fee_amount) == \
            (7, 48 * 60, 250)
        page = text(clients["member"].get(resource.get_absolute_url()))
        assert "2.50\u00a0Os per booking" in page and "Monday, Tuesday, Wednesday" in page

    @pytest.mark.parametrize(("extra", "words"), [
        ({"opens_at": "20:00", "closes_at": "08:00"}, "Opening comes before closing"),
        ({"open_days": []}, "This field is required."),
        ({"fee": "2.505", "fee_currency": "OSEILLE"}, "Select a valid choice."),
        ({"fee": "abc"}, "Choose the currency of the fee."),
    ])
    def test_bad_forms_are_400(self, world, oseille, clients, extra, words):
        page_refused(clients["coordinator"].post("/bodies/cit/resources/new/",
                                                 self.form(**extra)), 400, words)
        assert not SharedResource.objects.exists()

    def test_edit(self, world, premises, clients):
        url = f"/resources/{premises.pk}/edit/"
        assert clients["member"].get(url).status_code == 403
        page = text(clients["coordinator"].get(url))
        assert 'value="Local de la CIT"' in page
        response = clients["coordinator"].post(url, self.form(name="Le local", kind="premises",
                                                              overnight=""))
        assert response.status_code == 302
        assert SharedResource.objects.get().name == "Le local"

    def test_photos_are_served_to_those_who_see_the_resource(self, world, premises, hidden,
                                                             clients, settings, tmp_path):
        settings.STORAGES = {**settings.STORAGES, "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path}}}
        raw = io.BytesIO()
        Image.new("RGB", (20, 20), (0, 128, 0)).save(raw, "PNG")
        for resource in (premises, hidden):
            raw.seek(0)
            raw.name = "photo.png"
            response = clients["coordinator"].post(f"/resources/{resource.pk}/photos/",
                                                   {"image": raw, "caption": "Vue"})
            assert response.status_code == 302
        public, private = ResourcePhoto.objects.order_by("pk")
        got = clients["anonymous"].get(f"/resource-photos/{public.pk}/")
        assert got.status_code == 200 and got["Content-Type"] == "image/jpeg"
        assert clients["anonymous"].get(f"/resource-photos/{private.pk}/").status_code == 404
        bad = io.BytesIO(b"<html>not a photo</html>")
        bad.name = "x.png"
        response = clients["coordinator"].post(f"/resources/{premises.pk}/photos/",
                                               {"image": bad})
        assert response.status_code == 400 and "not a photo" in text(response)
        assert clients["member"].post(f"/resource-photos/{public.pk}/remove/").status_code \
            == 403
        assert clients["coordinator"].post(
            f"/resource-photos/{public.pk}/remove/").status_code == 302
        assert ResourcePhoto.objects.count() == 1



class TestWords:
    """What the pages say, in good French and English (issue #14)."""

    def test_french_amounts_dates_and_a_singular_day(self, world, oseille, clients):
        van = services.create_resource(
            actor=world["coordinator"], steward=world["coop"], kind="vehicle", name="Fourgon",
            audience="cooperative", requires_approval=True, horizon_days=1,
            fee_amount=123_450, fee_currency=oseille)
        assert "Bookable up to 1 day ahead." in text(clients["member"].get(
            van.get_absolute_url()))
        booking = services.book_resource(actor=world["member"], resource_id=van.pk,
                                          starts_at=at(11, 10), ends_at=at(11, 12))
        for person in (world["member"], world["coordinator"]):
            person.language = "fr"
            person.save(update_fields=["language"])
        member = client_for(world["member"], "fr")
        page = text(member.get(van.get_absolute_url()))
        # The fee in French: comma, grouped thousands, no-break space before the symbol.
        assert "1\u00a0234,50\u00a0Os" in page and "1234.50" not in page
        mine = text(member.get("/bookings/"))
        # Months in lower case ("mars", not "Mar"), as French writes them in a sentence.
        assert "11 mars 2026 10:00" in mine and "11 Mar " not in mine
        assert f'id="booking-{booking.pk}"' in mine
        # The steward's form shows the fee as a French reader types it, and reads it back.
        form = text(client_for(world["coordinator"], "fr").get(f"/resources/{van.pk}/edit/"))
        assert 'name="fee" value="1234,50"' in form

    def test_tables_turn_into_labelled_cards_on_a_phone(self, world, van, clients):
        """Each cell names its column (site.css shows it above the value on a narrow
        screen); no column header is empty."""
        services.book_resource(actor=world["member"], resource_id=van.pk,
                               starts_at=at(11, 10), ends_at=at(11, 12))
        for who, url in (("coordinator", "/bookings/"), ("member", "/bookings/"),
                         ("coordinator", f"/resources/{van.pk}/")):
            page = text(clients[who].get(url))
            assert '<table class="stack">' in page or 'class="week stack"' in page, url
            assert "<th></th>" not in page, url
            assert 'data-label="When"' in page, url


def test_pages_ask_a_bounded_number_of_queries(world, premises, van, clients,
                                               django_assert_max_num_queries, make_person):
    from autogestion.cooperatives import services as bodies

    for n in range(12):
        person = make_person()
        bodies.join_body(person=person, body=world["coop"])
        services.book_resource(actor=person, resource_id=premises.pk,
                               starts_at=at(11 + n % 5, 8 + n), ends_at=at(11 + n % 5, 9 + n))
        services.book_resource(actor=person, resource_id=van.pk, starts_at=at(16, 9),
                               ends_at=at(16, 10))
    for who in ("member", "coordinator", "anonymous"):
        client = clients[who]
        for url in (f"/resources/{premises.pk}/", f"/resources/{van.pk}/", "/resources/",
                    "/bodies/cit/resources/", f"/resources/{premises.pk}/calendar.ics"):
            with django_assert_max_num_queries(14):
                assert client.get(url).status_code == 200
    with django_assert_max_num_queries(14):
        page = text(clients["coordinator"].get("/bookings/"))
    assert len(re.findall(r'id="request-\d+"', page)) == 12
