"""A farm inside the CIT of the `world` fixture, built through the services: members,
posts (milking every day, the Saturday market stall held by two, the Monday
bookkeeping), declared skills, with the clock frozen on Tuesday 10 March 2026."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from autogestion.cooperatives import services as bodies
from autogestion.core import clock
from autogestion.work import services

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=PARIS)
NEXT_MONDAY = date(2026, 3, 16)


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.freeze(NOW)
    yield clock.freeze
    clock.freeze(None)


@pytest.fixture
def farm(world, make_person):
    coop, coordinator, member = world["coop"], world["coordinator"], world["member"]
    people = {name.lower(): make_person(name) for name in ("Ana", "Ben", "Cleo", "Dan")}
    for person in people.values():
        bodies.join_body(person=person, body=coop)
    milking = services.create_post(actor=coordinator, body=coop, name="Milking")
    market = services.create_post(actor=coordinator, body=coop, name="Market stall",
                                  holders=2, weekdays="6")
    accounts = services.create_post(actor=coordinator, body=coop, name="Bookkeeping",
                                    weekdays="1")
    ana, ben, cleo, dan = people.values()
    for person, post, level in (
        (ana, milking, "teaching"), (ben, milking, "capable"), (cleo, milking, "learning"),
        (ana, market, "capable"), (ben, market, "capable"), (dan, market, "capable"),
        (member, market, "learning"), (cleo, accounts, "capable"),
    ):
        services.declare_skill(actor=person, post_id=post.pk, level=level)
    return {**world, **people, "milking": milking, "market": market, "accounts": accounts}
