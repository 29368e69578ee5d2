"""Issue #11, accounts: the admin signs in through the site's log-in (TOTP, rate limits),
the rate-limited address is the one a trusted proxy saw, API tokens have a scope and die
with the password, passwords are checked for strength and against breached lists, and a
403 is one line in the log."""

import asyncio
import importlib
import logging
import re
import secrets
import time
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from allauth.mfa.totp.internal import auth as totp
from asgiref.sync import async_to_sync
from django.core import mail
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from autogestion.accounts import services
from autogestion.accounts.models import ApiToken, User
from tests.support.http import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate limits live in the cache, which outlives a test: start each one afresh."""
    cache.clear()

PASSWORD = "pw-secret-123"  # make_person's
WRONG = "not-the-password"
TOO_MANY = "Too many failed login attempts"
MISMATCH = "The email address and/or password you specified are not correct."


def browser(**extra) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en", **extra)


def totp_code(secret: str) -> str:
    return totp.format_hotp_value(totp.hotp_value(secret, int(time.time()) // 30))


def log_in(client: Client, email: str, password: str, **extra):
    return client.post("/accounts/login/", {"login": email, "password": password}, **extra)


def later(**delta) -> time_machine.travel:
    """The suite's clock, moved on by `delta` and still ticking."""
    return time_machine.travel(timezone.now() + timedelta(**delta), tick=True)


# 1. The admin's log-in is the site's log-in -------------------------------------------

class TestAdminLogIn:
    def test_the_admin_sends_to_the_site_login(self):
        client = browser()
        to_admin_login = client.get("/admin/")
        assert to_admin_login.status_code == 302
        assert to_admin_login["Location"] == "/admin/login/?next=/admin/"
        to_site_login = client.get(to_admin_login["Location"])
        assert to_site_login.status_code == 302
        assert to_site_login["Location"] == "/accounts/login/?next=%2Fadmin%2F"

    def test_a_password_alone_opens_no_admin_session_when_totp_is_on(self, operator):
        secret = totp.generate_totp_secret()
        totp.TOTP.activate(operator, secret)
        client = browser()
        side_door = client.post("/admin/login/?next=/admin/",
                                {"username": operator.email, "password": PASSWORD})
        assert side_door.status_code == 302
        assert side_door["Location"] == "/accounts/login/?next=%2Fadmin%2F"
        assert "_auth_user_id" not in client.session
        assert client.get("/admin/").status_code == 302

        # The site's log-in asks for the code before opening the admin.
        step = client.post("/accounts/login/?next=/admin/",
                           {"login": operator.email, "password": PASSWORD, "next": "/admin/"})
        assert step.status_code == 302
        assert step["Location"] == "/accounts/2fa/authenticate/"
        assert "_auth_user_id" not in client.session
        assert client.get("/admin/").status_code == 302
        done = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
        assert done.status_code == 302 and done["Location"] == "/admin/"
        assert client.get("/admin/").status_code == 200

    def test_a_signed_in_person_who_is_not_staff_is_refused(self, make_person):
        assert client_for(make_person()).get("/admin/login/").status_code == 403

    def test_forty_wrong_passwords_then_the_right_one(self, operator):
        """What django-allauth does with ACCOUNT_RATE_LIMITS: from the 6th failure on one
        account the form answers "too many failed attempts" (5 per 5 minutes per account),
        from the 31st log-in from one address in a minute the answer is 429 (30 per minute
        per address). The right password then waits out both windows."""
        client = browser()
        answers = [log_in(client, operator.email, WRONG) for _ in range(40)]
        assert [a.status_code for a in answers] == [200] * 30 + [429] * 10
        assert all(MISMATCH in a.content.decode() for a in answers[:5])
        assert all(TOO_MANY in a.content.decode() for a in answers[5:30])

        assert log_in(client, operator.email, PASSWORD).status_code == 429
        with later(seconds=61):
            still = log_in(client, operator.email, PASSWORD)
            assert still.status_code == 200 and TOO_MANY in still.content.decode()
            assert "_auth_user_id" not in client.session
        with later(minutes=5, seconds=5):
            opened = client.post("/accounts/login/?next=/admin/", {
                "login": operator.email, "password": PASSWORD, "next": "/admin/"})
            assert opened.status_code == 302 and opened["Location"] == "/admin/"
            assert client.get("/admin/").status_code == 200


# 2. Which address is rate-limited -------------------------------------------------------

def spray(client: Client, count: int, forwarded_for) -> list[int]:
    """`count` failed log-ins, each on another account, each claiming another address."""
    return [log_in(client, f"nobody{n}@example.org", WRONG,
                   HTTP_X_FORWARDED_FOR=forwarded_for(n)).status_code
            for n in range(count)]


