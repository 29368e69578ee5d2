"""The meeting room against the database: the list and its turns survive, only the
facilitator runs it, gestures fade, roles rotate."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from autogestion.core import clock
from autogestion.core.errors import Conflict, DomainError, PermissionDenied
from autogestion.facilitation import personal_data, queries, services
from autogestion.facilitation.models import (
    Gesture,
    Participant,
    Room,
    RoomAction,
    RoomEvent,
    RoomRole,
    SelfDescription,
    SpeakingTurn,
)

pytestmark = pytest.mark.django_db


def occurrence_of(room):
    from autogestion.assemblies import queries as assembly_queries

    return assembly_queries.occurrence_of_meeting(room.meeting)


def act(person, room, action, **kwargs):
    return services.act(actor=person, room_id=room.pk, action=action, **kwargs)


def queue(room):
    return [h["name"] for h in queries.snapshot(Room.objects.get(pk=room.pk))["queue"]]


class TestList:
    def test_fewest_turns_first_and_turns_recorded(self, world, room, make_person):
        coordinator, member = world["coordinator"], world["member"]
        act(member, room, "raise")
        act(coordinator, room, "next")
        act(member, room, "raise")
        act(coordinator, room, "add_guest", name="Marie (sans compte)")
        assert queue(room) == ["Marie (sans compte)", "Member"]
        act(coordinator, room, "next")
        turns = list(SpeakingTurn.objects.order_by("started_at", "pk")
                     .values_list("participant__name", "ended_at"))
        assert turns[0][0] == "Member" and turns[0][1] is not None
        assert turns[1] == ("Marie (sans compte)", None)

    def test_only_the_facilitator_runs_it(self, world, room):
        act(world["member"], room, "raise")
        for action in ("next", "skip", "undo", "add_guest"):
            with pytest.raises(PermissionDenied):
                act(world["member"], room, action, who=f"p:{world['member'].pk}", name="x")
        with pytest.raises(PermissionDenied):
            act(world["other_coordinator"], room, "next")

    def test_anonymous_cannot_raise_and_closed_bodies_are_private(self, world, room):
        from django.contrib.auth.models import AnonymousUser

        with pytest.raises(PermissionDenied):
            act(AnonymousUser(), room, "raise")

    def test_twice_on_the_list_is_refused(self, world, room):
        act(world["member"], room, "raise")
        with pytest.raises(Conflict, match="once"):
            act(world["member"], room, "raise")
        act(world["member"], room, "raise", kind="clarifying")  # a process point apart
        assert len(queue(room)) == 2

    def test_undo_restores_the_floor_and_the_turns(self, world, room):
        coordinator, member = world["coordinator"], world["member"]
        act(member, room, "raise")
        act(coordinator, room, "next")
        act(coordinator, room, "raise")
        act(coordinator, room, "next")
        act(coordinator, room, "undo")
        state = queries.state_of(Room.objects.get(pk=room.pk))
        assert state.speaker == f"p:{member.pk}"
        assert [t.participant.name for t in SpeakingTurn.objects.all()] == ["Member"]
        assert SpeakingTurn.objects.get().ended_at is None
        assert queue(room) == ["Coordinator"]

    def test_state_survives_a_restart(self, world, room):
        act(world["member"], room, "raise")
        act(world["coordinator"], room, "next")
        reloaded = Room.objects.get(pk=room.pk)
        assert queries.state_of(reloaded).speaker == f"p:{world['member'].pk}"
        assert list(RoomAction.objects.filter(room=room).values_list("action", flat=True)) == [
            "raise", "next"]
        assert RoomEvent.objects.filter(room=room).count() == 1  # its opening

    def test_refusals_change_nothing(self, world, room):
        version = Room.objects.get(pk=room.pk).version
        with pytest.raises(Conflict):
            act(world["coordinator"], room, "next")  # nobody waiting
        with pytest.raises(DomainError):
            act(world["coordinator"], room, "add_guest", name="  ")
        with pytest.raises(DomainError):
            act(world["member"], room, "raise", kind="shout")
        assert Room.objects.get(pk=room.pk).version == version

    def test_database_allows_one_speaker_at_a_time(self, world, room):
        act(world["member"], room, "raise")
        act(world["coordinator"], room, "next")
        turn = SpeakingTurn.objects.get()
        with pytest.raises(IntegrityError), transaction.atomic():
            SpeakingTurn.objects.create(room=room, participant=turn.participant, kind="speak",
                                        started_at=timezone.now())

    def test_reset_turns_per_item(self, world, room, occurrence):
        from datetime import timedelta as td

        from autogestion.assemblies import services as assemblies

        clock.freeze(occurrence.deadline - td(days=1))
        try:
            item = assemblies.add_agenda_item(actor=world["member"], occurrence=occurrence,
                                              title="Budget", duration_minutes=20)
        finally:
            clock.freeze(None)
        services.update_room_settings(actor=world["coordinator"], room_id=room.pk,
                                      reset_turns_per_item=True)
        act(world["member"], room, "raise")
        act(world["coordinator"], room, "next")
        services.set_current_item(actor=world["coordinator"], room_id=room.pk,
                                  item_id=item.pk)
        room = Room.objects.get(pk=room.pk)
        assert queries.state_of(room).turns_of(f"p:{world['member'].pk}") == 0
        assert room.item_started_at is not None


class TestGesturesAndRoles:
    def test_gestures_fade_unless_held(self, world, room):
        now = timezone.now()
        clock.freeze(now)
        try:
            services.make_gesture(person=world["member"], room_id=room.pk, kind="agree")
            services.make_gesture(person=world["coordinator"], room_id=room.pk, kind="lost",
                                  hold=True)
            counts = queries.gesture_counts(room)
            assert counts["agree"] == 1 and counts["lost"] == 1
            clock.freeze(now + timedelta(seconds=31))
            counts = queries.gesture_counts(room)
            assert counts["agree"] == 0 and counts["lost"] == 1
            services.release_gesture(person=world["coordinator"], room_id=room.pk, kind="lost")
            assert queries.gesture_counts(room)["lost"] == 0
        finally:
            clock.freeze(None)
        with pytest.raises(DomainError):
            services.make_gesture(person=world["member"], room_id=room.pk, kind="dance")

    def test_every_screen_is_told_when_each_gesture_fades(self, world, room):
        """No message goes out when a gesture fades: the snapshot says when each one
        will, in the server's time, with that time beside it, and screens count down."""
        from datetime import UTC, datetime

        made = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
        clock.freeze(made)
        try:
            services.make_gesture(person=world["member"], room_id=room.pk, kind="agree")
            services.make_gesture(person=world["coordinator"], room_id=room.pk, kind="lost",
                                  hold=True)
            clock.freeze(made + timedelta(seconds=10))
            now = clock.now()
            data = queries.snapshot(Room.objects.get(pk=room.pk), now)
            screen = queries.screen(data, f"p:{world['member'].pk}", now)
        finally:
            clock.freeze(None)
        assert data["gestures"]["agree"] == 1 and data["gestures"]["lost"] == 1
        # The held one never fades; the other at made + 30 s.
        assert data["fading"] == {"agree": ["2026-11-26T09:00:30Z"]}
        assert screen["now"] == "2026-11-26T09:00:10Z"
        people = queries.gesture_people(Room.objects.get(pk=room.pk), made)
        assert [(g["kind"], g["name"], g["fades_at"]) for g in people] == [
            ("agree", "Member", "2026-11-26T09:00:30Z"), ("lost", "Coordinator", None)]

    def test_roles_and_the_co_facilitator_runs_the_list(self, world, room):
        with pytest.raises(PermissionDenied):
            services.set_role(actor=world["member"], room_id=room.pk, role="timekeeper",
                              person=world["member"])
        services.set_role(actor=world["coordinator"], room_id=room.pk, role="co_facilitator",
                          person=world["member"])
        act(world["coordinator"], room, "raise")
        act(world["member"], room, "next")  # now allowed
        with pytest.raises(DomainError, match="not a member"):
            services.set_role(actor=world["coordinator"], room_id=room.pk, role="timekeeper",
                              person=world["outsider"])

    def test_role_suggestions_rotate(self, world, room, make_person):
        """Those in the room first, each group least recently in the role first."""
        from autogestion.cooperatives import services as cooperatives

        absent = make_person("Absent")
        cooperatives.join_body(person=absent, body=world["coop"])
        act(world["member"], room, "raise")  # in the room
        # The coordinator opened the room and holds the facilitator role: asked last.
        first = queries.role_choices(room, occurrence_of(room))["facilitator"]
        assert first["suggested"] == [world["member"], world["coordinator"]]
        assert absent in first["others"] and world["member"] not in first["others"]
        services.set_role(actor=world["coordinator"], room_id=room.pk, role="note_taker",
                          person=world["member"])
        note_taker = queries.role_choices(room, occurrence_of(room))["note_taker"]
        assert note_taker["suggested"] == [world["coordinator"], world["member"]]

    def test_every_member_present_can_be_chosen_for_a_role(self, world, room, make_person):
        """The suggestions held three names: with more people in the room, the others
        present were lost among the absent. Now everyone present is suggested (having
        raised a hand, made a gesture, been marked present, or holding a role), and
        every member is offered."""
        from autogestion.assemblies import services as assemblies
        from autogestion.cooperatives import selectors
        from autogestion.cooperatives import services as cooperatives

        people = [make_person(f"Present {n}") for n in range(6)]
        for person in people:
            cooperatives.join_body(person=person, body=world["coop"])
        for person in people[:3]:
            act(person, room, "raise")
        services.make_gesture(person=people[3], room_id=room.pk, kind="agree")
        assemblies.record_attendance(actor=world["coordinator"], occurrence=occurrence_of(room),
                                     people=people[4:5])
        present = {*people[:5], world["coordinator"]}
        members = set(selectors.active_members(world["coop"]))
        assert len(present) > 3 and people[5] in members
        for role, choice in queries.role_choices(room, occurrence_of(room)).items():
            assert set(choice["suggested"]) == present, role
            offered = choice["suggested"] + choice["others"]
            assert len(offered) == len(set(offered)) and set(offered) == members, role

    def test_closing_ends_the_turn(self, world, room):
        act(world["member"], room, "raise")
        act(world["coordinator"], room, "next")
        services.close_room(actor=world["coordinator"], room_id=room.pk)
        assert SpeakingTurn.objects.get().ended_at is not None
        with pytest.raises(Conflict, match="closed"):
            act(world["member"], room, "raise")

    def test_a_clock_stepped_back_never_ends_a_turn_before_it_began(self, world, room):
        """NTP, or a node whose clock is behind: the turn ends at its start, not earlier
        (the database would refuse it, and the facilitator would get an error)."""
        act(world["member"], room, "raise")
        act(world["coordinator"], room, "next")
        started = SpeakingTurn.objects.get().started_at
        clock.freeze(started - timedelta(minutes=5))
        services.close_room(actor=world["coordinator"], room_id=room.pk)
        assert SpeakingTurn.objects.get().ended_at == started


