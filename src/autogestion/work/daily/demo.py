"""The demo's daily plans: the farm (the SCIC "Les Champs Communs") planned the last three
days, today and tomorrow at its evening meetings, so that the morning page has today's
and tomorrow's tasks and the week's view shows how the work was shared. Tasks come from
the published rotation (work/demo.py publishes this week's) and, on days no published
rotation covers, are written by hand; tomorrow's plan has one more task added in the
meeting, "Réparer la clôture". Built by calling the services, each plan on the evening
before its day (the clock is set back for it, then restored).

Call `load(bodies, people)` after work.demo.load."""

from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from autogestion.cooperatives.selectors import active_member_ids
from autogestion.core import clock

from . import services as daily

FARM = "champs-communs"
PAST_DAYS = 3

# Tasks written by hand on days without a published rotation: (title, start, end).
BY_HAND = [
    ("Traite des chèvres", time(7, 0), time(8, 30)),
    ("Récolte des légumes", time(9, 0), time(12, 0)),
    ("Préparation des paniers", time(14, 0), time(16, 0)),
]
FENCE = ("Réparer la clôture", time(14, 0), time(17, 0))


@contextmanager
def _evening_before(day: date):
    """The clock at the evening meeting of the day before `day`, then as it was."""
    before = clock._frozen  # a clock frozen by the caller stays frozen afterwards
    clock.freeze(datetime.combine(day - timedelta(days=1), time(18, 30), tzinfo=clock.zone()))
    try:
        yield
    finally:
        clock.freeze(before)


def _plan(farm, day: date, planner, members: list, turn: int, *, fence: bool = False):
    plan = daily.prepare_daily_plan(actor=planner, body=farm, day=day)
    if not plan.tasks.exists():
        for n, (title, starts, ends) in enumerate(BY_HAND):
            pair = [members[(turn + 2 * n + k) % len(members)] for k in range(2)]
            daily.add_task(actor=planner, plan_id=plan.pk, title=title, starts_at=starts,
                           ends_at=ends, people=pair)
        daily.set_plan_note(actor=planner, plan_id=plan.pk, note="")
    if fence:
        title, starts, ends = FENCE
        daily.add_task(actor=planner, plan_id=plan.pk, title=title, starts_at=starts,
                       ends_at=ends, people=[members[turn % len(members)],
                                             members[(turn + 5) % len(members)]],
                       note="Apporter la pince et le fil de fer.")
    return daily.publish_daily_plan(actor=planner, plan_id=plan.pk)


def load(bodies: dict, people: list) -> None:
    farm, planner = bodies[FARM], people[1]
    members = [p for p in people if p.pk in active_member_ids(farm)]
    today = clock.today()
    for back in range(PAST_DAYS, 0, -1):
        day = today - timedelta(days=back)
        with _evening_before(day):
            _plan(farm, day, planner, members, turn=back)
    with _evening_before(today):
        _plan(farm, today, planner, members, turn=0)
    _plan(farm, today + timedelta(days=1), planner, members, turn=4, fence=True)
