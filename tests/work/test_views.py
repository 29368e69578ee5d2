"""Work pages through the test client: who sees what (anonymous, outsider, member,
coordinator, operator; closed bodies 404), the forms and their refusals shown with a 4xx
and nothing written, the rotation's explanations and hand edits, teach/learn, and
bounded query counts."""

from datetime import timedelta

import pytest

from autogestion.cooperatives import services as bodies
from autogestion.work import services
from autogestion.work.models import Knowledge, Post, Rotation, Skill, TrainingSession
from tests.support.http import client_for, page_refused

from .conftest import NEXT_MONDAY

pytestmark = pytest.mark.django_db

ROLES = ("outsider", "member", "coordinator", "operator")


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def rotation(farm):
    return services.propose_rotation(actor=farm["coordinator"], body=farm["coop"],
                                     first_day=NEXT_MONDAY)


def pages(farm, rotation):
    post = farm["milking"]
    return [
        ("/work/", {"outsider": 200, "member": 200, "coordinator": 200, "operator": 200}),
        ("/bodies/cit/work/", None),
        ("/bodies/cit/work/skills/", None),
        ("/bodies/cit/work/unavailability/", None),
        ("/bodies/cit/work/rotations/", None),
        (f"/work/rotations/{rotation.pk}/", None),
        ("/bodies/cit/learning/", None),
        ("/bodies/cit/work/skills/confirm/", {"outsider": 403, "member": 403,
                                              "coordinator": 200, "operator": 200}),
        (f"/work/posts/{post.pk}/", {"outsider": 403, "member": 403, "coordinator": 200,
                                     "operator": 200}),
    ]


MEMBERS_ONLY = {"outsider": 403, "member": 200, "coordinator": 200, "operator": 200}


class TestWhoSeesWhat:
    def test_the_matrix(self, farm, rotation):
        for url, expected in pages(farm, rotation):
            assert client_for(None).get(url).status_code == 302, url  # to the login page
            for role, status in (expected or MEMBERS_ONLY).items():
                response = client_for(farm[role]).get(url)
                assert response.status_code == status, (url, role)
                if status == 403:
                    assert "members" in text(response) or "coordinators" in text(response)

    def test_a_closed_body_does_not_say_what_it_holds(self, farm):
        closed = farm["closed_group"]
        post = services.create_post(actor=farm["coordinator"], body=closed, name="Safe")
        for url in (f"/bodies/{closed.slug}/work/", f"/bodies/{closed.slug}/work/rotations/",
                    f"/work/posts/{post.pk}/"):
            assert client_for(farm["member"]).get(url).status_code == 404, url
            assert client_for(farm["coordinator"]).get(url).status_code == 200, url

    def test_a_group_leads_to_its_cooperatives_teach_and_learn(self, farm):
        response = client_for(farm["member"]).get("/bodies/accueil/learning/")
        assert response.status_code == 302 and response["Location"].endswith(
            "/bodies/cit/learning/")

    def test_bounded_queries(self, farm, make_person, django_assert_max_num_queries):
        """Whatever the number of members, skills, lines and days: a month, 8 members
        more, each with skills and a teach/learn line."""
        for i in range(8):
            person = make_person(f"Extra {i}")
            bodies.join_body(person=person, body=farm["coop"])
            for post in (farm["milking"], farm["market"]):
                services.declare_skill(actor=person, post_id=post.pk,
                                       level="capable" if i % 3 else "learning")
            services.add_knowledge(actor=person, cooperative=farm["coop"],
                                   kind="learn" if i % 2 else "teach", topic=f"Topic {i % 3}")
        month = services.propose_rotation(actor=farm["coordinator"], body=farm["coop"],
                                          first_day=NEXT_MONDAY, period="month")
        client = client_for(farm["coordinator"])
        for url, _expected in pages(farm, month):
            client.get(url)  # warm the session
            with django_assert_max_num_queries(15):
                assert client.get(url).status_code == 200, url


