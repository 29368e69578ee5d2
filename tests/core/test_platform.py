"""The platform around the capabilities: health, the command line, the demo, ASGI and
websockets, Redis when configured."""

import asyncio
import os
import subprocess
import sys

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.core.management import CommandError, call_command
from django.test import Client

from autogestion.cooperatives.demo import demo_exists
from autogestion.cooperatives.models import Body, Membership

REDIS_URL = os.environ.get("REDIS_URL", "")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="skipped: no Redis (REDIS_URL is not set)")


@pytest.mark.django_db
def test_healthz_answers_when_the_database_does():
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json()["database"] == "ok"


@pytest.mark.django_db
def test_demo_loads_once_and_refuses_to_overwrite(capsys):
    call_command("demo")
    assert demo_exists()
    cit = Body.objects.get(slug="cit")
    assert cit.parent.kind == "network" and cit.parent.parent.kind == "network"
    groups = Body.objects.descendants_of(cit).groups()
    assert {"accueil", "foire-cuisa", "monnaie-oseille", "comite-editorial",
            "recherche-local"} <= set(groups.values_list("slug", flat=True))
    assert groups.filter(is_open=False).exists()
    assert Membership.objects.filter(body=cit, status="active").count() >= 20
    for group in groups:
        assert Membership.objects.filter(body=group, status="active",
                                         role="coordinator").exists()
    scic = Body.objects.get(legal_form="scic")
    assert scic.colleges.count() == 3
    with pytest.raises(CommandError, match="already loaded"):
        call_command("demo")
    call_command("demo", "--if-empty")  # prints the accounts, changes nothing
    assert "autogestion-demo" in capsys.readouterr().out
    assert Body.objects.filter(slug="cit").count() == 1


@pytest.mark.django_db
def test_demo_refuses_a_database_with_other_data(world):
    with pytest.raises(CommandError, match="refusing"):
        call_command("demo")
    assert not demo_exists()


def test_command_line_lists_django_commands():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings_test"}
    result = subprocess.run([sys.executable, "-m", "autogestion", "help"], capture_output=True,
                            text=True, env=env, timeout=60, check=False)
    assert result.returncode == 0
    for command in ("migrate", "demo", "createsuperuser", "db_worker", "shell"):
        assert command in result.stdout


@pytest.mark.django_db
def test_websockets_pass_through_the_asgi_application():
    from autogestion.config.asgi import application

    async def echo(origin: bytes):
        communicator = WebsocketCommunicator(application, "/ws/ping/",
                                             headers=[(b"origin", origin)])
        connected, _ = await communicator.connect()
        if not connected:
            return None
        await communicator.send_json_to({"hello": "cooperative"})
        answer = await communicator.receive_json_from()
        await communicator.disconnect()
        return answer

    assert async_to_sync(echo)(b"http://127.0.0.1") == {"hello": "cooperative"}
    # A page of another site cannot open a websocket on ours.
    assert async_to_sync(echo)(b"http://evil.example") is None


@needs_redis
def test_redis_cache_and_channel_layer(settings):
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = RedisCache(REDIS_URL, {})
    cache.set("autogestion-test", 42, 10)
    assert cache.get("autogestion-test") == 42
    assert caches is not None
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                                           "CONFIG": {"hosts": [REDIS_URL]}}}
    async def roundtrip():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add("autogestion-test", channel)
        await layer.group_send("autogestion-test", {"type": "hello", "n": 1})
        message = await asyncio.wait_for(layer.receive(channel), 5)
        await layer.group_discard("autogestion-test", channel)
        return message

    assert async_to_sync(roundtrip)() == {"type": "hello", "n": 1}


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url", "data"), [
    ("get", "/api/bodies/a%00b", None),
    ("get", "/bodies/?q=a%00b", None),
    ("post", "/api/bodies/cit/progress", '{"text": "a\\u0000b"}'),
])
def test_nul_characters_are_refused_not_crashed_on(world, method, url, data):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world["member"])
    kwargs = {"content_type": "application/json", "data": data} if data else {}
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
