"""A member adds an item to the next Agora's agenda before its deadline, in the browser,
and is refused after it with the deadline and a link to the next Agora (time frozen); on
a phone, the Agora's page fits the screen with "Add an item" first and passes axe-core."""

from datetime import date, time, timedelta
from pathlib import Path

import pytest

from autogestion.assemblies import queries, services
from autogestion.assemblies.models import AgendaItem
from autogestion.core import clock
from tests.support.browser import log_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def agora(world):
    series = services.create_series(
        actor=world["coordinator"], body=world["coop"], title="Agora",
        rrule="FREQ=MONTHLY;BYDAY=-1SA", first_day=date(2026, 1, 1), start_time=time(10, 30),
        end_time=time(19, 0), kind="agora")
    yield series
    clock.freeze(None)


def _add_item(page, title):
    page.fill("#add-item input[name=title]", title)
    page.select_option("#add-item select[name=kind]", "decision")
    page.fill("#add-item input[name=duration_minutes]", "20")
    with page.expect_navigation():
        page.click("#add-item button[type=submit]")


def test_item_before_the_deadline_and_refused_after(live_server, world, agora, page):
    november = queries.find_occurrence(agora, date(2026, 11, 28))
    url = f"/meetings/{agora.pk}/{november.key}/"
    log_in(page, world["member"])

    clock.freeze(november.deadline - timedelta(hours=2))
    page.goto(url)
    _add_item(page, "Budget du local")
    assert page.locator("#agenda", has_text="Budget du local").count() == 1
    assert AgendaItem.objects.filter(title="Budget du local", status="new").exists()

    # The form was open in a tab; the deadline passes before it is sent.
    page.goto(url)
    clock.freeze(november.deadline + timedelta(minutes=1))
    page.fill("#add-item input[name=title]", "Trop tard")
    page.fill("#add-item input[name=duration_minutes]", "10")
    with page.expect_navigation() as navigation:
        page.click("#add-item button[type=submit]")
    assert navigation.value.status == 409
    alert = page.locator("[role=alert]").inner_text()
    assert "2026" in alert  # the deadline that passed and the next Agora, dated
    next_link = page.locator(f'a[href="/meetings/{agora.pk}/2026-12-26/"]')
    assert next_link.count() >= 1
    assert not AgendaItem.objects.filter(title="Trop tard").exists()

    # The next Agora takes it.
    with page.expect_navigation():
        next_link.first.click()
    _add_item(page, "Trop tard")
    assert AgendaItem.objects.filter(title="Trop tard",
                                     meeting__original_start__date=date(2026, 12, 26)).exists()


AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_RUN = """async () => { const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.filter(v => v.impact === 'critical' || v.impact === 'serious')
    .map(v => v.impact + ' ' + v.id + ': '
              + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')); }"""


@pytest.fixture
def phone(browser, live_server):
    """A tab that lets axe-core in (the site's CSP refuses inline scripts)."""
    context = browser.new_context(locale="en-US", base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_the_agora_on_a_phone(live_server, world, agora, phone):
    """Issue #14: at 360 and 390 px the Agora's page fits the screen, "Add an item" is on
    the first screen and leads to the form, each item's card shows its status; axe-core
    finds nothing critical or serious on a phone nor on a laptop."""
    november = queries.find_occurrence(agora, date(2026, 11, 28))
    clock.freeze(november.deadline - timedelta(days=2))
    item = services.add_agenda_item(actor=world["member"], occurrence=november,
                                    title="Budget du local", duration_minutes=20,
                                    kind="decision")
    services.accept_agenda_item(actor=world["coordinator"], item_id=item.pk)
    page = phone
    log_in(page, world["member"])
    page.goto(f"/meetings/{agora.pk}/{november.key}/")
    for width, height in ((360, 740), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        primary = page.locator("[data-primary]")
        assert primary.count() == 1 and primary.inner_text() == "Add an item"
        box = primary.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= height
        assert box["height"] >= 44  # a finger's target
        status = page.locator(f"#item-{item.pk} td[data-label=Status]")
        assert status.is_visible() and status.inner_text() == "accepted"
        status_box = status.bounding_box()
        assert status_box["x"] + status_box["width"] <= width  # not cut off
    page.locator("[data-primary]").click()
    assert page.evaluate("location.hash") == "#add-item"
    assert page.locator("#add-item input[name=title]").is_visible()
    if not AXE.exists():
        pytest.skip("skipped: axe-core is not installed (make browser: npm in tests/e2e)")
    for width, height in ((390, 844), (1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(content=AXE.read_text())
        assert page.evaluate(AXE_RUN) == [], width
