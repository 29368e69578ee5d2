"""The room's websocket against people and frames it must not trust (issue #11): a person
who loses the right to see a closed body's room stops receiving it and is cut off;
frames the room cannot read get an answer, not a crash; in an open body's room only
members and the meeting's registered guests act, others watch; one person cannot make
every screen redraw more than a meeting ever needs.

Through the whole ASGI stack with `channels.testing.WebsocketCommunicator`, as in
test_consumers.py (whose helpers these tests share)."""

import json
import os
import threading
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.core.cache import cache

from autogestion.assemblies import queries as assembly_queries
from autogestion.assemblies import services as assembly_services
from autogestion.cooperatives import services as cooperatives
from autogestion.core import clock
from autogestion.facilitation import services
from autogestion.facilitation.consumers import FORBIDDEN
from autogestion.facilitation.models import Room
from tests.facilitation.test_consumers import (
    TIMEOUT,
    communicator,
    join,
    reply,
    room_state,
    session_cookie,
    update,
)

pytestmark = pytest.mark.django_db(transaction=True)

PARIS = ZoneInfo("Europe/Paris")
# A moment on a boundary of the pace's windows (its timestamp is a multiple of 5 s).
STILL = datetime(2026, 11, 26, 10, 0, tzinfo=PARIS)
LOST = "You may no longer see this meeting room: only members of the body see a closed " \
       "body's meetings."
SLOW_DOWN = "Slow down: you are acting faster than a meeting needs. Wait a second and try " \
            "again."
WATCH_ONLY = "Only members of CIT and the meeting's registered guests raise a hand or make " \
             "a gesture here; you may watch."


@pytest.fixture(autouse=True)
def fresh_pace():
    """The pace counters live in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()
    clock.freeze(None)


def weekly_room(world, body, title):
    series = assembly_services.create_series(
        actor=world["coordinator"], body=body, title=title, rrule="FREQ=WEEKLY;BYDAY=MO",
        first_day=date(2026, 1, 5), start_time=time(18, 0), end_time=time(19, 0))
    occurrence = assembly_queries.find_occurrence(series, date(2026, 11, 30))
    return services.open_room(actor=world["coordinator"], occurrence=occurrence)


async def cut_off(comm) -> tuple[dict, dict]:
    """The next two things the server does on `comm`: its last frame, then the close."""
    last = await comm.receive_output(timeout=TIMEOUT)
    closed = await comm.receive_output(timeout=TIMEOUT)
    assert last["type"] == "websocket.send", last
    return json.loads(last["text"]), closed


# 1. Losing the right to see the room -------------------------------------------------

def test_leaving_a_closed_body_stops_its_room_and_closes_the_socket(world):
    """The member keeps the room of the closed group open and leaves the group in
    another tab: the next change reaches the coordinator, not them, and their socket is
    closed with FORBIDDEN after a last frame saying why."""
    member, coordinator, group = world["member"], world["coordinator"], world["closed_group"]
    asked = cooperatives.join_body(person=member, body=group)
    cooperatives.accept_membership_request(actor=coordinator, membership_id=asked.pk)
    room = weekly_room(world, group, "Caisse")
    cookies = session_cookie(member), session_cookie(coordinator)

    @database_sync_to_async
    def leave():
        cooperatives.leave_body(person=member, body=group)

    async def scenario():
        member_screen, coordinator_screen = (communicator(room.pk, c) for c in cookies)
        try:
            version = (await join(member_screen))["state"]["version"]
            await join(coordinator_screen)
            await leave()
            await coordinator_screen.send_json_to({"action": "raise", "id": 1})
            assert (await reply(coordinator_screen, 1))["ok"] is True
            seen = await update(coordinator_screen, version + 1)
            assert [h["name"] for h in seen["state"]["queue"]] == ["Coordinator"]
            return await cut_off(member_screen)
        finally:
            await member_screen.disconnect()
            await coordinator_screen.disconnect()

    last, closed = async_to_sync(scenario)()
    assert last == {"reply": {"id": None, "ok": False, "status": 403, "error": LOST}}
    assert closed == {"type": "websocket.close", "code": FORBIDDEN,
                      "reason": "You may no longer see this meeting room."}


def test_a_body_that_closes_cuts_off_those_who_only_watched(world):
    """An open group's room is public: an outsider watches it. When the group closes
    itself, the next change is the last thing the outsider's socket carries."""
    outsider, coordinator, group = world["outsider"], world["coordinator"], world["open_group"]
    room = weekly_room(world, group, "Accueil")
    cookies = session_cookie(outsider), session_cookie(coordinator)

    @database_sync_to_async
    def close_the_group():
        cooperatives.update_body(actor=coordinator, body=group, is_open=False)

    async def scenario():
        outsider_screen, coordinator_screen = (communicator(room.pk, c) for c in cookies)
        try:
            version = (await join(outsider_screen))["state"]["version"]
            await join(coordinator_screen)
            # While the group is open, the outsider sees each change.
            await coordinator_screen.send_json_to({"action": "raise", "id": 1})
            assert (await reply(coordinator_screen, 1))["ok"] is True
            assert (await update(outsider_screen, version + 1))["state"]["queue"]
            await close_the_group()
            await coordinator_screen.send_json_to({"action": "lower", "id": 2})
            assert (await reply(coordinator_screen, 2))["ok"] is True
            assert (await update(coordinator_screen, version + 2))["state"]["queue"] == []
            return await cut_off(outsider_screen)
        finally:
            await outsider_screen.disconnect()
            await coordinator_screen.disconnect()

    last, closed = async_to_sync(scenario)()
    assert last["reply"]["status"] == 403 and last["reply"]["error"] == LOST
    assert closed["code"] == FORBIDDEN


