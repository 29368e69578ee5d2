"""The meeting room pages: open, take part, run the list — with and without JavaScript
(plain forms), the state as JSON for polling, who sees what."""

import re

import pytest

from autogestion.facilitation import queries, services
from autogestion.facilitation.models import Room
from tests.support.http import client_for, page_refused

pytestmark = pytest.mark.django_db


def url(occurrence, suffix=""):
    return f"/meetings/{occurrence.series.pk}/{occurrence.key}/room/{suffix}"


class TestOpening:
    def test_the_coordinator_opens_the_room(self, world, occurrence):
        page = client_for(world["member"]).get(url(occurrence)).content.decode()
        assert "has not opened the room" in page
        assert client_for(world["member"]).post(url(occurrence, "open/")).status_code == 403
        response = client_for(world["coordinator"]).post(url(occurrence, "open/"))
        assert response.status_code == 302 and Room.objects.count() == 1

    def test_closed_body_room_is_hidden(self, world):
        from datetime import date, time

        from autogestion.assemblies import queries as aq
        from autogestion.assemblies import services as asv

        series = asv.create_series(actor=world["coordinator"], body=world["closed_group"],
                                   title="Secret", rrule="FREQ=WEEKLY;BYDAY=MO",
                                   first_day=date(2026, 1, 5), start_time=time(18),
                                   end_time=time(19))
        occurrence = aq.find_occurrence(series, date(2026, 11, 30))
        room = services.open_room(actor=world["coordinator"], occurrence=occurrence)
        for person in (None, world["member"], world["outsider"]):
            assert client_for(person).get(url(occurrence)).status_code == 404
            assert client_for(person).get(f"/rooms/{room.pk}/state.json").status_code == 404


