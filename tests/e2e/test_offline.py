"""Readable offline, in Chromium with the service worker (issue #14): a member opens
"À faire" connected, the worker keeps their pages; the network is cut; today's plan, their
balances and the next Agora's page read from the copies, each saying "as of HH:MM"; a
form sent offline says it was not sent, and nothing changes; a page not kept answers the
offline page; after logging out, no copy of theirs is left.

Playwright's contexts allow service workers; the live server is on localhost, a secure
context. `set_offline` cuts the network of the pages and of the worker alike. Selectors
use element ids, data attributes and form actions; the texts asserted are the English of
the en-US browser."""

import re
from datetime import time, timedelta

import pytest

from autogestion.assemblies import services as assemblies
from autogestion.core import clock
from autogestion.economy import services as economy
from autogestion.economy.models import PaymentRequest
from autogestion.work.daily import services as daily
from tests.support.browser import log_in

pytestmark = pytest.mark.e2e

AS_OF = re.compile(r"^Offline: as of \d{1,2}:\d{2}(\s[AP]M)?\.$")


@pytest.fixture
def farm(world):
    """The member has a task today, an account with a payment asked of it, and the
    cooperative an Agora."""
    member, coordinator = world["member"], world["coordinator"]
    plan = daily.prepare_daily_plan(actor=member, body=world["open_group"], day=clock.today())
    daily.add_task(actor=member, plan_id=plan.pk, title="Accueil du marché",
                   starts_at=time(14), ends_at=time(16), people=[member])
    oseille = economy.create_currency(actor=coordinator, cooperative=world["coop"],
                                      code="oseille", name="Oseille", symbol="Os",
                                      default_debit_limit=10_000)
    request = economy.request_payment(
        actor=coordinator, seller_id=economy.account_of(coordinator, oseille).pk,
        buyer_id=economy.account_of(member, oseille).pk, amount=3800,
        description="Panier de légumes")
    agora = assemblies.create_series(
        actor=coordinator, body=world["coop"], title="Agora", rrule="FREQ=MONTHLY;BYDAY=-1SA",
        first_day=clock.today(), start_time=time(10, 30), end_time=time(19), kind="agora",
        preparation_offset_days=7)
    return {"plan": f"/bodies/accueil/daily/{clock.today().isoformat()}/",
            "balances": "/bodies/cit/economy/",
            "agora": f"/meetings/{agora.pk}/2026-11-28/", "request": request}


def _copy_note(page) -> str:
    note = page.locator("p.offline-note[role=status]")
    note.wait_for()
    return note.inner_text().strip()


def test_the_persons_pages_read_offline(live_server, browser, world, farm):
    context = browser.new_context(locale="en-US", base_url=live_server.url,
                                  viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        log_in(page, world["member"])
        page.goto("/")
        # The worker is active and has kept the person's pages.
        page.wait_for_selector("html[data-offline-ready]:not([data-offline-ready='0'])")
        kept = int(page.get_attribute("html", "data-offline-ready"))
        assert kept >= 5  # À faire, the plan and its day, balances (and /economy/), Agora
        assert page.evaluate("navigator.serviceWorker.controller !== null")

        context.set_offline(True)
        page.goto(farm["plan"])
        assert AS_OF.match(_copy_note(page)), _copy_note(page)
        assert "Accueil du marché" in page.locator("main").inner_text()

        page.goto(farm["balances"])
        assert AS_OF.match(_copy_note(page))
        assert page.locator("#requests-in").count() == 1

        # A form sent offline: stopped on the page, saying so; nothing changes.
        decline = page.locator("#requests-in form[action$='/decline/'] button[type=submit]")
        decline.click()
        warning = page.locator("[data-offline-warning][role=alert]")
        warning.wait_for()
        assert warning.inner_text() == ("You are offline: this was not sent. Send it again "
                                        "when the network is back.")
        assert page.url.endswith(farm["balances"])
        # Sent without the page's script (form.submit() fires no submit event): the
        # worker answers that it was not sent.
        with page.expect_navigation():
            page.evaluate("document.querySelector(\"#requests-in form[action$='/decline/']\")"
                          ".submit()")
        assert page.locator("h1").inner_text() == "You are offline: this was not sent"
        farm["request"].refresh_from_db()
        assert farm["request"].status == "pending"
        assert PaymentRequest.objects.filter(status="pending").count() == 1

        page.goto(farm["agora"])
        assert AS_OF.match(_copy_note(page))
        assert page.locator("h1").count() == 1

        # The menu's "Economy" leads to the balances offline too.
        page.goto("/economy/")
        assert page.locator("#requests-in").count() == 1

        # A page not kept: the offline page.
        page.goto("/decisions/")
        assert page.locator("h1").inner_text() == "You are offline"
        assert page.locator("[data-offline-page=offline]").count() == 1

        # "À faire" itself.
        page.goto("/")
        assert AS_OF.match(_copy_note(page))
        assert "Accueil du marché" in page.locator("main").inner_text()

        # Back online, logging out clears the copies: offline again, nothing of theirs.
        context.set_offline(False)
        page.goto("/")
        page.locator("header.top .menu-toggle").click()
        with page.expect_navigation():
            page.click("header.top form[action$='/accounts/logout/'] button[type=submit]")
        assert page.evaluate("caches.has('autogestion-pages')") is False
        context.set_offline(True)
        page.goto(farm["plan"])
        assert page.locator("h1").inner_text() == "You are offline"
        assert "Accueil du marché" not in page.content()
    finally:
        context.close()


def test_a_copy_of_an_earlier_day_says_the_day(live_server, browser, world, farm):
    """A copy taken on another day than today says which ("as of Wednesday, ..."): the
    browser's clock is moved a day on after the copies were taken."""
    context = browser.new_context(locale="en-US", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        log_in(page, world["member"])
        page.goto("/")
        page.wait_for_selector("html[data-offline-ready]:not([data-offline-ready='0'])")
        context.set_offline(True)
        # The browser's own clock (the suite's clock is Python's only).
        browser_now = page.evaluate("Date.now()") / 1000
        page.clock.install(time=browser_now + timedelta(days=1, hours=2).total_seconds())
        page.goto(farm["balances"])
        note = _copy_note(page)
        assert re.match(r"^Offline: as of \w+day, \w+ \d{1,2}, \d{1,2}:\d{2}(\s[AP]M)?\.$",
                        note), note
    finally:
        context.close()