# 2. Frames the room cannot read -------------------------------------------------------

BAD_FRAMES = [
    # (the frame, the reply's id, its status, its error)
    ({"text_data": "raise my hand"}, None, 400,
     'Send one JSON object per frame, such as {"action": "raise"}.'),
    ({"input": {"type": "websocket.receive", "text": ""}}, None, 400,
     'Send one JSON object per frame, such as {"action": "raise"}.'),
    ({"text_data": '[{"action": "raise"}]'}, None, 400,
     'Send one JSON object per frame, such as {"action": "raise"}.'),
    ({"text_data": "42"}, None, 400,
     'Send one JSON object per frame, such as {"action": "raise"}.'),
    ({"text_data": '"raise"'}, None, 400,
     'Send one JSON object per frame, such as {"action": "raise"}.'),
    ({"text_data": "null"}, None, 400,
     'Send one JSON object per frame, such as {"action": "raise"}.'),
    ({"text_data": "[" * 100_000 + "]" * 100_000}, None, 400,
     'Send one JSON object per frame, such as {"action": "raise"}.'),
    ({"bytes_data": b'{"action": "raise"}'}, None, 400,
     "Send text frames holding JSON: binary frames are not read."),
    ({"text_data": '{"action": "fly", "id": 1}'}, 1, 400, "Unknown action."),
    ({"text_data": '{"id": 2}'}, 2, 400, 'Say what to do: an "action" or a "gesture".'),
    ({"text_data": '{"action": null, "id": 3}'}, 3, 400,
     'Say what to do: an "action" or a "gesture".'),
    ({"text_data": '{"action": 5, "id": 4}'}, 4, 400, 'Send "action" as text, in quotes.'),
    ({"text_data": '{"action": "raise", "kind": ["speak"], "id": 5}'}, 5, 400,
     'Send "kind" as text, in quotes.'),
    ({"text_data": '{"action": "lower_other", "who": {"p": 1}, "id": 6}'}, 6, 400,
     'Send "who" as text, in quotes.'),
    ({"text_data": '{"action": "add_guest", "name": 7, "id": 7}'}, 7, 400,
     'Send "name" as text, in quotes.'),
    ({"text_data": '{"gesture": ["agree"], "id": 8}'}, 8, 400,
     'Send "gesture" as text, in quotes.'),
    ({"text_data": '{"gesture": "agree", "hold": "yes", "id": 9}'}, 9, 400,
     'Send "hold" as true or false.'),
    ({"text_data": '{"action": "raise", "id": [10]}'}, None, 400,
     "Give the request an id that is a number or a short text."),
    ({"text_data": json.dumps({"action": "raise", "id": "x" * 101})}, None, 400,
     "Give the request an id that is a number or a short text."),
]


