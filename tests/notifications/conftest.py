"""A real push service on 127.0.0.1 and a browser's keys, for the push tests.

The push service is a small threaded HTTP server: it keeps every request it receives
(path, headers, body) and answers with the statuses it is told, 201 by default, as a
real push service does. The "browser" makes its keys as a browser does when it
subscribes: an EC P-256 key pair (p256dh) and a 16-byte authentication secret (auth);
the test keeps the private key to decrypt what arrives (RFC 8291).
"""

import base64
import os
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class PushService:
    base: str
    received: list = field(default_factory=list)
    answers: list = field(default_factory=list)  # statuses to answer, in order; then 201
    lock: threading.Lock = field(default_factory=threading.Lock)

    def endpoint(self, name: str = "device-1") -> str:
        return f"{self.base}/push/{name}"

    def answer(self, *statuses: int) -> None:
        with self.lock:
            self.answers.extend(statuses)

    def next_status(self) -> int:
        with self.lock:
            return self.answers.pop(0) if self.answers else 201

    def record(self, request: Received) -> None:
        with self.lock:
            self.received.append(request)

    def requests_to(self, name: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path == f"/push/{name}"]


@pytest.fixture
def push_service(settings):
    """A push service on a free port of 127.0.0.1; the instance may push to it (a local
    address is refused unless AUTOGESTION_PUSH_LOCAL_ENDPOINTS says so)."""
    service = PushService(base="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the name http.server calls
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            service.record(Received(self.path, {k.lower(): v for k, v in self.headers.items()},
                                    body))
            status = service.next_status()
            self.send_response(status)
            self.send_header("Content-Length", "0")
            if status == 201:
                self.send_header("Location", f"{service.base}/message/{len(service.received)}")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    service.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    settings.AUTOGESTION_PUSH_LOCAL_ENDPOINTS = True
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class BrowserKeys:
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @property
    def p256dh(self) -> str:
        return b64url(self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)


@pytest.fixture
def browser_keys():
    def make() -> BrowserKeys:
        return BrowserKeys(ec.generate_private_key(ec.SECP256R1()), os.urandom(16))

    return make
