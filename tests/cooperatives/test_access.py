"""cooperatives/access.py: one answer to "may this person have this body (or this
request to join)?", which the pages and the API both ask (R2, the access matrix)."""

import pytest

from autogestion.cooperatives import access, services
from autogestion.core.errors import NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


def test_a_body_exists_for_everyone(world):
    assert access.find_body("caisse") == world["closed_group"]
    with pytest.raises(NotFound, match="no body with the short name “nowhere”"):
        access.find_body("nowhere")


def test_a_closed_body_is_hidden_from_strangers_as_if_absent(world):
    for stranger in (None, world["outsider"], world["member"], world["other_coordinator"]):
        with pytest.raises(NotFound, match="no body with the short name “caisse”"):
            access.get_body_for(stranger, "caisse")
        with pytest.raises(NotFound):
            access.get_directory_for(stranger, "caisse")
        with pytest.raises(NotFound):
            access.get_body_for_requests(stranger, "caisse")
        with pytest.raises(NotFound):
            access.get_body_for_progress(stranger, "caisse")
        with pytest.raises(NotFound):
            access.get_body_to_manage(stranger, "caisse")
    for insider in (world["coordinator"], world["operator"]):
        assert access.get_body_to_manage(insider, "caisse") == world["closed_group"]


def test_who_sees_a_body_but_may_not_is_told_who_may(world):
    with pytest.raises(PermissionDenied, match="Only coordinators of CIT can change it."):
        access.get_body_to_manage(world["member"], "cit")
    with pytest.raises(PermissionDenied, match="Only coordinators of CIT answer its requests"):
        access.get_body_for_requests(world["member"], "cit")
    with pytest.raises(PermissionDenied, match="Only members of CIT post its progress."):
        access.get_body_for_progress(world["outsider"], "cit")
    with pytest.raises(PermissionDenied, match="The member directory is for members."):
        access.get_directory_for(None, "cit")
    assert access.get_directory_for(world["member"], "accueil") == world["open_group"]


def test_a_request_to_join(world, make_person):
    closed = world["closed_group"]
    joined = services.join_body(person=world["member"], body=closed)
    services.accept_membership_request(actor=world["coordinator"], membership_id=joined.pk)
    newcomer = make_person()
    services.join_body(person=newcomer, body=world["coop"])
    request = services.join_body(person=newcomer, body=closed)
    assert access.get_membership_for(world["coordinator"], request.pk) == request
    with pytest.raises(PermissionDenied, match="Only coordinators of Caisse"):
        access.get_membership_for(world["member"], request.pk)
    for stranger in (None, world["outsider"], world["other_coordinator"]):
        with pytest.raises(NotFound, match="There is no such request to join."):
            access.get_membership_for(stranger, request.pk)
    with pytest.raises(NotFound, match="There is no such request to join."):
        access.get_membership_for(world["coordinator"], 999999)
    with pytest.raises(NotFound, match="There is no college with this number."):
        access.find_college(999999)
