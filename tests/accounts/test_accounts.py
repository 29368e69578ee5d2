"""A person's own data: profile, language, personal API tokens, export."""

import json

import pytest
from django.test import Client

from autogestion.accounts import services
from autogestion.accounts.models import ApiToken
from autogestion.core.errors import DomainError, NotFound

pytestmark = pytest.mark.django_db


def logged_in(person):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person)
    return client


class TestProfile:
    def test_edit(self, make_person):
        person = make_person()
        client = logged_in(person)
        response = client.post("/profile/", {"display_name": "Camille D.", "first_name": "",
                                             "last_name": "", "phone": "0600000000",
                                             "bio": "Maraîchage", "language": "en"})
        assert response.status_code == 302
        person.refresh_from_db()
        assert (person.display_name, person.phone, person.bio) == ("Camille D.", "0600000000",
                                                                   "Maraîchage")

    def test_bad_language_is_refused(self, make_person):
        person = make_person()
        response = logged_in(person).post("/profile/", {"display_name": "x", "language": "de"})
        assert response.status_code == 400
        with pytest.raises(DomainError, match="Choose a language"):
            services.update_profile(person=person, language="de")
        with pytest.raises(DomainError, match="not part of a profile"):
            services.update_profile(person=person, is_superuser=True)
        person.refresh_from_db()
        assert not person.is_superuser

    def test_api_profile(self, make_person):
        person = make_person()
        client = logged_in(person)
        response = client.patch("/api/me", {"phone": "0102030405"},
                                content_type="application/json")
        assert response.status_code == 200 and response.json()["phone"] == "0102030405"
        bad = client.patch("/api/me", {"language": "klingon"}, content_type="application/json")
        assert bad.status_code == 400 and bad.json()["field"] == "language"


class TestTokens:
    def test_create_use_revoke(self, make_person, world):
        person = world["member"]
        response = logged_in(person).post("/profile/tokens/", {"name": "my script",
                                                               "scope": "full"})
        assert response.status_code == 201
        raw = response.context["new_token"]
        assert raw.startswith("ag_")
        token = ApiToken.objects.get(owner=person)
        assert token.key_hash != raw and raw not in token.key_hash  # only the hash is stored

        api = Client()
        auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        assert api.get("/api/me", **auth).json()["email"] == person.email
        # A token is not a session: no CSRF needed, writes work.
        created = api.post("/api/bodies/cit/progress", {"text": "via token"},
                           content_type="application/json", **auth)
        assert created.status_code == 201
        token.refresh_from_db()
        assert token.last_used_at is not None

        assert logged_in(person).post(f"/profile/tokens/{token.pk}/revoke/").status_code == 302
        assert api.get("/api/me", **auth).status_code == 401

    def test_bad_tokens(self, make_person):
        person, other = make_person(), make_person()
        anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
        assert anonymous.get("/api/me", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401
        with pytest.raises(DomainError, match="Name the token"):
            services.create_api_token(person=person, name="  ")
        token, _raw = services.create_api_token(person=other, name="theirs")
        with pytest.raises(NotFound):
            services.revoke_api_token(person=person, token_id=token.pk)
        response = logged_in(person).post(f"/profile/tokens/{token.pk}/revoke/")
        assert response.status_code == 404
        token.refresh_from_db()
        assert token.revoked_at is None


class TestExport:
    def test_everything_about_me_and_nothing_else(self, world):
        member = world["member"]
        response = logged_in(member).get("/profile/export.json")
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        data = json.loads(response.content)
        assert data["profile"]["email"] == member.email
        bodies = {m["body"] for m in data["memberships"]}
        assert bodies == {"cit", "accueil"}
        assert {e["event"] for e in data["membership_history"]} == {"joined"}
        text = response.content.decode()
        assert world["coordinator"].email not in text
        api = logged_in(member).get("/api/me/export").json()
        assert api["profile"]["email"] == member.email

    def test_bookings_and_work_are_in_it(self, world):
        from datetime import time, timedelta

        from autogestion.commons import services as commons
        from autogestion.core import clock
        from autogestion.work import services as work

        member, coordinator = world["member"], world["coordinator"]
        premises = commons.create_resource(
            actor=coordinator, steward=world["coop"], kind="premises", name="Local",
            audience="cooperative", open_days=range(1, 8), opens_at=time(0),
            closes_at=time(23, 59), longest_minutes=12 * 60)
        start = (clock.now() + timedelta(days=3)).replace(hour=10, minute=0, second=0,
                                                          microsecond=0)
        commons.book_resource(actor=member, resource_id=premises.pk, starts_at=start,
                              ends_at=start + timedelta(hours=2), purpose="Atelier vélo")
        post = work.create_post(actor=coordinator, body=world["coop"], name="Accueil")
        work.declare_skill(actor=member, person=member, post_id=post.pk, level="learning")
        data = json.loads(logged_in(member).get("/profile/export.json").content)
        assert [(b["resource"], b["purpose"]) for b in data["bookings"]] == [
            ("Local", "Atelier vélo")]
        assert [(k["post"], k["level"]) for k in data["skills"]] == [("Accueil", "learning")]
        assert data["unavailability"] == data["teach_and_learn"] == []
        mine = json.loads(logged_in(coordinator).get("/profile/export.json").content)
        assert mine["bookings"] == [] and mine["skills"] == []
