"""Optional two-factor authentication (TOTP) through django-allauth's MFA."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value

from tests.support.http import client_for

pytestmark = pytest.mark.django_db


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_activate_totp_then_log_in_with_a_code(make_person):
    person = make_person()
    client = client_for(None)
    login = {"login": person.email, "password": "pw-secret-123"}
    assert client.post("/accounts/login/", login).status_code == 302

    # Changing security settings asks for the password again.
    if client.get("/accounts/2fa/totp/activate/").status_code == 302:
        client.post("/accounts/reauthenticate/", {"password": "pw-secret-123"})
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert wrong.status_code == 200 and not Authenticator.objects.filter(user=person).exists()
    assert client.post("/accounts/2fa/totp/activate/",
                       {"code": current_code(secret)}).status_code == 302
    assert Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()

    client.post("/accounts/logout/")
    second_step = client.post("/accounts/login/", login)
    assert second_step.status_code == 302
    assert second_step["Location"].startswith("/accounts/2fa/authenticate")
    assert "_auth_user_id" not in client.session  # the password alone is not enough
    refused = client.post("/accounts/2fa/authenticate/", {"code": "123456"})
    assert "_auth_user_id" not in client.session, refused.status_code
    client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
    assert str(client.session["_auth_user_id"]) == str(person.pk)
