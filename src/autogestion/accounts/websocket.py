"""Personal API tokens on websockets (core/consumers.py says how a token travels in the
handshake): the middleware that makes a handshake with a token its owner's, and the checks
a consumer runs again before each action."""

from channels.db import database_sync_to_async
from django.utils import translation
from django.utils.translation import gettext as _

from autogestion.core.consumers import (
    UNAUTHORISED,
    accepted_subprotocol,
    close_reason,
    language_of,
    presented_tokens,
)

from .services import authenticate_token, check_token_allows


def token_of(scope):
    """The connection's API token, checked again now (None: it was revoked, or its
    owner deactivated, since the handshake). Only for a scope that came with one."""
    raw = presented_tokens(scope)
    return authenticate_token(raw[0]) if len(set(raw)) == 1 and raw[0] else None


def refuse_action_of(token) -> None:
    """A read-only token watches and acts on nothing: the API's own refusal (403)."""
    check_token_allows(token, "POST")


class TokenAuthMiddleware:
    """Routes a websocket handshake: one presenting a token goes to `with_token` as the
    token's owner (scope["user"], and scope["api_token"] for its scope); one without goes
    to `without_token` (the origin check and the session cookie)."""

    def __init__(self, with_token, without_token):
        self.with_token = with_token
        self.without_token = without_token

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket" or not presented_tokens(scope):
            return await self.without_token(scope, receive, send)
        token = await database_sync_to_async(token_of)(scope)
        if token is None:
            return await self._refuse(scope, receive, send)
        scope = dict(scope, user=token.owner, api_token=token)
        return await self.with_token(scope, receive, send)

    async def _refuse(self, scope, receive, send) -> None:
        message = await receive()
        if message["type"] != "websocket.connect":
            return
        with translation.override(language_of(scope)):
            reason = close_reason(_("This API token is unknown or revoked: make a new one on "
                                    "your profile page."))
        # Accepted only to say why in the close frame (a refused handshake says nothing
        # a client can show).
        await send({"type": "websocket.accept", "subprotocol": accepted_subprotocol(scope)})
        await send({"type": "websocket.close", "code": UNAUTHORISED, "reason": reason})
