"""Assembly pages through the test client: who sees what, the agenda before and after
its deadline, coordinators' actions, the program, minutes, query counts."""

from datetime import date, timedelta

import pytest
from django.contrib.staticfiles import finders

from autogestion.assemblies import queries, services
from autogestion.assemblies.models import AgendaItem, MeetingSeries, SessionSignup
from tests.support.http import client_for

from .conftest import paris

pytestmark = pytest.mark.django_db

URL = "/meetings/{id}/2026-11-28/"



@pytest.fixture
def closed_series(world):
    return services.create_series(actor=world["coordinator"], body=world["closed_group"],
                                  title="Secret meeting", rrule="FREQ=WEEKLY;BYDAY=MO",
                                  first_day=date(2026, 1, 5), start_time=paris(2026, 1, 5, 18)
                                  .timetz().replace(tzinfo=None),
                                  end_time=paris(2026, 1, 5, 19).timetz().replace(tzinfo=None))


class TestVisibility:
    def test_open_body_meetings_are_public(self, world, agora, november):
        anonymous = client_for(None)
        page = anonymous.get(URL.format(id=agora.pk))
        assert page.status_code == 200
        assert "Preparation meeting" in page.content.decode()
        assert anonymous.get("/bodies/cit/meetings/").status_code == 200
        assert "Agora" in anonymous.get("/bodies/cit/").content.decode()

    def test_closed_body_meetings_are_hidden(self, world, closed_series):
        url = f"/meetings/{closed_series.pk}/2026-11-30/"
        for person in (None, world["outsider"], world["member"]):
            client = client_for(person)
            assert client.get(url).status_code == 404
            assert client.get("/bodies/caisse/meetings/").status_code == 404
            assert "Secret meeting" not in client.get("/bodies/caisse/").content.decode()
        assert client_for(world["coordinator"]).get(url).status_code == 200

    def test_bad_addresses(self, world, agora):
        client = client_for(None)
        assert client.get(f"/meetings/{agora.pk}/not-a-date/").status_code == 404
        assert client.get(f"/meetings/{agora.pk}/2026-11-27/").status_code == 404  # a Friday
        assert client.get("/meetings/999999/2026-11-28/").status_code == 404


