"""A member adds an item to the next Agora's agenda before its deadline, in the browser,
and is refused after it with the deadline and a link to the next Agora (time frozen)."""

from datetime import date, time, timedelta

import pytest

from autogestion.assemblies import queries, services
from autogestion.assemblies.models import AgendaItem
from autogestion.core import clock

pytestmark = pytest.mark.e2e


@pytest.fixture
def agora(world):
    series = services.create_series(
        actor=world["coordinator"], body=world["coop"], title="Agora",
        rrule="FREQ=MONTHLY;BYDAY=-1SA", first_day=date(2026, 1, 1), start_time=time(10, 30),
        end_time=time(19, 0), kind="agora")
    yield series
    clock.freeze(None)


def _log_in(page, person):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", person.email)
    page.fill("input[name=password]", "pw-secret-123")
    with page.expect_navigation():
        page.click('main form[action$="/accounts/login/"] button[type=submit]')


def _add_item(page, title):
    page.fill("#add-item input[name=title]", title)
    page.select_option("#add-item select[name=kind]", "decision")
    page.fill("#add-item input[name=duration_minutes]", "20")
    with page.expect_navigation():
        page.click("#add-item button[type=submit]")


def test_item_before_the_deadline_and_refused_after(live_server, world, agora, page):
    november = queries.find_occurrence(agora, date(2026, 11, 28))
    url = f"/meetings/{agora.pk}/{november.key}/"
    _log_in(page, world["member"])

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
