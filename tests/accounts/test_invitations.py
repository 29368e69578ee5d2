"""Invitations into a body (R17, issue #13 "Members"): by e-mail or by a link, with an
expiry and a use count; accepting one makes an active membership, closed body or not."""

import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from autogestion.accounts import rules, services
from autogestion.accounts.models import Invitation, InvitationUse, User
from autogestion.cooperatives import services as bodies
from autogestion.cooperatives.models import LegalForm, Membership
from autogestion.cooperatives.rules import Kind, Role
from autogestion.core import clock
from autogestion.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from autogestion.core.refusal import Refusal
from tests.support.clock import SUITE_NOW
from tests.support.http import api_client, client_for, page_refused, refused
from tests.support.services import refused_unchanged

pytestmark = pytest.mark.django_db


def snapshot():
    return (Invitation.objects.count(), InvitationUse.objects.count(),
            sorted(Invitation.objects.values_list("pk", "uses", "revoked_at")),
            Membership.objects.filter(status="active").count())


def link(actor, body, **terms):
    return services.create_invitation(actor=actor, body=body, kind="link", **terms)


def path_of(raw: str) -> str:
    return f"/invitations/{raw}/"


@pytest.fixture
def frozen():
    def freeze(moment):
        clock.freeze(moment)
    yield freeze
    clock.freeze(None)


# --- The rules, pure ---------------------------------------------------------------------

class TestRules:
    NOW = SUITE_NOW

    def test_defaults_and_bounds(self):
        terms = rules.InvitationTerms
        assert rules.check_terms(terms(kind="link")) == (1, 14)
        assert rules.check_terms(terms(kind="email", email="a@b.org")) == (1, 14)
        assert rules.check_terms(terms(kind="link", max_uses=100, valid_days=90)) == (100, 90)
        for bad, code in [(terms(kind="link", max_uses=0), "bad_uses"),
                          (terms(kind="link", max_uses=101), "bad_uses"),
                          (terms(kind="link", valid_days=0), "bad_days"),
                          (terms(kind="link", valid_days=91), "bad_days"),
                          (terms(kind="email"), "email_required"),
                          (terms(kind="email", email="a@b.org", max_uses=2),
                           "email_is_one_use"),
                          (terms(kind="link", email="a@b.org"), "link_has_no_email"),
                          (terms(kind="sms"), "unknown_kind")]:
            with pytest.raises(Refusal) as info:
                rules.check_terms(bad)
            assert info.value.code == code

    def test_state_precedence(self):
        later = self.NOW + timedelta(days=1)
        state = rules.state
        assert state(now=self.NOW, expires_at=later, uses=0, max_uses=1,
                     revoked=False) == "open"
        assert state(now=later, expires_at=later, uses=0, max_uses=1,
                     revoked=False) == "expired"
        assert state(now=later, expires_at=later, uses=1, max_uses=1,
                     revoked=False) == "used_up"
        assert state(now=later, expires_at=later, uses=1, max_uses=1,
                     revoked=True) == "revoked"

    def test_acceptance_checks_the_address(self):
        common = {"now": self.NOW, "expires_at": self.NOW + timedelta(days=1), "uses": 0,
                  "max_uses": 1, "revoked": False, "inviter_may_still_invite": True}
        rules.check_acceptable(**common, invited_email="Lea@Example.org",
                               person_emails=frozenset({"lea@example.org"}))
        with pytest.raises(Refusal, match="wrong_email"):
            rules.check_acceptable(**common, invited_email="lea@example.org",
                                   person_emails=frozenset({"other@example.org"}))
        with pytest.raises(Refusal, match="inviter_gone"):
            rules.check_acceptable(**{**common, "inviter_may_still_invite": False},
                                   invited_email="", person_emails=frozenset())


# --- The database holds the invariants --------------------------------------------------

class TestConstraints:
    def test_uses_within_bounds_and_expiry_after_creation(self, world):
        invitation, _raw = link(world["coordinator"], world["coop"], max_uses=2)
        for change in ({"uses": 3}, {"max_uses": 0}, {"max_uses": 101},
                       {"expires_at": invitation.created_at},
                       {"email": "x@example.org"}):
            with pytest.raises(IntegrityError), transaction.atomic():
                Invitation.objects.filter(pk=invitation.pk).update(**change)
        invitation.refresh_from_db()
        assert (invitation.uses, invitation.max_uses) == (0, 2)


# --- Who may invite ---------------------------------------------------------------------

