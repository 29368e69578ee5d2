"""The room's websocket through the whole ASGI stack (origin check, cookies, sessions,
the consumer), with `channels.testing.WebsocketCommunicator`: who may connect, who may
act, and that every screen gets each change with its own place in the list.

The scope user comes from a real session: a test Client logs the person in and its
session cookie goes in the handshake headers, as a browser's would. The async parts run
under `async_to_sync` (asyncio.run does not mix with Playwright's loop in the suite)."""

from datetime import date, time

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings

from autogestion.assemblies import queries as assembly_queries
from autogestion.assemblies import services as assembly_services
from autogestion.config.asgi import application
from autogestion.cooperatives import services as cooperatives
from autogestion.facilitation import services
from autogestion.facilitation.models import Room
from tests.support.http import client_for

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = b"http://127.0.0.1"
TIMEOUT = 5  # seconds: generous for a loaded CI machine, never reached when it works


def session_cookie(person) -> str | None:
    """The session cookie of `person` logged in, as the browser would send it."""
    if person is None:
        return None
    client = client_for(person)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def communicator(room_id: int, cookie: str | None = None,
                 origin: bytes = ORIGIN) -> WebsocketCommunicator:
    """A screen on the room; `cookie` from `session_cookie` (taken outside the event loop:
    logging in touches the database), none for an anonymous visitor."""
    headers = [(b"origin", origin)]
    if cookie is not None:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, f"/ws/rooms/{room_id}/", headers=headers)


async def until(comm: WebsocketCommunicator, accept) -> dict:
    """The first message for which `accept(message)` is true; earlier ones are dropped."""
    while True:
        message = await comm.receive_json_from(timeout=TIMEOUT)
        if accept(message):
            return message


async def update(comm: WebsocketCommunicator, version: int) -> dict:
    return await until(comm, lambda m: "state" in m and m["state"]["version"] >= version)


async def reply(comm: WebsocketCommunicator, request_id) -> dict:
    message = await until(comm, lambda m: "reply" in m and m["reply"]["id"] == request_id)
    return message["reply"]


async def join(comm: WebsocketCommunicator) -> dict:
    """Connect; the first message is the snapshot."""
    connected, code = await comm.connect(timeout=TIMEOUT)
    assert connected, f"the room refused the connection (code {code})"
    first = await comm.receive_json_from(timeout=TIMEOUT)
    assert set(first) == {"state", "now", "me", "place"}
    return first


def bare(place: dict | None) -> dict | None:
    """A place without its sentence (asserted apart, in the person's language)."""
    return None if place is None else {k: v for k, v in place.items() if k != "text"}


def room_state(room) -> tuple[int, list[str], str | None]:
    fresh = Room.objects.get(pk=room.pk)
    chain = fresh.state.get("chain") or [{"hands": [], "speaker": None}]
    return fresh.version, [hand[0] for hand in chain[0]["hands"]], chain[0]["speaker"]


@pytest.fixture
def second_member(world, make_person):
    person = make_person("Second member")
    cooperatives.join_body(person=person, body=world["coop"])
    return person


@pytest.fixture
def closed_room(world):
    """The room of a meeting of the closed group (the treasury)."""
    series = assembly_services.create_series(
        actor=world["coordinator"], body=world["closed_group"], title="Caisse",
        rrule="FREQ=WEEKLY;BYDAY=MO", first_day=date(2026, 1, 5), start_time=time(18, 0),
        end_time=time(19, 0))
    occurrence = assembly_queries.find_occurrence(series, date(2026, 11, 30))
    return services.open_room(actor=world["coordinator"], occurrence=occurrence)


def test_a_member_connects_and_receives_the_snapshot(world, room):
    member = world["member"]
    services.act(actor=member, room_id=room.pk, action="raise")
    cookie = session_cookie(member)

    async def scenario():
        comm = communicator(room.pk, cookie)
        try:
            return await join(comm)
        finally:
            await comm.disconnect()

    first = async_to_sync(scenario)()
    state = first["state"]
    assert state["room"] == room.pk and state["closed"] is False
    assert state["version"] == Room.objects.get(pk=room.pk).version
    assert [hand["name"] for hand in state["queue"]] == ["Member"]
    assert first["me"] == f"p:{member.pk}"
    assert bare(first["place"]) == {"position": 1, "reason": "not_spoken_yet", "turns": 0,
                                    "ahead_with_fewer": 0}


