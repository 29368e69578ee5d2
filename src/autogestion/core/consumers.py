"""What every websocket shares: the ping consumer, the language of a screen, the close
reason, and how a personal API token travels in a handshake (accounts/websocket.py checks
it: the kernel imports no app), for a phone app or a bot, which have no session cookie.

A token is sent in the handshake, in either of two ways:
- the header `Authorization: Bearer <token>` (clients that can set headers);
- two subprotocols, `Sec-WebSocket-Protocol: autogestion.token, autogestion.token.<token>`
  (browsers cannot set headers on a websocket). The server answers with the subprotocol
  `autogestion.token` alone: the secret is never sent back, and a client (browsers
  included) accepts the answer because it offered that name.

A connection that presents a token is the token's owner, with the same rights as on the
pages, and nobody else: a session cookie sent beside it is ignored, and so is the origin
check (it protects cookies from other sites' pages; a token is not sent by a browser on
its own). A token that is unknown, revoked, or whose owner is no longer active is refused:
the socket is accepted only to be closed at once with code 4401 and the reason, never
kept as an anonymous watcher. So is a handshake with two different tokens."""

from types import SimpleNamespace

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import translation

TOKEN_PROTOCOL = "autogestion.token"
# The close code of a handshake whose token is refused (4000-4999: the application's).
UNAUTHORISED = 4401


class PingConsumer(AsyncJsonWebsocketConsumer):
    """Answers each message with the same payload: lets operators check websockets pass
    through their reverse proxy, and is the baseline of the room benchmark."""

    async def connect(self):
        await self.accept(subprotocol=accepted_subprotocol(self.scope))

    async def receive_json(self, content, **kwargs):
        await self.send_json(content)


def language_of(scope) -> str:
    """The language of the person's pages: their saved one, else their browser's."""
    user = scope.get("user")
    if user is not None and user.is_authenticated and user.language:
        return user.language
    headers = dict(scope.get("headers") or ())
    request = SimpleNamespace(
        COOKIES=scope.get("cookies") or {},
        META={"HTTP_ACCEPT_LANGUAGE": headers.get(b"accept-language", b"").decode("latin-1")})
    return translation.get_language_from_request(request)


def close_reason(text: str) -> str:
    """A close frame's reason holds at most 123 bytes of UTF-8."""
    return text.encode()[:123].decode(errors="ignore")


def presented_tokens(scope) -> list[str]:
    """Every token secret the handshake carries (Bearer header, subprotocol); an empty
    one counts, to be refused."""
    found = []
    for name, value in scope.get("headers") or ():
        if name.lower() == b"authorization":
            scheme, _space, raw = value.decode("latin-1").strip().partition(" ")
            # Another scheme (Basic, from a proxy in front) is not ours to judge.
            if scheme.lower() == "bearer":
                found.append(raw.strip())
    prefix = TOKEN_PROTOCOL + "."
    for protocol in scope.get("subprotocols") or ():
        if protocol.startswith(prefix):
            found.append(protocol[len(prefix):])
    return found


def accepted_subprotocol(scope) -> str | None:
    """The subprotocol to answer with: ours without its secret, when offered."""
    return TOKEN_PROTOCOL if TOKEN_PROTOCOL in (scope.get("subprotocols") or ()) else None
