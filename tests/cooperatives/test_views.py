"""Pages and API of bodies and membership through the test client: flows, refusals
with their messages, and bounded query counts."""

import pytest
from django.test import Client

from autogestion.cooperatives import services
from autogestion.cooperatives.models import Membership, ProgressUpdate
from autogestion.cooperatives.rules import Kind, Status
from tests.support.http import api_client, client_for, page_refused, refused

pytestmark = pytest.mark.django_db


def speaking(person, language):
    """The person's saved language wins over the browser's (accounts' middleware)."""
    person.language = language
    person.save(update_fields=["language"])
    return person


class TestJoinFlowsInPages:
    def test_join_open_cooperative_then_group(self, world):
        client = client_for(world["outsider"])
        response = client.post("/bodies/cit/join/")
        assert response.status_code == 302 and response["Location"] == "/bodies/cit/"
        assert client.post("/bodies/accueil/join/").status_code == 302
        assert Membership.objects.filter(person=world["outsider"], status=Status.ACTIVE,
                                         body__slug__in=["cit", "accueil"]).count() == 2
        profile = client.get("/profile/").content.decode()
        assert "Accueil" in profile

    def test_join_group_before_cooperative_is_refused_with_message(self, world):
        response = client_for(world["outsider"]).post("/bodies/accueil/join/")
        page_refused(response, 400, "Join the cooperative this group belongs to first.")
        assert not Membership.objects.filter(person=world["outsider"]).exists()

    def test_join_twice_is_a_409(self, world):
        page_refused(client_for(world["member"]).post("/bodies/cit/join/"), 409,
                     "already a member")

    def test_closed_group_request_accept(self, world):
        member, coordinator = client_for(world["member"]), client_for(world["coordinator"])
        assert member.post("/bodies/caisse/join/", {"message": "Hello"}).status_code == 302
        request = Membership.objects.get(person=world["member"], body__slug="caisse")
        assert request.status == Status.PENDING
        page = coordinator.get("/bodies/caisse/requests/").content.decode()
        assert "Hello" in page and world["member"].email in page
        assert coordinator.post(f"/memberships/{request.pk}/accept/").status_code == 302
        page_refused(coordinator.post(f"/memberships/{request.pk}/accept/"), 409,
                     "already been answered")
        request.refresh_from_db()
        assert request.status == Status.ACTIVE

    def test_other_coordinator_cannot_answer(self, world):
        """The closed group is hidden from another cooperative's coordinator: 404."""
        request = services.join_body(person=world["member"], body=world["closed_group"])
        response = client_for(world["other_coordinator"]).post(
            f"/memberships/{request.pk}/decline/")
        page_refused(response, 404)
        request.refresh_from_db()
        assert request.status == Status.PENDING

    def test_a_member_who_does_not_coordinate_cannot_answer(self, world, make_person):
        """A member of the closed group sees it: they are told who may answer (403)."""
        closed = world["closed_group"]
        joined = services.join_body(person=world["member"], body=closed)
        services.accept_membership_request(actor=world["coordinator"], membership_id=joined.pk)
        newcomer = make_person("Newcomer")
        services.join_body(person=newcomer, body=world["coop"])
        request = services.join_body(person=newcomer, body=closed)
        for verb in ("accept", "decline"):
            response = client_for(world["member"]).post(f"/memberships/{request.pk}/{verb}/")
            page_refused(response, 403, "Only coordinators of Caisse answer its requests.")
            page_refused(client_for(world["outsider"]).post(
                f"/memberships/{request.pk}/{verb}/"), 404)
        request.refresh_from_db()
        assert request.status == Status.PENDING

    def test_scic_join_needs_a_college(self, world):
        client = client_for(world["outsider"])
        response = client.post("/bodies/scic/join/")
        assert response.status_code == 400
        assert "Choose the college" in response.content.decode()
        college = world["colleges"][2]
        assert client.post("/bodies/scic/join/", {"college": college.pk}).status_code == 302
        assert Membership.objects.get(person=world["outsider"], body__slug="scic").college \
            == college

    def test_leave(self, world):
        client = client_for(world["member"])
        assert client.post("/bodies/accueil/leave/", {"confirmed": "yes"}).status_code == 302
        page_refused(client.post("/bodies/accueil/leave/"), 409, "not a member")

    def test_get_on_a_write_url_is_refused(self, world):
        assert client_for(world["member"]).get("/bodies/cit/join/").status_code == 405

    def test_progress_and_edit(self, world):
        member, coordinator = client_for(world["member"]), client_for(world["coordinator"])
        assert member.post("/bodies/cit/progress/", {"text": "We met"}).status_code == 302
        empty = member.post("/bodies/cit/progress/", {"text": ""})
        assert empty.status_code == 400
        assert ProgressUpdate.objects.filter(body__slug="cit", text="We met").count() == 1
        assert "We met" in Client().get("/bodies/cit/").content.decode()
        response = coordinator.post("/bodies/cit/edit/", {"name": "CIT", "place": "Ici",
                                                          "is_open": "on"})
        assert response.status_code == 302
        assert coordinator.post("/bodies/cit/edit/", {"name": ""}).status_code == 400


