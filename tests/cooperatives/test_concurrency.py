"""Joining twice at the same moment: the database's one-current-membership constraint
lets exactly one request win, on PostgreSQL where requests really run in parallel."""

import threading

import pytest
from django.db import connection

from autogestion.cooperatives import services
from autogestion.cooperatives.models import Membership
from autogestion.core.errors import Conflict


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_joins_make_one_membership(world):
    person, body = world["outsider"], world["coop"]
    attempts = 8
    barrier = threading.Barrier(attempts)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt():
        try:
            barrier.wait()
            services.join_body(person=person, body=body)
            result = "joined"
        except Conflict:
            result = "conflict"
        except Exception as exc:  # noqa: BLE001 - any other failure is a test failure
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["conflict"] * (attempts - 1) + ["joined"]
    assert Membership.objects.filter(person=person, body=body).count() == 1