class TestWhoMayInvite:
    """Open body: any active member. Closed body: its coordinators. And operators."""

    @pytest.mark.parametrize(("role", "body", "status"), [
        ("outsider", "coop", 403), ("member", "coop", 201), ("coordinator", "coop", 201),
        ("operator", "coop", 201),
        ("outsider", "closed_group", 404), ("member", "closed_group", 403),
        ("coordinator", "closed_group", 201),
        ("member", "open_group", 201),
    ])
    def test_api(self, world, role, body, status):
        if role == "member" and body == "closed_group":
            request = bodies.join_body(person=world["member"], body=world["closed_group"])
            bodies.accept_membership_request(actor=world["coordinator"],
                                             membership_id=request.pk)
        slug = world[body].slug
        response = api_client(world[role]).post(f"/api/bodies/{slug}/invitations",
                                                {"kind": "link", "max_uses": 3})
        if status == 201:
            assert response.status_code == 201, response.content
            data = response.json()
            assert data["invitation"]["max_uses"] == 3
            assert data["invitation"]["state"] == "open"
            assert re.fullmatch(r"http://[^/]+/invitations/[\w-]{40,}/", data["url"])
            assert Invitation.objects.filter(body=world[body]).count() == 1
        else:
            message = {403: "invite people into it", 404: "no body"}[status]
            refused(response, status, contains=message)
            assert not Invitation.objects.exists()

    def test_anonymous(self, world):
        response = api_client(None).post("/api/bodies/cit/invitations", {"kind": "link"})
        refused(response, 401)
        page = client_for(None).get("/bodies/cit/invitations/")
        assert page.status_code == 302 and "/accounts/login/" in page["Location"]
        assert not Invitation.objects.exists()

    def test_pages(self, world):
        assert client_for(world["member"]).get("/bodies/cit/invitations/").status_code == 200
        page_refused(client_for(world["outsider"]).get("/bodies/cit/invitations/"), 403,
                     "Only members of CIT invite people into it.")
        page_refused(client_for(world["member"]).get("/bodies/caisse/invitations/"), 404)
        assert client_for(world["coordinator"]).get(
            "/bodies/caisse/invitations/").status_code == 200

    def test_service_refuses_and_writes_nothing(self, world):
        error = refused_unchanged(PermissionDenied, services.create_invitation, snapshot,
                                  actor=world["outsider"], body=world["coop"], kind="link")
        assert "Only members of CIT" in str(error)
        refused_unchanged(NotFound, services.create_invitation, snapshot,
                          actor=world["outsider"], body=world["closed_group"], kind="link")


# --- Making invitations -------------------------------------------------------------------

class TestMaking:
    def test_link_from_the_page_is_shown_once(self, world):
        client = client_for(world["member"])
        response = client.post("/bodies/cit/invitations/", {
            "kind": "link", "link-max_uses": "5", "link-valid_days": "30"})
        assert response.status_code == 201
        text = response.content.decode()
        raw = re.search(r'value="http://[^/"]+/invitations/([\w-]+)/"', text).group(1)
        invitation = Invitation.objects.get()
        assert invitation.token_hash != raw and raw not in invitation.token_hash
        assert (invitation.max_uses, invitation.kind, invitation.invited_by) == (
            5, "link", world["member"])
        assert invitation.expires_at - invitation.created_at == timedelta(days=30)
        # Only shown once: the list does not hold it.
        assert raw not in client.get("/bodies/cit/invitations/").content.decode()

    @pytest.mark.parametrize(("data", "message"), [
        ({"link-max_uses": "101", "link-valid_days": "14"}, "less than or equal to 100"),
        ({"link-max_uses": "1", "link-valid_days": "91"}, "less than or equal to 90"),
        ({"link-max_uses": "0", "link-valid_days": "14"}, "greater than or equal to 1"),
    ])
    def test_bad_terms_on_the_page(self, world, data, message):
        response = client_for(world["member"]).post("/bodies/cit/invitations/",
                                                    {"kind": "link", **data})
        page_refused(response, 400, message)
        assert not Invitation.objects.exists()

    @pytest.mark.parametrize(("payload", "field", "message"), [
        ({"kind": "link", "max_uses": 101}, "max_uses", "100"),
        ({"kind": "link", "valid_days": 91}, "valid_days", "90"),
        ({"kind": "email"}, "email", "e-mail address of the person"),
        ({"kind": "email", "email": "not-an-address"}, "email", "is not an e-mail address"),
        ({"kind": "email", "email": "a@example.org", "max_uses": 3}, "max_uses",
         "serves once"),
        ({"kind": "link", "email": "a@example.org"}, "email", "leave the e-mail empty"),
    ])
    def test_bad_terms_in_the_api(self, world, payload, field, message):
        response = api_client(world["member"]).post("/api/bodies/cit/invitations", payload)
        status = 422 if field in ("max_uses", "valid_days") and payload.get(
            "kind") == "link" else 400
        body = refused(response, status, contains=message if status == 400 else "")
        if status == 400:
            assert body["field"] == field
        else:
            assert message in response.content.decode()
        assert not Invitation.objects.exists()

    def test_college_must_be_the_bodys(self, world):
        scic_college = world["colleges"][0]
        error = refused_unchanged(DomainError, services.create_invitation, snapshot,
                                  actor=world["coordinator"], body=world["coop"],
                                  kind="link", college=scic_college)
        assert error.field == "college"


