"""The last use of an invitation taken by several people at once: the lock on the
invitation lets exactly one in; the others are told it is used up (410) and nothing is
written for them. On PostgreSQL, where requests really run in parallel."""

import threading

import pytest
from django.db import connection
from django.utils import translation

from autogestion.accounts import services
from autogestion.accounts.models import InvitationUse
from autogestion.cooperatives.models import Membership


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_last_use_goes_to_one_person(world, make_person):
    invitation, raw = services.create_invitation(actor=world["coordinator"],
                                                 body=world["coop"], kind="link",
                                                 max_uses=2)
    services.accept_invitation(person=make_person("First"), token=raw)
    attempts = 6
    people = [make_person(f"Late {n}") for n in range(attempts)]
    barrier = threading.Barrier(attempts)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(person):
        # A new thread speaks the site's default language (French): ask in English, as
        # the test's own thread does.
        with translation.override("en"):
            try:
                barrier.wait()
                services.accept_invitation(person=person, token=raw)
                result = "joined"
            except services.InvitationGone as exc:
                result = "gone" if "used as many times" in str(exc) else f"gone? {exc}"
            except Exception as exc:  # noqa: BLE001 - any other failure is a test failure
                result = f"error: {exc!r}"
            finally:
                connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["gone"] * (attempts - 1) + ["joined"]
    invitation.refresh_from_db()
    assert invitation.uses == 2
    assert InvitationUse.objects.filter(invitation=invitation).count() == 2
    assert Membership.objects.filter(person__in=people, status="active").count() == 1
