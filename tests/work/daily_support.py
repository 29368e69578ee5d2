"""What the daily plan tests share, independent of the other work tests' fixtures: a
farm in the CIT of the `world` fixture (Ana, Ben, Cleo and Dan join it; posts Milking
every day, Market stall on Saturdays held by two, Bookkeeping on Mondays; declared
skills), a published rotation from Wednesday 11 to Sunday 15 March 2026, and the clock
frozen on Tuesday 10 March 2026, noon in Paris. Built through the services.

Test modules use them as fixtures with:
    @pytest.fixture(autouse=True)
    def frozen_clock(): yield from freeze_clock()
    @pytest.fixture
    def farm(world, make_person): return build_farm(world, make_person)
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from autogestion.cooperatives import services as bodies
from autogestion.core import clock
from autogestion.work import services

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=PARIS)  # a Tuesday
TODAY = NOW.date()
WEDNESDAY = date(2026, 3, 11)
SATURDAY = date(2026, 3, 14)
SUNDAY = date(2026, 3, 15)


def freeze_clock():
    clock.freeze(NOW)
    yield clock.freeze
    clock.freeze(None)


def build_farm(world, make_person) -> dict:
    coop, coordinator, member = world["coop"], world["coordinator"], world["member"]
    people = {name: make_person(name) for name in ("Ana", "Ben", "Cleo", "Dan")}
    for person in people.values():
        bodies.join_body(person=person, body=coop)
    milking = services.create_post(actor=coordinator, body=coop, name="Milking")
    market = services.create_post(actor=coordinator, body=coop, name="Market stall",
                                  holders=2, weekdays="6")
    bookkeeping = services.create_post(actor=coordinator, body=coop, name="Bookkeeping",
                                       weekdays="1")
    ana, ben, cleo, dan = people.values()
    for person, post, level in (
        (ana, milking, "teaching"), (ben, milking, "capable"), (cleo, milking, "learning"),
        (ana, market, "capable"), (ben, market, "capable"), (dan, market, "capable"),
        (member, market, "learning"), (cleo, bookkeeping, "capable"),
    ):
        services.declare_skill(actor=person, post_id=post.pk, level=level)
    return {**world, **people, "milking": milking, "market": market,
            "bookkeeping": bookkeeping}


def publish_rotation(farm, first_day=WEDNESDAY, last_day=SUNDAY):
    rotation = services.propose_rotation(actor=farm["coordinator"], body=farm["coop"],
                                         first_day=first_day, last_day=last_day)
    return services.publish_rotation(actor=farm["coordinator"], rotation_id=rotation.pk)