def test_every_malformed_frame_gets_an_error_and_the_socket_stays_usable(world, room):
    cookie = session_cookie(world["member"])
    before = room_state(room)

    async def scenario():
        comm = communicator(room.pk, cookie)
        try:
            await join(comm)
            answers = []
            for frame, _id, _status, _error in BAD_FRAMES:
                if "input" in frame:  # an empty frame, which send_to refuses to send
                    await comm.send_input(frame["input"])
                else:
                    await comm.send_to(**frame)
                answers.append(await comm.receive_json_from(timeout=TIMEOUT))
            # None of them changed anything, so no snapshot went out.
            assert await comm.receive_nothing(timeout=0.2)
            await comm.send_json_to({"action": "raise", "id": "ok"})
            return answers, await reply(comm, "ok")
        finally:
            await comm.disconnect()

    answers, accepted = async_to_sync(scenario)()
    assert answers == [{"reply": {"id": request_id, "ok": False, "status": status,
                                  "error": error}}
                       for _frame, request_id, status, error in BAD_FRAMES]
    assert accepted == {"id": "ok", "ok": True}
    # The raise is the one change: the bad frames wrote nothing.
    assert room_state(room) == (before[0] + 1, [f"p:{world['member'].pk}"], None)


def test_errors_speak_the_person_s_language(world, room, make_person):
    """Each screen hears its own person's language, whatever the server's default."""
    french = make_person("Française", language="fr")
    cooperatives.join_body(person=french, body=world["coop"])
    cookies = session_cookie(french), session_cookie(world["member"])  # the member: English

    async def scenario():
        screens = [communicator(room.pk, cookie) for cookie in cookies]
        try:
            answers = []
            for screen in screens:
                await join(screen)
                await screen.send_json_to({"action": "fly", "id": 1})
                answers.append((await reply(screen, 1))["error"])
            return answers
        finally:
            for screen in screens:
                await screen.disconnect()

    assert async_to_sync(scenario)() == ["Action inconnue.", "Unknown action."]


# 3. Who acts in an open body's room -----------------------------------------------------

def test_a_signed_in_outsider_watches_but_does_not_act(world, room):
    services.act(actor=world["member"], room_id=room.pk, action="raise")
    before = room_state(room)
    cookie = session_cookie(world["outsider"])

    async def scenario():
        comm = communicator(room.pk, cookie)
        try:
            first = await join(comm)
            answers = []
            for number, content in enumerate(({"action": "raise"}, {"action": "lower"},
                                              {"gesture": "agree"}), start=1):
                await comm.send_json_to({**content, "id": number})
                answers.append(await reply(comm, number))
            assert await comm.receive_nothing(timeout=0.2)
            return first, answers
        finally:
            await comm.disconnect()

    first, answers = async_to_sync(scenario)()
    assert [hand["name"] for hand in first["state"]["queue"]] == ["Member"]
    assert first["me"] == f"p:{world['outsider'].pk}"
    assert answers == [{"id": n, "ok": False, "status": 403, "error": WATCH_ONLY}
                       for n in (1, 2, 3)]
    assert room_state(room) == before


def test_a_registered_guest_acts_until_they_cancel(world, room, occurrence):
    """Signing up to a workshop of the Agora's program makes the outsider a guest of the
    meeting: they raise a hand and gesture. Leaving the workshop ends it."""
    outsider = world["outsider"]
    workshop = assembly_services.add_session(
        actor=world["coordinator"], occurrence=occurrence, title="Atelier semences",
        starts_at=datetime(2026, 11, 28, 14, 0, tzinfo=PARIS),
        ends_at=datetime(2026, 11, 28, 17, 30, tzinfo=PARIS), kind="workshop")
    assembly_services.sign_up(person=outsider, session_id=workshop.pk)
    cookie = session_cookie(outsider)

    @database_sync_to_async
    def cancel():
        assembly_services.leave_session(person=outsider, session_id=workshop.pk)

    async def scenario():
        comm = communicator(room.pk, cookie)
        try:
            await join(comm)
            answers = []
            for number, content in enumerate(({"action": "raise"}, {"gesture": "agree"}),
                                             start=1):
                await comm.send_json_to({**content, "id": number})
                answers.append(await reply(comm, number))
            await cancel()
            await comm.send_json_to({"action": "lower", "id": 3})
            answers.append(await reply(comm, 3))
            return answers
        finally:
            await comm.disconnect()

    answers = async_to_sync(scenario)()
    assert answers == [{"id": 1, "ok": True}, {"id": 2, "ok": True},
                       {"id": 3, "ok": False, "status": 403, "error": WATCH_ONLY}]
    assert room_state(room)[1] == [f"p:{outsider.pk}"]