def test_each_screen_gets_each_change_with_its_own_place(world, room, second_member):
    coordinator, member = world["coordinator"], world["member"]
    me_member, me_second = f"p:{member.pk}", f"p:{second_member.pk}"
    cookies = [session_cookie(person) for person in (coordinator, member, second_member)]

    async def scenario():
        facilitator, first, second = (communicator(room.pk, cookie) for cookie in cookies)
        comms = (facilitator, first, second)
        try:
            version = (await join(facilitator))["state"]["version"]
            await join(first)
            await join(second)

            # The member raises a hand from their screen: everyone sees it.
            await first.send_json_to({"action": "raise", "id": 1})
            assert (await reply(first, 1))["ok"] is True
            version += 1
            seen = [await update(comm, version) for comm in comms]
            assert [m["state"]["queue"][0]["who"] for m in seen] == [me_member] * 3
            assert seen[1]["place"]["reason"] == "not_spoken_yet"
            assert seen[0]["place"] is None and seen[2]["place"] is None

            # The facilitator gives the member the floor, from another screen.
            await facilitator.send_json_to({"action": "next", "id": 2})
            assert (await reply(facilitator, 2))["ok"] is True
            version += 1
            seen = [await update(comm, version) for comm in comms]
            assert all(m["state"]["speaker"]["who"] == me_member for m in seen)
            assert all(m["state"]["queue"] == [] for m in seen)

            # Both members raise: the one who has not spoken goes first, and each screen
            # says why for its own person.
            await first.send_json_to({"action": "raise", "id": 3})
            assert (await reply(first, 3))["ok"] is True
            await second.send_json_to({"action": "raise", "id": 4})
            assert (await reply(second, 4))["ok"] is True
            version += 2
            at_facilitator, at_first, at_second = [await update(comm, version)
                                                   for comm in comms]
            assert [h["who"] for h in at_facilitator["state"]["queue"]] == [me_second,
                                                                            me_member]
            assert at_facilitator["place"] is None
            assert at_first["me"] == me_member and at_second["me"] == me_second
            assert bare(at_first["place"]) == {"position": 2, "reason": "spoken_before",
                                               "turns": 1, "ahead_with_fewer": 1}
            assert bare(at_second["place"]) == {"position": 1, "reason": "not_spoken_yet",
                                                "turns": 0, "ahead_with_fewer": 0}

            # Skip and undo, the facilitator's alone, reach everyone too.
            await facilitator.send_json_to({"action": "skip", "who": me_second, "id": 5})
            assert (await reply(facilitator, 5))["ok"] is True
            version += 1
            seen = [await update(comm, version) for comm in comms]
            assert all([s["who"] for s in m["state"]["skipped"]] == [me_second] for m in seen)
            assert seen[1]["place"]["position"] == 1 and seen[2]["place"] is None
            await facilitator.send_json_to({"action": "undo", "id": 6})
            assert (await reply(facilitator, 6))["ok"] is True
            version += 1
            seen = [await update(comm, version) for comm in comms]
            assert seen[2]["place"]["position"] == 1 and seen[2]["state"]["skipped"] == []
        finally:
            for comm in comms:
                await comm.disconnect()

    async_to_sync(scenario)()
    version, hands, speaker = room_state(room)
    assert hands == [me_member, me_second] and speaker == me_member


def test_a_member_cannot_run_the_list(world, room):
    member = world["member"]
    services.act(actor=member, room_id=room.pk, action="raise")
    before = room_state(room)
    cookie = session_cookie(member)

    async def scenario():
        comm = communicator(room.pk, cookie)
        try:
            await join(comm)
            answers = {}
            for number, action in enumerate(("next", "skip", "undo", "end_turn",
                                             "reset_turns"), start=1):
                await comm.send_json_to({"action": action, "who": f"p:{member.pk}",
                                         "id": number})
                answers[action] = await reply(comm, number)
            # Nothing changed, so no new snapshot went out.
            assert await comm.receive_nothing(timeout=0.2)
            return answers
        finally:
            await comm.disconnect()

    answers = async_to_sync(scenario)()
    for action, answer in answers.items():
        assert answer["ok"] is False and answer["status"] == 403, (action, answer)
        assert answer["error"]
    assert room_state(room) == before


def test_anonymous_may_watch_an_open_room_but_not_raise(world, room):
    services.act(actor=world["member"], room_id=room.pk, action="raise")
    before = room_state(room)

    async def scenario():
        comm = communicator(room.pk)
        try:
            first = await join(comm)
            await comm.send_json_to({"action": "raise", "id": "a"})
            raised = await reply(comm, "a")
            await comm.send_json_to({"gesture": "agree", "id": "g"})
            gestured = await reply(comm, "g")
            await comm.send_json_to({"action": "next", "id": "n"})
            called = await reply(comm, "n")
            return first, raised, gestured, called
        finally:
            await comm.disconnect()

    first, *answers = async_to_sync(scenario)()
    assert first["me"] is None and first["place"] is None
    assert [hand["name"] for hand in first["state"]["queue"]] == ["Member"]
    for answer in answers:
        assert answer["ok"] is False and answer["status"] == 403
    assert room_state(room) == before