class TestAgendaPages:
    def test_member_adds_an_item_before_the_deadline(self, world, agora, november, frozen):
        frozen(november.deadline - timedelta(hours=1))
        client = client_for(world["member"])
        page = client.get(URL.format(id=agora.pk)).content.decode()
        assert 'id="add-item"' in page
        response = client.post(f"{URL.format(id=agora.pk)}items/",
                               {"title": "Budget", "kind": "decision", "duration_minutes": 20})
        assert response.status_code == 302
        assert AgendaItem.objects.filter(title="Budget", status="new").exists()

    def test_late_item_refused_with_the_next_agora(self, world, agora, november, frozen):
        frozen(november.deadline + timedelta(minutes=1))
        client = client_for(world["member"])
        assert 'id="add-item"' not in client.get(URL.format(id=agora.pk)).content.decode()
        response = client.post(f"{URL.format(id=agora.pk)}items/",
                               {"title": "Late", "kind": "decision", "duration_minutes": 20})
        assert response.status_code == 409
        page = response.content.decode()
        assert "deadline for this agenda passed" in page
        assert f"/meetings/{agora.pk}/2026-12-26/" in page
        assert not AgendaItem.objects.filter(title="Late").exists()

    def test_bad_item_input(self, world, agora, november, frozen):
        frozen(november.deadline - timedelta(days=1))
        client = client_for(world["member"])
        for data in ({"title": "x", "kind": "decision", "duration_minutes": 0},
                     {"title": "x", "kind": "decision", "duration_minutes": "abc"},
                     {"title": "", "kind": "decision", "duration_minutes": 10},
                     {"title": "x", "kind": "nonsense", "duration_minutes": 10}):
            assert client.post(f"{URL.format(id=agora.pk)}items/", data).status_code == 400
        assert not AgendaItem.objects.exists()

    def test_non_member_cannot_add(self, world, agora, november, frozen):
        frozen(november.deadline - timedelta(days=1))
        response = client_for(world["outsider"]).post(
            f"{URL.format(id=agora.pk)}items/",
            {"title": "x", "kind": "decision", "duration_minutes": 10})
        assert response.status_code == 403
        assert client_for(None).post(f"{URL.format(id=agora.pk)}items/").status_code == 302

    def test_coordinator_flow_in_pages(self, world, agora, november, frozen):
        frozen(november.deadline - timedelta(days=1))
        item = services.add_agenda_item(actor=world["member"], occurrence=november,
                                        title="Budget", duration_minutes=20)
        coordinator = client_for(world["coordinator"])
        member = client_for(world["member"])
        assert member.post(f"/agenda-items/{item.pk}/accept/").status_code == 403
        assert coordinator.post(f"/agenda-items/{item.pk}/discard/",
                                {"reason": ""}).status_code == 400
        assert coordinator.post(f"/agenda-items/{item.pk}/accept/").status_code == 302
        manage = f"{URL.format(id=agora.pk)}manage/"
        assert member.post(manage, {"action": "fix"}).status_code == 403
        assert coordinator.post(manage, {"action": "fix", "confirmed": "yes"}).status_code == 302
        assert coordinator.post(manage, {"action": "fix", "confirmed": "yes"}).status_code == 409
        assert coordinator.post(manage, {"action": "bogus"}).status_code == 400

    def test_move_and_cancel_through_the_page(self, world, agora, november):
        coordinator = client_for(world["coordinator"])
        manage = f"{URL.format(id=agora.pk)}manage/"
        bad = coordinator.post(manage, {"action": "move", "starts_at": "2026-11-29T14:00",
                                        "ends_at": "2026-11-29T13:00"})
        assert bad.status_code == 400
        assert coordinator.post(manage, {"action": "move", "starts_at": "2026-11-29T14:00",
                                         "ends_at": "2026-11-29T18:00",
                                         "place": "Parc"}).status_code == 302
        occurrence = queries.find_occurrence(agora, date(2026, 11, 28))
        assert occurrence.starts_at == paris(2026, 11, 29, 14) and occurrence.place == "Parc"
        assert coordinator.post(manage, {"action": "cancel", "reason": "Pluie",
                                           "confirmed": "yes"}).status_code \
            == 302
        assert queries.find_occurrence(agora, date(2026, 11, 28)).cancelled


class TestProgramPages:
    def test_sign_up_and_printable_program(self, world, agora, november):
        coordinator = client_for(world["coordinator"])
        manage = f"{URL.format(id=agora.pk)}manage/"
        for title in ("Monnaie", "Local"):
            response = coordinator.post(manage, {"action": "session", "title": title,
                                                 "kind": "workshop", "starts_at": "14:00",
                                                 "ends_at": "17:30", "capacity": "10"})
            assert response.status_code == 302
        assert coordinator.post(manage, {"action": "session", "title": "Backwards",
                                         "kind": "plenary", "starts_at": "14:00",
                                         "ends_at": "13:00"}).status_code == 400
        money, local = queries.program(queries.find_occurrence(agora, date(2026, 11, 28)))
        member = client_for(world["member"])
        assert member.post(f"/sessions/{money.pk}/signup/").status_code == 302
        clash = member.post(f"/sessions/{local.pk}/signup/")
        assert clash.status_code == 409 and "already chose" in clash.content.decode()
        assert SessionSignup.objects.filter(person=world["member"]).count() == 1
        printable = client_for(None).get(f"{URL.format(id=agora.pk)}program/")
        assert printable.status_code == 200
        text = printable.content.decode()
        assert "Monnaie" in text and "Local" in text and "10 places" in text
        # Its A4 layout is in the one stylesheet, which the page links.
        assert "autogestion/site.css" in text and 'class="program-print"' in text
        with open(finders.find("autogestion/site.css"), encoding="utf-8") as css:
            assert "size:A4" in css.read()