# 4. The pace of actions -----------------------------------------------------------------

def test_a_burst_of_1500_actions_reaches_other_screens_ten_times(world, room):
    """The clock stands still: the whole burst falls in one instant, so exactly the
    burst allowance (ten) goes through and the rest is told to slow down."""
    clock.freeze(STILL)
    member, coordinator = world["member"], world["coordinator"]
    cookies = session_cookie(member), session_cookie(coordinator)
    frames = 1500

    async def scenario():
        sender, other = (communicator(room.pk, cookie) for cookie in cookies)
        try:
            version = (await join(sender))["state"]["version"]
            await join(other)
            for number in range(frames):
                await sender.send_json_to({"action": ("raise", "lower")[number % 2],
                                           "id": number})
            replies = []
            while len(replies) < frames:
                message = await sender.receive_json_from(timeout=TIMEOUT)
                if "reply" in message:
                    replies.append(message["reply"])
            pushed = []
            while not pushed or pushed[-1] < version + services.PACE_BURST:
                pushed.append((await other.receive_json_from(timeout=TIMEOUT))["state"]
                              ["version"])
            assert await other.receive_nothing(timeout=0.5)
            return version, replies, pushed
        finally:
            await sender.disconnect()
            await other.disconnect()

    version, replies, pushed = async_to_sync(scenario)()
    assert pushed == list(range(version + 1, version + services.PACE_BURST + 1))
    assert replies[:services.PACE_BURST] == [{"id": n, "ok": True}
                                             for n in range(services.PACE_BURST)]
    assert replies[services.PACE_BURST:] == [
        {"id": n, "ok": False, "status": 429, "error": SLOW_DOWN}
        for n in range(services.PACE_BURST, frames)]
    assert Room.objects.get(pk=room.pk).version == version + services.PACE_BURST


def allowed(attempts: int, room_id: int = 1, who: str = "p:1") -> int:
    passed = 0
    for _ in range(attempts):
        try:
            services.check_pace(who=who, room_id=room_id)
        except services.TooFast:
            continue
        passed += 1
    return passed


def test_the_pace_refills_at_two_actions_a_second():
    clock.freeze(STILL)
    assert allowed(50) == 10
    # A whole window later the last one still counts in full: nothing yet.
    clock.freeze(STILL + timedelta(seconds=5))
    assert allowed(50) == 0
    # Half of the last window has slid out: five of its ten.
    clock.freeze(STILL + timedelta(seconds=7.5))
    assert allowed(50) == 5
    # Quiet for a window and more: the full burst again.
    clock.freeze(STILL + timedelta(seconds=15))
    assert allowed(50) == 10
    # Each person in each room has a pace of their own.
    assert allowed(50, who="p:2") == 10 and allowed(50, room_id=2) == 10


@pytest.mark.skipif(not os.environ.get("REDIS_URL"),
                    reason="skipped: no Redis (REDIS_URL is not set)")
def test_the_pace_holds_across_connections_to_redis(settings):
    """On Redis, as in production: eight threads, each with its own connection (as
    worker processes have), spend 400 actions of one person at once; ten pass."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": os.environ["REDIS_URL"],
                                   "KEY_PREFIX": f"room-security-{os.getpid()}"}}
    cache.clear()
    clock.freeze(STILL)
    counts: list[int] = []
    start = threading.Barrier(8)

    def worker():
        start.wait()
        counts.append(allowed(50))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    cache.clear()
    assert len(counts) == 8 and sum(counts) == services.PACE_BURST
