"""The whole demo, capability by capability, in dependency order."""

from django.db import transaction

from autogestion.cooperatives import demo as cooperatives_demo
from autogestion.cooperatives.models import Body


@transaction.atomic
def load_demo() -> dict:
    from autogestion.assemblies import demo as assemblies_demo
    from autogestion.commons import demo as commons_demo
    from autogestion.decisions import demo as decisions_demo
    from autogestion.economy import demo as economy_demo
    from autogestion.facilitation import demo as facilitation_demo
    from autogestion.work import daily_demo
    from autogestion.work import demo as work_demo

    world = cooperatives_demo.load_demo()
    bodies = {b.slug: b for b in Body.objects.all()}
    assemblies_demo.load(bodies, world["people"])
    decisions_demo.load(bodies, world["people"])
    facilitation_demo.load(bodies, world["people"])
    economy_demo.load(bodies, world["people"])
    commons_demo.load(bodies, world["people"])
    work_demo.load(bodies, world["people"])
    daily_demo.load(bodies, world["people"])
    return world
