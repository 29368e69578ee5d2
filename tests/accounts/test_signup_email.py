"""Sign-up sends its verification e-mail through the background task queue and a real
SMTP server; the new person keeps the language they signed up in."""

import re

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from autogestion.accounts.models import User
from tests.support.http import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_tasks(settings):
    """The production task backend: e-mails wait in the database for the worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)  # the worker closes its database connection
def test_verification_mail_goes_through_the_worker(mailbox, database_tasks):
    client = client_for(None)
    response = client.post("/accounts/signup/", {"email": "lea@example.org",
                                                 "display_name": "Léa",
                                                 "password1": "un-mot-de-passe-solide",
                                                 "password2": "un-mot-de-passe-solide"})
    assert response.status_code == 302
    assert mailbox.snapshot() == []  # nothing sent from the request itself
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    call_command("db_worker", "--batch", "--no-startup-delay")
    [message] = mailbox.wait_for(1)
    assert message["To"] == "lea@example.org"
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", body).group(1)
    assert client.post(link).status_code == 302
    person = User.objects.get(email="lea@example.org")
    assert person.emailaddress_set.get().verified
    assert person.language == "en"


def test_french_browser_gets_a_french_account(mailbox, django_capture_on_commit_callbacks):
    client = client_for(None, "fr")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", {"email": "jules@example.org",
                                          "display_name": "Jules",
                                          "password1": "un-mot-de-passe-solide",
                                          "password2": "un-mot-de-passe-solide"})
    assert User.objects.get(email="jules@example.org").language == "fr"
    [message] = mailbox.wait_for(1)
    assert "Confirmez votre adresse e-mail" in message["Subject"]


def test_several_people_sign_up_through_the_form(mailbox, django_capture_on_commit_callbacks):
    """Every sign-up after the first used to fail with 500 (an empty, unique username)."""
    for name in ("ana", "bea", "cleo"):
        client = client_for(None)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/accounts/signup/", {
                "email": f"{name}@example.org", "display_name": f"  {name.title()}  ",
                "password1": "un-mot-de-passe-solide", "password2": "un-mot-de-passe-solide"})
        assert response.status_code == 302, response.content[:500]
    people = User.objects.filter(email__endswith="@example.org").order_by("email")
    assert [p.email for p in people] == ["ana@example.org", "bea@example.org",
                                         "cleo@example.org"]
    assert len({p.username for p in people}) == 3
    assert all(p.username.startswith("person-") for p in people)
    # The name others see is the one each gave, tidied; never "Member #n".
    assert [p.public_name for p in people] == ["Ana", "Bea", "Cleo"]
    mailbox.wait_for(3)


@pytest.mark.parametrize("name", ["", "   "])
def test_sign_up_asks_for_the_name_others_will_see(name):
    client = client_for(None)
    response = client.post("/accounts/signup/", {
        "email": "nameless@example.org", "display_name": name,
        "password1": "un-mot-de-passe-solide", "password2": "un-mot-de-passe-solide"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your name, as others will see it" in page
    assert "This field is required." in page
    assert not User.objects.filter(email="nameless@example.org").exists()
