"""The whole demo: the cooperatives and people first, then each capability's demo (named in
its apps.py, see core/registry.py) in INSTALLED_APPS order, which is dependency order."""

from django.db import transaction

from . import registry


@transaction.atomic
def load_demo() -> dict:
    from autogestion.cooperatives import demo as cooperatives_demo
    from autogestion.cooperatives.models import Body

    world = cooperatives_demo.load_demo()
    bodies = {b.slug: b for b in Body.objects.all()}
    for load in registry.demo_loaders():
        load(bodies, world["people"])
    return world
