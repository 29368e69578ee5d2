""""À faire" on a phone (issue #14): a member signs in on a 390 × 844 screen and lands on
what waits for them, the most pressing first, its action on the first screen and the
page no wider than the screen; one tap takes them to where they act; once done, the
item is gone from the list.

Selectors use element ids, data attributes and form fields; the texts asserted are the
English of the en-US browser."""

from datetime import datetime, time

import pytest

from autogestion.assemblies import services as assemblies
from autogestion.core import clock
from autogestion.decisions import services as decisions
from autogestion.decisions.models import Position
from autogestion.economy import services as economy
from tests.support.browser import log_in
from tests.support.clock import PARIS

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def waiting(world):
    """A round closing this evening, a payment asked of the member, an Agora agenda
    open for items."""
    coop, coordinator, member = world["coop"], world["coordinator"], world["member"]
    proposal = decisions.create_proposal(
        actor=coordinator, body=coop, title="Acheter une grelinette", text="Pour le jardin.",
        decision_class="executive", deadline=datetime(2026, 11, 26, 20, tzinfo=PARIS))
    oseille = economy.create_currency(actor=coordinator, cooperative=coop, code="oseille",
                                      name="Oseille", symbol="Os", default_debit_limit=10_000)
    economy.request_payment(actor=coordinator,
                            seller_id=economy.account_of(coordinator, oseille).pk,
                            buyer_id=economy.account_of(member, oseille).pk, amount=3800,
                            description="Panier de légumes")
    assemblies.create_series(
        actor=coordinator, body=coop, title="Agora", rrule="FREQ=MONTHLY;BYDAY=-1SA",
        first_day=clock.today(), start_time=time(10, 30), end_time=time(19), kind="agora",
        preparation_offset_days=7, agenda_opens_days=35)
    return proposal


def test_to_do_on_a_phone_one_tap_from_the_action(live_server, browser, world, waiting):
    context = browser.new_context(locale="en-US", base_url=live_server.url, viewport=PHONE,
                                  is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        log_in(page, world["member"])
        page.goto("/")
        assert page.locator("h1").inner_text() == "To do"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        sections = page.locator("main section h2").all_inner_texts()
        assert [s.rsplit(" ", 1)[0] for s in sections[:3]] == [
            "Rounds waiting for my position", "Payments asked of me", "Agendas open for items"]

        # The round closing tonight is the most pressing: its action is the page's
        # primary one, on the first screen, a finger wide.
        primary = page.locator("[data-primary]")
        assert primary.count() == 1 and primary.inner_text() == "Take a position"
        box = primary.bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"]
        assert box["height"] >= 44
        assert "until today at 20:00" in page.locator("#todo-positions").inner_text()

        # One tap: the proposal's round, where the position is taken.
        with page.expect_navigation():
            primary.tap()
        assert page.url.endswith(f"/proposals/{waiting.pk}/#round")
        page.check('#position-form input[name=stance][value="fully_agree"]')
        with page.expect_navigation():
            page.click("#position-form button[type=submit]")
        assert Position.objects.filter(person=world["member"]).count() == 1

        # Back home: the round no longer waits; the payment is now the first thing, and
        # its tap leads to the requests asked of the member.
        page.goto("/")
        assert page.locator("#todo-positions").count() == 0
        primary = page.locator("[data-primary]")
        assert primary.inner_text() == "Pay or decline"
        with page.expect_navigation():
            primary.tap()
        assert page.url.endswith("/bodies/cit/economy/#requests-in")
        assert "Panier de légumes" in page.locator("#requests-in").inner_text()
    finally:
        context.close()
