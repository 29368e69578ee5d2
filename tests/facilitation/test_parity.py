"""The meeting room asked the same questions through its pages and through the API: the
same room state (queue order, who speaks, gestures, skipped), the same turn counts in
the statistics as in the list, and the same status for every refusal, role by role.

Pages are asked as the room's script asks them (Accept: application/json), so that a
success is 200 {"ok": true} rather than a redirect; a page that lets a 404 escape
answers with Django's 404 page, which is the same status.
"""

import re
from datetime import date, time

import pytest
from django.db import transaction

from autogestion.assemblies import queries as assembly_queries
from autogestion.assemblies import services as assembly_services
from autogestion.facilitation import services
from tests.support.http import api_client, client_for

pytestmark = pytest.mark.django_db

PEOPLE = ["anonymous", "outsider", "member", "coordinator", "other_coordinator", "operator"]
SIGNED_IN = PEOPLE[1:]
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def secret_room(world):
    """A room of the closed group "Caisse": only its members (the coordinator) and
    operators see it."""
    series = assembly_services.create_series(
        actor=world["coordinator"], body=world["closed_group"], title="Treasury",
        rrule="FREQ=WEEKLY;BYDAY=MO", first_day=date(2026, 1, 1), start_time=time(18, 0),
        end_time=time(20, 0))
    occurrence = assembly_queries.find_occurrence(series, date(2026, 11, 30))
    return services.open_room(actor=world["coordinator"], occurrence=occurrence)


def key(person) -> str:
    return f"p:{person.pk}"


def page_url(room) -> str:
    occurrence = assembly_queries.occurrence_of_meeting(room.meeting)
    return f"/meetings/{occurrence.series.pk}/{occurrence.key}/room/"


def api_state(person, room) -> dict:
    response = api_client(person).get(f"/api/rooms/{room.pk}")
    assert response.status_code == 200, response.content
    return response.json()


def page_state(person, room) -> dict:
    response = client_for(person).get(f"/rooms/{room.pk}/state.json")
    assert response.status_code == 200, response.content
    return response.json()


def busy(world, room) -> None:
    """A room in the middle of a meeting: turns spoken, a process point, a guest, a
    skipped hand, someone speaking, gestures made and held."""
    coordinator, member, operator = world["coordinator"], world["member"], world["operator"]

    def act(actor, action, **fields):
        services.act(actor=actor, room_id=room.pk, action=action, **fields)

    act(member, "raise")
    act(coordinator, "next")
    act(member, "raise")
    act(operator, "raise")
    act(coordinator, "add_guest", name="Marie (sans compte)")
    act(coordinator, "raise")
    act(coordinator, "skip", who=key(coordinator))
    act(operator, "raise", kind="clarifying")
    act(coordinator, "next")  # the clarifying question first
    services.make_gesture(person=member, room_id=room.pk, kind="agree")
    services.make_gesture(person=operator, room_id=room.pk, kind="lost", hold=True)
    services.make_gesture(person=coordinator, room_id=room.pk, kind="agree")


class TestRoomState:
    @pytest.mark.parametrize("who", PEOPLE)
    def test_the_page_and_the_api_show_the_same_room(self, world, room, who):
        busy(world, room)
        person = world[who] if who != "anonymous" else None
        api, page = api_state(person, room), page_state(person, room)
        assert page["state"] == api["state"]
        assert (page["me"], page["place"]) == (api["me"], api["place"])
        state = api["state"]
        assert state["speaker"]["who"] == key(world["operator"])
        assert state["speaker"]["kind"] == "clarifying"
        assert [h["name"] for h in state["queue"]] == ["Operator", "Marie (sans compte)",
                                                      "Member"]
        assert state["skipped"] == [{"who": key(world["coordinator"]), "name": "Coordinator"}]
        assert state["gestures"]["agree"] == 2 and state["gestures"]["lost"] == 1

    def test_the_room_page_lists_the_queue_in_the_apis_order(self, world, room):
        busy(world, room)
        html = client_for(world["coordinator"]).get(page_url(room)).content.decode()
        queue = html.split('data-bind="queue"', 1)[1].split("</ol>", 1)[0]
        shown = re.findall(r'<li data-who="([^"]+)"', queue)
        api = api_state(world["coordinator"], room)["state"]
        assert shown == [h["who"] for h in api["queue"]]
        for kind, count in api["gestures"].items():
            assert f'data-gesture="{kind}">{count}<' in html


class TestStatistics:
    def test_the_statistics_count_the_turns_the_list_counts(self, world, room):
        busy(world, room)
        response = client_for(world["member"]).get(page_url(room) + "stats/")
        assert response.status_code == 200
        page_turns = {line.name: line.turns for line in response.context["speech"].people}
        api = api_state(world["member"], room)["state"]
        waiting = {h["name"]: h["turns"] for h in api["queue"] if h["kind"] == "speak"}
        assert waiting == {"Operator": 0, "Marie (sans compte)": 0, "Member": 1}
        for name, turns in waiting.items():
            assert page_turns.get(name, 0) == turns, name
        # Everyone who spoke is in the statistics (the process point is not a turn).
        assert page_turns["Member"] == 1 and page_turns.get("Operator", 0) == 0


# Refusals: each action through the page and through the API, by each role -----------

