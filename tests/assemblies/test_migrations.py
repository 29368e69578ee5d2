"""The migration to status histories keeps what was there: the agenda items' former
events (a kind and a note) become from/to statuses with the note as the reason, and
the meetings and sign-ups already stored start their history with one event each."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from autogestion.assemblies import services

BEFORE = [("assemblies", "0001_initial")]
AFTER = [("assemblies", "0002_status_histories")]
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def back_to_the_latest():
    """The tests after these ones need every table: migrate to the latest state again."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_events_become_statuses_and_rows_get_their_first_event(world, november, frozen):
    frozen(november.deadline - timedelta(days=2))
    member, coordinator = world["member"], world["coordinator"]
    session = services.add_session(
        actor=coordinator, occurrence=november, title="Energy", kind="workshop",
        capacity=5, starts_at=datetime(2026, 11, 28, 14, tzinfo=PARIS),
        ends_at=datetime(2026, 11, 28, 16, tzinfo=PARIS))
    signup = services.sign_up(person=member, session_id=session.pk)
    meeting = session.meeting
    try:
        old = _migrate(BEFORE)
        Item = old.get_model("assemblies", "AgendaItem")
        OldEvent = old.get_model("assemblies", "AgendaItemEvent")
        item = Item.objects.create(meeting_id=meeting.pk, title="Garden", duration_minutes=10,
                                   author_id=member.pk, status="new")
        permanent = Item.objects.create(meeting_id=meeting.pk, title="Report",
                                        duration_minutes=10, status="accepted",
                                        is_permanent=True)
        for kind, actor, note in (("added", member, ""), ("accepted", coordinator, ""),
                                  ("moved", coordinator, ""),
                                  ("discarded", coordinator, "Off topic"),
                                  ("reopened", coordinator, "")):
            OldEvent.objects.create(item_id=item.pk, kind=kind, actor_id=actor.pk, note=note)
        OldEvent.objects.create(item_id=permanent.pk, kind="added", note="permanent")
    finally:
        new = _migrate(AFTER)
    Event = new.get_model("assemblies", "AgendaItemEvent")
    assert list(Event.objects.filter(item_id=item.pk).order_by("at", "pk").values_list(
        "from_status", "to_status", "actor_id", "reason")) == [
        ("", "new", member.pk, ""),
        ("new", "accepted", coordinator.pk, ""),
        ("accepted", "discarded", coordinator.pk, "Off topic"),
        ("discarded", "new", coordinator.pk, ""),
    ]
    assert list(Event.objects.filter(item_id=permanent.pk).values_list(
        "from_status", "to_status", "reason")) == [("", "accepted", "permanent")]
    MeetingEvent = new.get_model("assemblies", "MeetingEvent")
    assert list(MeetingEvent.objects.filter(meeting_id=meeting.pk).values_list(
        "from_status", "to_status")) == [("", "scheduled")]
    SignupEvent = new.get_model("assemblies", "SessionSignupEvent")
    assert list(SignupEvent.objects.filter(signup_id=signup.pk).values_list(
        "from_status", "to_status", "actor_id")) == [("", "confirmed", member.pk)]
