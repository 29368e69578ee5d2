"""The assemblies API through the test client: who may read and write what (R2), the
agenda deadline (R3), the program and its waiting lists (R4), minutes, refusals with
their messages and fields, nothing written on a refusal, bounded query counts.

The Agora of the CIT: last Saturday of each month, 10:30-19:00 in Paris, agenda
deadline 7 days before (the preparation meeting). In January 2026 it meets on the 31st,
then on 28 February, 28 March, 25 April. The clock is frozen on 10 January 2026.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from autogestion.assemblies import services
from autogestion.assemblies.models import (
    AgendaItem,
    AgendaItemEvent,
    Attendance,
    Meeting,
    MeetingSeries,
    MinutesEntry,
    ProgramSession,
    SessionSignup,
)
from autogestion.core import clock
from tests.support.http import client_for, refused

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
JAN, FEB, MAR = "2026-01-31", "2026-02-28", "2026-03-28"
JSON = "application/json"


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.freeze(paris(2026, 1, 10, 12, 0))
    yield clock.freeze
    clock.freeze(None)


@pytest.fixture
def clients(world):
    return {name: client_for(world[name]) for name in
            ("outsider", "member", "coordinator", "operator", "other_coordinator")} | {
        "anonymous": client_for(None)}


@pytest.fixture
def agora(world) -> MeetingSeries:
    return services.create_series(
        actor=world["coordinator"], body=world["coop"], title="Agora",
        rrule="FREQ=MONTHLY;BYDAY=-1SA", first_day=date(2026, 1, 1), start_time=time(10, 30),
        end_time=time(19, 0), kind="agora")


@pytest.fixture
def secret(world) -> MeetingSeries:
    """A weekly meeting of the closed group "Caisse" (its coordinator is a member)."""
    return services.create_series(
        actor=world["coordinator"], body=world["closed_group"], title="Treasury",
        rrule="FREQ=WEEKLY;BYDAY=MO", first_day=date(2026, 1, 1), start_time=time(18, 0),
        end_time=time(20, 0))


def occ(series, day=JAN) -> str:
    return f"/api/series/{series.pk}/occurrences/{day}"


def post(client, url, data=None):
    return client.post(url, data if data is not None else {}, content_type=JSON)


def rows() -> dict[str, int]:
    models = (MeetingSeries, Meeting, AgendaItem, AgendaItemEvent, ProgramSession,
              SessionSignup, MinutesEntry, Attendance)
    return {m.__name__: m.objects.count() for m in models}


def add_item(client, series, day=JAN, **fields):
    data = {"title": "Budget 2026", "duration_minutes": 30, "kind": "decision"} | fields
    return post(client, occ(series, day) + "/items", data)


# Permission matrix ---------------------------------------------------------------------

READERS = ["anonymous", "outsider", "member", "coordinator", "operator"]


class TestReading:
    @pytest.mark.parametrize("who", READERS)
    def test_an_open_body_publishes_its_meetings_to_everyone(self, clients, agora, who):
        client = clients[who]
        listed = client.get("/api/bodies/cit/series")
        assert listed.status_code == 200
        [series] = listed.json()
        assert series["title"] == "Agora" and series["rrule"] == "FREQ=MONTHLY;BYDAY=-1SA"
        assert series["next_occurrence"]["key"] == JAN
        assert series["next_occurrence"]["deadline"].startswith("2026-01-24T10:30:00+01:00")
        occurrences = client.get(f"/api/series/{agora.pk}/occurrences")
        assert occurrences.status_code == 200
        assert [o["key"] for o in occurrences.json()] == [JAN, FEB, MAR, "2026-04-25"]
        detail = client.get(occ(agora))
        assert detail.status_code == 200
        assert detail.json()["starts_at"] == "2026-01-31T10:30:00+01:00"
        assert detail.json()["can_manage"] is (who in ("coordinator", "operator"))
        assert detail.json()["can_add_items"] is (who in ("member", "coordinator", "operator"))

    @pytest.mark.parametrize("who,status", [("anonymous", 404), ("outsider", 404),
                                            ("member", 404), ("coordinator", 200),
                                            ("operator", 200)])
    def test_a_closed_body_shows_its_meetings_to_members_only(self, clients, secret, who,
                                                               status):
        client = clients[who]
        assert client.get("/api/bodies/caisse/series").status_code == status
        assert client.get(f"/api/series/{secret.pk}/occurrences").status_code == status
        detail = client.get(occ(secret, "2026-01-12"))
        assert detail.status_code == status
        if status == 404:
            assert "Treasury" not in detail.content.decode()
            assert "Secret" not in client.get("/api/bodies/caisse/series").content.decode()

    def test_unknown_body_and_series(self, clients):
        refused(clients["member"].get("/api/bodies/nowhere/series"), 404, contains="nowhere")
        refused(clients["member"].get("/api/series/999999/occurrences"), 404)


WRITERS = {"anonymous": 401, "outsider": 403, "member": 403, "other_coordinator": 403,
           "coordinator": 200, "operator": 200}


class TestWritingPermissions:
    @pytest.mark.parametrize("who,status", WRITERS.items())
    def test_create_series(self, clients, world, who, status):
        before = rows()
        response = post(clients[who], "/api/bodies/cit/series", {
            "title": "Weekly", "rrule": "FREQ=WEEKLY;BYDAY=WE", "first_day": "2026-01-01",
            "start_time": "18:00", "end_time": "20:00"})
        if status == 200:
            assert response.status_code == 201
            data = response.json()
            assert data["timezone"] == "Europe/Paris" and data["place"] == "Toulouse"
            assert rows()["MeetingSeries"] == before["MeetingSeries"] + 1
        else:
            refused(response, status)
            assert rows() == before
        if status == 403:
            assert "Only coordinators of CIT" in response.json()["detail"]

    @pytest.mark.parametrize("who,status", [("anonymous", 401), ("outsider", 403),
                                            ("other_coordinator", 403), ("member", 201),
                                            ("coordinator", 201), ("operator", 201)])
    def test_add_item(self, clients, agora, who, status):
        before = rows()
        response = add_item(clients[who], agora)
        if status == 201:
            assert response.status_code == 201
            assert response.json()["status"] == "new"
            assert rows()["AgendaItem"] == before["AgendaItem"] + 1
        else:
            refused(response, status)
            assert rows() == before
        if status == 403:
            assert response.json()["detail"] == "Only members of CIT add items to its agenda."

    @pytest.mark.parametrize("who,status", WRITERS.items())
    def test_coordinator_actions(self, clients, world, agora, who, status):
        item = services.add_agenda_item(actor=world["member"],
                                        occurrence=_find(agora, JAN), title="Garden",
                                        duration_minutes=20)
        client = clients[who]
        before = rows()
        answers = [
            post(client, f"/api/agenda-items/{item.pk}/accept"),
            post(client, occ(agora) + "/order", {"item_ids": [item.pk]}),
            post(client, occ(agora) + "/sessions", {
                "title": "Welcome", "starts_at": "2026-01-31T10:30", "ends_at":
                "2026-01-31T12:00"}),
            client.put(occ(agora) + "/minutes", {"notes": "We met"}, content_type=JSON),
            post(client, occ(agora) + "/attendance", {"person_ids": [world["member"].pk]}),
            post(client, occ(agora, FEB) + "/cancel", {"reason": "Holidays"}),
        ]
        if status == 200:
            assert [a.status_code for a in answers] == [200, 200, 201, 200, 200, 200]
        else:
            for answer in answers:
                refused(answer, status)
            assert rows() == before

    @pytest.mark.parametrize("who", ["anonymous", "outsider", "member"])
    def test_writes_on_a_closed_body_are_404_to_others(self, clients, world, secret, who):
        before = rows()
        expected = 401 if who == "anonymous" else 404
        refused(add_item(clients[who], secret, "2026-01-12"), expected)
        refused(post(clients[who], occ(secret, "2026-01-12") + "/cancel"), expected)
        refused(post(clients[who], "/api/bodies/caisse/series", {
            "title": "x", "first_day": "2026-01-01", "start_time": "10:00",
            "end_time": "11:00"}), expected)
        assert rows() == before

    def test_items_and_sessions_of_a_closed_body_are_hidden(self, clients, world, secret):
        occurrence = _find(secret, "2026-01-12")
        item = services.add_agenda_item(actor=world["coordinator"], occurrence=occurrence,
                                        title="Accounts", duration_minutes=10)
        session = services.add_session(actor=world["coordinator"], occurrence=occurrence,
                                       title="Count", kind="workshop",
                                       starts_at=paris(2026, 1, 12, 18),
                                       ends_at=paris(2026, 1, 12, 19))
        before = rows()
        for who in ("outsider", "member"):
            refused(post(clients[who], f"/api/agenda-items/{item.pk}/accept"), 404)
            refused(post(clients[who], f"/api/sessions/{session.pk}/signup"), 404)
        assert rows() == before
        assert post(clients["coordinator"], f"/api/sessions/{session.pk}/signup"
                    ).status_code == 201


def _find(series, day):
    from autogestion.assemblies import queries

    return queries.find_occurrence(series, date.fromisoformat(day))


# The calendar --------------------------------------------------------------------------

class TestSeriesInput:
    @pytest.mark.parametrize("rule", ["FREQ=SOMETIMES", "every last saturday", "",
                                      "FREQ=MONTHLY;BYDAY=XX", "FREQ=HOURLY"])
    def test_invalid_rrule(self, clients, world, rule):
        before = rows()
        response = post(clients["coordinator"], "/api/bodies/cit/series", {
            "title": "Agora", "rrule": rule, "first_day": "2026-01-01",
            "start_time": "10:30", "end_time": "19:00", "kind": "agora"})
        refused(response, 400, field="rrule", contains="FREQ=")
        assert rows() == before

    @pytest.mark.parametrize("fields,field,status", [
        ({"timezone": "Mars/Olympus"}, "timezone", 400),
        ({"timezone": "x" * 300}, "timezone", 422),
        ({"end_time": "09:00"}, "end_time", 400),
        ({"kind": "party"}, "kind", 400),
        ({"title": "  "}, "title", 400),
        ({"title": "x" * 151}, "title", 422),
        ({"preparation_offset_days": 0}, "preparation_offset_days", 400),
        ({"preparation_offset_days": 10**9}, "preparation_offset_days", 400),
        ({"agenda_opens_days": 10**9}, "agenda_opens_days", 400),
        ({"first_day": "0001-01-01"}, "first_day", 400),
        ({"first_day": "31/01/2026"}, "first_day", 422),
        ({"start_time": "25:00"}, "start_time", 422),
    ])
    def test_bad_fields_are_named(self, clients, world, fields, field, status):
        before = rows()
        data = {"title": "Agora", "first_day": "2026-01-01", "start_time": "10:30",
                "end_time": "19:00"} | fields
        response = post(clients["coordinator"], "/api/bodies/cit/series", data)
        assert response.status_code == status, response.content
        if status == 400:
            assert response.json()["field"] == field
        else:
            assert field in response.json()["detail"]
        assert rows() == before


class TestOccurrences:
    def test_window(self, clients, agora):
        client = clients["anonymous"]
        url = f"/api/series/{agora.pk}/occurrences"
        got = client.get(url, {"start": "2026-02-28", "end": "2026-03-28"}).json()
        assert [o["key"] for o in got] == [FEB, MAR]  # both ends included
        first = got[0]
        assert first["starts_at"] == "2026-02-28T10:30:00+01:00"
        assert first["preparation_start"] == "2026-02-21T10:30:00+01:00"
        assert first["deadline"] == first["preparation_start"]
        assert first["is_open_for_items"] is True and first["cancelled"] is False
        summer = client.get(url, {"start": "2026-06-01", "end": "2026-06-30"}).json()
        assert summer[0]["starts_at"] == "2026-06-27T10:30:00+02:00"  # wall clock kept
        two_years = client.get(url, {"start": "2026-01-01", "end": "2027-12-31"})
        assert two_years.status_code == 200 and len(two_years.json()) == 24

    @pytest.mark.parametrize("params,field,contains", [
        ({"start": "2026-01-01", "end": "2028-06-01"}, "end", "two years"),
        ({"start": "2026-03-01", "end": "2026-02-01"}, "end", "before"),
        ({"start": "01/03/2026"}, "start", "YYYY-MM-DD"),
        ({"start": "2026-02-30"}, "start", "YYYY-MM-DD"),
        ({"end": "tomorrow"}, "end", "YYYY-MM-DD"),
        ({"start": "9999-12-30", "end": "9999-12-31"}, "start", "between the years"),
    ])
    def test_bad_window(self, clients, agora, params, field, contains):
        response = clients["member"].get(f"/api/series/{agora.pk}/occurrences", params)
        refused(response, 400, field=field, contains=contains)

    @pytest.mark.parametrize("day,status,contains", [
        ("2026-01-30", 404, "does not meet on 2026-01-30"),
        ("31-01-2026", 400, "YYYY-MM-DD"),
        ("2026-13-01", 400, "YYYY-MM-DD"),
        ("20260131", 400, "YYYY-MM-DD"),
        ("9999-12-31", 400, "between the years"),
    ])
    def test_bad_day_in_path(self, clients, agora, day, status, contains):
        before = rows()
        refused(clients["anonymous"].get(occ(agora, day)), status, contains=contains)
        refused(add_item(clients["member"], agora, day), status, contains=contains)
        assert rows() == before

    def test_cancel_move_restore(self, clients, agora):
        coordinator, anonymous = clients["coordinator"], clients["anonymous"]
        cancelled = post(coordinator, occ(agora, FEB) + "/cancel", {"reason": "Snow"})
        assert cancelled.status_code == 200
        assert cancelled.json()["cancelled"] is True and cancelled.json()["note"] == "Snow"
        listed = anonymous.get(f"/api/series/{agora.pk}/occurrences").json()
        assert [o["cancelled"] for o in listed] == [False, True, False, False]
        refused(post(coordinator, occ(agora, FEB) + "/cancel"), 409, contains="already")
        refused(add_item(clients["member"], agora, FEB), 409, contains="cancelled")
        refused(post(coordinator, occ(agora, FEB) + "/move", {
            "starts_at": "2026-03-07T10:30", "ends_at": "2026-03-07T19:00"}), 409,
            contains="restore it")
        assert post(coordinator, occ(agora, FEB) + "/restore").json()["cancelled"] is False

        moved = post(coordinator, occ(agora, FEB) + "/move", {
            "starts_at": "2026-03-07T14:00", "ends_at": "2026-03-07T18:00",
            "place": "Salle des fêtes"})
        assert moved.status_code == 200
        data = moved.json()
        assert data["key"] == FEB and data["moved"] is True
        assert data["starts_at"] == "2026-03-07T14:00:00+01:00"
        assert data["original_start"] == "2026-02-28T10:30:00+01:00"
        assert data["place"] == "Salle des fêtes"
        assert data["deadline"] == "2026-02-28T14:00:00+01:00"
        assert anonymous.get(occ(agora, FEB)).json()["starts_at"] == data["starts_at"]
        with_offset = post(coordinator, occ(agora, FEB) + "/move", {
            "starts_at": "2026-03-07T13:00:00Z", "ends_at": "2026-03-07T17:00:00Z"})
        assert with_offset.json()["starts_at"] == "2026-03-07T14:00:00+01:00"

    def test_move_refusals_write_nothing(self, clients, agora):
        before = rows()
        refused(post(clients["coordinator"], occ(agora, FEB) + "/move", {
            "starts_at": "2026-02-28T19:00", "ends_at": "2026-02-28T10:00"}), 400,
            field="ends_at", contains="after the start")
        refused(post(clients["coordinator"], occ(agora, FEB) + "/move", {
            "starts_at": "2026-02-28T10:00"}), 422, contains="ends_at")
        refused(post(clients["coordinator"], occ(agora, FEB) + "/move", {
            "starts_at": "9999-12-31T10:00", "ends_at": "9999-12-31T11:00"}), 400,
            field="starts_at")
        refused(post(clients["coordinator"], occ(agora, FEB) + "/move", {
            "starts_at": "2026-06-06T10:30", "ends_at": "2026-06-06T19:00"}), 400,
            field="starts_at", contains="cancel it")
        assert rows() == before


# The agenda ----------------------------------------------------------------------------

class TestAgenda:
    def test_item_before_and_after_the_deadline(self, clients, agora, frozen_clock):
        member = clients["member"]
        frozen_clock(paris(2026, 1, 24, 10, 29))
        added = add_item(member, agora, description="Vote the budget")
        assert added.status_code == 201
        item = added.json()
        assert item["presenter"] == "Member" and item["kind"] == "decision"
        assert item["duration_minutes"] == 30 and item["position"] == 1

        frozen_clock(paris(2026, 1, 24, 10, 30))
        before = rows()
        late = add_item(member, agora, title="Too late")
        body = refused(late, 409)
        assert "Jan. 24, 2026" in body["detail"]  # the deadline
        assert "Feb. 28, 2026" in body["detail"]  # the next meeting
        assert "Feb. 21, 2026" in body["detail"]  # and its own deadline
        assert rows() == before
        detail = member.get(occ(agora)).json()
        assert detail["is_open_for_items"] is False and detail["can_add_items"] is False
        assert [i["title"] for i in detail["agenda"]["items"]] == ["Budget 2026"]
        # The next meeting takes it.
        assert add_item(member, agora, FEB, title="Too late").status_code == 201

    @pytest.mark.parametrize("minutes,status", [(0, 400), (-5, 400), (481, 400),
                                                (10**12, 400), ("abc", 422), (1.5, 422),
                                                (None, 422), (True, 422), ("30", 422)])
    def test_bad_durations(self, clients, agora, minutes, status):
        before = rows()
        response = add_item(clients["member"], agora, duration_minutes=minutes)
        if status == 400:
            refused(response, 400, field="duration_minutes", contains="between 1 and 480")
        else:
            refused(response, 422, contains="duration_minutes")
        assert rows() == before

    def test_missing_duration_and_bad_kind(self, clients, agora):
        before = rows()
        response = post(clients["member"], occ(agora) + "/items", {"title": "x"})
        refused(response, 422, contains="duration_minutes")
        refused(add_item(clients["member"], agora, kind="rant"), 400, field="kind")
        refused(add_item(clients["member"], agora, title=" "), 400, field="title")
        refused(add_item(clients["member"], agora, title="x" * 201), 400, field="title")
        assert rows() == before

    def test_total_time_and_warning(self, clients, agora):
        for minutes in (240, 240):  # 8 hours asked; 8 h 30 available
            assert add_item(clients["member"], agora, duration_minutes=minutes
                            ).status_code == 201
        agenda = clients["anonymous"].get(occ(agora)).json()["agenda"]
        assert agenda["total_minutes"] == 480 and agenda["available_minutes"] == 510
        assert agenda["over_minutes"] == 0
        add_item(clients["member"], agora, duration_minutes=45)
        agenda = clients["anonymous"].get(occ(agora)).json()["agenda"]
        assert agenda["total_minutes"] == 525 and agenda["over_minutes"] == 15

    def test_accept_discard_reopen_delay(self, clients, agora):
        member, coordinator = clients["member"], clients["coordinator"]
        item_id = add_item(member, agora).json()["id"]
        before = rows()
        refused(post(coordinator, f"/api/agenda-items/{item_id}/discard"), 400,
                field="reason", contains="Say why")
        refused(post(coordinator, f"/api/agenda-items/{item_id}/discard", {"reason": "  "}),
                400, field="reason")
        refused(post(member, f"/api/agenda-items/{item_id}/discard", {"reason": "no"}), 403)
        assert rows() == before
        discarded = post(coordinator, f"/api/agenda-items/{item_id}/discard",
                         {"reason": "Already decided in December"})
        assert discarded.json()["status"] == "discarded"
        assert discarded.json()["discard_reason"] == "Already decided in December"
        refused(post(coordinator, f"/api/agenda-items/{item_id}/accept"), 409,
                contains="cannot become")
        reopened = post(coordinator, f"/api/agenda-items/{item_id}/reopen").json()
        assert reopened["status"] == "new" and reopened["discard_reason"] == ""
        assert post(coordinator, f"/api/agenda-items/{item_id}/accept"
                    ).json()["status"] == "accepted"

        before = rows()
        for to, status, field, contains in [
            ("2026-02-27", 400, "to", "does not meet on 2026-02-27"),
            ("28/02/2026", 400, "to", "YYYY-MM-DD"),
            (JAN, 400, "to", "later meeting"),  # its own meeting
        ]:
            refused(post(coordinator, f"/api/agenda-items/{item_id}/delay", {"to": to}),
                    status, field=field, contains=contains)
        refused(post(member, f"/api/agenda-items/{item_id}/delay", {"to": FEB}), 403)
        assert rows() == before
        delayed = post(coordinator, f"/api/agenda-items/{item_id}/delay", {"to": FEB})
        assert delayed.status_code == 200
        copy = delayed.json()
        assert copy["delayed_from"] == item_id and copy["status"] == "new"
        assert copy["id"] != item_id
        january = clients["anonymous"].get(occ(agora)).json()["agenda"]
        assert january["items"][0]["status"] == "delayed"
        assert january["items"][0]["delayed_to"] == FEB
        assert january["total_minutes"] == 0
        february = clients["anonymous"].get(occ(agora, FEB)).json()["agenda"]
        assert [i["id"] for i in february["items"]] == [copy["id"]]
        refused(post(coordinator, f"/api/agenda-items/{item_id}/reopen"), 409)
        refused(post(coordinator, "/api/agenda-items/999999/accept"), 404)

    def test_order_and_fix(self, clients, agora):
        member, coordinator = clients["member"], clients["coordinator"]
        first = add_item(member, agora, title="First").json()["id"]
        second = add_item(member, agora, title="Second").json()["id"]
        ordered = post(coordinator, occ(agora) + "/order", {"item_ids": [second, first]})
        assert [i["title"] for i in ordered.json()["items"]] == ["Second", "First"]
        before = rows()
        refused(post(coordinator, occ(agora) + "/order", {"item_ids": [second]}), 400,
                field="item_ids")
        refused(post(coordinator, occ(agora) + "/order", {"item_ids": "x"}), 422,
                contains="item_ids")
        refused(post(coordinator, occ(agora) + "/fix"), 409, contains="2 items still wait")
        refused(post(member, occ(agora) + "/fix"), 403)
        assert rows() == before
        assert not Meeting.objects.get().agenda_published_at

        post(coordinator, f"/api/agenda-items/{first}/accept")
        post(coordinator, f"/api/agenda-items/{second}/discard", {"reason": "Off topic"})
        fixed = post(coordinator, occ(agora) + "/fix")
        assert fixed.status_code == 200 and fixed.json()["agenda_published"] is True
        assert fixed.json()["is_open_for_items"] is False
        refused(post(coordinator, occ(agora) + "/fix"), 409, contains="already fixed")
        refused(add_item(member, agora), 409, contains="already fixed")


# The program ---------------------------------------------------------------------------

def workshop(client, series, title, capacity=None, start="14:00", end="17:30", day=JAN):
    data = {"title": title, "kind": "workshop", "starts_at": f"{day}T{start}",
            "ends_at": f"{day}T{end}", "place": f"Room {title}"}
    if capacity is not None:
        data["capacity"] = capacity
    return post(client, occ(series, day) + "/sessions", data)


class TestProgram:
    def test_sessions_in_the_detail(self, clients, agora):
        coordinator = clients["coordinator"]
        welcome = post(coordinator, occ(agora) + "/sessions", {
            "title": "Welcome and informal talk", "starts_at": "2026-01-31T10:30",
            "ends_at": "2026-01-31T12:00"})
        assert welcome.status_code == 201
        assert welcome.json()["place"] == "Toulouse"  # the meeting's place by default
        assert welcome.json()["starts_at"] == "2026-01-31T10:30:00+01:00"
        for title in ("Energy", "Housing", "Currency"):
            assert workshop(coordinator, agora, title, capacity=20).status_code == 201
        sessions = clients["anonymous"].get(occ(agora)).json()["sessions"]
        assert [s["title"] for s in sessions] == ["Welcome and informal talk", "Currency",
                                                  "Energy", "Housing"]
        assert sessions[1] | {"id": 0} == {
            "id": 0, "title": "Currency", "description": "", "kind": "workshop",
            "starts_at": "2026-01-31T14:00:00+01:00", "ends_at": "2026-01-31T17:30:00+01:00",
            "place": "Room Currency", "capacity": 20, "facilitator": None, "confirmed": 0,
            "waiting": 0, "my_status": None, "my_waiting_rank": None}

    @pytest.mark.parametrize("fields,status,field", [
        ({"ends_at": "2026-01-31T13:00"}, 400, "ends_at"),
        ({"ends_at": "2026-01-31T14:00"}, 400, "ends_at"),
        ({"ends_at": "2026-02-02T14:00"}, 400, "ends_at"),
        ({"capacity": 0}, 400, "capacity"),
        ({"capacity": -3}, 400, "capacity"),
        ({"capacity": 10**12}, 422, "capacity"),
        ({"kind": "rave"}, 400, "kind"),
        ({"title": ""}, 400, "title"),
        ({"title": "x" * 201}, 422, "title"),
        ({"starts_at": "noon"}, 422, "starts_at"),
    ])
    def test_bad_sessions(self, clients, agora, fields, status, field):
        before = rows()
        data = {"title": "Energy", "kind": "workshop", "starts_at": "2026-01-31T14:00",
                "ends_at": "2026-01-31T17:30"} | fields
        response = post(clients["coordinator"], occ(agora) + "/sessions", data)
        if status == 400:
            refused(response, 400, field=field)
        else:
            refused(response, 422, contains=field)
        assert rows() == before

    def test_signups_waiting_list_and_promotion(self, clients, world, agora):
        coordinator = clients["coordinator"]
        energy = workshop(coordinator, agora, "Energy", capacity=1).json()["id"]
        housing = workshop(coordinator, agora, "Housing").json()["id"]
        later = workshop(coordinator, agora, "Decisions", start="18:00", end="19:00"
                         ).json()["id"]
        plenary = post(coordinator, occ(agora) + "/sessions", {
            "title": "Meal", "kind": "meal", "starts_at": "2026-01-31T13:00"}).json()["id"]

        member, outsider = clients["member"], clients["outsider"]
        first = post(member, f"/api/sessions/{energy}/signup")
        assert first.status_code == 201
        assert first.json() == {"session_id": energy, "status": "confirmed",
                                "waiting_rank": None}
        # The registration's answer says where one stands on the waiting list.
        assert post(outsider, f"/api/sessions/{energy}/signup").json() == {
            "session_id": energy, "status": "waiting", "waiting_rank": 1}

        before = rows()
        refused(post(member, f"/api/sessions/{energy}/signup"), 409, contains="already")
        refused(post(member, f"/api/sessions/{housing}/signup"), 409, contains="Energy")
        refused(post(member, f"/api/sessions/{plenary}/signup"), 400, contains="workshops")
        refused(post(clients["anonymous"], f"/api/sessions/{energy}/signup"), 401)
        refused(post(member, "/api/sessions/999999/signup"), 404)
        refused(post(clients["coordinator"], f"/api/sessions/{energy}/leave"), 404)
        assert rows() == before
        assert post(member, f"/api/sessions/{later}/signup").status_code == 201

        detail = member.get(occ(agora)).json()
        energy_out = next(s for s in detail["sessions"] if s["id"] == energy)
        assert (energy_out["confirmed"], energy_out["waiting"]) == (1, 1)
        assert energy_out["my_status"] == "confirmed"
        waiting = next(s for s in outsider.get(occ(agora)).json()["sessions"]
                       if s["id"] == energy)
        assert (waiting["my_status"], waiting["my_waiting_rank"]) == ("waiting", 1)
        assert energy_out["my_waiting_rank"] is None

        left = post(member, f"/api/sessions/{energy}/leave")
        assert left.status_code == 200
        assert (left.json()["confirmed"], left.json()["waiting"]) == (1, 0)
        assert left.json()["my_status"] is None
        promoted = next(s for s in outsider.get(occ(agora)).json()["sessions"]
                        if s["id"] == energy)
        assert promoted["my_status"] == "confirmed"
        # The slot is free again for the member.
        assert post(member, f"/api/sessions/{housing}/signup").json()["status"] == "confirmed"


# Minutes and attendance ----------------------------------------------------------------

class TestMinutes:
    def test_hidden_until_published(self, clients, world, agora):
        coordinator, anonymous = clients["coordinator"], clients["anonymous"]
        item_id = add_item(clients["member"], agora).json()["id"]
        assert anonymous.get(occ(agora)).json()["minutes"] is None
        refused(post(coordinator, occ(agora) + "/minutes/publish"), 409, contains="Write")
        general = coordinator.put(occ(agora) + "/minutes", {
            "notes": "Twenty people came.", "presented_by": "Coordinator"},
            content_type=JSON)
        assert general.status_code == 200 and general.json()["item_id"] is None
        entry = coordinator.put(occ(agora) + "/minutes", {
            "item_id": item_id, "notes": "Long debate", "decisions": "Budget adopted",
            "links": "https://example.org/budget"}, content_type=JSON)
        assert entry.json()["written_by"] == "Coordinator"
        refused(coordinator.put(occ(agora) + "/minutes", {"item_id": 999999, "notes": "x"},
                                content_type=JSON), 404)
        refused(clients["member"].put(occ(agora) + "/minutes", {"notes": "mine"},
                                      content_type=JSON), 403)

        for who in ("anonymous", "outsider", "member"):
            assert clients[who].get(occ(agora)).json()["minutes"] is None
        seen = coordinator.get(occ(agora)).json()["minutes"]
        assert [m["item_id"] for m in seen] == [None, item_id]

        refused(post(clients["member"], occ(agora) + "/minutes/publish"), 403)
        refused(post(coordinator, occ(agora) + "/minutes/publish"), 409, contains="begun")
        clock.freeze(paris(2026, 1, 31, 19, 30))  # the meeting is over
        published = post(coordinator, occ(agora) + "/minutes/publish")
        assert published.status_code == 200 and published.json()["minutes_published"]
        public = anonymous.get(occ(agora)).json()["minutes"]
        assert [m["decisions"] for m in public] == ["", "Budget adopted"]
        refused(post(coordinator, occ(agora) + "/minutes/publish"), 409, contains="already")

    def test_attendance(self, clients, world, agora):
        coordinator = clients["coordinator"]
        people = [world["member"].pk, world["coordinator"].pk]
        url = occ(agora) + "/attendance"
        assert post(coordinator, url, {"person_ids": people}).json() == {"recorded": 2}
        assert post(coordinator, url, {"person_ids": people}).json() == {"recorded": 0}
        before = rows()
        refused(post(coordinator, url, {"person_ids": [999999]}), 400, field="person_ids",
                contains="999999")
        refused(post(coordinator, url, {"person_ids": ["x"]}), 422, contains="person_ids")
        assert rows() == before


# Query counts ----------------------------------------------------------------------------

class TestQueryCounts:
    def test_detail_is_bounded(self, clients, world, agora, make_person,
                               django_assert_max_num_queries):
        client = clients["member"]
        add_item(client, agora)
        workshop(clients["coordinator"], agora, "Energy", capacity=2)
        client.get(occ(agora))  # warm the session
        with django_assert_max_num_queries(15) as small:
            assert client.get(occ(agora)).status_code == 200
        # (read now: every request clears the connection's query log)
        baseline = len(small.captured_queries)
        coordinator = clients["coordinator"]
        for n in range(15):
            item_id = add_item(client, agora, title=f"Item {n}").json()["id"]
            if n % 3 == 0:
                post(coordinator, f"/api/agenda-items/{item_id}/delay", {"to": FEB})
            coordinator.put(occ(agora) + "/minutes", {"item_id": item_id, "notes": "ok"},
                            content_type=JSON)
        session_ids = [workshop(coordinator, agora, f"W{n}", capacity=1,
                                start=f"{11 + n % 5}:00", end=f"{11 + n % 5}:30").json()["id"]
                       for n in range(10)]
        for session_id in session_ids:
            for _ in range(3):
                services.sign_up(person=make_person(), session_id=session_id)
        clock.freeze(paris(2026, 1, 31, 19, 30))  # minutes come after the meeting
        post(coordinator, occ(agora) + "/minutes/publish")
        # +1: the minutes, now published, are read too.
        with django_assert_max_num_queries(baseline + 1):
            response = client.get(occ(agora))
        assert response.status_code == 200
        assert len(response.json()["agenda"]["items"]) == 16
        assert len(response.json()["minutes"]) == 15

    def test_lists_are_bounded(self, clients, world, agora, django_assert_max_num_queries):
        client = clients["anonymous"]
        urls = ["/api/bodies/cit/series", f"/api/series/{agora.pk}/occurrences"]
        counts = {}
        for url in urls:
            client.get(url)
            with django_assert_max_num_queries(6) as small:
                assert client.get(url).status_code == 200
            counts[url] = len(small.captured_queries)
        for n in range(8):
            series = services.create_series(
                actor=world["coordinator"], body=world["coop"], title=f"Weekly {n}",
                rrule="FREQ=WEEKLY", first_day=date(2026, 1, 1), start_time=time(18),
                end_time=time(20))
            services.cancel_occurrence(actor=world["coordinator"],
                                       occurrence=_find(series, "2026-01-15"))
        for day in (JAN, FEB, MAR):
            services.cancel_occurrence(actor=world["coordinator"],
                                       occurrence=_find(agora, day))
        for url in urls:
            with django_assert_max_num_queries(counts[url]):
                assert client.get(url).status_code == 200
        assert len(client.get("/api/bodies/cit/series").json()) == 9


class TestAuthentication:
    def test_session_writes_need_csrf(self, world, agora):
        client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(world["member"])
        before = rows()
        assert add_item(client, agora).status_code == 403
        assert rows() == before

    def test_a_personal_token_reads_closed_meetings_and_writes(self, world, secret):
        from autogestion.accounts.services import create_api_token

        _token, raw = create_api_token(person=world["coordinator"], name="script")
        client = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert client.get(occ(secret, "2026-01-12")).status_code == 200
        assert add_item(client, secret, "2026-01-12").status_code == 201
        wrong = Client(HTTP_AUTHORIZATION="Bearer ag_wrong")
        assert wrong.get(occ(secret, "2026-01-12")).status_code == 404  # read as anonymous
        assert add_item(wrong, secret, "2026-01-12").status_code == 401


def test_openapi_lists_the_endpoints(world):
    paths = Client().get("/api/openapi.json").json()["paths"]
    for path in ("/api/bodies/{slug}/series", "/api/series/{series_id}/occurrences/{day}",
                 "/api/agenda-items/{item_id}/delay", "/api/sessions/{session_id}/signup",
                 "/api/series/{series_id}/occurrences/{day}/minutes"):
        assert path in paths
