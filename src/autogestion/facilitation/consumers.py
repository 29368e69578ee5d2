"""The room's websocket, `/ws/rooms/<room id>/`: every screen in a meeting joins one
channel group, receives each new snapshot with its own place in the list, and may send
actions. The server checks every action (services.act), whatever the page shows, and, in
a closed body's room, that the screen's person still may see the room before it shows
them each change.

Who is connected: the browser's session (its cookie, from a page of the site), or a
personal API token for a phone app or a bot — `Authorization: Bearer <token>`, or the
subprotocols `autogestion.token, autogestion.token.<token>` (the server answers
`autogestion.token`, never the secret); see core/consumers.py. A token has its owner's
rights, as on the pages; a read-only token watches and is refused every action (403); an
unknown or revoked token is refused at once (close code 4401), never let in as someone
signed out; a token revoked during the meeting closes the socket (4401) at its next
action.

Each message the server sends is one JSON object:
- {"state": <the snapshot, as GET /api/rooms/<id> gives it>, "now": <the server's time
  of that snapshot>, "me": "p:<person id>" or null, "place": null or {"position",
  "reason", "turns", "ahead_with_fewer", "text": <the sentence saying why, in the
  person's language>}}. `state.fading` gives, per gesture kind, when each gesture that is
  not held fades: a screen takes them off its counts at those moments (measured from
  "now", not from its own clock); nothing is sent when one fades.
- {"reply": {"id": <the request's id>, "ok": true}} once an action is done.

Each message a screen sends: {"action": "raise"|"lower"|"next"|..., "who", "kind",
"name", "id"} or {"gesture": <kind>, "hold": true|false, "id"}.

Whatever arrives on the socket gets an answer, never a crash: a refusal or a frame the
room cannot read is answered {"reply": {"id": <the request's id or null>, "ok": false,
"status": <4xx>, "error": <what to change, in the person's language>}} and the socket
stays open for the next one."""

import json

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import translation
from django.utils.translation import gettext as _

from autogestion.accounts.websocket import refuse_action_of, token_of
from autogestion.cooperatives.permissions import forget_memberships
from autogestion.core import clock
from autogestion.core.consumers import (
    UNAUTHORISED,
    accepted_subprotocol,
    close_reason,
    language_of,
)
from autogestion.core.errors import DomainError, PermissionDenied

from . import access, queries, services
from .models import Room

_SERIALISED: dict = {}
# The sentence of a place, per language and place: a handful of them serve every screen.
_PLACE_TEXTS: dict = {}
PLACE_TEXTS_KEPT = 4096

# The close code of a screen whose person may not, or may no longer, see the room: the
# page stops reconnecting on it (4000-4999 are the application's own codes).
FORBIDDEN = 4403
TEXT_FIELDS = ("action", "who", "kind", "name", "gesture")
MAX_ID_LENGTH = 100


class TokenRevoked(DomainError):
    status = 401


def _request(text_data: str | None) -> dict:
    """The frame as a request, or the DomainError that says what to send instead."""
    if text_data is None:
        raise DomainError(_("Send text frames holding JSON: binary frames are not read."))
    try:
        content = json.loads(text_data)
    except (ValueError, RecursionError):
        content = None
    if not isinstance(content, dict):
        raise DomainError(_('Send one JSON object per frame, such as {"action": "raise"}.'))
    request_id = content.get("id")
    if request_id is not None and (type(request_id) not in (int, str)
                                   or len(str(request_id)) > MAX_ID_LENGTH):
        raise DomainError(_("Give the request an id that is a number or a short text."),
                          field="id")
    return content


def _check_fields(content: dict) -> None:
    for field in TEXT_FIELDS:
        if content.get(field) is not None and not isinstance(content[field], str):
            raise DomainError(_('Send "%(field)s" as text, in quotes.') % {"field": field},
                              field=field)
    if not isinstance(content.get("hold", False), bool):
        raise DomainError(_('Send "hold" as true or false.'), field="hold")
    if content.get("action") is None and content.get("gesture") is None:
        raise DomainError(_('Say what to do: an "action" or a "gesture".'), field="action")


class RoomConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.room_id = int(self.scope["url_route"]["kwargs"]["room_id"])
        self.language = language_of(self.scope)
        self.viewing = False
        # A phone app or a bot (accounts.websocket.TokenAuthMiddleware): the token, checked
        # again before each action, since it may be revoked during the meeting.
        self.token = self.scope.get("api_token")
        user = self.scope.get("user")
        allowed, self.group = await self._join(user)
        if not allowed:
            with translation.override(self.language):
                await self.close(code=FORBIDDEN,
                                 reason=close_reason(_("You may not see this meeting room.")))
            return
        self.who = f"p:{user.pk}" if user is not None and user.is_authenticated else None
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.viewing = True
        await self.accept(subprotocol=accepted_subprotocol(self.scope) if self.token else None)
        await self.send_json(self._screen(*await self._snapshot()))

    @database_sync_to_async
    def _join(self, user):
        if not access.may_see_room(user, self.room_id):
            return False, None
        return True, Room(pk=self.room_id).group_name

    @database_sync_to_async
    def _snapshot(self):
        now = clock.now()
        room = Room.objects.select_related("current_item").get(pk=self.room_id)
        return queries.snapshot(room, now), queries.moment(now)

    async def disconnect(self, code):
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """{"action": "raise"|"lower"|"next"|..., "who": ..., "kind": ..., "name": ...,
        "id": <echoed back>} or {"gesture": kind, "hold": bool}."""
        with translation.override(self.language):
            try:
                content = _request(text_data)
            except DomainError as exc:
                await self._reply(None, exc)
                return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        request_id = content.get("id")
        try:
            with translation.override(self.language):
                _check_fields(content)
            # Before anything touches the database: a flood costs a counter, nothing more.
            await self._check_pace()
            if self.token is not None:
                await self._check_token()
            await self._perform(content)
        except TokenRevoked as exc:
            await self._reply(request_id, exc)
            await self._stop_viewing(code=UNAUTHORISED, reason=exc.message, last_word=False)
            return
        except DomainError as exc:
            await self._reply(request_id, exc)
            return
        await self.send_json({"reply": {"id": request_id, "ok": True}})

    @database_sync_to_async
    def _check_token(self) -> None:
        """The token still valid (else the socket closes) and allowed to act (a read-only
        one is refused, as on the API, and keeps watching)."""
        with translation.override(self.language):
            self.token = token_of(self.scope)
            if self.token is None:
                raise TokenRevoked(_("This API token was revoked: make a new one on your "
                                     "profile page."))
            refuse_action_of(self.token)

    async def _reply(self, request_id, exc: DomainError) -> None:
        with translation.override(self.language):
            error = str(exc.message)
        await self.send_json({"reply": {"id": request_id, "ok": False, "error": error,
                                        "status": exc.status}})

    async def _check_pace(self) -> None:
        # Not on the database thread: the counters live in the cache.
        with translation.override(self.language):
            await sync_to_async(services.check_pace, thread_sensitive=False)(
                who=self.who or f"c:{self.channel_name}", room_id=self.room_id)

    @database_sync_to_async
    def _perform(self, content):
        user = self.scope.get("user")
        # The connection lasts the whole meeting: judge each action on today's
        # memberships, not on those cached when the page opened.
        forget_memberships(user)
        with translation.override(self.language):
            if content.get("gesture") is not None:
                return services.make_gesture(person=user, room_id=self.room_id,
                                             kind=content["gesture"],
                                             hold=content.get("hold", False))
            return services.act(actor=user, room_id=self.room_id, action=content["action"],
                                who=content.get("who") or "",
                                kind=content.get("kind") or "speak",
                                name=content.get("name") or "")

    async def dispatch(self, message):
        # A room update touches no database: skip Channels' per-message hop to the
        # database thread (it serialises hundreds of screens behind each other).
        if message.get("type") == "room.update":
            await self.room_update(message)
            return
        await super().dispatch(message)

    async def room_update(self, event):
        if not self.viewing:
            return
        # An open body's room is public: nothing to check. In a closed body's room the
        # person may have left (or been removed) since the page opened, in any process:
        # ask the database before showing them this change.
        if not event.get("public") and not await self._may_still_view():
            await self._stop_viewing()
            return
        # The shared part is serialised once per process, not once per screen.
        data = event["data"]
        key = (data["room"], data["version"])
        cached = _SERIALISED.get(key)
        if cached is None:
            _SERIALISED.clear()  # only the latest snapshot is ever asked for again
            cached = _SERIALISED[key] = (json.dumps(data), json.dumps(event.get("now")))
        state, now = cached
        me, mine = json.dumps(self.who), json.dumps(self._place(data))
        await self.send(text_data=f'{{"state": {state}, "now": {now}, "me": {me}, '
                                  f'"place": {mine}}}')

    @database_sync_to_async
    def _may_still_view(self) -> bool:
        user = self.scope.get("user")
        forget_memberships(user)
        if self.token is not None and token_of(self.scope) is None:
            return False
        return access.may_see_room(user, self.room_id)

    async def _stop_viewing(self, code: int = FORBIDDEN, reason: str = "",
                            last_word: bool = True) -> None:
        """The person lost the right to see the room: no more changes, a last frame
        that says why, and the socket closed with FORBIDDEN."""
        self.viewing = False
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
        self.group = None
        with translation.override(self.language):
            lost = PermissionDenied(_("You may no longer see this meeting room: only members "
                                      "of the body see a closed body's meetings."))
            reason = close_reason(str(reason) or _("You may no longer see this meeting room."))
        if last_word:
            await self._reply(None, lost)
        await self.close(code=code, reason=reason)

    def _place(self, data: dict) -> dict | None:
        """This screen's place, with its sentence in the person's language (the same
        sentence the page shows)."""
        place = queries.place_from_snapshot(data, self.who) if self.who else None
        if place is not None:
            key = (self.language, place["reason"], place["position"], place["turns"])
            text = _PLACE_TEXTS.get(key)
            if text is None:
                if len(_PLACE_TEXTS) >= PLACE_TEXTS_KEPT:
                    _PLACE_TEXTS.clear()
                with translation.override(self.language):
                    text = _PLACE_TEXTS[key] = queries.place_text(place)
            place["text"] = text
        return place

    def _screen(self, data: dict, now: str | None) -> dict:
        return {"state": data, "now": now, "me": self.who, "place": self._place(data)}