# --- By e-mail --------------------------------------------------------------------------

class TestByEmail:
    def test_reaches_the_smtp_server_with_the_link(self, world, mailbox,
                                                   django_capture_on_commit_callbacks):
        client = client_for(world["coordinator"])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/bodies/caisse/invitations/", {
                "kind": "email", "email-email": "Lea@Example.ORG",
                "email-valid_days": "7"})
        assert response.status_code == 302
        [message] = mailbox.wait_for(1)
        assert message["To"] == "Lea@example.org"
        assert message["Subject"] == "Coordinator invites you to join Caisse"
        body = message.get_body(preferencelist=("plain",)).get_content()
        path = re.search(r"https?://[^/\s]+(/invitations/[\w-]+/)", body).group(1)
        page = client_for(None).get(path)
        assert page.status_code == 200
        text = page.content.decode()
        assert "Coordinator invites you to join Caisse" in text
        assert "Secret treasury" not in text  # a closed body's description stays hidden
        assert "Create your account" in text and f"next={path.replace('/', '%2F')}" in text
        invitation = Invitation.objects.get()
        assert (invitation.kind, invitation.email, invitation.max_uses) == (
            "email", "Lea@example.org", 1)

    def test_nothing_sent_when_refused(self, world, mailbox,
                                       django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(world["outsider"]).post("/bodies/cit/invitations/", {
                "kind": "email", "email-email": "x@example.org", "email-valid_days": "7"})
        assert response.status_code == 403
        assert mailbox.snapshot() == []

    def test_only_the_account_with_that_address_accepts(self, world, make_person):
        invitation, raw = services.create_invitation(
            actor=world["coordinator"], body=world["closed_group"], kind="email",
            email=world["member"].email.upper().replace("EXAMPLE.ORG", "example.org"))
        # Another account: refused, nothing written.
        other = make_person("Other")
        bodies.join_body(person=other, body=world["coop"])
        before = snapshot()
        response = client_for(other).post(path_of(raw))
        page_refused(response, 403, "sent to another e-mail address")
        assert snapshot() == before
        # The same address, not confirmed, on another account: refused too.
        other.emailaddress_set.create(email=world["member"].email.upper(), verified=False)
        refused(api_client(other).post(f"/api/invitations/{raw}/accept"), 403,
                contains="another e-mail address")
        assert snapshot() == before
        # The invited person: in.
        response = client_for(world["member"]).post(path_of(raw))
        assert response.status_code == 302
        assert Membership.objects.get(person=world["member"], body=world["closed_group"],
                                      status="active")
        # One use only.
        invitation.refresh_from_db()
        assert invitation.uses == 1


# --- Accepting ----------------------------------------------------------------------------

class TestAccepting:
    def test_by_link_signed_in_into_a_closed_body(self, world):
        invitation, raw = link(world["coordinator"], world["closed_group"], max_uses=2)
        client = client_for(world["member"])
        page = client.get(path_of(raw))
        assert page.status_code == 200
        assert "Join Caisse" in page.content.decode()
        response = client.post(path_of(raw))
        assert response.status_code == 302 and response["Location"] == "/bodies/caisse/"
        membership = Membership.objects.get(person=world["member"],
                                            body=world["closed_group"])
        assert (membership.status, membership.role) == ("active", Role.MEMBER)
        joined = membership.events.get()
        assert joined.actor == world["coordinator"]  # who let them in
        use = InvitationUse.objects.get()
        assert (use.invitation, use.person, use.membership) == (invitation, world["member"],
                                                                membership)
        invitation.refresh_from_db()
        assert invitation.uses == 1
        # The invited person now sees the closed body's page.
        assert "Secret treasury" in client.get("/bodies/caisse/").content.decode()

    def test_sign_up_through_the_invitation_ends_as_a_member(
            self, world, mailbox, django_capture_on_commit_callbacks):
        _invitation, raw = link(world["coordinator"], world["coop"])
        client = client_for(None)
        page = client.get(path_of(raw)).content.decode()
        signup = re.search(r'href="(/accounts/signup/\?next=[^"]+)"', page).group(1)
        assert client.get(signup.replace("&amp;", "&")).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(signup.replace("&amp;", "&"), {
                "email": "nina@example.org", "display_name": "Nina",
                "password1": "un-mot-de-passe-solide",
                "password2": "un-mot-de-passe-solide"})
        assert response.status_code == 302, response.content[:500]
        [message] = mailbox.wait_for(1)
        body = message.get_body(preferencelist=("plain",)).get_content()
        confirm = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", body).group(1)
        response = client.post(confirm)
        assert response.status_code == 302
        assert response["Location"] == path_of(raw)  # back to the invitation
        assert "Join CIT" in client.get(path_of(raw)).content.decode()
        assert client.post(path_of(raw)).status_code == 302
        nina = User.objects.get(email="nina@example.org")
        assert Membership.objects.get(person=nina, body=world["coop"]).status == "active"

    def test_sign_in_link_comes_back(self, world):
        _invitation, raw = link(world["coordinator"], world["coop"])
        page = client_for(None).get(path_of(raw)).content.decode()
        assert f'href="/accounts/login/?next=%2Finvitations%2F{raw}%2F"' in page
        # Accepting while signed out: to the log-in page, coming back here.
        response = client_for(None).post(path_of(raw))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
        refused(api_client(None).post(f"/api/invitations/{raw}/accept"), 401)
        assert not InvitationUse.objects.exists()

    def test_expired_answers_410_and_writes_nothing(self, world, frozen):
        _invitation, raw = link(world["coordinator"], world["coop"], valid_days=3)
        frozen(SUITE_NOW + timedelta(days=3, seconds=1))
        before = snapshot()
        outsider = world["outsider"]
        page_refused(client_for(outsider).get(path_of(raw)), 410, "expired on")
        text = page_refused(client_for(outsider).post(path_of(raw)), 410, "expired")
        assert "Ask the person who invited you for a new invitation." in text
        refused(api_client(outsider).post(f"/api/invitations/{raw}/accept"), 410,
                contains="Ask the person who invited you")
        refused(api_client(None).get(f"/api/invitations/{raw}"), 410, contains="expired")
        assert snapshot() == before

    def test_still_open_just_before_expiry(self, world, frozen):
        _invitation, raw = link(world["coordinator"], world["coop"], valid_days=3)
        frozen(SUITE_NOW + timedelta(days=3, seconds=-5))
        assert api_client(world["outsider"]).post(
            f"/api/invitations/{raw}/accept").status_code == 201

    def test_used_up_answers_410_and_writes_nothing(self, world, make_person):
        _invitation, raw = link(world["coordinator"], world["coop"], max_uses=2)
        first, second, third = (make_person() for _ in range(3))
        for person in (first, second):
            assert api_client(person).post(f"/api/invitations/{raw}/accept").status_code == 201
        before = snapshot()
        refused(api_client(third).post(f"/api/invitations/{raw}/accept"), 410,
                contains="used as many times as it allowed")
        page_refused(client_for(third).post(path_of(raw)), 410, "Ask the person")
        assert snapshot() == before
        assert not Membership.objects.filter(person=third).exists()

    def test_revoked_answers_410(self, world):
        invitation, raw = link(world["coordinator"], world["coop"])
        services.revoke_invitation(actor=world["coordinator"], invitation_id=invitation.pk)
        before = snapshot()
        page_refused(client_for(world["outsider"]).get(path_of(raw)), 410, "withdrawn")
        refused(api_client(world["outsider"]).post(f"/api/invitations/{raw}/accept"), 410,
                contains="withdrawn")
        assert snapshot() == before

    def test_unknown_answers_404(self, world):
        page_refused(client_for(world["outsider"]).get("/invitations/nothing-here/"), 404)
        refused(api_client(world["outsider"]).post("/api/invitations/nothing-here/accept"),
                404, contains="no such invitation")
        refused(api_client(None).get("/api/invitations/nothing-here"), 404)
        with pytest.raises(NotFound):
            services.accept_invitation(person=world["outsider"], token="")

    def test_already_a_member(self, world):
        _invitation, raw = link(world["coordinator"], world["coop"])
        page = client_for(world["member"]).get(path_of(raw)).content.decode()
        assert "You are already a member of CIT." in page
        before = snapshot()
        refused(api_client(world["member"]).post(f"/api/invitations/{raw}/accept"), 409,
                contains="already a member")
        assert snapshot() == before

    def test_answers_a_request_already_waiting(self, world):
        """Someone who asked to join a closed body, then got an invitation: the invitation
        answers the request, it does not stumble on it."""
        waiting = bodies.join_body(person=world["member"], body=world["closed_group"])
        _invitation, raw = link(world["coordinator"], world["closed_group"])
        stints = world["member"].memberships.count()
        response = client_for(world["member"]).post(path_of(raw))
        assert response.status_code == 302
        waiting.refresh_from_db()
        assert waiting.status == "active" and waiting.joined_at is not None
        assert world["member"].memberships.count() == stints  # the same stint, now active
        accepted = waiting.events.order_by("pk").last()
        assert (accepted.kind, accepted.actor) == ("accepted", world["coordinator"])

    def test_inviter_who_left_no_longer_lets_in(self, world):
        _invitation, raw = link(world["member"], world["coop"])
        bodies.leave_body(person=world["member"], body=world["coop"])
        refused(api_client(world["outsider"]).post(f"/api/invitations/{raw}/accept"), 410,
                contains="may no longer invite into CIT")
        assert not Membership.objects.filter(person=world["outsider"]).exists()

    def test_a_group_needs_its_cooperative_first(self, world):
        _invitation, raw = link(world["member"], world["open_group"])
        refused(api_client(world["outsider"]).post(f"/api/invitations/{raw}/accept"), 400,
                contains="Join the cooperative this group belongs to first")
        assert not InvitationUse.objects.exists()

    def test_scic_college_set_or_chosen(self, world, make_person, operator):
        scic, (salaries, usagers, _s) = world["scic"], world["colleges"]
        # The operator founded the SCIC: its first coordinator.
        _i, fixed = link(operator, scic, college=usagers)
        _j, free = link(operator, scic, max_uses=3)
        ana, bea = make_person("Ana"), make_person("Bea")
        # Set by the inviter: no choice on the page, the membership is in it.
        page = client_for(ana).get(path_of(fixed)).content.decode()
        assert "You join in the college “Usagers”." in page and 'name="college"' not in page
        assert client_for(ana).post(path_of(fixed)).status_code == 302
        assert Membership.objects.get(person=ana, body=scic).college == usagers
        # Left to the person: they choose, and must.
        page = client_for(bea).get(path_of(free)).content.decode()
        assert 'name="college"' in page and "<label" in page
        page_refused(client_for(bea).post(path_of(free)), 400, "This field is required")
        assert client_for(bea).post(path_of(free), {"college": salaries.pk}).status_code == 302
        assert Membership.objects.get(person=bea, body=scic).college == salaries
        # Once it serves no more, that is what it says, before asking for the college.
        services.revoke_invitation(actor=operator, invitation_id=_j.pk)
        page_refused(client_for(make_person()).post(path_of(free)), 410, "withdrawn")


# --- The list, and revoking ---------------------------------------------------------------

class TestListAndRevoke:
    def test_coordinators_see_all_members_their_own(self, world, make_person):
        mine, _ = link(world["member"], world["coop"])
        theirs, raw = link(world["coordinator"], world["coop"])
        services.accept_invitation(person=world["outsider"], token=raw)
        listed = api_client(world["member"]).get("/api/bodies/cit/invitations").json()
        assert [i["id"] for i in listed] == [mine.pk]
        listed = api_client(world["coordinator"]).get("/api/bodies/cit/invitations").json()
        assert [i["id"] for i in listed] == [theirs.pk, mine.pk]
        assert listed[0]["state"] == "used_up"
        assert [a["person"] for a in listed[0]["acceptances"]] == ["Outsider"]
        page = client_for(world["coordinator"]).get("/bodies/cit/invitations/")
        text = page.content.decode()
        assert "Outsider came in on" in text and "used up" in text

    def test_list_page_queries_do_not_grow(self, world, make_person,
                                           django_assert_max_num_queries):
        client = client_for(world["coordinator"])
        for _ in range(3):
            _i, raw = link(world["coordinator"], world["coop"], max_uses=5)
            for _ in range(2):
                services.accept_invitation(person=make_person(), token=raw)
        client.get("/bodies/cit/invitations/")
        with django_assert_max_num_queries(14):
            assert client.get("/bodies/cit/invitations/").status_code == 200

    def test_revoke_asks_first(self, world):
        invitation, raw = link(world["member"], world["coop"])
        client = client_for(world["member"])
        url = f"/bodies/cit/invitations/{invitation.pk}/revoke/"
        response = client.post(url)
        assert response.status_code == 200
        assert "Revoke this invitation?" in response.content.decode()
        invitation.refresh_from_db()
        assert invitation.revoked_at is None
        response = client.post(url, {"confirmed": "yes"})
        assert response.status_code == 302
        invitation.refresh_from_db()
        assert invitation.revoked_by == world["member"] and invitation.revoked_at
        # Twice: nothing to revoke.
        refused(api_client(world["member"]).post(
            f"/api/bodies/cit/invitations/{invitation.pk}/revoke"), 409,
            contains="already revoked")

    def test_who_may_revoke(self, world, make_person):
        invitation, _raw = link(world["member"], world["coop"])
        other_member = make_person("Other member")
        bodies.join_body(person=other_member, body=world["coop"])
        url = f"/api/bodies/cit/invitations/{invitation.pk}/revoke"
        refused(api_client(other_member).post(url), 403,
                contains="Only the person who made this invitation")
        refused(api_client(world["outsider"]).post(url), 403)
        refused(api_client(None).post(url), 401)
        refused(api_client(world["coordinator"]).post(
            f"/api/bodies/caisse/invitations/{invitation.pk}/revoke"), 404)
        invitation.refresh_from_db()
        assert invitation.revoked_at is None
        data = api_client(world["coordinator"]).post(url).json()
        assert (data["state"], data["revoked_by"]) == ("revoked", "Coordinator")

    def test_closed_body_invitations_hidden_from_strangers(self, world):
        invitation, _raw = link(world["coordinator"], world["closed_group"])
        url = f"/bodies/caisse/invitations/{invitation.pk}/revoke/"
        page_refused(client_for(world["outsider"]).post(url, {"confirmed": "yes"}), 404)
        refused(api_client(world["outsider"]).get("/api/bodies/caisse/invitations"), 404)
        invitation.refresh_from_db()
        assert invitation.revoked_at is None

    def test_revoke_in_the_service(self, world):
        invitation, _raw = link(world["member"], world["coop"])
        refused_unchanged(PermissionDenied, services.revoke_invitation, snapshot,
                          actor=world["outsider"], invitation_id=invitation.pk)
        refused_unchanged(NotFound, services.revoke_invitation, snapshot,
                          actor=world["member"], invitation_id=invitation.pk + 1000)
        services.revoke_invitation(actor=world["member"], invitation_id=invitation.pk)
        refused_unchanged(Conflict, services.revoke_invitation, snapshot,
                          actor=world["member"], invitation_id=invitation.pk)


# --- API parity ---------------------------------------------------------------------------

def test_api_reads_an_invitation_and_accepts_it(world):
    _invitation, raw = link(world["coordinator"], world["closed_group"])
    data = api_client(None).get(f"/api/invitations/{raw}").json()
    assert data == {"body": "caisse", "body_name": "Caisse", "invited_by": "Coordinator",
                    "college": None, "for_email": False, "expires_at": data["expires_at"],
                    "state": "open"}
    response = api_client(world["member"]).post(f"/api/invitations/{raw}/accept")
    assert response.status_code == 201
    assert response.json()["status"] == "active"


def test_personal_data_holds_invitations_made_and_accepted(world):
    invitation, raw = link(world["coordinator"], world["coop"])
    services.accept_invitation(person=world["outsider"], token=raw)
    made = services.export_personal_data(world["coordinator"])["accounts"]["invitation"]
    assert [row["id"] for row in made] == [invitation.pk]
    assert "token_hash" not in made[0]
    used = services.export_personal_data(world["outsider"])["accounts"]["invitationuse"]
    assert [row["invitation_id"] for row in used] == [invitation.pk]


def test_a_closed_cooperative_by_invitation(world, make_person, operator):
    closed = bodies.create_body(actor=operator, kind=Kind.COOPERATIVE, name="Fermée",
                                slug="fermee", legal_form=LegalForm.SCOP, is_open=False)
    _i, raw = link(operator, closed)
    newcomer = make_person("Newcomer")
    assert client_for(newcomer).post(path_of(raw)).status_code == 302
    assert Membership.objects.get(person=newcomer, body=closed).status == "active"
