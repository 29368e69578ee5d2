"""The home page asks the database the same number of times however much the
cooperative holds: its groups, its next Agora and the agenda's items with their
history (the history is not shown there, so it is not fetched)."""

from datetime import time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from autogestion.assemblies import queries as assembly_queries
from autogestion.assemblies import services as assemblies
from autogestion.cooperatives import services as bodies
from autogestion.cooperatives.rules import Kind
from autogestion.core import clock
from tests.support.http import client_for

pytestmark = pytest.mark.django_db

FEW = 13


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured.captured_queries)


def test_home_queries_do_not_grow_with_the_cooperative(world):
    coop, coordinator = world["coop"], world["coordinator"]
    agora = assemblies.create_series(
        actor=coordinator, body=coop, title="Agora", rrule="FREQ=MONTHLY;BYDAY=-1SA",
        first_day=clock.today() + timedelta(days=10), start_time=time(10, 30),
        end_time=time(19), kind="agora")
    occurrence = assembly_queries.next_agoras(coop, 1)[0]
    assert occurrence.series == agora and occurrence.is_open_for_items
    assemblies.add_agenda_item(actor=coordinator, occurrence=occurrence, title="Budget",
                               duration_minutes=30)
    client = client_for(None)
    client.get("/")
    few = _queries(client)

    for n in range(4):
        bodies.create_body(actor=coordinator, kind=Kind.GROUP, name=f"Groupe {n}",
                           slug=f"groupe-{n}", parent=coop)
        item = assemblies.add_agenda_item(actor=coordinator, occurrence=occurrence,
                                          title=f"Point {n}", duration_minutes=15)
        assemblies.accept_agenda_item(actor=coordinator, item_id=item.pk)
    page = client.get("/").content.decode()
    assert "Point 3" in page and "Groupe 3" in page
    assert _queries(client) == few
    # Counted: the next Agora and its agenda, the groups, progress, decisions... (the
    # agenda items' history, not shown here, is not fetched).
    assert few == FEW
