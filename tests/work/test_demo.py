"""The demo's work part (issue #6 "done when"): the farm has posts with a published
rotation for this week and a proposal for next week, the post at risk is flagged, and
teach/learn pairs are suggested at the CIT with a session on the calendar."""

import pytest
from django.core.management import call_command

from autogestion.cooperatives.models import Body
from autogestion.core import clock
from autogestion.work import queries
from autogestion.work.models import Rotation, TrainingSession

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    """The demo runs on the real clock (other parts of it freeze and release it)."""
    clock.freeze(None)
    yield


def test_the_farm_and_the_cit():
    call_command("demo")
    farm = Body.objects.get(slug="champs-communs")
    published = Rotation.objects.get(body=farm, status="published")
    today = clock.today()
    assert published.first_day <= today <= published.last_day
    draft = Rotation.objects.get(body=farm, status="draft")
    assert (draft.first_day - published.last_day).days == 1
    assert queries.check_rotation(published) == []
    assert published.assignments.filter(post__name="Marché du samedi").count() >= 2
    coordinator = farm.memberships.filter(role="coordinator", status="active").first().person
    home = queries.work_home(farm, coordinator)
    assert [r.post.name for r in home.at_risk] == ["Comptabilité"]
    assert home.pairs
    cit = Body.objects.get(slug="cit")
    labels = {s.label for s in queries.suggestions(cit)}
    assert {"Boulangerie", "Réparation de vélos", "Comptabilité", "Couture"} <= labels
    assert TrainingSession.objects.filter(cooperative=cit).count() == 1
