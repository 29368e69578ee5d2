"""The person's own pages and the way in, on a phone and in French (issue #14): the time
zone e-mails are written in, the log-in and sign-up pages' one main action and
finger-sized boxes, invitations told in agreeing French, and the demo's invitation."""

import re

import pytest
from django.utils import translation

from autogestion.accounts import services
from autogestion.accounts.models import Invitation
from autogestion.accounts.queries import invitation_state_label
from autogestion.cooperatives import demo as cooperatives_demo
from autogestion.core.errors import DomainError
from tests.support.http import client_for

pytestmark = pytest.mark.django_db


def french(person):
    person.language = "fr"
    person.save(update_fields=["language"])
    return client_for(person, "fr")


def primaries(html: str) -> list[str]:
    return re.findall(r"<[a-z]+\b[^>]*\bdata-primary\b[^>]*>", html)


def profile_form(person, **changes) -> dict:
    """What the profile page sends: every field as the person has it, then `changes`."""
    data = {"display_name": person.display_name, "first_name": person.first_name,
            "last_name": person.last_name, "phone": person.phone, "bio": person.bio,
            "language": person.language, "time_zone": person.time_zone,
            "email_reminders": "on" if person.email_reminders else ""}
    return {**data, **changes}


class TestTimeZone:
    def test_the_profile_offers_the_zones_and_keeps_the_chosen_one(self, make_person):
        person = make_person("Ana")
        client = client_for(person)
        page = client.get("/profile/").content.decode()
        select = re.search(r'<select name="time_zone".*?</select>', page, re.S).group(0)
        assert '<option value="Europe/Paris" selected>' in select
        assert '<optgroup label="America">' in select
        assert 'value="US/Eastern"' not in select  # an old alias, not offered
        answer = client.post("/profile/", profile_form(person, time_zone="America/Montreal"))
        assert answer.status_code == 302
        person.refresh_from_db()
        assert person.time_zone == "America/Montreal"
        again = client.get("/profile/").content.decode()
        assert '<option value="America/Montreal" selected>' in again

    def test_a_zone_that_does_not_exist_is_refused_and_nothing_changes(self, make_person):
        person = make_person("Ana")
        answer = client_for(person).post("/profile/", profile_form(
            person, time_zone="Mars/Olympus", display_name="Someone else"))
        assert answer.status_code == 400
        assert "“Mars/Olympus” is not a time zone: choose one such as Europe/Paris." in (
            answer.content.decode())
        person.refresh_from_db()
        assert (person.time_zone, person.display_name) == ("Europe/Paris", "Ana")
        with pytest.raises(DomainError, match="is not a time zone") as refusal:
            services.update_profile(person=person, time_zone="Europe/Atlantis")
        assert refusal.value.field == "time_zone"
        person.refresh_from_db()
        assert person.time_zone == "Europe/Paris"

    def test_the_api_reads_and_sets_the_zone(self, make_person):
        person = make_person("Ana")
        client = client_for(person)
        assert client.get("/api/me").json()["time_zone"] == "Europe/Paris"
        bad = client.patch("/api/me", {"time_zone": "Nowhere"}, content_type="application/json")
        assert bad.status_code == 400 and bad.json()["field"] == "time_zone"
        good = client.patch("/api/me", {"time_zone": "Asia/Tokyo"},
                            content_type="application/json")
        assert good.status_code == 200 and good.json()["time_zone"] == "Asia/Tokyo"
        person.refresh_from_db()
        assert person.time_zone == "Asia/Tokyo"

    def test_a_person_keeping_an_old_alias_sees_it_chosen(self, make_person):
        person = make_person("Ana")
        services.update_profile(person=person, time_zone="US/Eastern")
        page = client_for(person).get("/profile/").content.decode()
        assert '<option value="US/Eastern" selected>' in page


class TestProfilePage:
    def test_the_account_pages_are_one_tap_away(self, make_person):
        page = client_for(make_person()).get("/profile/").content.decode()
        links = re.search(r'<ul class="action-list" id="account-links">(.*?)</ul>', page,
                          re.S).group(1)
        for address in ("/accounts/email/", "/accounts/password/change/", "/accounts/2fa/",
                        "/notifications/settings/", "/profile/export.json"):
            assert f'<a class="action" href="{address}">' in links

    def test_the_reminders_box_is_inside_its_words(self, make_person):
        page = client_for(make_person()).get("/profile/").content.decode()
        assert re.search(r'<label for="id_email_reminders"><input type="checkbox" '
                         r'name="email_reminders"', page)


class TestTheWayIn:
    def test_log_in_has_one_main_action_and_a_finger_sized_box(self, db):
        page = client_for(None).get("/accounts/login/").content.decode()
        (primary,) = primaries(page)
        assert primary.startswith("<button") and 'type="submit"' in primary
        assert re.search(r'<label for="id_remember"><input type="checkbox" name="remember"',
                         page)

    def test_sign_up_folds_the_password_rules_under_the_field(self, db):
        page = client_for(None).get("/accounts/signup/").content.decode()
        (primary,) = primaries(page)
        assert 'type="submit"' in primary
        rules = re.search(r'<details class="helptext" id="id_password1_helptext">'
                          r'<summary>What the password needs</summary>', page)
        assert rules and page.index(rules.group(0)) < page.index(primary)

    def test_the_e_mail_page_marks_adding_an_address(self, world):
        page = client_for(world["member"]).get("/accounts/email/").content.decode()
        (primary,) = primaries(page)
        assert 'name="action_add"' in primary


class TestInvitationsInFrench:
    def test_states_agree_with_invitation_and_uses_are_counted(self, world, make_person):
        coordinator = world["coordinator"]
        opened, raw = services.create_invitation(actor=coordinator, body=world["coop"],
                                                 kind="link", max_uses=5)
        withdrawn, _raw = services.create_invitation(actor=coordinator, body=world["coop"],
                                                     kind="link", max_uses=2)
        services.revoke_invitation(actor=coordinator, invitation_id=withdrawn.pk)
        services.accept_invitation(person=make_person("Ana"), token=raw)
        page = french(coordinator).get("/bodies/cit/invitations/").content.decode()

        def card(invitation):
            found = re.search(rf'id="invitation-{invitation.pk}">(.*?)</li>\s*(?:<li|</ul>)',
                              page, re.S)
            return re.sub(r"<[^>]+>", "", found.group(1))

        with translation.override("fr"):
            assert "ouverte" in card(opened) and "1 utilisation sur 5" in card(opened)
            assert "révoquée" in card(withdrawn) and "0 utilisation sur 2" in card(withdrawn)


def test_the_demo_shows_an_open_link_invitation_to_the_cit(db):
    from autogestion.accounts import demo
    from autogestion.cooperatives.models import Body

    world = cooperatives_demo.load_demo()
    demo.load({b.slug: b for b in Body.objects.all()}, world["people"])
    camille = world["people"][0]
    (invitation,) = Invitation.objects.filter(body__slug="cit")
    assert (invitation.kind, invitation.invited_by, services.invitation_state(invitation)) \
        == ("link", camille, "open")
    page = client_for(camille).get("/bodies/cit/invitations/").content.decode()
    with translation.override(camille.language):  # the demo's people read French
        shown = f'<span class="badge">{invitation_state_label("open")}</span>'
    assert f'id="invitation-{invitation.pk}"' in page and shown in page
