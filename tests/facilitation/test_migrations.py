"""The migration that gives rooms a status and its history keeps what was there: the
former action log (then named RoomEvent) moves to RoomAction, each room's status follows
its `closed_at`, and each room starts its history with its opening (and closing)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from autogestion.core import clock
from autogestion.facilitation import services

BEFORE = [("facilitation", "0001_initial")]
AFTER = [("facilitation", "0002_room_status_history")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_action_log_moves_and_rooms_get_their_history(world, occurrence):
    room = services.open_room(actor=world["coordinator"], occurrence=occurrence)
    services.close_room(actor=world["coordinator"], room_id=room.pk)
    closed_at = type(room).objects.get(pk=room.pk).closed_at
    try:
        old = _migrate(BEFORE)
        OldEvent = old.get_model("facilitation", "RoomEvent")
        now = clock.now()
        OldEvent.objects.create(room_id=room.pk, actor_id=world["coordinator"].pk,
                                action="open", at=room.opened_at)
        OldEvent.objects.create(room_id=room.pk, actor_id=world["member"].pk,
                                action="raise", who=f"p:{world['member'].pk}", at=now)
        OldEvent.objects.create(room_id=room.pk, actor_id=world["operator"].pk,
                                action="close", at=now)
    finally:
        new = _migrate(AFTER)
    Room = new.get_model("facilitation", "Room")
    RoomAction = new.get_model("facilitation", "RoomAction")
    RoomEvent = new.get_model("facilitation", "RoomEvent")
    assert Room.objects.get(pk=room.pk).status == "closed"
    assert list(RoomAction.objects.filter(room_id=room.pk).order_by("pk")
                .values_list("action", "actor_id")) == [
        ("open", world["coordinator"].pk), ("raise", world["member"].pk),
        ("close", world["operator"].pk)]
    assert list(RoomEvent.objects.filter(room_id=room.pk).order_by("pk")
                .values_list("from_status", "to_status", "actor_id", "at")) == [
        ("", "open", world["coordinator"].pk, room.opened_at),
        ("open", "closed", world["operator"].pk, closed_at)]