class TestPosts:
    def test_the_home_flags_posts_at_risk_and_pairs(self, farm):
        page = text(client_for(farm["member"]).get("/bodies/cit/work/"))
        assert 'id="at-risk"' in page and "Bookkeeping" in page.split('id="posts"')[0]
        assert "Ana could train Cleo in Milking" in page
        assert "Add a post" not in page
        assert "Add a post" in text(client_for(farm["coordinator"]).get("/bodies/cit/work/"))

    def test_a_coordinator_adds_a_post(self, farm):
        response = client_for(farm["coordinator"]).post("/bodies/cit/work/posts/", {
            "name": "Welcome desk", "holders": 1, "capable_needed": 2, "weekdays": ["3", "6"]})
        assert response.status_code == 302
        assert Post.objects.get(name="Welcome desk").weekdays == "36"

    def test_refusals_are_shown_and_write_nothing(self, farm):
        before = Post.objects.count()
        response = client_for(farm["member"]).post("/bodies/cit/work/posts/", {
            "name": "Cheese", "holders": 1, "capable_needed": 2, "weekdays": ["1"]})
        assert response.status_code == 403
        response = client_for(farm["coordinator"]).post("/bodies/cit/work/posts/", {
            "name": "milking", "holders": 1, "capable_needed": 2, "weekdays": ["1"]})
        assert response.status_code == 409 and "already has a post" in text(response)
        response = client_for(farm["coordinator"]).post("/bodies/cit/work/posts/", {
            "name": "Cheese", "holders": 1, "capable_needed": 2})
        assert response.status_code == 400 and "Tick at least one day" in text(response)
        assert Post.objects.count() == before

    def test_edit_and_retire(self, farm):
        post = farm["market"]
        response = client_for(farm["coordinator"]).post(f"/work/posts/{post.pk}/", {
            "name": "Market", "holders": 2, "capable_needed": 3, "weekdays": ["6", "7"]})
        assert response.status_code == 302
        post.refresh_from_db()
        assert (post.name, post.weekdays, post.capable_needed, post.active) == (
            "Market", "67", 3, False)


class TestSkills:
    def test_a_member_declares_their_skills(self, farm):
        client = client_for(farm["member"])
        page = text(client.get("/bodies/cit/work/skills/"))
        assert "Milking" in page and "can teach" in page
        response = client.post("/bodies/cit/work/skills/", {
            f"post_{farm['milking'].pk}": "learning", f"post_{farm['market'].pk}": "",
            f"post_{farm['accounts'].pk}": "capable"})
        assert response.status_code == 302
        assert dict(Skill.objects.filter(person=farm["member"]).values_list(
            "post__name", "level")) == {"Milking": "learning", "Bookkeeping": "capable"}

    def test_a_bad_level_writes_nothing(self, farm):
        response = client_for(farm["member"]).post("/bodies/cit/work/skills/", {
            f"post_{farm['milking'].pk}": "guru"})
        assert response.status_code == 400
        assert not Skill.objects.filter(person=farm["member"], post=farm["milking"]).exists()

    def test_an_operator_who_is_not_a_member_is_refused(self, farm):
        response = client_for(farm["operator"]).post("/bodies/cit/work/skills/", {
            f"post_{farm['milking'].pk}": "capable"})
        assert response.status_code == 403
        assert not Skill.objects.filter(person=farm["operator"]).exists()

    def test_coordinators_confirm(self, farm):
        skill = Skill.objects.get(person=farm["ana"], post=farm["milking"])
        assert client_for(farm["member"]).post(
            f"/work/skills/{skill.pk}/confirm/").status_code == 403
        response = client_for(farm["coordinator"]).post(f"/work/skills/{skill.pk}/confirm/")
        assert response.status_code == 302
        skill.refresh_from_db()
        assert skill.confirmed_by == farm["coordinator"]