class TestClientAddress:
    def test_a_forwarded_for_header_from_the_client_is_ignored(self):
        statuses = spray(browser(), 31, lambda n: f"198.51.100.{n}")
        assert statuses == [200] * 30 + [429]

    def test_behind_one_proxy_the_address_it_saw_is_limited(self, settings):
        settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
        # The client makes up the left part; the proxy appends the address it saw.
        statuses = spray(browser(), 31, lambda n: f"198.51.100.{n}, 203.0.113.7")
        assert statuses == [200] * 30 + [429]
        another = log_in(browser(), "someone@example.org", WRONG,
                         HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.8")
        assert another.status_code == 200

    def test_one_account_is_limited_whatever_the_addresses(self, settings, make_person):
        settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
        person = make_person()
        client = browser()
        answers = [log_in(client, person.email, WRONG,
                          HTTP_X_FORWARDED_FOR=f"203.0.113.{n}") for n in range(6)]
        assert [MISMATCH in a.content.decode() for a in answers] == [True] * 5 + [False]
        assert TOO_MANY in answers[-1].content.decode()
        right = log_in(client, person.email.upper(), PASSWORD,
                       HTTP_X_FORWARDED_FOR="203.0.113.99")
        assert TOO_MANY in right.content.decode()
        assert "_auth_user_id" not in client.session

    def test_changing_the_host_port_does_not_reset_an_accounts_limit(self, make_person):
        person = make_person()
        client = browser()
        answers = [log_in(client, person.email, WRONG, HTTP_HOST=f"testserver:{8000 + n}")
                   for n in range(6)]
        assert TOO_MANY in answers[-1].content.decode()
        right = log_in(client, person.email, PASSWORD, HTTP_HOST="testserver:9999")
        assert TOO_MANY in right.content.decode()
        assert "_auth_user_id" not in client.session

    def test_the_number_of_trusted_proxies_comes_from_the_environment(self, monkeypatch,
                                                                      tmp_path):
        import autogestion.config.settings as production

        monkeypatch.setenv("AUTOGESTION_DATA_DIR", str(tmp_path))
        monkeypatch.delenv("TRUSTED_PROXY_COUNT", raising=False)
        assert importlib.reload(production).ALLAUTH_TRUSTED_PROXY_COUNT == 0
        monkeypatch.setenv("TRUSTED_PROXY_COUNT", "1")
        assert importlib.reload(production).ALLAUTH_TRUSTED_PROXY_COUNT == 1


def served_application(monkeypatch):
    """The ASGI application as `autogestion serve` hands it to uvicorn, uvicorn's own
    middleware included: the options `serve` passes, read from its call."""
    import uvicorn

    from autogestion.config import cli

    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    options = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: options.update(app=app, **kwargs))
    cli.serve([])
    config = uvicorn.Config(**options, log_config=None)
    config.load()
    return config.loaded_app


def post_through(app, path: str, fields: dict, headers: dict) -> int:
    """One POST to `app` from 127.0.0.1, with a CSRF pair of our own making; its status."""
    csrf = secrets.token_hex(16)
    body = urlencode({**fields, "csrfmiddlewaretoken": csrf}).encode()
    headers = {"host": "127.0.0.1", "cookie": f"csrftoken={csrf}", "accept-language": "en",
               "content-type": "application/x-www-form-urlencoded",
               "content-length": str(len(body)), **headers}
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "client": ("127.0.0.1", 50000),
             "server": ("127.0.0.1", 8000),
             "headers": [(k.encode(), v.encode()) for k, v in headers.items()]}
    incoming = [{"type": "http.request", "body": body, "more_body": False}]
    sent = []

    async def receive():
        if incoming:
            return incoming.pop(0)
        await asyncio.Event().wait()  # the client stays until the answer is sent


    async def send(message):
        sent.append(message)

    async_to_sync(app)(scope, receive, send)
    return sent[0]["status"]


def test_rotating_forwarded_for_through_the_server_still_hits_429(monkeypatch):
    """A client reaching the server from an address uvicorn trusts (127.0.0.1 by default)
    used to choose its own address with X-Forwarded-For, and never met the limit."""
    app = served_application(monkeypatch)
    # As Django's test client does: no connection closing between these requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        statuses = [post_through(app, "/accounts/login/",
                                 {"login": f"nobody{n}@example.org", "password": WRONG},
                                 {"x-forwarded-for": f"198.51.100.{n}"})
                    for n in range(31)]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert statuses == [200] * 30 + [429]


# 3. API tokens: scope, revocation with the password, last use -------------------------

def make_token(person, scope: str) -> str:
    return services.create_api_token(person=person, name=f"{scope} script", scope=scope)[1]