def test_a_closed_body_s_room_refuses_non_members(world, closed_room):
    async def attempt(cookie):
        comm = communicator(closed_room.pk, cookie)
        try:
            return await comm.connect(timeout=TIMEOUT)
        finally:
            await comm.disconnect()

    outsider, member, coordinator = (session_cookie(world[name])
                                     for name in ("outsider", "member", "coordinator"))
    assert async_to_sync(attempt)(outsider) == (False, 4403)
    assert async_to_sync(attempt)(member) == (False, 4403)  # of the cooperative only
    assert async_to_sync(attempt)(None) == (False, 4403)
    assert async_to_sync(attempt)(coordinator) == (True, None)  # a member of the group


def test_foreign_origins_and_unknown_rooms_are_refused(world, room):
    cookie = session_cookie(world["member"])

    async def attempt(room_id, origin):
        comm = communicator(room_id, cookie, origin)
        try:
            return (await comm.connect(timeout=TIMEOUT))[0]
        finally:
            await comm.disconnect()

    assert async_to_sync(attempt)(room.pk, b"https://evil.example") is False
    assert async_to_sync(attempt)(room.pk + 1000, ORIGIN) is False
    assert async_to_sync(attempt)(room.pk, ORIGIN) is True


def test_bad_requests_get_a_reply_not_a_crash(world, room):
    cookie = session_cookie(world["member"])

    async def scenario():
        comm = communicator(room.pk, cookie)
        try:
            await join(comm)
            answers = []
            for number, content in enumerate(({"action": "fly"}, {"action": "lower"},
                                              {"action": "raise", "kind": "shout"},
                                              {"gesture": "wave"}), start=1):
                await comm.send_json_to({**content, "id": number})
                answers.append(await reply(comm, number))
            # The connection is still usable afterwards.
            await comm.send_json_to({"action": "raise", "id": "ok"})
            answers.append(await reply(comm, "ok"))
            return answers
        finally:
            await comm.disconnect()

    *refused, accepted = async_to_sync(scenario)()
    assert [a["status"] for a in refused] == [400, 409, 400, 400]
    assert all(a["ok"] is False and a["error"] for a in refused)
    assert accepted["ok"] is True


def test_leaving_a_closed_body_ends_taking_part_in_its_room(world, closed_room):
    """Permissions are checked at each action, not once at connection: someone who
    leaves the closed group (in another tab) cannot raise a hand in its room any more
    through the websocket they kept open."""
    from channels.db import database_sync_to_async

    member, group = world["member"], world["closed_group"]
    asked = cooperatives.join_body(person=member, body=group)
    cooperatives.accept_membership_request(actor=world["coordinator"], membership_id=asked.pk)
    cookie = session_cookie(member)

    @database_sync_to_async
    def leave():
        cooperatives.leave_body(person=member, body=group)

    async def scenario():
        comm = communicator(closed_room.pk, cookie)
        try:
            await join(comm)
            await comm.send_json_to({"action": "raise", "id": 1})
            assert (await reply(comm, 1))["ok"] is True  # a member may
            await comm.send_json_to({"action": "lower", "id": 2})
            assert (await reply(comm, 2))["ok"] is True
            await leave()
            await comm.send_json_to({"action": "raise", "id": 3})
            return await reply(comm, 3)
        finally:
            await comm.disconnect()

    answer = async_to_sync(scenario)()
    assert answer["ok"] is False and answer["status"] == 403, answer


def test_a_live_update_says_the_page_s_sentence(world, room, second_member):
    """The page says why one is on the list in a sentence; a live update used to replace
    it with "#2 — 1 ↺, 0 ↑". The socket and the polling answer now carry the same
    sentence, in the person's language."""
    import html
    import re

    from autogestion.assemblies import queries as assembly_queries
    from tests.support.http import client_for

    coordinator, member = world["coordinator"], world["member"]
    member.language = "fr"
    member.save(update_fields=["language"])
    services.act(actor=member, room_id=room.pk, action="raise")
    services.act(actor=coordinator, room_id=room.pk, action="next")
    services.act(actor=second_member, room_id=room.pk, action="raise")
    cookie = session_cookie(member)
    version = Room.objects.get(pk=room.pk).version

    async def scenario():
        comm = communicator(room.pk, cookie)
        try:
            await join(comm)
            await comm.send_json_to({"action": "raise", "id": 1})
            assert (await reply(comm, 1))["ok"] is True
            return await update(comm, version + 1)
        finally:
            await comm.disconnect()

    live = async_to_sync(scenario)()
    occurrence = assembly_queries.occurrence_of_meeting(room.meeting)
    client = client_for(member, "fr")
    page = client.get(f"/meetings/{occurrence.series.pk}/{occurrence.key}/room/").content.decode()
    shown = html.unescape(re.search(r'data-bind="place"[^>]*>(.*?)</p>', page, re.S).group(1))
    polled = client.get(f"/rooms/{room.pk}/state.json").json()["place"]["text"]
    assert live["place"]["reason"] == "spoken_before" and live["place"]["position"] == 2
    assert live["place"]["text"] == shown == polled
    assert shown.startswith("N° 2 — ") and "↺" not in shown
