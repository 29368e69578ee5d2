from datetime import date, time

import pytest

from autogestion.assemblies import queries as assembly_queries
from autogestion.assemblies import services as assembly_services
from autogestion.facilitation import services


@pytest.fixture
def occurrence(world):
    series = assembly_services.create_series(
        actor=world["coordinator"], body=world["coop"], title="Agora",
        rrule="FREQ=MONTHLY;BYDAY=-1SA", first_day=date(2026, 1, 1), start_time=time(10, 30),
        end_time=time(19, 0), kind="agora")
    return assembly_queries.find_occurrence(series, date(2026, 11, 28))


@pytest.fixture
def room(world, occurrence):
    return services.open_room(actor=world["coordinator"], occurrence=occurrence)