class TestRoomHistory:
    def events(self, room):
        return list(RoomEvent.objects.filter(room=room)
                    .values_list("from_status", "to_status", "actor__display_name"))

    def test_opening_records_the_first_event(self, world, room):
        assert room.status == "open"
        assert self.events(room) == [("", "open", "Coordinator")]

    def test_closing_and_opening_again_each_write_an_event(self, world, room, occurrence):
        services.close_room(actor=world["operator"], room_id=room.pk)
        room = Room.objects.get(pk=room.pk)
        assert room.status == "closed" and room.closed_at is not None
        assert self.events(room)[-1] == ("open", "closed", "Operator")
        with pytest.raises(Conflict, match="already closed"):
            services.close_room(actor=world["coordinator"], room_id=room.pk)
        assert len(self.events(room)) == 2
        services.open_room(actor=world["coordinator"], occurrence=occurrence)
        room = Room.objects.get(pk=room.pk)
        assert room.status == "open" and room.closed_at is None
        assert self.events(room) == [("", "open", "Coordinator"),
                                     ("open", "closed", "Operator"),
                                     ("closed", "open", "Coordinator")]

    def test_the_list_keeps_its_own_history(self, world, room):
        """A speaking turn is a row with its start and end, and each action on the list
        a RoomAction: no status event per turn."""
        act(world["member"], room, "raise")
        act(world["coordinator"], room, "next")
        act(world["coordinator"], room, "end_turn")
        assert RoomEvent.objects.filter(room=room).count() == 1
        assert RoomAction.objects.filter(room=room).count() == 3
        turn = SpeakingTurn.objects.get(room=room)
        assert turn.started_at <= turn.ended_at


