"""Confirmations in the meeting room (core/confirm.py): closing the room, resetting the
turn counts and closing a decision round ask first; nothing changes until the person
says yes; those who may not act get their refusal, not a question."""

from datetime import timedelta

import pytest

from autogestion.facilitation import queries
from autogestion.facilitation.models import Room
from tests.support.http import client_for, page_refused

pytestmark = pytest.mark.django_db


def spoken_once(world, room):
    """The member has spoken once: their next hand is in the second tier."""
    member, coordinator = client_for(world["member"]), client_for(world["coordinator"])
    act = f"/rooms/{room.pk}/act/"
    member.post(act, {"action": "raise"})
    coordinator.post(act, {"action": "next"})
    coordinator.post(act, {"action": "end_turn"})
    member.post(act, {"action": "raise"})
    return coordinator


def turns(room) -> list[int]:
    return [hand["turns"] for hand in queries.snapshot(Room.objects.get(pk=room.pk))["queue"]]


class TestResetTurns:
    def test_asks_then_resets(self, world, occurrence, room):
        coordinator = spoken_once(world, room)
        assert turns(room) == [1]
        act = f"/rooms/{room.pk}/act/"
        text = page_refused(coordinator.post(act, {"action": "reset_turns"}), 200,
                            "Reset the turn counts?")
        assert 'name="action" value="reset_turns"' in text
        assert 'name="confirmed" value="yes"' in text
        assert turns(room) == [1]
        assert coordinator.post(act, {"action": "reset_turns", "confirmed": "yes"}
                                ).status_code == 302
        assert turns(room) == [0]

    def test_with_javascript_the_answer_is_json(self, world, occurrence, room):
        coordinator = spoken_once(world, room)
        response = coordinator.post(f"/rooms/{room.pk}/act/",
                                    {"action": "reset_turns", "confirmed": "yes"},
                                    HTTP_ACCEPT="application/json")
        assert response.json() == {"ok": True}
        assert turns(room) == [0]

    def test_others_are_refused_without_a_question(self, world, occurrence, room):
        spoken_once(world, room)
        response = client_for(world["member"]).post(f"/rooms/{room.pk}/act/",
                                                    {"action": "reset_turns"})
        assert response.status_code == 403
        assert turns(room) == [1]

    def test_the_button_carries_the_question(self, world, occurrence, room):
        text = client_for(world["coordinator"]).get(
            f"/meetings/{occurrence.series.pk}/{occurrence.key}/room/").content.decode()
        assert 'data-confirm="Reset the turn counts? Everyone starts again from zero ' \
               'turns."' in text
        assert 'data-confirm="Close the room? The speaking list and gestures stop for ' \
               'everyone."' in text


class TestCloseRoom:
    def test_asks_then_closes(self, world, occurrence, room):
        coordinator = client_for(world["coordinator"])
        manage = f"/rooms/{room.pk}/manage/"
        text = page_refused(coordinator.post(manage, {"action": "close"}), 200,
                            "Close the room?")
        assert f'href="/meetings/{occurrence.series.pk}/{occurrence.key}/room/"' in text
        assert Room.objects.get(pk=room.pk).closed_at is None
        assert not room.events.filter(to_status="closed").exists()
        assert coordinator.post(manage, {"action": "close", "confirmed": "yes"}
                                ).status_code == 302
        assert Room.objects.get(pk=room.pk).closed_at is not None

    def test_others_are_refused_without_a_question(self, world, occurrence, room):
        response = client_for(world["member"]).post(f"/rooms/{room.pk}/manage/",
                                                    {"action": "close"})
        assert response.status_code == 403
        assert Room.objects.get(pk=room.pk).closed_at is None


class TestCloseRound:
    def test_asks_before_deciding(self, world, occurrence, room):
        from autogestion.assemblies import services as assemblies
        from autogestion.core import clock
        from autogestion.decisions import services as decisions

        clock.freeze(occurrence.deadline - timedelta(days=1))
        try:
            item = assemblies.add_agenda_item(actor=world["member"], occurrence=occurrence,
                                              title="Van", duration_minutes=20)
        finally:
            clock.freeze(None)
        assemblies.accept_agenda_item(actor=world["coordinator"], item_id=item.pk)
        proposal = decisions.create_proposal(actor=world["member"], body=world["coop"],
                                             title="Buy a van", text="Yes",
                                             decision_class="executive", agenda_item=item)
        coordinator = client_for(world["coordinator"])
        manage = f"/rooms/{room.pk}/manage/"
        coordinator.post(manage, {"action": "item", "item": item.pk})
        room_page = coordinator.get(f"/meetings/{occurrence.series.pk}/{occurrence.key}"
                                    "/room/").content.decode()
        assert 'data-confirm="Close the round and decide?' in room_page
        page_refused(coordinator.post(manage, {"action": "close_round",
                                               "proposal": proposal.pk}), 200,
                     "Close the round and decide?")
        proposal.refresh_from_db()
        assert proposal.status == "open"
        assert proposal.rounds.get().closed_at is None
