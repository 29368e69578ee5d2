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

pytestmark = pytest.mark.e2e

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(NOW)
    yield
    clock.freeze(None)


def _log_in(page, person):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", person.email)
    page.fill("input[name=password]", "pw-secret-123")
    with page.expect_navigation():
        page.click('main form[action$="/accounts/login/"] button[type=submit]')


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
    _log_in(first, member)
    assert _book(first, premises, "10:00", "12:00") == 200
    assert first.locator("#week .slot.mine").count() == 1
    booking = Booking.objects.get()
    assert booking.starts_at == localize(NOW.date().replace(day=14), time(10), PARIS)

    second = browser.new_context(locale="en-US", base_url=live_server.url).new_page()
    _log_in(second, coordinator)
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
