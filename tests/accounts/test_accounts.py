"""A person's own data: profile, language, personal API tokens, export."""

import json

import pytest
from django.test import Client

from autogestion.accounts import services
from autogestion.accounts.models import ApiToken
from autogestion.core.errors import DomainError, NotFound
from tests.support.http import client_for, page_refused, refused

pytestmark = pytest.mark.django_db


class TestProfile:
    def test_edit(self, make_person):
        person = make_person()
        client = client_for(person)
        response = client.post("/profile/", {"display_name": "Camille D.", "first_name": "",
                                             "last_name": "", "phone": "0600000000",
                                             "bio": "Maraîchage", "language": "en",
                                             "time_zone": "Europe/Paris"})
        assert response.status_code == 302
        person.refresh_from_db()
        assert (person.display_name, person.phone, person.bio) == ("Camille D.", "0600000000",
                                                                   "Maraîchage")

    def test_bad_language_is_refused(self, make_person):
        person = make_person()
        response = client_for(person).post("/profile/", {"display_name": "x", "language": "de"})
        assert response.status_code == 400
        with pytest.raises(DomainError, match="Choose a language"):
            services.update_profile(person=person, language="de")
        with pytest.raises(DomainError, match="not part of a profile"):
            services.update_profile(person=person, is_superuser=True)
        person.refresh_from_db()
        assert not person.is_superuser

    def test_api_profile(self, make_person):
        person = make_person()
        client = client_for(person)
        response = client.patch("/api/me", {"phone": "0102030405"},
                                content_type="application/json")
        assert response.status_code == 200 and response.json()["phone"] == "0102030405"
        bad = client.patch("/api/me", {"language": "klingon"}, content_type="application/json")
        assert bad.status_code == 400 and bad.json()["field"] == "language"


class TestTokens:
    def test_create_use_revoke(self, make_person, world):
        person = world["member"]
        response = client_for(person).post("/profile/tokens/", {"name": "my script",
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

        assert client_for(person).post(f"/profile/tokens/{token.pk}/revoke/").status_code == 302
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
        page_refused(client_for(person).post(f"/profile/tokens/{token.pk}/revoke/"), 404,
                     "You have no active token with this number.")
        token.refresh_from_db()
        assert token.revoked_at is None


class TestExport:
    """The export gathers every app's own `personal_data` ({"<app>": {"<model>": rows}});
    here, what accounts and cooperatives hold. (The walk over every model is
    tests/accounts/test_personal_data.py.)"""

    @pytest.fixture
    def only_these_apps(self, monkeypatch):
        """The export of accounts and cooperatives, and of a stand-in for the other apps:
        these tests do not depend on what the other apps hold."""
        from autogestion.accounts.personal_data import export as accounts
        from autogestion.cooperatives.personal_data import export as cooperatives
        from autogestion.core import registry

        monkeypatch.setattr(registry, "personal_data_exporters", lambda: {
            "accounts": accounts, "cooperatives": cooperatives,
            "elsewhere": lambda person: {"thing": [{"id": person.pk}]}})

    def test_everything_about_me_and_nothing_else(self, world, only_these_apps):
        member = world["member"]
        client = client_for(member)
        response = client.get("/profile/export.json")
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        data = json.loads(response.content)
        assert sorted(data) == ["accounts", "cooperatives", "elsewhere"]
        assert data["elsewhere"] == {"thing": [{"id": member.pk}]}
        [profile] = data["accounts"]["user"]
        assert (profile["id"], profile["email"], profile["display_name"]) == (
            member.pk, member.email, "Member")
        assert "password" not in profile
        assert [(a["email"], a["verified"], a["primary"])
                for a in data["accounts"]["emailaddress"]] == [(member.email, True, True)]
        assert data["accounts"]["apitoken"] == data["accounts"]["authenticator"] == []
        bodies = {m["body"] for m in data["cooperatives"]["membership"]}
        assert bodies == {"cit", "accueil"}
        assert {e["kind"] for e in data["cooperatives"]["membershipevent"]} == {"joined"}
        assert data["cooperatives"]["progressupdate"] == []
        text = response.content.decode()
        assert world["coordinator"].email not in text
        api = client.get("/api/me/export")
        assert api.status_code == 200 and api.json() == data

    def test_the_actor_of_an_event_finds_it(self, world, only_these_apps):
        """The coordinator who accepted a request finds that event in their export,
        as the person who asked finds it in theirs."""
        from autogestion.cooperatives import services as bodies

        member, coordinator = world["member"], world["coordinator"]
        request = bodies.join_body(person=member, body=world["closed_group"],
                                   message="Let me in")
        bodies.accept_membership_request(actor=coordinator, membership_id=request.pk)
        bodies.post_progress_update(actor=coordinator, body=world["coop"], text="We met")
        theirs = services.export_personal_data(coordinator)["cooperatives"]
        accepted = [e for e in theirs["membershipevent"] if e["kind"] == "accepted"]
        assert [(e["membership_id"], e["actor_id"]) for e in accepted] == [
            (request.pk, coordinator.pk)]
        assert request.pk not in {m["id"] for m in theirs["membership"]}
        # Besides the news of the groups they founded (posted in their name, R17).
        assert [u["text"] for u in theirs["progressupdate"]
                if not u["text"].startswith("New group founded")] == ["We met"]
        mine = services.export_personal_data(member)["cooperatives"]
        assert [e["kind"] for e in mine["membershipevent"]
                if e["membership_id"] == request.pk] == ["requested", "accepted"]
        assert [m["message"] for m in mine["membership"] if m["id"] == request.pk] == [
            "Let me in"]

    def test_tokens_and_second_factors_without_their_secrets(self, make_person,
                                                             only_these_apps):
        from allauth.mfa.models import Authenticator

        person = make_person()
        token, raw = services.create_api_token(person=person, name="script", scope="read")
        Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP,
                                     data={"secret": "JBSWY3DPEHPK3PXP"})
        response = client_for(person).get("/profile/export.json")
        text = response.content.decode()
        assert raw not in text and token.key_hash not in text
        assert "JBSWY3DPEHPK3PXP" not in text and "password" not in text
        data = response.json()["accounts"]
        [row] = data["apitoken"]
        assert (row["id"], row["name"], row["scope"], row["hint"]) == (
            token.pk, "script", "read", token.hint)
        assert [(a["type"], sorted(a)) for a in data["authenticator"]] == [
            ("totp", ["created_at", "id", "last_used_at", "type"])]

    def test_only_for_oneself(self, world):
        assert client_for(None).get("/profile/export.json").status_code == 302
        refused(client_for(None).get("/api/me/export"), 401)
