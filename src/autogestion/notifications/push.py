"""Web Push on the wire: the instance's VAPID keys (RFC 8292), the checks on what a
browser sends when it subscribes, and one encrypted message (RFC 8291, aes128gcm) sent
to one push service with pywebpush. No database here: services.py stores, tasks.py
decides what to send to whom and what to do with the answer.

Why the endpoint is checked so closely: the server POSTs to whatever address a person
registered. A push service is always a named host over HTTPS (Google's, Mozilla's,
Apple's, Microsoft's, or a UnifiedPush distributor); an address on the server's own
network (127.0.0.1, 10.x, a name such as `localhost`) could only be aimed at the
instance's neighbours. Those are accepted only where the setting
AUTOGESTION_PUSH_LOCAL_ENDPOINTS says so (default: when DEBUG is on), which the tests
set for their push service on 127.0.0.1. Redirects are never followed, for the same
reason. A host name that resolves to a private address is not caught here (the name is
not resolved at subscription time); the instance's firewall is the place for that.
"""

import base64
import binascii
import ipaddress
import json
import re
import time
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.utils.translation import gettext as _
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from autogestion.core.errors import DomainError

MAX_ENDPOINT = 2000
# A push message carries at most 4096 bytes once encrypted (RFC 8030 §7.2); aes128gcm
# adds a header, a tag and padding. 3000 bytes of JSON leave room for all of it.
MAX_PAYLOAD = 3000
# How long the worker waits for a push service, in seconds (to connect, then for each
# read), and for a whole exchange: the worker must not hang on one slow device, nor read
# a flood, since anyone may register any push address. A push service answers a few
# bytes.
TIMEOUT = 10
DEADLINE = 20
MAX_ANSWER = 4096
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")
# A host name as push services have them (ASCII; an internationalised name arrives in
# its xn-- form).
_HOST_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?")


# The instance's keys ---------------------------------------------------------------------

def new_key_pair() -> tuple[str, str]:
    """A fresh VAPID key pair: the private key as PEM (PKCS #8), the public key as the
    browser's `applicationServerKey` wants it (the uncompressed P-256 point, base64url)."""
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return pem, public_key_of(private)


def public_key_of(private) -> str:
    point = private.public_key().public_bytes(serialization.Encoding.X962,
                                              serialization.PublicFormat.UncompressedPoint)
    return b64url(point)


def signer(private_pem: str) -> Vapid:
    return Vapid(serialization.load_pem_private_key(private_pem.encode(), password=None))


def contact() -> str:
    """The `sub` claim push services may use to reach the instance's operator: the
    site's address when it is public HTTPS, else the sender address of its e-mails."""
    site = getattr(settings, "AUTOGESTION_SITE_URL", "")
    parts = urlsplit(site)
    if parts.scheme == "https" and parts.hostname and "." in parts.hostname \
            and not parts.port and parts.path in ("", "/"):
        return f"https://{parts.hostname}"
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "noreply@localhost"
    return f"mailto:{address}"


# What a browser sends when it subscribes -------------------------------------------------

def local_endpoints_allowed() -> bool:
    return bool(getattr(settings, "AUTOGESTION_PUSH_LOCAL_ENDPOINTS", settings.DEBUG))


def _is_local(host: str) -> bool:
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost") \
            or ("." not in host and ":" not in host):
        return True  # a bare name resolves on the server's own network
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def check_endpoint(endpoint: str) -> str:
    """The push service's address for one browser, as PushSubscription.endpoint gives
    it; refused (400, field `endpoint`) when it cannot be a push service."""
    endpoint = (endpoint or "").strip()
    if not endpoint:
        raise DomainError(_("Send the endpoint your browser's push subscription gives."),
                          field="endpoint")
    if not endpoint.isascii():  # a URL as browsers give it; and a bounded index entry
        raise DomainError(_("The endpoint must be an https:// address of a push service, "
                            "as your browser's push subscription gives it."),
                          field="endpoint")
    if len(endpoint) > MAX_ENDPOINT:
        raise DomainError(_("The endpoint is longer than %(max)d characters: send the one "
                            "your browser's push subscription gives.") % {"max": MAX_ENDPOINT},
                          field="endpoint")
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        parts, host = None, ""
    if parts is None or parts.scheme not in ("https", "http") or not host \
            or parts.username or parts.password or parts.fragment \
            or not (_is_ip(host) or (_HOST_NAME.fullmatch(host) and _named(host))):
        raise DomainError(_("The endpoint must be an https:// address of a push service, "
                            "as your browser's push subscription gives it."),
                          field="endpoint")
    local = _is_local(host)
    if local_endpoints_allowed() and local:
        return endpoint  # a push service on this machine, for tests and development
    if parts.scheme != "https":
        raise DomainError(_("The endpoint must start with https://: push services are "
                            "only reached over HTTPS."), field="endpoint")
    if local or _is_ip(host):
        raise DomainError(_("The endpoint must be a push service on the internet, named "
                            "by its host name, not a local or private address."),
                          field="endpoint")
    return endpoint


