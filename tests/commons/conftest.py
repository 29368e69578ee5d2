"""Pooled resources for the tests, made through the services. The clock is frozen on
Tuesday 10 March 2026 at noon in Paris, so "next Saturday" is always 14 March."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from autogestion.commons import services
from autogestion.commons.rules import localize
from autogestion.core import clock
from autogestion.economy import services as economy

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=PARIS)


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A time in March 2026 (Paris)."""
    return localize(datetime(2026, month, day).date(), time(hour, minute), PARIS)


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.freeze(NOW)
    yield clock.freeze
    clock.freeze(None)


@pytest.fixture
def oseille(world):
    return economy.create_currency(actor=world["coordinator"], cooperative=world["coop"],
                                   code="oseille", name="Oseille", symbol="Os",
                                   default_debit_limit=10_000)


@pytest.fixture
def premises(world):
    """The CIT's premises: any member books at once, 08:00 to 22:00, 12 hours at most."""
    return services.create_resource(
        actor=world["coordinator"], steward=world["coop"], kind="premises",
        name="Local de la CIT", place="12 rue des Lois", usage_rules="Leave it **clean**.",
        audience="cooperative", open_days=range(1, 8), opens_at=time(8), closes_at=time(22),
        longest_minutes=12 * 60)


@pytest.fixture
def van(world, oseille):
    """The van: on approval, kept overnight (taken and returned 08:00 to 20:00), 10 Os a
    booking."""
    return services.create_resource(
        actor=world["coordinator"], steward=world["coop"], kind="vehicle", name="Fourgon",
        audience="cooperative", requires_approval=True, open_days=range(1, 8),
        opens_at=time(8), closes_at=time(20), overnight=True, longest_minutes=3 * 24 * 60,
        fee_amount=1000, fee_currency=oseille)
