"""A database outage answers 503 with Retry-After (JSON on the API, a short page
elsewhere), never a 500, whether it is met by a view, by the session or by the
signed-in person's lookup.

The outage is real: for the length of the request the default connection points at a
PostgreSQL port nothing listens on, or at an SQLite file in a directory that does not
exist. Nothing is mocked."""

import copy
import socket
from contextlib import contextmanager

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client

from autogestion.accounts.services import create_api_token
from autogestion.core.outage import RETRY_AFTER_SECONDS

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def database_down(tmp_path, pool: dict | None = None):
    """The default connection, for the block, reaches a database that is not there
    (through psycopg's pool when `pool` gives its options)."""
    real = connections[DEFAULT_DB_ALIAS]
    settings = copy.deepcopy(real.settings_dict)
    if real.vendor == "postgresql":
        options = {k: v for k, v in settings.get("OPTIONS", {}).items() if k != "pool"}
        options["connect_timeout"] = 2
        if pool:
            options["pool"] = pool
        settings.update(HOST="127.0.0.1", PORT=str(_closed_port()), OPTIONS=options)
    else:
        settings["NAME"] = str(tmp_path / "no such directory" / "autogestion.sqlite3")
    down = real.__class__(settings, DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = down
    try:
        yield
    finally:
        down.close()
        if pool:
            down.close_pool()
        connections[DEFAULT_DB_ALIAS] = real


def _client(person=None) -> Client:
    # Django reports the exceptions it turns into responses; the test client would
    # raise them again instead of showing the answer the browser gets.
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    if person is not None:
        client.force_login(person)
    return client


def _assert_api_outage(response):
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.json() == {"detail": "The database cannot be reached for the moment; "
                                         "try again in 30 seconds."}


def _assert_page_outage(response):
    assert response.status_code == 503
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    page = response.content.decode()
    assert "<h1>Back in a moment</h1>" in page
    assert "please try again in 30 seconds." in page


def test_anonymous_api_call(world, tmp_path):
    client = _client()
    with database_down(tmp_path):
        _assert_api_outage(client.get("/api/bodies"))


def test_api_call_with_a_session(world, tmp_path):
    # The session and the person are read by middleware before the API's view runs.
    client = _client(world["member"])
    with database_down(tmp_path):
        _assert_api_outage(client.get("/api/me"))


def test_api_call_with_a_token(world, tmp_path):
    _, raw = create_api_token(person=world["member"], name="outage")
    client = _client()
    with database_down(tmp_path):
        _assert_api_outage(client.post("/api/bodies/cit/progress", {"text": "hello"},
                                       content_type="application/json",
                                       headers={"Authorization": f"Bearer {raw}"}))


def test_anonymous_page(world, tmp_path):
    client = _client()
    with database_down(tmp_path):
        _assert_page_outage(client.get("/bodies/"))


def test_page_with_a_session(world, tmp_path):
    client = _client(world["coordinator"])
    with database_down(tmp_path):
        _assert_page_outage(client.get("/bodies/cit/"))
        _assert_page_outage(client.post("/bodies/cit/progress/", {"text": "hello"}))


def test_the_page_speaks_the_browsers_language(world, tmp_path):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="fr")
    with database_down(tmp_path):
        response = client.get("/")
    assert response.status_code == 503
    assert '<html lang="fr">' in response.content.decode()


@pytest.mark.postgres
def test_a_pool_that_times_out_is_an_outage(world, tmp_path, caplog):
    # DATABASE_POOL=1: psycopg's pool answers PoolTimeout when no connection comes.
    client = _client(world["member"])
    with database_down(tmp_path, pool={"min_size": 0, "max_size": 1, "timeout": 1}):
        _assert_api_outage(client.get("/api/me"))
        _assert_page_outage(client.get("/bodies/"))
    assert "couldn't get a connection after 1.00 sec" in caplog.text


def test_healthz_says_unavailable(world, tmp_path):
    client = _client()
    with database_down(tmp_path):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
    assert response["Retry-After"] == "30"


def test_back_to_normal_once_the_database_answers(world, tmp_path):
    client = _client(world["member"])
    with database_down(tmp_path):
        _assert_api_outage(client.get("/api/me"))
    assert client.get("/api/me").status_code == 200
