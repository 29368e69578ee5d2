"""The same questions asked of the pages and of the API get the same answers: a body's
coming meetings, an occurrence's agenda (which items, in which order, in which status,
with which history), its program and sign-ups, and the same status when one is
refused, for every role (R2: 404 for what a closed body keeps to itself, 403 for what
one sees but may not do).

The Agora of the CIT (open): last Saturday of each month, 10:30-19:00 in Paris; the
clock is frozen on 10 January 2026, so it next meets on 31 January."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from autogestion.assemblies import queries, services
from autogestion.core import clock
from tests.support.http import api_client, client_for

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
JAN, FEB = "2026-01-31", "2026-02-28"
MONDAY = "2026-01-12"
ROLES = ("outsider", "member", "other_coordinator", "coordinator", "operator")


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.freeze(datetime(2026, 1, 10, 12, 0, tzinfo=PARIS))
    yield
    clock.freeze(None)


@pytest.fixture
def agora(world):
    return services.create_series(
        actor=world["coordinator"], body=world["coop"], title="Agora",
        rrule="FREQ=MONTHLY;BYDAY=-1SA", first_day=date(2026, 1, 1), start_time=time(10, 30),
        end_time=time(19, 0), kind="agora")


@pytest.fixture
def secret(world):
    """A weekly meeting of the closed group "Caisse" (its coordinator is a member)."""
    return services.create_series(
        actor=world["coordinator"], body=world["closed_group"], title="Treasury",
        rrule="FREQ=WEEKLY;BYDAY=MO", first_day=date(2026, 1, 1), start_time=time(18, 0),
        end_time=time(20, 0))


def occurrence(series, day):
    return queries.find_occurrence(series, date.fromisoformat(day))


def page(series, day):
    return f"/meetings/{series.pk}/{day}/"


def api(series, day):
    return f"/api/series/{series.pk}/occurrences/{day}"


def both(person, page_url, api_url):
    """The page's context and the API's answer, both 200."""
    shown = client_for(person).get(page_url)
    answered = api_client(person).get(api_url)
    assert (shown.status_code, answered.status_code) == (200, 200)
    return shown.context, answered.json()


class TestSameThingsListed:
    def test_a_bodys_coming_meetings(self, world, agora):
        services.cancel_occurrence(actor=world["coordinator"], occurrence=occurrence(
            agora, FEB), reason="Holidays")
        context, listed = both(None, "/bodies/cit/meetings/",
                               f"/api/series/{agora.pk}/occurrences")
        shown = [(o.key, o.starts_at, o.cancelled) for o in context["upcoming"]]
        assert shown == [(o["key"], datetime.fromisoformat(o["starts_at"]), o["cancelled"])
                         for o in listed]
        assert (FEB, True) in [(key, cancelled) for key, _start, cancelled in shown]
        [series] = api_client(None).get("/api/bodies/cit/series").json()
        next_shown = next(o for o in context["upcoming"] if not o.cancelled)
        assert series["next_occurrence"]["key"] == next_shown.key == JAN

    def test_an_occurrences_agenda_its_order_status_and_history(self, world, agora):
        member, coordinator = world["member"], world["coordinator"]
        jan = occurrence(agora, JAN)
        first, second, third = (services.add_agenda_item(
            actor=member, occurrence=jan, title=title, duration_minutes=20)
            for title in ("Garden", "Budget", "Kitchen"))
        services.reorder_agenda(actor=coordinator, occurrence=jan,
                                item_ids=[third.pk, first.pk, second.pk])
        services.accept_agenda_item(actor=coordinator, item_id=third.pk)
        services.discard_agenda_item(actor=coordinator, item_id=first.pk, reason="Done")
        services.delay_agenda_item(actor=coordinator, item_id=second.pk,
                                   to=occurrence(agora, FEB))
        for person in (None, member, coordinator):
            context, detail = both(person, page(agora, JAN), api(agora, JAN))
            items = context["agenda"].items
            assert [(i.pk, i.title, i.status) for i in items] == [
                (i["id"], i["title"], i["status"]) for i in detail["agenda"]["items"]]
            assert [i.title for i in items] == ["Kitchen", "Garden", "Budget"]
            assert [i.status for i in items] == ["accepted", "discarded", "delayed"]
            assert context["agenda"].total_minutes == detail["agenda"]["total_minutes"]
            assert [[(e.from_status, e.to_status, e.reason) for e in i.events.all()]
                    for i in items] == [
                [(e["from_status"], e["to_status"], e["reason"]) for e in i["events"]]
                for i in detail["agenda"]["items"]]
        garden = detail["agenda"]["items"][1]
        assert [(e["from_status"], e["to_status"], e["actor"], e["reason"])
                for e in garden["events"]] == [
            ("", "new", member.public_name, ""),
            ("new", "discarded", coordinator.public_name, "Done")]
        text = client_for(member).get(page(agora, JAN)).content.decode()
        assert "Status history" in text and "Done" in text

    def test_the_program_and_its_sign_ups(self, world, agora):
        coordinator, member = world["coordinator"], world["member"]
        jan = occurrence(agora, JAN)
        sessions = [services.add_session(
            actor=coordinator, occurrence=jan, title=title, kind="workshop", capacity=1,
            starts_at=datetime(2026, 1, 31, 14, tzinfo=PARIS),
            ends_at=datetime(2026, 1, 31, 16, tzinfo=PARIS)) for title in ("Energy", "Soil")]
        services.add_session(actor=coordinator, occurrence=jan, title="Welcome",
                             starts_at=datetime(2026, 1, 31, 10, 30, tzinfo=PARIS))
        services.sign_up(person=coordinator, session_id=sessions[0].pk)
        services.sign_up(person=member, session_id=sessions[0].pk)  # waiting: one place
        for person in (None, member, coordinator):
            context, detail = both(person, page(agora, JAN), api(agora, JAN))
            shown = [s for _start, slot in context["slots"] for s in slot]
            assert [(s.pk, s.title) for s in shown] == [
                (s["id"], s["title"]) for s in detail["sessions"]]
            assert [(sum(x.status == "confirmed" for x in s.all_signups),
                     sum(x.status == "waiting" for x in s.all_signups)) for s in shown] == [
                (s["confirmed"], s["waiting"]) for s in detail["sessions"]]
            # Where the person stands, and their rank on a waiting list: one answer.
            assert {s.pk: (s.my_place.status, s.my_place.rank) for s in shown
                    if s.my_place} == {
                s["id"]: (s["my_status"], s["my_waiting_rank"]) for s in detail["sessions"]
                if s["my_status"] is not None}
        assert [s["my_status"] for s in detail["sessions"]] == [None, "confirmed", None]
        member_detail = both(member, page(agora, JAN), api(agora, JAN))[1]
        assert [(s["my_status"], s["my_waiting_rank"]) for s in member_detail["sessions"]] == [
            (None, None), ("waiting", 1), (None, None)]


# Refusals: the same status from the page and from the API, for each role -------------

def _statuses(person, page_call, api_call) -> tuple[int, int]:
    return page_call(client_for(person)).status_code, api_call(api_client(person)).status_code


class TestSameRefusals:
    @pytest.mark.parametrize("who", ROLES)
    def test_reading_a_closed_bodys_meeting(self, world, secret, who):
        expected = 200 if who in ("coordinator", "operator") else 404
        assert _statuses(world[who], lambda c: c.get(page(secret, MONDAY)),
                         lambda c: c.get(api(secret, MONDAY))) == (expected, expected)
        assert _statuses(world[who], lambda c: c.get("/bodies/caisse/meetings/"),
                         lambda c: c.get("/api/bodies/caisse/series")) == (expected, expected)

    @pytest.mark.parametrize("who", ROLES)
    def test_no_meeting_that_day_and_no_such_series(self, world, agora, who):
        assert _statuses(world[who], lambda c: c.get(page(agora, "2026-01-30")),
                         lambda c: c.get(api(agora, "2026-01-30"))) == (404, 404)
        assert _statuses(world[who], lambda c: c.get("/meetings/999999/2026-01-31/"),
                         lambda c: c.get("/api/series/999999/occurrences/2026-01-31")
                         ) == (404, 404)

    @pytest.mark.parametrize("who,expected", [
        ("outsider", 403), ("other_coordinator", 403), ("member", None),
        ("coordinator", None), ("operator", None)])
    def test_adding_an_item(self, world, agora, who, expected):
        form = {"title": "Budget", "kind": "decision", "duration_minutes": 30}
        answers = _statuses(world[who], lambda c: c.post(page(agora, JAN) + "items/", form),
                            lambda c: c.post(api(agora, JAN) + "/items", form))
        assert answers == ((expected, expected) if expected else (302, 201))

    @pytest.mark.parametrize("who,expected", [
        ("outsider", 403), ("member", 403), ("other_coordinator", 403),
        ("coordinator", None), ("operator", None)])
    def test_coordinators_actions(self, world, agora, who, expected):
        item = services.add_agenda_item(actor=world["member"], occurrence=occurrence(
            agora, JAN), title="Garden", duration_minutes=20)
        person = world[who]
        accept = _statuses(person, lambda c: c.post(f"/agenda-items/{item.pk}/accept/"),
                           lambda c: c.post(f"/api/agenda-items/{item.pk}/accept"))
        cancel = _statuses(person,
                           lambda c: c.post(page(agora, FEB) + "manage/",
                                                  {"action": "cancel", "confirmed": "yes"}),
                           lambda c: c.post(api(agora, FEB) + "/cancel"))
        minutes = _statuses(person, lambda c: c.get(page(agora, JAN) + "minutes/"),
                            lambda c: c.put(api(agora, JAN) + "/minutes", {"notes": "x"}))
        if expected:
            assert (accept, cancel, minutes) == ((expected,) * 2,) * 3
        else:
            # Done by the page (a redirect back); the API's second answer is a refusal
            # of the state: already accepted, already cancelled.
            assert (accept, cancel, minutes) == ((302, 409), (302, 409), (200, 200))

    @pytest.mark.parametrize("who", ["outsider", "member", "other_coordinator"])
    def test_a_closed_bodys_item_and_session_are_hidden(self, world, secret, who):
        monday = occurrence(secret, MONDAY)
        item = services.add_agenda_item(actor=world["coordinator"], occurrence=monday,
                                        title="Accounts", duration_minutes=10)
        session = services.add_session(
            actor=world["coordinator"], occurrence=monday, title="Count", kind="workshop",
            starts_at=datetime(2026, 1, 12, 18, tzinfo=PARIS),
            ends_at=datetime(2026, 1, 12, 19, tzinfo=PARIS))
        person = world[who]
        assert _statuses(person, lambda c: c.post(f"/agenda-items/{item.pk}/accept/"),
                         lambda c: c.post(f"/api/agenda-items/{item.pk}/accept")
                         ) == (404, 404)
        assert _statuses(person, lambda c: c.post(f"/sessions/{session.pk}/signup/"),
                         lambda c: c.post(f"/api/sessions/{session.pk}/signup")) == (404, 404)
        assert _statuses(person, lambda c: c.post(f"/sessions/{session.pk}/leave/"),
                         lambda c: c.post(f"/api/sessions/{session.pk}/leave")) == (404, 404)
        assert _statuses(person, lambda c: c.get(page(secret, MONDAY) + "minutes/"),
                         lambda c: c.put(api(secret, MONDAY) + "/minutes", {})) == (404, 404)

    @pytest.mark.parametrize("who", ROLES)
    def test_unknown_item_and_session(self, world, who):
        assert _statuses(world[who], lambda c: c.post("/agenda-items/999999/accept/"),
                         lambda c: c.post("/api/agenda-items/999999/accept")) == (404, 404)
        assert _statuses(world[who], lambda c: c.post("/sessions/999999/signup/"),
                         lambda c: c.post("/api/sessions/999999/signup")) == (404, 404)
