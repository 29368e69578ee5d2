"""Two coordinators publishing overlapping rotations at the same moment, on PostgreSQL:
the body's row serialises publications, so exactly one is published and the other is
refused with its message (R12: two published rotations never cover the same day)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import translation

from autogestion.core.errors import Conflict
from autogestion.work import services
from autogestion.work.models import Rotation

from .conftest import NEXT_MONDAY, NOW

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_overlapping_publications_race(farm):
    first = services.propose_rotation(actor=farm["coordinator"], body=farm["coop"],
                                      first_day=NEXT_MONDAY)
    # A second draft over the same days, as another proposal being reviewed would be
    # (propose_rotation itself replaces the first one).
    second = Rotation.objects.create(body=farm["coop"], first_day=NEXT_MONDAY + timedelta(days=2),
                                     last_day=NEXT_MONDAY + timedelta(days=8), created_at=NOW)
    barrier = threading.Barrier(2)
    outcomes = []

    def publish(rotation_id):
        translation.activate("en")  # per thread: the refusal asserted is English
        try:
            barrier.wait(timeout=10)
            services.publish_rotation(actor=farm["coordinator"], rotation_id=rotation_id)
            outcomes.append("published")
        except Conflict as refusal:
            outcomes.append(str(refusal))
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(r.pk,)) for r in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes)[-1] == "published"
    assert outcomes.count("published") == 1
    assert any("overlap the published rotation" in o for o in outcomes)
    assert Rotation.objects.filter(status="published").count() == 1
