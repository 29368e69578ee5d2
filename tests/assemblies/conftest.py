from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from autogestion.assemblies import queries, services
from autogestion.core import clock

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def frozen():
    """Freeze the platform clock: `frozen(datetime)`; it runs again after the test."""
    def freeze(moment: datetime) -> datetime:
        clock.freeze(moment)
        return moment

    yield freeze
    clock.freeze(None)


@pytest.fixture
def agora(world):
    return services.create_series(
        actor=world["coordinator"], body=world["coop"], title="Agora",
        rrule="FREQ=MONTHLY;BYDAY=-1SA", first_day=date(2026, 1, 1), start_time=time(10, 30),
        end_time=time(19, 0), kind="agora", preparation_time=time(18, 30))


@pytest.fixture
def november(agora):
    """The Agora of Saturday 28 November 2026; its deadline is Saturday 21, 18:30."""
    return queries.find_occurrence(agora, date(2026, 11, 28))


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def before_deadline(occurrence) -> datetime:
    return occurrence.deadline - timedelta(days=1)