def api(raw: str) -> Client:
    return browser(HTTP_AUTHORIZATION=f"Bearer {raw}")


def active_tokens(person) -> int:
    return ApiToken.objects.filter(owner=person, revoked_at__isnull=True).count()


READ_ONLY_REFUSAL = ("This API token is read-only: it can read but not change anything. "
                     "Create a token with the \u201cread and write\u201d scope on your "
                     "profile page to do this.")


class TestTokenScope:
    def test_chosen_on_the_profile_page(self, make_person):
        person = make_person()
        client = client_for(person)
        made = client.post("/profile/tokens/", {"name": "dashboard", "scope": "read"})
        assert made.status_code == 201
        assert ApiToken.objects.get(owner=person).scope == "read"
        page = client.get("/profile/").content.decode()
        listed = page[page.index('id="my-tokens"'):]
        listed = listed[:listed.index("</ul>")]
        assert re.search(r"dashboard\s*<span class=\"badge\">read only</span>", listed)
        assert "Changing or resetting your password revokes all your API tokens." in page

    def test_a_scope_must_be_chosen(self, make_person):
        person = make_person()
        refused = client_for(person).post("/profile/tokens/", {"name": "x", "scope": "admin"})
        assert refused.status_code == 400
        assert not ApiToken.objects.filter(owner=person).exists()

    def test_read_only_token_reads_and_is_refused_every_write(self, world):
        member = world["member"]
        client = api(make_token(member, "read"))
        assert client.get("/api/me").json()["email"] == member.email
        assert client.get("/api/bodies/cit").status_code == 200
        writes = [
            client.post("/api/bodies/cit/progress", {"text": "x"},
                        content_type="application/json"),
            client.patch("/api/me", {"phone": "0102"}, content_type="application/json"),
            client.post("/api/bodies/cit/invitations", {"kind": "link"},
                        content_type="application/json"),
            client.delete(f"/api/me/tokens/{ApiToken.objects.get(owner=member).pk}"),
            client.post("/api/me/tokens", {"name": "more", "scope": "full"},
                        content_type="application/json"),
        ]
        assert [w.status_code for w in writes] == [403] * 5
        assert {w.json()["detail"] for w in writes} == {READ_ONLY_REFUSAL}
        member.refresh_from_db()
        assert member.phone == ""
        assert active_tokens(member) == 1

    def test_full_token_writes(self, world):
        client = api(make_token(world["member"], "full"))
        assert client.post("/api/bodies/cit/progress", {"text": "via token"},
                           content_type="application/json").status_code == 201

    @pytest.mark.django_db(transaction=True)
    def test_existing_tokens_become_full(self):
        """Tokens made before scopes existed keep the power they had."""
        before = [("accounts", "0002_user_email_reminders")]
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        person = old.get_model("accounts", "User").objects.create(
            username="person-old", email="old@example.org")
        old.get_model("accounts", "ApiToken").objects.create(
            owner=person, name="old script", key_hash="0" * 64, hint="ag_old")
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        assert ApiToken.objects.get(name="old script").scope == "full"


class TestTokensThroughTheApi:
    def test_create_list_revoke(self, make_person):
        person = make_person()
        client = client_for(person)
        made = client.post("/api/me/tokens", {"name": "phone app", "scope": "read"},
                           content_type="application/json")
        assert made.status_code == 201
        body = made.json()
        assert body["secret"].startswith("ag_") and body["token"]["scope"] == "read"
        listed = client.get("/api/me/tokens").json()
        assert [(t["name"], t["scope"], t["last_used_at"]) for t in listed] == [
            ("phone app", "read", None)]
        api(body["secret"]).get("/api/me")
        assert client.get("/api/me/tokens").json()[0]["last_used_at"] is not None
        revoked = client.delete(f"/api/me/tokens/{body['token']['id']}")
        assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
        assert api(body["secret"]).get("/api/me").status_code == 401

    def test_bad_scope_is_refused(self, make_person):
        client = client_for(make_person())
        refused = client.post("/api/me/tokens", {"name": "x", "scope": "root"},
                              content_type="application/json")
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "scope"