class TestUnavailability:
    def test_declare_and_withdraw(self, farm):
        client = client_for(farm["ana"])
        response = client.post("/bodies/cit/work/unavailability/", {
            "first_day": NEXT_MONDAY.isoformat(), "last_day": NEXT_MONDAY.isoformat(),
            "note": "dentist"})
        assert response.status_code == 302
        away = farm["ana"].unavailabilities.get()
        assert client_for(farm["ben"]).post(
            f"/work/unavailability/{away.pk}/withdraw/").status_code == 403
        page = text(client_for(farm["coordinator"]).get("/bodies/cit/work/unavailability/"))
        assert "Ana" in page and "dentist" not in page
        assert client.post(f"/work/unavailability/{away.pk}/withdraw/").status_code == 302

    def test_past_days_are_refused(self, farm):
        response = client_for(farm["ana"]).post("/bodies/cit/work/unavailability/", {
            "first_day": "2026-03-01", "last_day": "2026-03-02"})
        assert response.status_code == 400 and "past" in text(response)
        assert not farm["ana"].unavailabilities.exists()


class TestRotations:
    def test_propose_with_the_form(self, farm):
        client = client_for(farm["coordinator"])
        response = client.post("/bodies/cit/work/rotations/", {
            "first_day": NEXT_MONDAY.isoformat(), "period": "week", "max_streak": 2})
        rotation = Rotation.objects.get()
        assert response.status_code == 302 and response["Location"] == (
            f"/work/rotations/{rotation.pk}/")
        page = text(client.get(response["Location"]))
        assert "only capable person free that day" in page
        assert "Publish for the members" in page

    def test_members_cannot_propose(self, farm):
        response = client_for(farm["member"]).post("/bodies/cit/work/rotations/", {
            "first_day": NEXT_MONDAY.isoformat(), "period": "week", "max_streak": 2})
        assert response.status_code == 403 and not Rotation.objects.exists()

    def test_a_custom_length_needs_its_last_day(self, farm):
        response = client_for(farm["coordinator"]).post("/bodies/cit/work/rotations/", {
            "first_day": NEXT_MONDAY.isoformat(), "period": "days", "max_streak": 2})
        assert response.status_code == 400 and not Rotation.objects.exists()

    def test_impossible_posts_are_explained_on_the_page(self, farm):
        services.create_post(actor=farm["coordinator"], body=farm["coop"], name="Cheese")
        rotation = services.propose_rotation(actor=farm["coordinator"], body=farm["coop"],
                                             first_day=NEXT_MONDAY)
        page = text(client_for(farm["member"]).get(f"/work/rotations/{rotation.pk}/"))
        assert "nobody is capable of Cheese: declare skills or train someone" in page
        assert "Publish for the members" not in page

    def test_a_hand_edit_refused_writes_nothing(self, farm, rotation):
        monday = rotation.assignments.get(day=NEXT_MONDAY, post=farm["milking"],
                                          role="holder")
        response = client_for(farm["coordinator"]).post(
            f"/work/rotations/{rotation.pk}/assignments/{monday.pk}/reassign/",
            {"person": farm["dan"].pk})
        assert response.status_code == 400
        assert "has not declared being capable" in text(response)
        monday.refresh_from_db()
        assert monday.person != farm["dan"]

    def test_hand_edits_then_publish(self, farm, rotation):
        client = client_for(farm["coordinator"])
        saturday = NEXT_MONDAY + timedelta(days=5)
        stall = rotation.assignments.filter(day=saturday, post=farm["market"],
                                            role="holder").first()
        response = client.post(f"/work/rotations/{rotation.pk}/assignments/{stall.pk}/remove/")
        assert response.status_code == 302
        page = text(client.get(f"/work/rotations/{rotation.pk}/"))
        assert "left open by hand" in page
        response = client.post(f"/work/rotations/{rotation.pk}/assign/", {
            "day": saturday.isoformat(), "post": farm["market"].pk,
            "person": stall.person_id, "role": "holder"})
        assert response.status_code == 302
        assert "set by hand by Coordinator" in text(client.get(f"/work/rotations/{rotation.pk}/"))
        assert client_for(farm["member"]).post(
            f"/work/rotations/{rotation.pk}/publish/").status_code == 403
        assert client.post(f"/work/rotations/{rotation.pk}/publish/").status_code == 302
        rotation.refresh_from_db()
        assert rotation.status == "published"
        response = client.post(f"/work/rotations/{rotation.pk}/assignments/{stall.pk}/remove/")
        page_refused(response, 409, "This rotation is published: it is no longer changed by hand.")
        assert "Publish for the members" not in text(
            client.get(f"/work/rotations/{rotation.pk}/"))

    def test_discard(self, farm, rotation):
        assert client_for(farm["member"]).post(
            f"/work/rotations/{rotation.pk}/discard/").status_code == 403
        response = client_for(farm["coordinator"]).post(f"/work/rotations/{rotation.pk}/discard/")
        assert response.status_code == 302
        rotation.refresh_from_db()
        assert rotation.status == "discarded"
        assert [(e.from_status, e.to_status) for e in rotation.events.all()] == [
            ("", "draft"), ("draft", "discarded")]
        listed = client_for(farm["member"]).get(f"/bodies/{farm['coop'].slug}/work/rotations/")
        assert f"/work/rotations/{rotation.pk}/" not in text(listed)


