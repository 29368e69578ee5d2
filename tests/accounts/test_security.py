"""Safety defaults: Argon2, secure cookies outside debug, rate-limited log-in, CSRF."""

import importlib

import pytest
from django.test import Client

from tests.support.http import client_for


def load_production_settings(monkeypatch, **env):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    import autogestion.config.settings as production

    return importlib.reload(production)


def test_production_defaults(monkeypatch, tmp_path):
    monkeypatch.delenv("DEBUG", raising=False)
    monkeypatch.delenv("SECURE_COOKIES", raising=False)
    settings = load_production_settings(monkeypatch, AUTOGESTION_DATA_DIR=str(tmp_path))
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.DEBUG is False
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE
    # A secret key is generated once and kept, private to the owner.
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == settings.SECRET_KEY
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_database_and_redis_from_the_environment(monkeypatch, tmp_path):
    settings = load_production_settings(
        monkeypatch, AUTOGESTION_DATA_DIR=str(tmp_path),
        DATABASE_URL="postgres://coop:secret@db.example:5432/autogestion",
        REDIS_URL="redis://cache.example:6379/1")
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings.DATABASES["default"]["HOST"] == "db.example"
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == \
        "channels_redis.core.RedisChannelLayer"
    assert settings.CACHES["default"]["LOCATION"] == "redis://cache.example:6379/1"


@pytest.mark.django_db
def test_login_is_rate_limited(make_person):
    person = make_person()
    client = client_for(None)
    pages = [client.post("/accounts/login/", {"login": person.email,
                                              "password": "wrong"}).content.decode()
             for _ in range(6)]
    limited = "Too many failed login attempts"
    assert limited not in pages[0]
    assert limited in pages[-1]
    # Even the right password now waits out the limit.
    right = client.post("/accounts/login/", {"login": person.email, "password": "pw-secret-123"})
    assert limited in right.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_forms_need_csrf(make_person):
    person = make_person()
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    assert client.post("/profile/", {"display_name": "x", "language": "fr"}).status_code == 403