class TestWithoutJavaScript:
    def test_raise_call_and_the_floor(self, world, occurrence, room):
        member, coordinator = client_for(world["member"]), client_for(world["coordinator"])
        page = member.get(url(occurrence)).content.decode()
        assert 'http-equiv="refresh"' in page  # without JavaScript the page refreshes
        assert member.post(f"/rooms/{room.pk}/act/", {"action": "raise"}).status_code == 302
        page = member.get(url(occurrence)).content.decode()
        assert "priority: you have not spoken yet" in page
        assert 'id="lower-hand"' in page
        assert member.post(f"/rooms/{room.pk}/act/", {"action": "next"}).status_code == 403
        assert coordinator.post(f"/rooms/{room.pk}/act/", {"action": "next"}).status_code == 302
        page = member.get(url(occurrence)).content.decode()
        assert 'id="you-have-the-floor" class="notice" >' in page or \
            'id="you-have-the-floor" class="notice">' in page

    def test_refusals_are_4xx_with_the_message(self, world, occurrence, room):
        member = client_for(world["member"])
        member.post(f"/rooms/{room.pk}/act/", {"action": "raise"})
        twice = member.post(f"/rooms/{room.pk}/act/", {"action": "raise"})
        assert twice.status_code == 409 and "once" in twice.content.decode()
        bad = member.post(f"/rooms/{room.pk}/gesture/", {"kind": "dance"})
        assert bad.status_code == 400
        json = member.post(f"/rooms/{room.pk}/act/", {"action": "raise"},
                           HTTP_ACCEPT="application/json")
        assert json.status_code == 409 and "once" in json.json()["detail"]

    def test_guest_hands_and_gestures(self, world, occurrence, room):
        coordinator = client_for(world["coordinator"])
        coordinator.post(f"/rooms/{room.pk}/act/", {"action": "add_guest",
                                                     "name": "Marie, sans compte"})
        client_for(world["member"]).post(f"/rooms/{room.pk}/gesture/", {"kind": "louder"})
        state = client_for(None).get(f"/rooms/{room.pk}/state.json").json()
        assert [h["name"] for h in state["state"]["queue"]] == ["Marie, sans compte"]
        assert state["state"]["gestures"]["louder"] == 1
        assert state["place"] is None
        page = coordinator.get(url(occurrence)).content.decode()
        assert "Who gestures" in page  # the facilitator sees who
        # Polling, the facilitator learns who makes which gesture, and until when; the
        # others never receive it.
        polled = coordinator.get(f"/rooms/{room.pk}/state.json").json()
        [louder] = polled["gesture_people"]
        assert (louder["kind"], louder["name"]) == ("louder", "Member")
        assert louder["fades_at"] == polled["state"]["fading"]["louder"][0]
        assert "gesture_people" not in client_for(world["member"]).get(
            f"/rooms/{room.pk}/state.json").json()

    def test_a_held_gesture_can_be_let_go_from_the_page(self, world, occurrence, room):
        member = client_for(world["member"])
        gesture = f"/rooms/{room.pk}/gesture/"
        assert member.post(gesture, {"kind": "lost", "hold": "1"}).status_code == 302
        page = member.get(url(occurrence)).content.decode()
        held = page.split('id="held-gestures"', 1)[1].split("</form>", 1)[0]
        assert 'name="release" value="1"' in held
        assert '<button type="submit" name="kind" value="lost" class="secondary">' \
               "Let go: I am lost</button>" in held
        assert member.post(gesture, {"kind": "lost", "release": "1"}).status_code == 302
        assert 'id="held-gestures"' not in member.get(url(occurrence)).content.decode()
        assert queries.gesture_counts(room)["lost"] == 0

    def test_roles_item_settings_and_close(self, world, occurrence, room):
        coordinator = client_for(world["coordinator"])
        manage = f"/rooms/{room.pk}/manage/"
        assert coordinator.post(manage, {"action": "role", "role": "timekeeper",
                                         "person": world["member"].pk}).status_code == 302
        assert coordinator.post(manage, {"action": "settings",
                                         "speaker_limit_seconds": "5"}).status_code == 400
        assert coordinator.post(manage, {"action": "settings",
                                         "speaker_limit_seconds": "120"}).status_code == 302
        assert Room.objects.get(pk=room.pk).speaker_limit_seconds == 120
        timekeeper = client_for(world["member"])
        assert timekeeper.post(manage, {"action": "settings",
                                        "speaker_limit_seconds": "90"}).status_code == 302
        assert timekeeper.post(manage, {"action": "close"}).status_code == 403
        assert coordinator.post(manage, {"action": "close", "confirmed": "yes"}
                                ).status_code == 302
        assert Room.objects.get(pk=room.pk).closed_at is not None

    def test_decision_round_in_the_room_goes_to_the_minutes(self, world, occurrence, room):
        from datetime import timedelta

        from autogestion.assemblies import services as assemblies
        from autogestion.core import clock
        from autogestion.decisions import services as decisions

        clock.freeze(occurrence.deadline - timedelta(days=1))
        try:
            item = assemblies.add_agenda_item(actor=world["member"], occurrence=occurrence,
                                              title="Van", duration_minutes=20,
                                              kind="decision")
        finally:
            clock.freeze(None)
        assemblies.accept_agenda_item(actor=world["coordinator"], item_id=item.pk)
        proposal = decisions.create_proposal(actor=world["member"], body=world["coop"],
                                             title="Buy a van", text="Yes",
                                             decision_class="executive", agenda_item=item)
        decisions.take_position(person=world["member"], round_id=proposal.rounds.get().pk,
                                stance="fully_agree")
        coordinator = client_for(world["coordinator"])
        manage = f"/rooms/{room.pk}/manage/"
        coordinator.post(manage, {"action": "item", "item": item.pk})
        response = coordinator.post(manage, {"action": "close_round",
                                             "proposal": proposal.pk, "confirmed": "yes"})
        assert response.status_code == 302
        entry = room.meeting.minutes.get(agenda_item=item)
        assert "Buy a van" in entry.decisions and "adopted" in entry.decisions
        assert proposal.rounds.get().meeting == room.meeting