class TestLearning:
    def test_lists_pairs_and_a_session(self, farm):
        dan, ana = client_for(farm["dan"]), client_for(farm["ana"])
        assert ana.post("/bodies/cit/learning/", {"kind": "teach",
                                                  "topic": "Boulangerie"}).status_code == 302
        assert dan.post("/bodies/cit/learning/", {"kind": "learn",
                                                  "topic": "boulangerie"}).status_code == 302
        response = dan.post("/bodies/cit/learning/", {"kind": "learn", "topic": "BOULANGERIE"})
        assert response.status_code == 409 and "already on your list" in text(response)
        page = text(dan.get("/bodies/cit/learning/"))
        assert "Ana could teach Dan: Boulangerie" in page
        assert 'id="training-form"' in page
        response = dan.post("/bodies/cit/learning/sessions/", {
            "pair": f"{farm['ana'].pk}|{farm['dan'].pk}|topic:boulangerie",
            "day": "2026-03-20", "starts": "09:00", "ends": "08:00"})
        assert response.status_code == 400 and not TrainingSession.objects.exists()
        response = dan.post("/bodies/cit/learning/sessions/", {
            "pair": f"{farm['ana'].pk}|{farm['dan'].pk}|topic:boulangerie",
            "day": "2026-03-20", "starts": "09:00", "ends": "12:00", "place": "Fournil"})
        assert response.status_code == 302
        session = TrainingSession.objects.get()
        assert session.topic == "Boulangerie" and session.place == "Fournil"
        assert "Ana teaches Dan Boulangerie" in text(ana.get("/bodies/cit/learning/"))
        assert client_for(farm["ben"]).post(
            f"/work/training/{session.pk}/cancel/").status_code == 403
        assert ana.post(f"/work/training/{session.pk}/cancel/").status_code == 302
        assert not TrainingSession.objects.exists()

    def test_a_pair_i_am_not_in_is_not_a_choice(self, farm):
        services.add_knowledge(actor=farm["ana"], cooperative=farm["coop"], kind="teach",
                               topic="Bread")
        services.add_knowledge(actor=farm["dan"], cooperative=farm["coop"], kind="learn",
                               topic="Bread")
        response = client_for(farm["ben"]).post("/bodies/cit/learning/sessions/", {
            "pair": f"{farm['ana'].pk}|{farm['dan'].pk}|topic:bread",
            "day": "2026-03-20", "starts": "09:00", "ends": "12:00"})
        assert response.status_code == 400 and not TrainingSession.objects.exists()

    def test_remove_a_line(self, farm):
        line = services.add_knowledge(actor=farm["ana"], cooperative=farm["coop"],
                                      kind="teach", topic="Bread")
        assert client_for(farm["ben"]).post(
            f"/work/knowledge/{line.pk}/remove/").status_code == 403
        assert client_for(farm["ana"]).post(
            f"/work/knowledge/{line.pk}/remove/").status_code == 302
        assert not Knowledge.objects.exists()

    def test_outsiders(self, farm):
        response = client_for(farm["outsider"]).post("/bodies/cit/learning/", {
            "kind": "teach", "topic": "Bread"})
        assert response.status_code == 403 and not Knowledge.objects.exists()