def _named(host: str) -> bool:
    """A name ends with letters ("push.example.org"): "127.1" or "0177.0.0.1" are numbers
    that the resolver turns into local addresses, which ipaddress does not recognise."""
    return bool(re.search(r"[a-z]", host.rstrip(".").rsplit(".", 1)[-1]))


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _decoded(value: str, field: str) -> bytes:
    value = (value or "").strip()
    if not value or not _BASE64URL.match(value):
        raise DomainError(_("%(field)s must be written in base64url, as your browser's "
                            "push subscription gives it.") % {"field": field}, field=field)
    try:
        return base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        raise DomainError(_("%(field)s must be written in base64url, as your browser's "
                            "push subscription gives it.") % {"field": field},
                          field=field) from None


def check_keys(p256dh: str, auth: str) -> tuple[str, str]:
    """The browser's public key (a P-256 point) and its 16-byte secret, base64url
    without padding; refused (400) naming the key at fault."""
    point = _decoded(p256dh, "keys.p256dh")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        if len(point) != 65:
            raise ValueError
    except ValueError:
        raise DomainError(_("keys.p256dh must be the browser's P-256 public key (65 bytes "
                            "in base64url), as its push subscription gives it."),
                          field="keys.p256dh") from None
    secret = _decoded(auth, "keys.auth")
    if len(secret) != 16:
        raise DomainError(_("keys.auth must be the browser's 16-byte secret in base64url, "
                            "as its push subscription gives it."), field="keys.auth")
    return b64url(point), b64url(secret)


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def origin_of(endpoint: str) -> str:
    """scheme://host[:port] of a push service: what a person's export and the device
    list show (the rest of the address identifies the browser to its push service)."""
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


# One message -----------------------------------------------------------------------------

def message(*, title: str, body: str, url: str) -> bytes:
    """The JSON the service worker (static/notifications/push-sw.js) shows: title, text
    and the address to open; the text is shortened to fit in one push message."""
    def encoded(text: str) -> bytes:
        return json.dumps({"title": title, "body": text, "url": url},
                          ensure_ascii=False, separators=(",", ":")).encode()

    data = encoded(body)
    while len(data) > MAX_PAYLOAD and body:
        # Cut the text by as many bytes as there are too many, and three for "…"; a
        # character cut in the middle is dropped. JSON escapes only make it shorter.
        raw = body.encode()
        keep = len(raw) - (len(data) - MAX_PAYLOAD) - 3
        body = raw[:keep].decode(errors="ignore").rstrip() + "…" if keep > 0 else ""
        data = encoded(body)
    return data


@dataclass(frozen=True)
class Outcome:
    delivered: bool = False
    gone: bool = False  # the push service forgot this browser: forget it too
    retry: bool = False  # worth trying again later
    reason: str = ""
    retry_after: int | None = None  # seconds, when the push service said


class _NoRedirects(requests.Session):
    """A push service answers, it does not redirect; following a redirect would let a
    registered address send the server's POST anywhere. Its answer is read up to
    MAX_ANSWER bytes and DEADLINE seconds: an address that drips or floods its answer
    costs the worker no more than that."""

    def request(self, *args, **kwargs):
        kwargs["allow_redirects"] = False
        kwargs["stream"] = True
        started = time.monotonic()
        response = super().request(*args, **kwargs)
        body = bytearray()
        try:
            # Byte by byte (at most MAX_ANSWER of them), so that the deadline is checked
            # between bytes, not after a block that a drip would take minutes to fill.
            for chunk in response.iter_content(1):
                body += chunk
                if len(body) >= MAX_ANSWER or time.monotonic() - started > DEADLINE:
                    break
        finally:
            response.close()
        response._content = bytes(body[:MAX_ANSWER])
        response._content_consumed = True
        return response


def session() -> requests.Session:
    return _NoRedirects()


def send(*, endpoint: str, p256dh: str, auth: str, data: bytes, key: Vapid, ttl: int,
         urgency: str = "normal", http: requests.Session | None = None) -> Outcome:
    """Encrypt `data` for one browser and hand it to its push service."""
    claims = {"sub": contact()}  # a new dict each time: pywebpush fills in aud and exp
    try:
        webpush({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
                data=data, vapid_private_key=key, vapid_claims=claims, ttl=ttl,
                headers={"Urgency": urgency}, timeout=TIMEOUT,
                requests_session=http or session(), content_encoding="aes128gcm")
    except WebPushException as exc:
        status = exc.status_code
        if status in (404, 410):
            return Outcome(gone=True, reason=str(status))
        return Outcome(retry=status is None or status == 429 or status >= 500,
                       reason=f"{status}" if status else str(exc.message)[:200],
                       retry_after=_seconds(exc.retry_after))
    except requests.RequestException as exc:
        return Outcome(retry=True, reason=type(exc).__name__)
    return Outcome(delivered=True)


def _seconds(value) -> int | None:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return None  # an HTTP date: the usual delay will do
