"""Websocket routes; each live capability (the meeting room) adds its consumers here."""

from django.urls import path

from autogestion.core.consumers import PingConsumer

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
]
