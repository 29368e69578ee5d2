"""The room's websocket: every screen in a meeting joins one channel group, receives each
new snapshot with its own place in the list, and may send actions. The server checks
every action (services.act), whatever the page shows."""

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from autogestion.cooperatives.permissions import forget_memberships
from autogestion.core.errors import DomainError

from . import permissions, queries, services
from .models import Room

_SERIALISED: dict = {}


class RoomConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.room_id = int(self.scope["url_route"]["kwargs"]["room_id"])
        user = self.scope.get("user")
        allowed, self.group = await self._join(user)
        if not allowed:
            await self.close(code=4403)
            return
        self.who = f"p:{user.pk}" if user is not None and user.is_authenticated else None
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json(self._personal(await self._snapshot()))

    @database_sync_to_async
    def _join(self, user):
        room = (Room.objects.select_related("meeting__series__body")
                .filter(pk=self.room_id).first())
        if room is None or not permissions.can_view_room(user, room):
            return False, None
        return True, room.group_name

    @database_sync_to_async
    def _snapshot(self):
        return queries.snapshot(Room.objects.select_related("current_item").get(pk=self.room_id))

    async def disconnect(self, code):
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        """{"action": "raise"|"lower"|"next"|..., "who": ..., "kind": ..., "name": ...,
        "id": <echoed back>} or {"gesture": kind, "hold": bool}."""
        reply = {"id": content.get("id")}
        try:
            await self._perform(content)
            reply["ok"] = True
        except DomainError as exc:
            reply.update(ok=False, error=str(exc.message), status=exc.status)
        await self.send_json({"reply": reply})

    @database_sync_to_async
    def _perform(self, content):
        user = self.scope.get("user")
        # The connection lasts the whole meeting: judge each action on today's
        # memberships, not on those cached when the page opened.
        forget_memberships(user)
        if "gesture" in content:
            return services.make_gesture(person=user, room_id=self.room_id,
                                         kind=str(content["gesture"]),
                                         hold=bool(content.get("hold")))
        return services.act(actor=user, room_id=self.room_id,
                            action=str(content.get("action", "")),
                            who=str(content.get("who", "")),
                            kind=str(content.get("kind") or "speak"),
                            name=str(content.get("name", "")))

    async def dispatch(self, message):
        # A room update touches no database: skip Channels' per-message hop to the
        # database thread (it serialises hundreds of screens behind each other).
        if message.get("type") == "room.update":
            await self.room_update(message)
            return
        await super().dispatch(message)

    async def room_update(self, event):
        # The shared part is serialised once per process, not once per screen.
        data = event["data"]
        key = (data["room"], data["version"])
        cached = _SERIALISED.get(key)
        if cached is None:
            _SERIALISED.clear()  # only the latest snapshot is ever asked for again
            cached = _SERIALISED[key] = json.dumps(data)
        place = queries.place_from_snapshot(data, self.who) if self.who else None
        me, mine = json.dumps(self.who), json.dumps(place)
        await self.send(text_data=f'{{"state": {cached}, "me": {me}, "place": {mine}}}')

    def _personal(self, data: dict) -> dict:
        place = queries.place_from_snapshot(data, self.who) if self.who else None
        return {"state": data, "me": self.who, "place": place}
