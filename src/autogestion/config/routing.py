"""Websocket routes; each live capability (the meeting room) adds its consumers here."""

from django.urls import path

from autogestion.core.consumers import PingConsumer
from autogestion.facilitation.consumers import RoomConsumer

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
    path("ws/rooms/<int:room_id>/", RoomConsumer.as_asgi()),
]
