"""The room's websocket with a personal API token, as a phone app or a bot connects: no
session cookie, no browser origin; the token in `Authorization: Bearer`, or as the
subprotocol pair `autogestion.token, autogestion.token.<token>` (a browser's only way).
Same rights as on the pages; a read-only token watches and does nothing; an unknown,
revoked or doubled token is refused (close code 4401), never let in as someone signed
out — not even where anyone may watch, not even beside a valid session cookie."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from autogestion.accounts import services as accounts
from autogestion.config.asgi import application
from autogestion.core.consumers import TOKEN_PROTOCOL, UNAUTHORISED
from autogestion.facilitation import services
from tests.facilitation.test_consumers import (
    TIMEOUT,
    bare,
    join,
    reply,
    room_state,
    session_cookie,
)

pytestmark = pytest.mark.django_db(transaction=True)


def token_for(person, scope="full") -> tuple[object, str]:
    return accounts.create_api_token(person=person, name="phone", scope=scope)


def by_header(room_id: int, raw: str, *extra, subprotocols=None) -> WebsocketCommunicator:
    """A bot: the token in a header, no Origin, no cookie."""
    return WebsocketCommunicator(application, f"/ws/rooms/{room_id}/",
                                 headers=[(b"authorization", f"Bearer {raw}".encode()), *extra],
                                 subprotocols=subprotocols)


def by_subprotocol(room_id: int, *raws: str, headers=()) -> WebsocketCommunicator:
    """A browser page elsewhere (another origin): the token as a subprotocol."""
    protocols = [TOKEN_PROTOCOL, *(f"{TOKEN_PROTOCOL}.{raw}" for raw in raws)]
    return WebsocketCommunicator(application, f"/ws/rooms/{room_id}/",
                                 headers=[(b"origin", b"https://app.elsewhere.example"),
                                          *headers], subprotocols=protocols)


async def refused(comm: WebsocketCommunicator) -> dict:
    """The handshake with a bad token: accepted only to be closed with 4401 and a
    reason, nothing of the room sent."""
    connected, _protocol = await comm.connect(timeout=TIMEOUT)
    assert connected
    closing = await comm.receive_output(timeout=TIMEOUT)
    await comm.wait()
    return closing


def test_a_token_in_the_header_connects_and_raises_a_hand(world, room):
    member = world["member"]
    _token, raw = token_for(member)

    async def scenario():
        comm = by_header(room.pk, raw)
        try:
            first = await join(comm)
            await comm.send_json_to({"action": "raise", "id": 1})
            answer = await reply(comm, 1)
            mine = await comm.receive_json_from(timeout=TIMEOUT)
            return first, answer, mine
        finally:
            await comm.disconnect()

    first, answer, mine = async_to_sync(scenario)()
    assert first["me"] == f"p:{member.pk}" and first["place"] is None
    assert answer["ok"] is True
    assert bare(mine["place"]) == {"position": 1, "reason": "not_spoken_yet", "turns": 0,
                                   "ahead_with_fewer": 0}
    assert room_state(room)[1] == [f"p:{member.pk}"]


def test_a_token_as_a_subprotocol_is_its_owner_whatever_cookie_comes_along(world, room):
    """Answered with `autogestion.token` alone: the secret never goes back. The session
    cookie of someone else beside it does not make the screen theirs."""
    member = world["member"]
    _token, raw = token_for(member)
    cookie = session_cookie(world["coordinator"])

    async def scenario():
        comm = by_subprotocol(room.pk, raw, headers=[(b"cookie", cookie.encode())])
        try:
            connected, protocol = await comm.connect(timeout=TIMEOUT)
            assert connected
            first = await comm.receive_json_from(timeout=TIMEOUT)
            await comm.send_json_to({"action": "raise", "id": 1})
            return protocol, first, await reply(comm, 1)
        finally:
            await comm.disconnect()

    protocol, first, answer = async_to_sync(scenario)()
    assert protocol == TOKEN_PROTOCOL and raw not in protocol
    assert first["me"] == f"p:{member.pk}"
    assert answer["ok"] is True and room_state(room)[1] == [f"p:{member.pk}"]


def test_a_read_only_token_watches_and_acts_on_nothing(world, room):
    member = world["member"]
    _token, raw = token_for(member, scope="read")
    services.act(actor=world["coordinator"], room_id=room.pk, action="raise")
    before = room_state(room)

    async def scenario():
        comm = by_header(room.pk, raw)
        try:
            first = await join(comm)
            answers = []
            for number, content in enumerate(({"action": "raise"}, {"gesture": "agree"},
                                              {"action": "lower"}), start=1):
                await comm.send_json_to({**content, "id": number})
                answers.append(await reply(comm, number))
            assert await comm.receive_nothing(timeout=0.2)  # nothing changed
            return first, answers
        finally:
            await comm.disconnect()

    first, answers = async_to_sync(scenario)()
    assert [hand["who"] for hand in first["state"]["queue"]] == [f"p:{world['coordinator'].pk}"]
    for answer in answers:
        assert answer["ok"] is False and answer["status"] == 403
        assert "read-only" in answer["error"]
    assert room_state(room) == before


@pytest.mark.parametrize("case", ["unknown", "revoked", "empty", "two_tokens", "inactive"])
def test_a_bad_token_is_refused_even_where_anyone_may_watch(world, room, case):
    """An open body's room is public, and a valid session cookie comes along: a bad token
    is still refused, not quietly turned into a signed-out or a cookie screen."""
    member = world["member"]
    token, raw = token_for(member)
    _other, other_raw = token_for(world["coordinator"])
    if case == "revoked":
        accounts.revoke_api_token(person=member, token_id=token.pk)
    if case == "inactive":
        member.is_active = False
        member.save(update_fields=["is_active"])
    raws = {"unknown": ["ag_not-a-token"], "revoked": [raw], "empty": [""],
            "two_tokens": [raw, other_raw], "inactive": [raw]}[case]
    cookie = session_cookie(world["coordinator"]).encode()

    # By header, a second token (if any) as a subprotocol.
    second = [TOKEN_PROTOCOL, f"{TOKEN_PROTOCOL}.{raws[1]}"] if len(raws) > 1 else None

    async def scenario():
        return [await refused(by_subprotocol(room.pk, *raws, headers=[(b"cookie", cookie)])),
                await refused(by_header(room.pk, raws[0], (b"cookie", cookie),
                                        (b"origin", b"http://127.0.0.1"), subprotocols=second))]

    for closing in async_to_sync(scenario)():
        assert closing["type"] == "websocket.close" and closing["code"] == UNAUTHORISED
        # A bot sends no Accept-Language: the reason is in the site's language.
        assert "jeton d'API est inconnu ou révoqué" in closing["reason"]


def test_a_token_revoked_during_the_meeting_closes_the_socket(world, room):
    member = world["member"]
    token, raw = token_for(member)

    @database_sync_to_async
    def revoke():
        accounts.revoke_api_token(person=member, token_id=token.pk)

    async def scenario():
        comm = by_header(room.pk, raw)
        try:
            await join(comm)
            await comm.send_json_to({"action": "raise", "id": 1})
            assert (await reply(comm, 1))["ok"] is True
            await revoke()
            await comm.send_json_to({"action": "lower", "id": 2})
            answer = await reply(comm, 2)
            closing = await comm.receive_output(timeout=TIMEOUT)
            return answer, closing
        finally:
            await comm.disconnect()

    answer, closing = async_to_sync(scenario)()
    assert answer["ok"] is False and answer["status"] == 401
    assert closing["type"] == "websocket.close" and closing["code"] == UNAUTHORISED
    assert room_state(room)[1] == [f"p:{member.pk}"]  # the hand stayed up


def test_a_token_has_its_owner_s_rights_not_more(world, closed_room):
    """A closed body's room refuses the token of someone outside it, as the page does;
    a member of the body gets in."""
    _token, outsider_raw = token_for(world["member"])  # of the cooperative, not the group
    _token, insider_raw = token_for(world["coordinator"])

    async def attempt(raw):
        comm = by_header(closed_room.pk, raw)
        try:
            return await comm.connect(timeout=TIMEOUT)
        finally:
            await comm.disconnect()

    assert async_to_sync(attempt)(outsider_raw) == (False, 4403)
    assert async_to_sync(attempt)(insider_raw) == (True, None)


@pytest.fixture
def closed_room(world):
    """The room of a meeting of the closed group (the treasury)."""
    from datetime import date, time

    from autogestion.assemblies import queries as assembly_queries
    from autogestion.assemblies import services as assembly_services

    series = assembly_services.create_series(
        actor=world["coordinator"], body=world["closed_group"], title="Caisse",
        rrule="FREQ=WEEKLY;BYDAY=MO", first_day=date(2026, 1, 5), start_time=time(18, 0),
        end_time=time(19, 0))
    occurrence = assembly_queries.find_occurrence(series, date(2026, 11, 30))
    return services.open_room(actor=world["coordinator"], occurrence=occurrence)
