"""In the browser, two people in the meeting room: the coordinator opens the room from the
meeting page and becomes its facilitator; a member raises a hand; the facilitator's page
shows the member on the list and calls the next speaker; the member's page says "you have
the floor".

The live server speaks WSGI only, so the page's websocket never opens: each page falls
back to polling the room's state.json every 5 seconds, and the test relies on it (waits
of up to 12 seconds; no page is ever reloaded: the buttons are sent with fetch)."""

from datetime import date, time

import pytest
from playwright.sync_api import expect

from autogestion.assemblies import queries, services
from autogestion.facilitation.models import Room, SpeakingTurn

pytestmark = pytest.mark.e2e

POLLED = 12_000  # ms: one 5-second polling period, the failed websocket, and margin


def _log_in(page, person):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", person.email)
    page.fill("input[name=password]", "pw-secret-123")
    with page.expect_navigation():
        page.click('main form[action$="/accounts/login/"] button[type=submit]')


def _click_live(page, selector):
    """Press a room button: the page's script sends it with fetch, no reload."""
    with page.expect_response(lambda r: r.request.method == "POST") as sent:
        page.click(selector)
    assert sent.value.url.endswith("/act/"), sent.value.url
    assert sent.value.status == 200, sent.value.status


@pytest.fixture
def agora(world):
    series = services.create_series(
        actor=world["coordinator"], body=world["coop"], title="Agora",
        rrule="FREQ=MONTHLY;BYDAY=-1SA", first_day=date(2026, 1, 1), start_time=time(10, 30),
        end_time=time(19, 0), kind="agora")
    occurrence = queries.find_occurrence(series, date(2026, 11, 28))
    return series, f"/meetings/{series.pk}/{occurrence.key}/"


@pytest.fixture
def two_pages(live_server, browser):
    contexts = [browser.new_context(locale="en-US", base_url=live_server.url)
                for _ in range(2)]
    try:
        for context in contexts:
            context.set_default_timeout(10_000)
            context.set_default_navigation_timeout(15_000)
        yield [context.new_page() for context in contexts]
    finally:
        for context in contexts:
            context.close()


def _open_from_the_meeting_page(page, person, meeting_url):
    _log_in(page, person)
    page.goto(meeting_url)
    with page.expect_navigation():
        page.click("#room-link")
    with page.expect_navigation():
        page.click('form[action$="/room/open/"] button[type=submit]')
    assert page.url.endswith(f"{meeting_url}room/")
    expect(page.locator("#call-next")).to_be_visible()


def test_raise_a_hand_then_get_the_floor(world, agora, two_pages):
    series, meeting_url = agora
    room_url = f"{meeting_url}room/"
    member_key = f"p:{world['member'].pk}"
    facilitator, member = two_pages
    polls = []
    facilitator.on("request", lambda r: polls.append(r.url)
                   if r.url.endswith("/state.json") else None)

    # The facilitator opens the room from the meeting page.
    _open_from_the_meeting_page(facilitator, world["coordinator"], meeting_url)
    room = Room.objects.get(meeting__series=series)
    assert room.opened_by == world["coordinator"]

    # The member comes in and raises a hand.
    _log_in(member, world["member"])
    member.goto(room_url)
    expect(member.locator("#call-next")).to_have_count(0)
    expect(member.locator("#you-have-the-floor")).to_be_hidden()
    _click_live(member, "#raise-hand")
    expect(member.locator("#lower-hand")).to_be_visible(timeout=POLLED)

    # The facilitator's page, not reloaded, learns it by polling; it calls the next
    # speaker.
    waiting = facilitator.locator(f'[data-bind="queue"] li[data-who="{member_key}"]')
    expect(waiting).to_contain_text("Member", timeout=POLLED)
    assert polls, "the facilitator's page never polled state.json"
    _click_live(facilitator, "#call-next")
    expect(facilitator.locator('[data-bind="speaker"]')).to_contain_text("Member",
                                                                          timeout=POLLED)
    expect(waiting).to_have_count(0)

    # The member's page, not reloaded, shows it has the floor.
    expect(member.locator("#you-have-the-floor")).to_be_visible(timeout=POLLED)
    expect(member.locator("#raise-hand")).to_be_visible()
    turn = SpeakingTurn.objects.get(room=room)
    assert turn.participant.person == world["member"] and turn.ended_at is None
