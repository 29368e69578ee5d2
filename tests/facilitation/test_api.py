"""The meeting room API through the test client: who may see and run a room (R6, R7),
the same refusals and messages as the services, nothing written on a refusal, bounded
query counts.

The room is the one of the CIT's Agora of Saturday 28 November 2026 (an open body: its
room is public); a weekly meeting of the closed group "Caisse" has a room only its
members (and operators) see.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from autogestion.assemblies import queries as assembly_queries
from autogestion.assemblies import services as assembly_services
from autogestion.cooperatives import services as cooperatives
from autogestion.core import clock
from autogestion.facilitation import services
from autogestion.facilitation.models import (
    Gesture,
    Participant,
    Room,
    RoomAction,
    RoomRole,
    SpeakingTurn,
)
from tests.support.http import client_for, refused

pytestmark = pytest.mark.django_db

JSON = "application/json"
DAY = "2026-11-28"
PEOPLE = ["anonymous", "outsider", "member", "coordinator", "other_coordinator", "operator"]
RUNNERS = {"coordinator", "operator"}
# Members of the CIT and operators act in its Agora's room; other signed-in people watch.
TAKERS = {"member", "coordinator", "operator"}


@pytest.fixture
def clients(world):
    return {name: client_for(world[name]) for name in PEOPLE if name != "anonymous"} | {
        "anonymous": client_for(None)}


@pytest.fixture
def secret_room(world):
    """The room of a meeting of the closed group "Caisse" (its coordinator is a member)."""
    series = assembly_services.create_series(
        actor=world["coordinator"], body=world["closed_group"], title="Treasury",
        rrule="FREQ=WEEKLY;BYDAY=MO", first_day=date(2026, 1, 1), start_time=time(18, 0),
        end_time=time(20, 0))
    occurrence = assembly_queries.find_occurrence(series, date(2026, 11, 30))
    return services.open_room(actor=world["coordinator"], occurrence=occurrence)


def post(client, url, data=None):
    return client.post(url, data if data is not None else {}, content_type=JSON)


def put(client, url, data):
    return client.put(url, data, content_type=JSON)


def url(room, tail="") -> str:
    return f"/api/rooms/{room.pk}{tail}"


def act(client, room, action, **fields):
    return post(client, url(room, "/act"), {"action": action} | fields)


def key(person) -> str:
    return f"p:{person.pk}"


def written(room) -> dict:
    """Everything a refusal must leave as it was."""
    fresh = Room.objects.get(pk=room.pk)
    return {
        "version": fresh.version, "state": fresh.state, "closed_at": fresh.closed_at,
        "limit": fresh.speaker_limit_seconds, "per_item": fresh.reset_turns_per_item,
        "item": fresh.current_item_id,
        "rows": [m.objects.filter(room=room).count()
                 for m in (RoomAction, Participant, SpeakingTurn, Gesture, RoomRole)],
        "roles": sorted(RoomRole.objects.filter(room=room).values_list("role", "person_id")),
    }


# Reading -----------------------------------------------------------------------------

class TestReading:
    @pytest.mark.parametrize("who", PEOPLE)
    def test_an_open_bodys_room_is_public(self, clients, world, room, who):
        services.act(actor=world["member"], room_id=room.pk, action="raise")
        response = clients[who].get(url(room))
        assert response.status_code == 200, response.content
        data = response.json()
        assert data["id"] == room.pk and data["body"] == "cit" and data["day"] == DAY
        assert data["state"]["queue"] == [{"who": key(world["member"]), "name": "Member",
                                           "kind": "speak", "turns": 0}]
        assert data["state"]["gestures"]["agree"] == 0
        assert data["can_facilitate"] is (who in RUNNERS)
        assert data["can_take_part"] is (who in TAKERS)
        if who == "anonymous":
            assert data["me"] is None and data["place"] is None
        else:
            assert data["me"] == key(world[who])
        assert data["my_roles"] == (["facilitator"] if who == "coordinator" else [])
        if who == "member":
            assert data["place"] == {"position": 1, "reason": "not_spoken_yet", "turns": 0,
                                     "ahead_with_fewer": 0, "text": "Number 1 — priority: "
                                     "you have not spoken yet."}

    @pytest.mark.parametrize("who", PEOPLE)
    def test_a_closed_bodys_room_is_hidden(self, clients, secret_room, who):
        response = clients[who].get(url(secret_room))
        if who in RUNNERS:
            assert response.status_code == 200
        else:
            refused(response, 404, contains="no such meeting room")

    def test_an_unknown_room(self, clients):
        refused(clients["member"].get("/api/rooms/999999"), 404, contains="no such meeting room")

    def test_my_place_and_roles(self, clients, world, room):
        member, coordinator = world["member"], world["coordinator"]
        services.act(actor=member, room_id=room.pk, action="raise")
        services.act(actor=coordinator, room_id=room.pk, action="next")
        services.act(actor=member, room_id=room.pk, action="raise")
        services.act(actor=coordinator, room_id=room.pk, action="raise")
        services.set_role(actor=coordinator, room_id=room.pk, role="timekeeper", person=member)
        data = clients["member"].get(url(room)).json()
        assert data["state"]["speaker"]["name"] == "Member"
        assert [h["name"] for h in data["state"]["queue"]] == ["Coordinator", "Member"]
        assert data["place"] == {"position": 2, "reason": "spoken_before", "turns": 1,
                                 "ahead_with_fewer": 1, "text": "Number 2 — you have spoken "
                                 "once; those who spoke less come first."}
        assert data["my_roles"] == ["timekeeper"]
        assert data["can_keep_time"] is True and data["can_facilitate"] is False


# Opening -----------------------------------------------------------------------------

class TestOpening:
    @pytest.mark.parametrize("who", PEOPLE)
    def test_only_coordinators_open(self, clients, world, occurrence, who):
        response = post(clients[who], f"/api/meetings/{occurrence.series.pk}/{DAY}/room")
        if who in RUNNERS:
            assert response.status_code == 201, response.content
            data = response.json()
            assert data["my_roles"] == ["facilitator"] and data["state"]["queue"] == []
            room = Room.objects.get(pk=data["id"])
            assert room.opened_by == world[who]
        else:
            expected = 401 if who == "anonymous" else 403
            refused(response, expected, contains="Sign in" if who == "anonymous"
                    else "Only coordinators of CIT open")
            assert not Room.objects.exists()

    def test_opening_again_answers_the_room_and_reopens_it(self, clients, room):
        series_id = room.meeting.series_id
        services.close_room(actor=room.opened_by, room_id=room.pk)
        response = post(clients["coordinator"], f"/api/meetings/{series_id}/{DAY}/room")
        assert response.status_code == 200
        assert response.json()["id"] == room.pk and response.json()["closed_at"] is None
        assert Room.objects.count() == 1

    def test_addresses(self, clients, world, occurrence, secret_room):
        coordinator, series_id = clients["coordinator"], occurrence.series.pk
        refused(post(coordinator, f"/api/meetings/{series_id}/2026-11-27/room"), 404,
                contains="does not meet on 2026-11-27")
        refused(post(coordinator, f"/api/meetings/{series_id}/28-11-2026/room"), 400,
                contains="YYYY-MM-DD", field="day")
        refused(post(coordinator, "/api/meetings/999999/2026-11-28/room"), 404,
                contains="no meeting series")
        # A closed group's meetings do not exist for the others.
        hidden = f"/api/meetings/{secret_room.meeting.series_id}/2026-11-30/room"
        refused(post(clients["member"], hidden), 404, contains="no meeting series")
        assert Room.objects.count() == 1

    def test_a_cancelled_meeting_has_no_room(self, clients, world, occurrence):
        assembly_services.cancel_occurrence(actor=world["coordinator"], occurrence=occurrence)
        refused(post(clients["coordinator"], f"/api/meetings/{occurrence.series.pk}/{DAY}/room"),
                409, contains="cancelled")
        assert not Room.objects.exists()


# The speaking list -------------------------------------------------------------------

class TestList:
    @pytest.mark.parametrize("who", PEOPLE)
    def test_members_raise_a_hand_others_watch(self, clients, world, room, who):
        before = written(room)
        response = act(clients[who], room, "raise")
        if who == "anonymous":
            refused(response, 401, contains="Sign in")
            assert written(room) == before
            return
        if who not in TAKERS:
            refused(response, 403,
                    contains="Only members of CIT and the meeting's registered guests")
            assert written(room) == before
            return
        assert response.status_code == 200, response.content
        data = response.json()
        assert [h["who"] for h in data["state"]["queue"]] == [key(world[who])]
        assert data["place"]["position"] == 1
        assert data["state"]["version"] == before["version"] + 1

    @pytest.mark.parametrize("who", PEOPLE)
    def test_only_the_facilitator_calls_next(self, clients, world, room, who):
        services.act(actor=world["member"], room_id=room.pk, action="raise")
        before = written(room)
        response = act(clients[who], room, "next")
        if who in RUNNERS:
            assert response.status_code == 200, response.content
            assert response.json()["state"]["speaker"]["who"] == key(world["member"])
            assert SpeakingTurn.objects.filter(room=room, ended_at__isnull=True).count() == 1
            return
        if who == "anonymous":
            refused(response, 401, contains="Sign in")
        else:
            refused(response, 403, contains="Only the facilitator runs the speaking list.")
        assert written(room) == before

    def test_a_member_given_the_role_runs_the_list(self, clients, world, room):
        services.set_role(actor=world["coordinator"], room_id=room.pk, role="co_facilitator",
                          person=world["member"])
        services.act(actor=world["operator"], room_id=room.pk, action="raise")
        response = act(clients["member"], room, "next")
        assert response.status_code == 200
        assert response.json()["state"]["speaker"]["name"] == "Operator"

    def test_refusals_carry_the_services_messages_and_write_nothing(self, clients, world,
                                                                    room):
        member, coordinator = clients["member"], clients["coordinator"]
        assert act(member, room, "raise").status_code == 200
        before = written(room)
        refused(act(member, room, "raise"), 409,
                contains="Already on the list: a person is on it once.")
        refused(act(member, room, "raise", kind="shout"), 400, contains="Unknown kind of hand.",
                field="kind")
        refused(act(member, room, "dance"), 400, contains="Unknown action.", field="action")
        refused(act(member, room, "lower", kind="technical"), 409, contains="not on the list")
        refused(act(coordinator, room, "end_turn"), 409, contains="Nobody has the floor.")
        refused(act(coordinator, room, "add_guest", name="  "), 400, contains="Write the name",
                field="name")
        refused(act(coordinator, room, "give_floor", who="p:999999"), 409,
                contains="not on the list")
        refused(act(coordinator, room, "put_back", who=key(world["member"])), 409,
                contains="was not skipped")
        refused(post(member, url(room, "/act"), {"action": "raise", "kind": 3}), 422,
                contains="kind")
        refused(post(member, url(room, "/act"), {}), 422, contains="action")
        assert written(room) == before

    def test_an_empty_list_and_nothing_to_undo(self, clients, world, occurrence):
        room = services.open_room(actor=world["coordinator"], occurrence=occurrence)
        before = written(room)
        refused(act(clients["coordinator"], room, "next"), 409,
                contains="Nobody is waiting to speak.")
        refused(act(clients["coordinator"], room, "undo"), 409, contains="nothing to undo")
        assert written(room) == before

    def test_a_whole_round(self, clients, world, room):
        member, coordinator = clients["member"], clients["coordinator"]
        act(member, room, "raise")
        act(coordinator, room, "add_guest", name="Marie (sans compte)")
        act(coordinator, room, "raise", kind="technical")
        queue = act(coordinator, room, "next").json()["state"]["queue"]
        assert [h["name"] for h in queue] == ["Member", "Marie (sans compte)"]
        data = act(coordinator, room, "skip", who=key(world["member"])).json()
        assert data["state"]["skipped"] == [{"who": key(world["member"]), "name": "Member"}]
        data = act(coordinator, room, "undo").json()
        assert data["state"]["skipped"] == [] and data["state"]["can_undo"] is True
        data = act(coordinator, room, "give_floor", who=key(world["member"]),
                   kind="speak").json()
        assert data["state"]["speaker"]["name"] == "Member"
        assert act(member, room, "raise").json()["place"]["reason"] == "spoken_before"
        assert act(member, room, "lower").json()["place"] is None

    def test_a_closed_room_takes_no_hands(self, clients, world, room):
        services.close_room(actor=world["coordinator"], room_id=room.pk)
        before = written(room)
        refused(act(clients["member"], room, "raise"), 409, contains="The meeting room is closed.")
        assert written(room) == before

    def test_a_closed_bodys_room_refuses_as_if_absent(self, clients, secret_room):
        before = written(secret_room)
        for who in ("outsider", "member", "other_coordinator"):
            refused(act(clients[who], secret_room, "raise"), 404, contains="no such meeting room")
            refused(post(clients[who], url(secret_room, "/gestures"), {"kind": "agree"}), 404)
            refused(post(clients[who], url(secret_room, "/close")), 404)
        assert written(secret_room) == before
        assert act(clients["coordinator"], secret_room, "raise").status_code == 200


# Gestures ----------------------------------------------------------------------------

class TestGestures:
    @pytest.mark.parametrize("who", PEOPLE)
    def test_members_gesture_others_watch(self, clients, world, room, who):
        before = written(room)
        response = post(clients[who], url(room, "/gestures"), {"kind": "agree"})
        if who == "anonymous":
            refused(response, 401, contains="Sign in")
            assert written(room) == before
            return
        if who not in TAKERS:
            refused(response, 403,
                    contains="Only members of CIT and the meeting's registered guests")
            assert written(room) == before
            return
        assert response.status_code == 201, response.content
        assert response.json()["kind"] == "agree" and response.json()["fades_at"]
        assert clients[who].get(url(room)).json()["state"]["gestures"]["agree"] == 1

    def test_held_then_released(self, clients, room):
        member = clients["member"]
        response = post(member, url(room, "/gestures"), {"kind": "lost", "hold": True})
        assert response.status_code == 201
        assert response.json()["held"] is True and response.json()["fades_at"] is None
        # A new tap renews the gesture: still one.
        post(member, url(room, "/gestures"), {"kind": "lost", "hold": True})
        assert member.get(url(room)).json()["state"]["gestures"]["lost"] == 1
        released = post(member, url(room, "/gestures/release"), {"kind": "lost"})
        assert released.json() == {"released": 1}
        assert post(member, url(room, "/gestures/release"), {"kind": "lost"}).json() == {
            "released": 0}
        assert member.get(url(room)).json()["state"]["gestures"]["lost"] == 0

    def test_a_gesture_fades(self, clients, room):
        clock.freeze(datetime(2026, 11, 28, 11, 0, tzinfo=ZoneInfo("Europe/Paris")))
        try:
            post(clients["member"], url(room, "/gestures"), {"kind": "agree"})
            post(clients["coordinator"], url(room, "/gestures"), {"kind": "agree",
                                                                  "hold": True})
            assert clients["member"].get(url(room)).json()["state"]["gestures"]["agree"] == 2
            clock.freeze(datetime(2026, 11, 28, 11, 1, tzinfo=ZoneInfo("Europe/Paris")))
            assert clients["member"].get(url(room)).json()["state"]["gestures"]["agree"] == 1
        finally:
            clock.freeze(None)

    def test_unknown_gestures(self, clients, room):
        before = written(room)
        refused(post(clients["member"], url(room, "/gestures"), {"kind": "shout"}), 400,
                contains="Unknown gesture.", field="kind")
        refused(post(clients["member"], url(room, "/gestures/release"), {"kind": "shout"}),
                400, contains="Unknown gesture.", field="kind")
        refused(post(clients["member"], url(room, "/gestures"), {"kind": "agree",
                                                                  "hold": "yes"}), 422,
                contains="hold")
        refused(post(clients["anonymous"], url(room, "/gestures/release"), {"kind": "agree"}),
                401)
        assert written(room) == before


# Roles, item, settings, closing ------------------------------------------------------

class TestFacilitation:
    @pytest.mark.parametrize("who", PEOPLE)
    def test_only_the_facilitator_assigns_roles(self, clients, world, room, who):
        before = written(room)
        response = put(clients[who], url(room, "/roles"),
                       {"role": "timekeeper", "person_id": world["member"].pk})
        if who in RUNNERS:
            assert response.status_code == 200, response.content
            assert response.json()["name"] == "Member"
            assert RoomRole.objects.get(room=room, role="timekeeper").person == world["member"]
            return
        refused(response, 401 if who == "anonymous" else 403,
                contains="Sign in" if who == "anonymous" else "Only the facilitator assigns roles.")
        assert written(room) == before

    def test_role_refusals(self, clients, world, room):
        coordinator, member = clients["coordinator"], clients["member"]
        before = written(room)
        refused(put(coordinator, url(room, "/roles"), {"role": "king",
                                                       "person_id": world["member"].pk}),
                400, contains="Unknown role.", field="role")
        refused(put(coordinator, url(room, "/roles"), {"role": "timekeeper",
                                                       "person_id": world["outsider"].pk}),
                400, contains="Outsider is not a member of CIT", field="person_id")
        refused(put(coordinator, url(room, "/roles"), {"role": "timekeeper",
                                                       "person_id": 999999}),
                400, contains="999999", field="person_id")
        # Whoever may not assign roles learns that first, whatever the person.
        refused(put(member, url(room, "/roles"), {"role": "timekeeper", "person_id": 999999}),
                403, contains="Only the facilitator assigns roles.")
        refused(put(coordinator, url(room, "/roles"), {"role": "timekeeper",
                                                       "person_id": "1"}), 422,
                                                               contains="person_id")
        assert written(room) == before

    def test_the_facilitator_role_changes_hands(self, clients, world, room):
        put(clients["coordinator"], url(room, "/roles"),
            {"role": "facilitator", "person_id": world["member"].pk})
        assert clients["member"].get(url(room)).json()["my_roles"] == ["facilitator"]
        assert clients["coordinator"].get(url(room)).json()["my_roles"] == []
        # Coordinators of the body still run the list.
        assert clients["coordinator"].get(url(room)).json()["can_facilitate"] is True

    def test_moving_to_an_agenda_item(self, clients, world, room):
        clock.freeze(datetime(2026, 11, 1, 12, 0, tzinfo=ZoneInfo("Europe/Paris")))
        try:
            occurrence = assembly_queries.occurrence_of_meeting(room.meeting)
            item = assembly_services.add_agenda_item(
                actor=world["member"], occurrence=occurrence, title="Budget 2027",
                duration_minutes=30)
            other = assembly_services.create_series(
                actor=world["coordinator"], body=world["coop"], title="Other",
                rrule="FREQ=WEEKLY", first_day=date(2026, 11, 1), start_time=time(18),
                end_time=time(20))
            elsewhere = assembly_services.add_agenda_item(
                actor=world["member"],
                occurrence=assembly_queries.find_occurrence(other, date(2026, 11, 29)),
                title="Elsewhere", duration_minutes=10)
        finally:
            clock.freeze(None)
        before = written(room)
        refused(post(clients["member"], url(room, "/item"), {"item_id": item.pk}), 403,
                contains="Only the facilitator or the timekeeper moves to another agenda item.")
        refused(post(clients["coordinator"], url(room, "/item"), {"item_id": elsewhere.pk}),
                404, contains="not on the agenda of this meeting")
        refused(post(clients["coordinator"], url(room, "/item"), {}), 422, contains="item_id")
        assert written(room) == before
        services.set_role(actor=world["coordinator"], room_id=room.pk, role="timekeeper",
                          person=world["member"])
        data = post(clients["member"], url(room, "/item"), {"item_id": item.pk}).json()
        assert data["state"]["item"]["title"] == "Budget 2027"
        assert data["state"]["item"]["minutes"] == 30 and data["state"]["item"]["since"]
        data = post(clients["member"], url(room, "/item"), {"item_id": None}).json()
        assert data["state"]["item"] is None

    def test_settings(self, clients, world, room):
        coordinator = clients["coordinator"]
        body = {"speaker_limit_seconds": 120, "reset_turns_per_item": True}
        before = written(room)
        refused(put(clients["member"], url(room, "/settings"), body), 403,
                contains="Only the facilitator or the timekeeper sets the timers.")
        refused(put(clients["anonymous"], url(room, "/settings"), body), 401)
        refused(put(coordinator, url(room, "/settings"), body | {"speaker_limit_seconds": 5}),
                400, contains="from 10 seconds to an hour", field="speaker_limit_seconds")
        refused(put(coordinator, url(room, "/settings"), {"speaker_limit_seconds": 60}), 422,
                contains="reset_turns_per_item")
        assert written(room) == before
        data = put(coordinator, url(room, "/settings"), body).json()
        assert data["speaker_limit_seconds"] == 120 and data["reset_turns_per_item"] is True
        assert data["state"]["speaker_limit"] == 120
        data = put(coordinator, url(room, "/settings"),
                   {"speaker_limit_seconds": None, "reset_turns_per_item": False}).json()
        assert data["speaker_limit_seconds"] is None and data["reset_turns_per_item"] is False

    @pytest.mark.parametrize("who", PEOPLE)
    def test_only_the_facilitator_closes(self, clients, world, room, who):
        services.act(actor=world["member"], room_id=room.pk, action="raise")
        services.act(actor=world["coordinator"], room_id=room.pk, action="next")
        before = written(room)
        response = post(clients[who], url(room, "/close"))
        if who in RUNNERS:
            assert response.status_code == 200, response.content
            data = response.json()
            assert data["closed_at"] and data["state"]["closed"] is True
            assert data["state"]["speaker"] is None
            assert not SpeakingTurn.objects.filter(room=room, ended_at__isnull=True).exists()
            return
        refused(response, 401 if who == "anonymous" else 403,
                contains="Sign in" if who == "anonymous"
                else "Only the facilitator closes the room.")
        assert written(room) == before

    def test_the_rooms_history_of_openings_and_closings(self, clients, world, room):
        coordinator = clients["coordinator"]
        data = coordinator.get(url(room)).json()
        assert data["status"] == "open"
        assert [(e["from_status"], e["to_status"], e["actor"]) for e in data["events"]] == [
            ("", "open", "Coordinator")]
        assert post(coordinator, url(room, "/close")).json()["status"] == "closed"
        before = written(room)
        refused(post(coordinator, url(room, "/close")), 409, contains="already closed")
        assert written(room) == before
        series_id = room.meeting.series_id
        data = post(coordinator, f"/api/meetings/{series_id}/{DAY}/room").json()
        assert data["status"] == "open" and data["closed_at"] is None
        assert [(e["from_status"], e["to_status"]) for e in data["events"]] == [
            ("", "open"), ("open", "closed"), ("closed", "open")]


# Query counts ------------------------------------------------------------------------

class TestQueryCounts:
    def test_reading_a_room_is_bounded(self, clients, world, room, make_person,
                                       django_assert_max_num_queries):
        client = clients["member"]
        client.get(url(room))  # warm the session
        with django_assert_max_num_queries(8) as small:
            assert client.get(url(room)).status_code == 200
        baseline = len(small.captured_queries)
        coordinator = world["coordinator"]
        for n in range(12):
            person = make_person(f"Person {n}")
            cooperatives.join_body(person=person, body=world["coop"])
            services.act(actor=person, room_id=room.pk, action="raise")
            services.make_gesture(person=person, room_id=room.pk, kind="agree",
                                  hold=n % 2 == 0)
            if n % 3 == 0:
                services.act(actor=coordinator, room_id=room.pk, action="add_guest",
                             name=f"Guest {n}")
        for _ in range(3):
            services.act(actor=coordinator, room_id=room.pk, action="next")
        services.act(actor=world["member"], room_id=room.pk, action="raise")
        services.set_role(actor=coordinator, room_id=room.pk, role="timekeeper",
                          person=world["member"])
        services.set_role(actor=coordinator, room_id=room.pk, role="note_taker",
                          person=world["member"])
        with django_assert_max_num_queries(baseline) as big:
            response = client.get(url(room))
        assert response.status_code == 200
        assert len(response.json()["state"]["queue"]) == 14
        assert response.json()["my_roles"] == ["note_taker", "timekeeper"]
        assert len(big.captured_queries) == baseline
        for who in ("anonymous", "coordinator", "operator"):
            clients[who].get(url(room))
            with django_assert_max_num_queries(baseline):
                assert clients[who].get(url(room)).status_code == 200
