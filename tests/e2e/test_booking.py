"""In the browser: a member books the shared premises from its week calendar; an
overlapping booking is refused on the page with the slot in the way and writes
nothing; the van is asked for and the steward confirms the request, which pays the fee.

Selectors use form field names, form actions and element ids, never visible text."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from autogestion.commons import services
from autogestion.commons.models import Booking
from autogestion.commons.rules import localize
from autogestion.core import clock
from autogestion.economy import services as economy
from tests.support.browser import log_in

pytestmark = pytest.mark.e2e

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(NOW)
    yield
    clock.freeze(None)


def _book(page, resource, start, end, end_day=""):
    page.goto(f"/resources/{resource.pk}/")
    form = "#booking-form"
    page.fill(f"{form} input[name=start_day]", "2026-03-14")
    page.fill(f"{form} input[name=start_time]", start)
    page.fill(f"{form} input[name=end_day]", end_day)
    page.fill(f"{form} input[name=end_time]", end)
    page.fill(f"{form} input[name=purpose]", "Atelier")
    with page.expect_navigation() as navigation:
        page.click(f"{form} button[type=submit]")
    return navigation.value.status


def test_book_without_overlap_then_ask_for_the_van(live_server, world, browser):
    coordinator, member = world["coordinator"], world["member"]
    oseille = economy.create_currency(actor=coordinator, cooperative=world["coop"],
                                      code="oseille", name="Oseille", symbol="Os",
                                      default_debit_limit=10_000)
    premises = services.create_resource(
        actor=coordinator, steward=world["coop"], kind="premises", name="Local",
        opens_at=time(8), closes_at=time(22))
    van = services.create_resource(
        actor=coordinator, steward=world["coop"], kind="vehicle", name="Fourgon",
        requires_approval=True, opens_at=time(8), closes_at=time(20), overnight=True,
        fee_amount=1000, fee_currency=oseille)

    first = browser.new_context(locale="en-US", base_url=live_server.url).new_page()
    log_in(first, member)
    assert _book(first, premises, "10:00", "12:00") == 200
    assert first.locator("#week .slot.mine").count() == 1
    booking = Booking.objects.get()
    assert booking.starts_at == localize(NOW.date().replace(day=14), time(10), PARIS)

    second = browser.new_context(locale="en-US", base_url=live_server.url).new_page()
    log_in(second, coordinator)
    assert _book(second, premises, "11:00", "13:00") == 409
    assert second.locator("p.error[role=alert]").count() >= 1
    assert Booking.objects.count() == 1
    assert _book(second, premises, "12:00", "13:00") == 200
    assert Booking.objects.filter(status="confirmed").count() == 2

    assert _book(first, van, "09:00", "18:00", end_day="2026-03-15") == 200
    request = Booking.objects.get(resource=van)
    assert request.status == "requested"
    second.goto("/bookings/")
    with second.expect_navigation():
        second.click(f'#request-{request.pk} form[action$="/approve/"] button[type=submit]')
    request.refresh_from_db()
    assert request.status == "confirmed" and request.fee_payment.amount == 1000


def _fits(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def _on_first_screen(page, selector) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["y"] + box["height"] <= page.viewport_size["height"]


@pytest.mark.parametrize("width, height", [(360, 740), (390, 844)])
def test_on_a_phone_the_steward_decides_from_the_first_screen(live_server, world, browser,
                                                             width, height):
    """A steward on a phone: the resource page and "my bookings" fit the screen's
    width (the week and the requests become cards), "Book" is on the first screen, and
    a request is confirmed without scrolling sideways."""
    coordinator, member = world["coordinator"], world["member"]
    van = services.create_resource(
        actor=coordinator, steward=world["coop"], kind="vehicle", name="Fourgon de la CIT",
        place="Parking du local, 12 rue des Lois, Toulouse", requires_approval=True,
        opens_at=time(8), closes_at=time(20), overnight=True)
    request = services.book_resource(
        actor=member, resource_id=van.pk, starts_at=localize(NOW.date().replace(day=14),
                                                             time(9), PARIS),
        ends_at=localize(NOW.date().replace(day=15), time(18), PARIS),
        purpose="Déménagement d'une amie, avec des cartons et une armoire")

    context = browser.new_context(locale="fr-FR", base_url=live_server.url,
                                  viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        log_in(page, coordinator)
        page.goto(f"/resources/{van.pk}/?week=2026-03-09")
        assert _fits(page)
        assert _on_first_screen(page, "[data-primary]")
        assert page.locator("#week .slot").count() == 2  # Saturday and Sunday
        page.goto("/bookings/")
        assert _fits(page)
        approve = f'#request-{request.pk} form[action$="/approve/"] button[type=submit]'
        assert _on_first_screen(page, approve)
        with page.expect_navigation():
            page.click(approve)
        request.refresh_from_db()
        assert request.status == "confirmed"
    finally:
        context.close()
