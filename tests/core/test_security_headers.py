"""Every answer carries a Content-Security-Policy that refuses inline scripts, a
Permissions-Policy, and, behind a TLS proxy, HSTS; no page of ours needs an inline script."""

import os
import re
import subprocess
import sys

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def test_pages_and_api_carry_the_policies(world):
    client = Client()
    for path in ("/", "/bodies/", "/accounts/login/", "/api/bodies", "/api/docs"):
        response = client.get(path)
        assert response.status_code == 200, path
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], path
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert "camera=()" in response["Permissions-Policy"]
        assert "geolocation=()" in response["Permissions-Policy"]
        assert response["Referrer-Policy"] == "same-origin"


def test_no_page_needs_an_inline_script(world, client):
    client.force_login(world["member"])
    for path in ("/", "/bodies/", "/bodies/cit/", "/decisions/", "/economy/", "/profile/",
                 "/api/docs"):
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert INLINE_SCRIPT.findall(html) == [], path
        assert EVENT_HANDLER.findall(html) == [], path


def test_hsts_only_behind_a_tls_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    client = Client()
    assert client.get("/robots.txt", HTTP_X_FORWARDED_PROTO="https")[
        "Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/robots.txt")


@pytest.mark.parametrize(("behind", "expected"), [("1", "31536000"), ("0", "0")])
def test_settings_turn_hsts_on_with_behind_tls_proxy(behind, expected):
    code = ("import django; from django.conf import settings; django.setup(); "
            "print(settings.SECURE_HSTS_SECONDS)")
    env = {**os.environ, "BEHIND_TLS_PROXY": behind,
           "DJANGO_SETTINGS_MODULE": "autogestion.config.settings"}
    env.pop("HSTS_SECONDS", None)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == expected
