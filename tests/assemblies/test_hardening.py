"""Issue #11 (hardening) in the assemblies: only active members of the body are marked
present at its meetings. Attendance has no notion of a guest, and the names it lists
are published with the minutes, so a coordinator cannot record anyone else."""

import pytest

from autogestion.assemblies import services
from autogestion.assemblies.models import Attendance
from autogestion.cooperatives import services as bodies
from autogestion.core.errors import DomainError
from tests.support.http import client_for

JSON = "application/json"
DAY = "2026-11-28"



@pytest.fixture
def former(world, make_person):
    """A person who was a member of the CIT and left."""
    person = make_person("Former")
    bodies.join_body(person=person, body=world["coop"])
    bodies.leave_body(person=person, body=world["coop"])
    return person


@pytest.mark.django_db
class TestOnlyMembersArePresent:
    def test_service(self, world, november, former):
        coordinator = world["coordinator"]
        for outside in (world["outsider"], former):
            with pytest.raises(DomainError) as refused:
                services.record_attendance(actor=coordinator, occurrence=november,
                                           people=[world["member"], outside])
            assert refused.value.status == 400 and refused.value.field == "people"
            assert str(refused.value.message) == (
                f"Only active members of CIT are marked present, and "
                f"{outside.public_name} is not one.")
        assert not Attendance.objects.exists()  # nobody of a refused list is recorded
        assert services.record_attendance(actor=coordinator, occurrence=november,
                                          people=[world["member"], coordinator]) == 2

    def test_several_are_named(self, world, november, former):
        with pytest.raises(DomainError, match="and Outsider, Former are not"):
            services.record_attendance(actor=world["coordinator"], occurrence=november,
                                       people=[world["outsider"], former])

    def test_api(self, world, agora, former):
        url = f"/api/series/{agora.pk}/occurrences/{DAY}/attendance"
        client = client_for(world["coordinator"])
        answer = client.post(url, {"person_ids": [world["member"].pk, world["outsider"].pk]},
                             content_type=JSON)
        assert answer.status_code == 400
        assert (answer.json()["detail"], answer.json()["field"]) == (
            "Only active members of CIT are marked present, and Outsider is not one.",
            "person_ids")
        assert not Attendance.objects.exists()
        answer = client.post(url, {"person_ids": [world["member"].pk]}, content_type=JSON)
        assert answer.json() == {"recorded": 1}

    def test_page(self, world, agora, former):
        url = f"/meetings/{agora.pk}/{DAY}/manage/"
        answer = client_for(world["coordinator"]).post(url, {
            "action": "attendance", "present": [world["member"].pk, former.pk]})
        assert answer.status_code == 400
        assert ("Only active members of CIT are marked present, and Former is not one."
                in answer.content.decode())
        assert not Attendance.objects.exists()