class TestMinutesPages:
    def test_minutes_public_once_published(self, world, agora, november, frozen):
        coordinator = client_for(world["coordinator"])
        minutes = f"{URL.format(id=agora.pk)}minutes/"
        assert client_for(world["member"]).get(minutes).status_code == 403
        assert coordinator.get(minutes).status_code == 200
        assert coordinator.post(minutes, {"notes": "Secret until published",
                                          "presented_by": "", "decisions": "",
                                          "links": ""}).status_code == 302
        anonymous = client_for(None)
        assert "Secret until published" not in anonymous.get(URL.format(id=agora.pk)) \
            .content.decode()
        frozen(november.ends_at)
        assert coordinator.post(minutes, {"action": "publish", "confirmed": "yes"}
                                ).status_code == 302
        assert "Secret until published" in anonymous.get(URL.format(id=agora.pk)) \
            .content.decode()


class TestHomeAndCalendar:
    def test_home_shows_the_next_agora(self, world, agora, frozen):
        frozen(paris(2026, 11, 10, 12))
        page = client_for(None).get("/").content.decode()
        assert "28 November 2026" in page or "Saturday 28 November 2026" in page
        assert "Preparation meeting" in page

    def test_profile_calendar_address_can_be_reset(self, world):
        client = client_for(world["member"])
        first = client.get("/profile/").context["calendar_url"]
        assert client.post("/profile/calendar/reset/").status_code == 302
        second = client.get("/profile/").context["calendar_url"]
        assert first != second and "/calendar/" in second

    @pytest.mark.parametrize("url", ["/", "/bodies/cit/", "/bodies/cit/meetings/", URL,
                                     "/newcomers/"])
    def test_query_counts_do_not_grow(self, world, agora, make_person, frozen,
                                      django_assert_max_num_queries, url):
        url = url.format(id=agora.pk)
        november = queries.find_occurrence(agora, date(2026, 11, 28))
        frozen(november.deadline - timedelta(days=3))

        def grow(count, start=0):
            for i in range(start, start + count):
                services.add_agenda_item(actor=world["member"], occurrence=november,
                                         title=f"Item {i}", duration_minutes=5)
                session = services.add_session(
                    actor=world["coordinator"], occurrence=november, title=f"Session {i}",
                    kind="workshop", starts_at=paris(2026, 11, 28, 14) + timedelta(minutes=i),
                    capacity=5)
                services.sign_up(person=world["coordinator"], session_id=session.pk)

        grow(1)
        client = client_for(world["member"])
        client.get(url)
        with django_assert_max_num_queries(30) as small:
            assert client.get(url).status_code == 200
        grow(30, start=1)
        for i in range(5):
            services.create_series(actor=world["coordinator"], body=world["coop"],
                                   title=f"Weekly {i}", rrule="FREQ=WEEKLY;BYDAY=TU",
                                   first_day=date(2026, 1, 1),
                                   start_time=paris(2026, 1, 1, 18).timetz()
                                   .replace(tzinfo=None),
                                   end_time=paris(2026, 1, 1, 19).timetz().replace(tzinfo=None))
        assert MeetingSeries.objects.count() == 6
        with django_assert_max_num_queries(len(small.captured_queries)):
            assert client.get(url).status_code == 200


def test_attendance_through_the_page(world, agora, november):
    coordinator = client_for(world["coordinator"])
    page = coordinator.get(URL.format(id=agora.pk)).content.decode()
    assert f'name="present" value="{world["member"].pk}"' in page
    response = coordinator.post(f"{URL.format(id=agora.pk)}manage/",
                                {"action": "attendance", "present": [world["member"].pk]})
    assert response.status_code == 302
    meeting = queries.find_occurrence(agora, date(2026, 11, 28)).meeting
    # (Non-members are refused: tests/assemblies/test_hardening.py.)
    assert list(meeting.attendance.values_list("person_id", flat=True)) == [world["member"].pk]
