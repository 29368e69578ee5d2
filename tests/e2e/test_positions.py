"""In the browser: members take positions on a consensus proposal (a veto without a
counter-proposal is refused on the page), the facilitator closes the round, and the page
shows the outcome the rules computed and the star debate it opened."""

import pytest

from autogestion.decisions import services
from autogestion.decisions.models import Position
from tests.support.browser import log_in

pytestmark = pytest.mark.e2e


def _take(page, stance, **fields):
    page.check(f'#position-form input[name=stance][value="{stance}"]')
    for name, value in fields.items():
        page.fill(f"#position-form textarea[name={name}]", value)
    with page.expect_navigation() as navigation:
        page.click("#position-form button[type=submit]")
    return navigation.value.status


def test_positions_then_the_computed_outcome(live_server, world, browser):
    proposal = services.create_proposal(actor=world["member"], body=world["coop"],
                                        title="Join the network", text="We join it.",
                                        decision_class="orientation")
    url = f"/proposals/{proposal.pk}/"

    member = browser.new_context(locale="en-US", base_url=live_server.url).new_page()
    log_in(member, world["member"])
    member.goto(url)
    assert _take(member, "agree") == 200
    assert Position.objects.get(person=world["member"]).stance == "agree"
    assert _take(member, "reservations", note="The fee") == 200
    assert _take(member, "veto", reason="A charter we never read") == 400  # no counter
    assert "counter-proposal" in member.locator("[role=alert]").inner_text()
    assert Position.objects.get(person=world["member"]).stance == "reservations"
    assert _take(member, "veto", reason="A charter we never read",
                 counter_proposal="Observe for a year") == 200

    coordinator = browser.new_context(locale="en-US", base_url=live_server.url).new_page()
    log_in(coordinator, world["coordinator"])
    coordinator.goto(url)
    coordinator.check('#position-form input[name=stance][value="stand_aside"]')
    with coordinator.expect_navigation():
        coordinator.click("#position-form button[type=submit]")
    # Closing decides: the browser asks first (core/confirm.py), saying how many took a
    # position; the facilitator says yes.
    questions = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.accept()

    coordinator.once("dialog", answer)
    with coordinator.expect_navigation():
        coordinator.click('#facilitation form:has(input[value=close]) button')
    assert questions and "2 of 2 members have taken a position" in questions[0]
    heading = coordinator.locator("#round h2").first.inner_text()
    assert "postponed" in heading.lower()
    assert coordinator.locator("#arithmetic").inner_text().startswith("Blocking vetoes: 1")
    assert coordinator.locator("#star-debate .card").count() == 1
    member.context.close()
    coordinator.context.close()
