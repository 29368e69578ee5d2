"""In the browser, two people in the meeting room: the coordinator opens the room from the
meeting page and becomes its facilitator; a member raises a hand; the facilitator's page
shows the member on the list and calls the next speaker; the member's page says "you have
the floor".

The live server speaks WSGI only, so the page's websocket never opens: each page falls
back to polling the room's state.json every 5 seconds, and the test relies on it (waits
of up to 12 seconds; no page is ever reloaded: the buttons are sent with fetch)."""

from datetime import date, time, timedelta

import pytest
from playwright.sync_api import expect

from autogestion.assemblies import queries, services
from autogestion.core import clock
from autogestion.facilitation import queries as room_queries
from autogestion.facilitation import services as room_services
from autogestion.facilitation.models import Room, SpeakingTurn
from tests.support.browser import log_in

pytestmark = pytest.mark.e2e

POLLED = 12_000  # ms: one 5-second polling period, the failed websocket, and margin


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
def room_opened(world, agora):
    series, meeting_url = agora
    occurrence = queries.find_occurrence(series, date(2026, 11, 28))
    room = room_services.open_room(actor=world["coordinator"], occurrence=occurrence)
    return room, f"{meeting_url}room/"


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
    log_in(page, person)
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
    log_in(member, world["member"])
    member.goto(room_url)
    expect(member.locator("#call-next")).to_have_count(0)
    expect(member.locator("#you-have-the-floor")).to_be_hidden()
    _click_live(member, "#raise-hand")
    expect(member.locator("#lower-hand")).to_be_visible(timeout=POLLED)
    # Redrawn live (no reload), one's place is still the page's sentence, not "#1 — …".
    expect(member.locator('[data-bind="place"]')).to_have_text(
        "Number 1 — priority: you have not spoken yet.")
    # A process point: the facilitator's list names its kind, never its code.
    member.select_option("#process-kind", "technical")
    _click_live(member, '.room-process button[type="submit"]')

    # The facilitator's page, not reloaded, learns it by polling; it calls the next
    # speaker.
    waiting = facilitator.locator(f'[data-bind="queue"] li[data-who="{member_key}"]')
    expect(waiting).to_have_count(2, timeout=POLLED)
    expect(waiting.first).to_contain_text("Member")
    expect(waiting.first.locator(".detail")).to_have_text("technical point")
    expect(waiting.last.locator(".detail")).to_have_text("(0 turns)")
    assert polls, "the facilitator's page never polled state.json"
    _click_live(facilitator, "#call-next")  # the technical point first
    expect(facilitator.locator('[data-bind="speaker"]')).to_have_text(
        "Member technical point", timeout=POLLED)
    _click_live(facilitator, "#call-next")
    expect(facilitator.locator('[data-bind="speaker"]')).to_have_text("Member",
                                                                      timeout=POLLED)
    expect(waiting).to_have_count(0)

    # The member's page, not reloaded, shows it has the floor.
    expect(member.locator("#you-have-the-floor")).to_be_visible(timeout=POLLED)
    expect(member.locator("#raise-hand")).to_be_visible()
    turn = SpeakingTurn.objects.filter(room=room).last()
    assert turn.participant.person == world["member"] and turn.ended_at is None
    assert turn.kind == "speak"


def test_gestures_fade_on_every_screen_when_the_server_drops_them(world, agora, two_pages,
                                                                   room_opened):
    """A gesture fades after 30 seconds; no message says so (none is sent): each screen
    takes it off at the moment the server gave, counted on the server's clock. It used
    to stay on the facilitator's screen (and everyone's) until something else changed.

    The server's clock is the suite's, frozen here; each page runs on Playwright's clock,
    moved on by hand. Polling is cut once the gesture is seen: as over a websocket, no
    update comes when it fades."""
    room, room_url = room_opened
    facilitator, member = two_pages
    made = clock.now()
    clock.freeze(made)
    try:
        for page, person in ((facilitator, world["coordinator"]), (member, world["member"])):
            page.clock.install()
            log_in(page, person)
            page.goto(room_url)
        # The member taps "agree"; the facilitator's page learns it at its next poll.
        with member.expect_response(lambda r: r.url.endswith("/gesture/")):
            member.click('.gesture[value="agree"]')
        agree = '[data-gesture="agree"]'
        expect(member.locator(agree)).to_have_text("1")
        facilitator.clock.run_for(6_000)
        expect(facilitator.locator(agree)).to_have_text("1")
        who = facilitator.locator('[data-bind="gesture-people"] li')
        expect(who).to_have_text(["agree — Member"])
        for page in (facilitator, member):
            page.route("**/state.json", lambda route: route.abort())
            page.clock.run_for(20_000)
        expect(facilitator.locator(agree)).to_have_text("1")  # not yet: 30 s
        expect(member.locator(agree)).to_have_text("1")
        for page in (facilitator, member):
            page.clock.run_for(11_000)
        expect(member.locator(agree)).to_have_text("0")
        expect(facilitator.locator(agree)).to_have_text("0")
        expect(facilitator.locator("#who-gestures")).to_be_hidden()
        # The server counts it gone at the same moment.
        clock.freeze(made + timedelta(seconds=31))
        assert room_queries.gesture_counts(room)["agree"] == 0
    finally:
        clock.freeze(None)


@pytest.mark.parametrize("size", [(360, 740), (390, 844)])
@pytest.mark.parametrize("who", ["member", "coordinator"])
def test_the_main_actions_are_on_a_phone_s_first_screen(world, room_opened, browser,
                                                        live_server, size, who):
    """On a phone the hand, the process point and the gestures are on the first screen,
    for a participant and for the facilitator (who also has the list's three buttons
    there), and nothing is wider than the screen."""
    room, room_url = room_opened
    width, height = size
    context = browser.new_context(locale="fr-FR", base_url=live_server.url,
                                  viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        log_in(page, world[who])
        page.goto(room_url)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        wanted = ["[data-primary]", "#process-kind", ".room-process button", ".gesture",
                  ".gesture-hold"]
        if who == "coordinator":
            wanted += ["#call-next", "#undo"]
        for selector in wanted:
            for box in page.locator(selector).evaluate_all(
                    "els => els.map(e => e.getBoundingClientRect().bottom + window.scrollY)"):
                assert box <= height, (selector, box)
        assert page.locator("[data-primary]").get_attribute("id") == "raise-hand"
    finally:
        context.close()