def _actions(world):
    """name: (page path, page form, API method, API path, API body)."""
    member = world["member"]
    return {
        "raise": ("act/", {"action": "raise"}, "post", "/act", {"action": "raise"}),
        "raise_twice": ("act/", {"action": "raise"}, "post", "/act", {"action": "raise"}),
        "next": ("act/", {"action": "next"}, "post", "/act", {"action": "next"}),
        "unknown_hand": ("act/", {"action": "raise", "kind": "shout"}, "post", "/act",
                         {"action": "raise", "kind": "shout"}),
        "gesture": ("gesture/", {"kind": "agree"}, "post", "/gestures", {"kind": "agree"}),
        "unknown_gesture": ("gesture/", {"kind": "dance"}, "post", "/gestures",
                            {"kind": "dance"}),
        "release_unknown": ("gesture/", {"kind": "dance", "release": "1"}, "post",
                            "/gestures/release", {"kind": "dance"}),
        "role": ("manage/", {"action": "role", "role": "timekeeper", "person": member.pk},
                 "put", "/roles", {"role": "timekeeper", "person_id": member.pk}),
        "role_to_nobody": ("manage/", {"action": "role", "role": "timekeeper",
                                       "person": 999999},
                           "put", "/roles", {"role": "timekeeper", "person_id": 999999}),
        "role_to_outsider": ("manage/", {"action": "role", "role": "timekeeper",
                                         "person": world["outsider"].pk},
                             "put", "/roles", {"role": "timekeeper",
                                               "person_id": world["outsider"].pk}),
        "settings": ("manage/", {"action": "settings", "speaker_limit_seconds": "120",
                                 "reset_turns_per_item": "on"},
                     "put", "/settings", {"speaker_limit_seconds": 120,
                                          "reset_turns_per_item": True}),
        "settings_too_short": ("manage/", {"action": "settings",
                                           "speaker_limit_seconds": "5"},
                               "put", "/settings", {"speaker_limit_seconds": 5,
                                                    "reset_turns_per_item": False}),
        "no_item": ("manage/", {"action": "item"}, "post", "/item", {"item_id": None}),
        "close": ("manage/", {"action": "close", "confirmed": "yes"}, "post", "/close", None),
    }


ACTIONS = ["raise", "raise_twice", "next", "unknown_hand", "gesture", "unknown_gesture",
           "release_unknown", "role", "role_to_nobody", "role_to_outsider", "settings",
           "settings_too_short", "no_item", "close"]


def _outcome(response) -> str:
    """2xx is "ok" (the page's 200 {"ok": true}, the API's 200 or 201)."""
    return "ok" if 200 <= response.status_code < 300 else str(response.status_code)


def _each_way(world, room, who, name):
    page_tail, form, method, api_tail, body = _actions(world)[name]
    person = world[who]
    if name == "raise_twice" and _takes_part(world, room, who):
        services.act(actor=person, room_id=room.pk, action="raise")
    if name == "next":
        services.act(actor=world["coordinator"], room_id=room.pk, action="add_guest",
                     name="Marie")
    answers = []
    for ask in ("page", "api"):
        with transaction.atomic():  # each asks the same room, as it was
            if ask == "page":
                response = client_for(person).post(f"/rooms/{room.pk}/{page_tail}", form,
                                                   **JSON)
            else:
                response = getattr(api_client(person), method)(
                    f"/api/rooms/{room.pk}{api_tail}", body)
            answers.append(_outcome(response))
            transaction.set_rollback(True)
    return answers


def _takes_part(world, room, who) -> bool:
    from autogestion.facilitation.permissions import can_take_part

    return bool(can_take_part(world[who], room))


@pytest.mark.parametrize("name", ACTIONS)
@pytest.mark.parametrize("who", SIGNED_IN)
def test_an_open_bodys_room_refuses_alike(world, room, who, name):
    page, api = _each_way(world, room, who, name)
    assert page == api, (who, name)


# What each role gets, to be sure the comparison above compares refusals too.
EXPECTED_OPEN = {
    "outsider": {"raise": "403", "gesture": "403", "role": "403", "close": "403",
                 "unknown_gesture": "403", "role_to_nobody": "403"},
    "member": {"raise": "ok", "raise_twice": "409", "next": "403", "unknown_hand": "400",
               "gesture": "ok", "unknown_gesture": "400", "release_unknown": "400",
               "role": "403", "role_to_nobody": "403", "settings": "403", "no_item": "403",
               "close": "403"},
    "coordinator": {"next": "ok", "role": "ok", "role_to_nobody": "400",
                    "role_to_outsider": "400", "settings": "ok", "settings_too_short": "400",
                    "no_item": "ok", "close": "ok"},
}


@pytest.mark.parametrize("who", sorted(EXPECTED_OPEN))
def test_the_statuses_compared(world, room, who):
    for name, expected in EXPECTED_OPEN[who].items():
        assert _each_way(world, room, who, name) == [expected, expected], name


@pytest.mark.parametrize("name", ["raise", "gesture", "role", "settings", "close"])
@pytest.mark.parametrize("who", SIGNED_IN)
def test_a_closed_bodys_room_refuses_alike(world, secret_room, who, name):
    page, api = _each_way(world, secret_room, who, name)
    assert page == api, (who, name)
    if who in ("outsider", "member", "other_coordinator"):
        assert page == "404"


@pytest.mark.parametrize("who", PEOPLE)
def test_reading_a_room_page_and_api_alike(world, room, secret_room, who):
    person = world[who] if who != "anonymous" else None
    for each in (room, secret_room):
        page = client_for(person).get(page_url(each)).status_code
        state = client_for(person).get(f"/rooms/{each.pk}/state.json").status_code
        api = api_client(person).get(f"/api/rooms/{each.pk}").status_code
        assert page == state == api, (who, each)