class TestLanguage:
    def test_french_by_default(self, world):
        page = Client().get("/bodies/cit/").content.decode()
        assert "Connectez-vous pour rejoindre ce collectif." in page
        assert "Se connecter" in page

    def test_refusal_in_the_persons_language(self, world):
        member = speaking(world["member"], "fr")
        page_refused(client_for(member, "fr").post("/bodies/cit/join/"), 409,
                     "Vous êtes déjà membre")
        refused(api_client(member, "fr").post("/api/bodies/cit/join"), 409,
                contains="déjà membre")

    def test_switch_is_saved_on_the_profile(self, world):
        client = client_for(speaking(world["member"], "fr"), "fr")
        response = client.post("/language/", {"language": "en", "next": "/bodies/"})
        assert response.status_code == 302 and response["Location"] == "/bodies/"
        world["member"].refresh_from_db()
        assert world["member"].language == "en"
        assert client.post("/language/", {"language": "xx"}).status_code == 400
        outside = client.post("/language/", {"language": "fr", "next": "https://evil.example/"})
        assert outside["Location"] == "/"


class TestApi:
    def test_join_leave_and_requests(self, world):
        client = api_client(world["outsider"])
        response = client.post("/api/bodies/cit/join")
        assert response.status_code == 201 and response.json()["status"] == "active"
        response = client.post("/api/bodies/caisse/join", {"message": "please"})
        assert response.status_code == 201 and response.json()["status"] == "pending"
        coordinator = api_client(world["coordinator"])
        pending = coordinator.get("/api/bodies/caisse/requests").json()
        assert [r["message"] for r in pending] == ["please"]
        answer = coordinator.post(f"/api/memberships/{pending[0]['id']}/decline",
                                  {"reason": "full"})
        assert answer.status_code == 200 and answer.json()["status"] == "declined"
        leave = client.post("/api/bodies/cit/leave")
        assert leave.status_code == 200 and leave.json()["status"] == "left"

    def test_a_membership_answer_carries_its_history(self, world):
        asked = api_client(world["member"]).post("/api/bodies/caisse/join", {"message": "hi"})
        assert [(e["kind"], e["by"]) for e in asked.json()["events"]] == [
            ("requested", "Member")]
        accepted = api_client(world["coordinator"]).post(
            f"/api/memberships/{asked.json()['id']}/accept")
        assert accepted.status_code == 200
        assert [(e["kind"], e["by"]) for e in accepted.json()["events"]] == [
            ("requested", "Member"), ("accepted", "Coordinator")]

    def test_bad_payload_names_the_field(self, world):
        client = api_client(world["member"])
        refused(client.post("/api/bodies/cit/progress", {"txt": "x"}), 422, contains="text")
        refused(client.post("/api/bodies/scic/join", {"college_id": "abc"}), 422,
                contains="college_id")

    def test_domain_errors_are_4xx_with_field(self, world):
        client = api_client(world["outsider"])
        body = refused(client.post("/api/bodies/scic/join"), 400, field="college")
        assert body == {"detail": "Choose the college you join this cooperative in.",
                        "field": "college"}
        refused(client.post("/api/bodies/scic/join", {"college_id": 99999}), 404,
                contains="no college with this number")

    def test_session_writes_need_csrf(self, world):
        client = Client(enforce_csrf_checks=True)
        client.force_login(world["outsider"])
        response = client.post("/api/bodies/cit/join", {}, content_type="application/json")
        assert response.status_code == 403
        assert not Membership.objects.filter(person=world["outsider"]).exists()

    def test_openapi(self, world):
        schema = Client().get("/api/openapi.json").json()
        assert "/api/bodies/{slug}/join" in schema["paths"]
        assert "/api/me/export" in schema["paths"]


class TestQueryCounts:
    """A page costs the same number of queries with 1,000 members as with 10."""

    def _grow(self, world, make_person, n):
        for _ in range(n):
            person = make_person()
            services.join_body(person=person, body=world["coop"])
            services.join_body(person=person, body=world["open_group"])
        for i in range(n // 10):
            services.create_body(actor=world["coordinator"], kind=Kind.GROUP, name=f"G{i}",
                                 parent=world["coop"])

    @pytest.mark.parametrize("url", ["/", "/bodies/", "/bodies/cit/", "/bodies/cit/members/",
                                     "/newcomers/", "/api/bodies", "/api/bodies/cit",
                                     "/api/bodies/cit/members", "/profile/"])
    def test_bounded(self, world, make_person, django_assert_max_num_queries, url):
        client = client_for(world["coordinator"])
        client.get(url)  # warm caches (sessions, content types)
        with django_assert_max_num_queries(20) as small:
            assert client.get(url).status_code == 200
        self._grow(world, make_person, 60)
        with django_assert_max_num_queries(len(small.captured_queries)):
            assert client.get(url).status_code == 200
