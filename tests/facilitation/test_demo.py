"""The demo's meeting rooms: last month's Agora was held in its room (its turns feed the
statistics) and the next Agora's room is open, with its facilitator (the CIT's
coordinator) running a list, so that each demo account finds the room live — one with
her hand up, one without, the facilitator with everything to run."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from autogestion.core import clock
from autogestion.facilitation import queries
from autogestion.facilitation.models import Room

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    """The demo runs on the real clock (other parts of it freeze and release it)."""
    clock.freeze(None)
    yield


def test_the_next_agora_s_room_is_open_and_busy():
    call_command("demo")
    closed, open_room = Room.objects.order_by("meeting__starts_at")
    assert closed.is_closed and not open_room.is_closed
    assert open_room.meeting.starts_at > clock.now()  # the coming Agora
    people = get_user_model().objects
    camille = people.get(email="camille.durand@demo.autogestion.coop")
    hugo = people.get(email="hugo.bernard@demo.autogestion.coop")
    louise = people.get(email="louise.martin@demo.autogestion.coop")
    assert queries.roles_held(open_room)["facilitator"] == camille
    state = queries.snapshot(open_room)
    assert state["speaker"] is not None
    waiting = {hand["who"]: hand["kind"] for hand in state["queue"]}
    assert waiting[f"p:{hugo.pk}"] == "speak" and f"p:{louise.pk}" not in waiting
    assert any(kind != "speak" for kind in waiting.values())  # a process point
    assert sum(state["gestures"].values()) >= 1