class TestRoles:
    def test_everyone_present_is_suggested_and_every_member_can_be_chosen(
            self, world, occurrence, room, make_person):
        """The choice list suggested three names: with more people in the room, the
        others present hid among everyone else. Now those in the room come first, all of
        them, and every member can be chosen."""
        from autogestion.cooperatives import services as bodies

        people = [make_person(f"Present {n}") for n in range(5)]
        for person in people:
            bodies.join_body(person=person, body=world["coop"])
        for person in people[:4]:
            services.act(actor=person, room_id=room.pk, action="raise")
        page = client_for(world["coordinator"]).get(url(occurrence)).content.decode()
        selects = re.findall(r'<select id="role-[a-z_]+" name="person">(.*?)</select>', page,
                             re.S)
        assert len(selects) == 5  # one per role
        everyone = {str(p.pk) for p in [world["coordinator"], world["member"], *people]}
        here = {str(p.pk) for p in [world["coordinator"], *people[:4]]}
        for select in selects:
            offered = re.findall(r'<option value="(\d+)">', select)
            assert len(offered) == len(everyone) and set(offered) == everyone
            in_room = select.split('label="In the room">', 1)[1].split("</optgroup>", 1)[0]
            assert set(re.findall(r'<option value="(\d+)">', in_room)) == here
            assert 'label="Other members"' in select
        # Every <select> has its label (axe: select-name).
        for role in ("facilitator", "co_facilitator", "timekeeper", "note_taker",
                     "mood_keeper"):
            assert f'<label for="role-{role}">' in page
        last = people[-1]
        assert client_for(world["coordinator"]).post(
            f"/rooms/{room.pk}/manage/", {"action": "role", "role": "timekeeper",
                                          "person": last.pk}).status_code == 302
        assert room.roles.get(role="timekeeper").person == last

    def test_what_the_forms_send_is_read_once(self, world, room):
        coordinator, member = client_for(world["coordinator"]), client_for(world["member"])
        manage = f"/rooms/{room.pk}/manage/"
        for form in ({"action": "role", "role": "timekeeper", "person": "abc"},
                     {"action": "role", "role": "timekeeper"},
                     {"action": "settings", "speaker_limit_seconds": "ten"},
                     {"action": "item", "item": "x"},
                     {"action": "close_round", "proposal": "1e3", "confirmed": "yes"}):
            page_refused(coordinator.post(manage, form), 400)
        text = page_refused(coordinator.post(manage, {"action": "role", "role": "timekeeper",
                                                      "person": "999999"}), 400)
        assert "There is no person with the number 999999." in text
        # Whoever may not assign roles hears that first, whatever they sent.
        page_refused(member.post(manage, {"action": "role", "role": "timekeeper",
                                          "person": "abc"}), 403,
                     "Only the facilitator assigns roles.")
        page_refused(member.post(manage, {"action": "dance"}), 400, "Unknown action.")


def test_room_page_queries_do_not_grow(world, occurrence, room, make_person,
                                       django_assert_max_num_queries):
    from autogestion.cooperatives import services as bodies

    client = client_for(world["coordinator"])
    client.get(url(occurrence))
    with django_assert_max_num_queries(40) as small:
        client.get(url(occurrence))
    for _ in range(25):
        person = make_person()
        bodies.join_body(person=person, body=world["coop"])
        services.act(actor=person, room_id=room.pk, action="raise")
        services.make_gesture(person=person, room_id=room.pk, kind="agree")
    assert len(queries.snapshot(Room.objects.get(pk=room.pk))["queue"]) == 25
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url(occurrence))


class TestWords:
    """Codes are for machines: the list and the speaker's badge said "technical" (and
    room.js "[technical]"); they say the kind's label, in the reader's language."""

    def test_kinds_of_hands_by_their_labels(self, world, occurrence, room):
        coordinator, member = world["coordinator"], world["member"]
        services.act(actor=member, room_id=room.pk, action="raise", kind="technical")
        services.act(actor=coordinator, room_id=room.pk, action="next")
        services.act(actor=coordinator, room_id=room.pk, action="raise", kind="direct_response")
        for language, speaker, waiting in (("en", "technical point", "direct response"),
                                           ("fr", "point technique", "réponse directe")):
            member.language = language  # pages speak one's saved language
            member.save(update_fields=["language"])
            page = client_for(member, language).get(url(occurrence)).content.decode()
            floor = page.split('data-bind="speaker"', 1)[1].split("</p>", 1)[0]
            assert f'<span class="badge">{speaker}</span>' in floor
            listed = page.split('data-bind="queue"', 1)[1].split("</ol>", 1)[0]
            assert f'<span class="detail badge">{waiting}</span>' in listed
            for code in ("technical", "direct_response"):
                assert f">{code}<" not in page and f"[{code}]" not in page
        # What room.js writes live, from the same labels.
        texts = re.search(r'<script id="room-texts" type="application/json">(.*?)</script>',
                          page).group(1)
        assert '"technical": "point technique"' in texts
        # "À la parole", with its accent (issue #14).
        assert "À la parole" in page and "A la parole" not in page