def test_personal_data_covers_every_row_pointing_to_the_person(world, room):
    member, coordinator = world["member"], world["coordinator"]
    act(member, room, "raise")
    act(coordinator, room, "next")
    services.make_gesture(person=member, room_id=room.pk, kind="agree")
    services.set_role(actor=coordinator, room_id=room.pk, role="timekeeper", person=member)
    services.describe_myself(person=member, category="night owl")
    services.close_room(actor=coordinator, room_id=room.pk)
    mine = personal_data.export(member)
    assert [r["id"] for r in mine["participant"]] == list(
        Participant.objects.filter(person=member).values_list("pk", flat=True))
    assert len(mine["speakingturn"]) == 1 and len(mine["gesture"]) == 1
    assert [r["role"] for r in mine["roomrole"]] == ["timekeeper"]
    assert mine["selfdescription"][0]["category"] == "night owl"
    assert [r["action"] for r in mine["roomaction"]] == ["raise"]
    assert mine["room"] == [] and mine["roomevent"] == []
    theirs = personal_data.export(coordinator)
    assert [r["id"] for r in theirs["room"]] == [room.pk]
    assert "state" not in theirs["room"][0]
    assert [(r["from_status"], r["to_status"]) for r in theirs["roomevent"]] == [
        ("", "open"), ("open", "closed")]
    assert {r["id"] for r in theirs["roomrole"]} == set(
        RoomRole.objects.filter(person=coordinator).values_list("pk", flat=True))
    # Every model of the app with a foreign key to the user is in the export.
    exported = set(mine)
    for model in (Room, RoomEvent, RoomAction, Participant, Gesture, RoomRole,
                  SelfDescription):
        assert model._meta.model_name in exported