class TestTokensDieWithThePassword:
    def test_password_change(self, make_person):
        person = make_person()
        raws = [make_token(person, "full"), make_token(person, "read")]
        client = browser()
        log_in(client, person.email, PASSWORD)
        changed = client.post("/accounts/password/change/", {
            "oldpassword": PASSWORD, "password1": "quatre-saisons-au-jardin",
            "password2": "quatre-saisons-au-jardin"}, follow=True)
        assert changed.status_code == 200
        assert "Your 2 API tokens were revoked with your old password." in \
            changed.content.decode()
        assert active_tokens(person) == 0
        assert [api(raw).get("/api/me").status_code for raw in raws] == [401, 401]

    def test_password_reset(self, make_person, django_capture_on_commit_callbacks):
        person = make_person()
        raw = make_token(person, "full")
        client = browser()
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/accounts/password/reset/", {"email": person.email})
        [message] = mail.outbox
        link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)",
                         message.body).group(1)
        form_page = client.get(link, follow=True)
        done = client.post(form_page.redirect_chain[-1][0], {
            "password1": "quatre-saisons-au-jardin", "password2": "quatre-saisons-au-jardin"})
        assert done.status_code == 302
        assert active_tokens(person) == 0
        assert api(raw).get("/api/me").status_code == 401

    def test_password_set_by_an_operator_in_the_admin(self, make_person, operator):
        person = make_person()
        make_token(person, "full")
        answer = client_for(operator).post(f"/admin/accounts/user/{person.pk}/password/", {
            "password1": "quatre-saisons-au-jardin", "password2": "quatre-saisons-au-jardin",
            "usable_password": "true"})
        assert answer.status_code == 302
        assert active_tokens(person) == 0

    def test_logging_in_keeps_the_tokens(self, make_person):
        person = make_person()
        make_token(person, "full")
        log_in(browser(), person.email, PASSWORD)
        assert active_tokens(person) == 1


class TestLastUse:
    def test_written_at_most_once_a_minute_and_shown(self, make_person):
        person = make_person()
        raw = make_token(person, "read")
        token = ApiToken.objects.get(owner=person)
        assert token.last_used_at is None
        assert "never used" in client_for(person).get("/profile/").content.decode()

        api(raw).get("/api/me")
        token.refresh_from_db()
        first = token.last_used_at
        assert first is not None
        with later(seconds=30), CaptureQueriesContext(connection) as queries:
            api(raw).get("/api/me")
        assert not [q for q in queries if "UPDATE" in q["sql"] and "api" in q["sql"]]
        token.refresh_from_db()
        assert token.last_used_at == first
        with later(seconds=61):
            api(raw).get("/api/me")
        token.refresh_from_db()
        assert token.last_used_at > first
        page = client_for(person).get("/profile/").content.decode()
        assert f"last used {timezone.localtime(token.last_used_at):%m/%d/%Y}" in page


# 4. Password strength and breached passwords ------------------------------------------

def sign_up(password: str, email: str = "lea.martin@example.org"):
    return browser().post("/accounts/signup/", {"email": email, "display_name": "Léa",
                                                "password1": password, "password2": password})


class TestPasswords:
    def test_a_guessable_password_is_refused_with_what_to_do(self):
        refused = sign_up("stranger1")
        assert refused.status_code == 200
        page = refused.content.decode()
        assert "This password is easy to guess (it is a common password, or close to one)" \
            in page
        assert "Use three or four uncommon words" in page
        assert not User.objects.filter(email="lea.martin@example.org").exists()

    def test_a_long_passphrase_is_accepted(self, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            accepted = sign_up("trois pommes vertes sous la pluie d'automne")
        assert accepted.status_code == 302
        assert User.objects.filter(email="lea.martin@example.org").exists()

    def test_a_breached_password_is_refused_even_when_it_looks_strong(self):
        refused = sign_up("Chromatosphere")
        assert refused.status_code == 200
        assert "This password appears in lists of passwords leaked from other sites" in \
            refused.content.decode()

    def test_the_persons_address_and_the_sites_name_count_against_it(self):
        """Both score 4 for zxcvbn alone."""
        email = "zephyrine.quillard@example.org"
        own = sign_up("Quillard2026", email=email).content.decode()
        assert "This password is easy to guess (it contains your e-mail address or your " \
            "name)." in own
        site = sign_up("autogestion2026!", email=email).content.decode()
        assert "This password is easy to guess (it contains the name of this site)." in site

    def test_a_very_long_passphrase_is_checked_without_error(self,
                                                             django_capture_on_commit_callbacks):
        passphrase = "la coopérative intégrale tient son agora le dernier samedi " * 3
        with django_capture_on_commit_callbacks(execute=True):
            assert sign_up(passphrase).status_code == 302

    def test_the_suites_own_passwords_pass(self):
        from django.contrib.auth.password_validation import validate_password

        for password in ("un-mot-de-passe-solide", "Tangerine-Lighthouse-4821"):
            validate_password(password, User(email="someone@example.org"))


# 5. A 403 is one line in the log -------------------------------------------------------

def test_a_403_logs_one_line_without_a_traceback(world, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        answer = client_for(world["member"]).get("/bodies/cit/edit/")
    assert answer.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert [(r.levelname, r.getMessage(), r.exc_info) for r in records] == [
        ("WARNING", "Forbidden (Permission denied): /bodies/cit/edit/", None)]