def test_only_coordinators_open_a_room(world, occurrence):
    with pytest.raises(PermissionDenied):
        services.open_room(actor=world["member"], occurrence=occurrence)
    room = services.open_room(actor=world["coordinator"], occurrence=occurrence)
    assert services.open_room(actor=world["coordinator"], occurrence=occurrence) == room


class TestFloorGiven:
    """The person given the floor is told on their phone (in app, and by push if they
    opted in): once per turn, only when the floor is given to them."""

    def told(self, person):
        from autogestion.notifications.models import Notification

        return list(Notification.objects.filter(person=person, kind="floor_given")
                    .order_by("pk").values_list("title", "url"))

    def test_once_per_turn_when_given_to_them(self, world, room):
        coordinator, member = world["coordinator"], world["member"]
        occurrence = occurrence_of(room)
        page = f"/meetings/{occurrence.series.pk}/{occurrence.key}/room/"
        act(member, room, "raise")
        assert self.told(member) == []  # raising a hand tells nobody
        act(coordinator, room, "next")
        assert self.told(member) == [("You have the floor in Agora", page)]
        # Undo gives the floor back as it was: nobody is told again; nor at the end of
        # the turn.
        act(coordinator, room, "undo")
        act(coordinator, room, "next")
        assert len(self.told(member)) == 2  # given again: a new turn
        act(coordinator, room, "end_turn")
        act(coordinator, room, "undo")
        assert len(self.told(member)) == 2
        act(member, room, "raise", kind="technical")
        act(coordinator, room, "give_floor", who=f"p:{member.pk}", kind="technical")
        assert len(self.told(member)) == 3  # a process point is the floor too

    def test_not_for_others_nor_for_the_facilitator_who_takes_it(self, world, room):
        coordinator, member = world["coordinator"], world["member"]
        act(member, room, "raise")
        act(coordinator, room, "add_guest", name="Marie (sans compte)")
        act(coordinator, room, "raise", kind="clarifying")
        act(coordinator, room, "next")  # the coordinator's own clarifying question
        act(coordinator, room, "skip", who=f"p:{member.pk}")
        act(coordinator, room, "next")  # the guest, who has no account
        assert self.told(coordinator) == [] and self.told(member) == []

    def test_in_the_person_s_language(self, world, room, make_person):
        from autogestion.cooperatives import services as cooperatives

        french = make_person("Française", language="fr")
        cooperatives.join_body(person=french, body=world["coop"])
        act(french, room, "raise")
        act(world["coordinator"], room, "next")
        with translation.override("fr"):
            expected = gettext("You have the floor in %(meeting)s") % {"meeting": "Agora"}
        assert [title for title, _url in self.told(french)] == [expected]
