"""The signed-in person's notifications and push devices through the API: the same
services and answers as the pages (notifications/views.py).

Everything here is one's own: another person's notification or device is not found
(404), whether it exists or not.

Push. A browser subscribes with the instance's `public_key` (GET
/notifications/push-key: the `applicationServerKey`), then sends what its
PushSubscription gives, `{"endpoint": ..., "keys": {"p256dh": ..., "auth": ...}}`, to
POST /notifications/subscriptions. Only the kinds turned on in the preferences are
pushed (none until the person chooses). The endpoint must be an https:// address of a
push service named by its host (a local or private address is refused unless the
instance allows it for tests: AUTOGESTION_PUSH_LOCAL_ENDPOINTS); the keys are the
browser's P-256 public key (65 bytes) and its 16-byte secret, in base64url. What is
pushed is `{"title", "body", "url"}` in the person's language, encrypted for the
device (RFC 8291, aes128gcm) and signed with the instance's VAPID key (RFC 8292).

Refusals: 400 (bad input, with `field`), 404 (not yours, or not there), 409 (too many
devices); nothing is written.
"""

from datetime import datetime

from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool

from autogestion.core.api_schemas import Input, refusals
from autogestion.core.api_types import Id, Text

from . import push, queries, receivers, services
from .models import Kind, Notification

router = Router(tags=["notifications"])

MAX_PAGE = 100
MAX_OFFSET = 1_000_000


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="One of: " + ", ".join(Kind.values) + ".")
    kind_label: str
    title: str = Field(description="In the person's language.")
    body: str
    url: str = Field(description="The address on the site it is about (may be empty).")
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Schema):
    count: int
    unread: int
    limit: int
    offset: int
    items: list[NotificationOut]


class NotificationQuery(Schema):
    unread: bool = Field(False, description="Only those not read yet.")
    limit: int = Field(30, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class ReadAllOut(Schema):
    marked: int = Field(description="How many were unread and are now read.")


class PreferenceOut(Schema):
    kind: str
    label: str
    push: bool = Field(description="Pushed to the person's devices (off unless chosen).")


class PreferencesIn(Input):
    push: dict[Text, StrictBool] = Field(
        description="Kinds to turn on (true) or off (false); the kinds not named stay as "
                    "they are. Kinds: " + ", ".join(Kind.values) + ".")


class PushKeyOut(Schema):
    public_key: str = Field(description="The instance's VAPID public key (base64url): the "
                                        "applicationServerKey to subscribe with.")


class KeysIn(Schema):
    p256dh: Text = Field(max_length=200, description="The browser's P-256 public key, "
                                                     "base64url.")
    auth: Text = Field(max_length=100, description="The browser's 16-byte secret, base64url.")


class SubscriptionIn(Input):
    endpoint: Text = Field(max_length=push.MAX_ENDPOINT,
                           description="PushSubscription.endpoint (https://).")
    keys: KeysIn


class SubscriptionOut(Schema):
    id: int
    endpoint: str
    origin: str = Field(description="The push service (scheme and host).")
    created_at: datetime
    last_success_at: datetime | None
    failures: int = Field(description="Failed deliveries in a row (0 after a success).")


def _notification_out(notification: Notification) -> dict:
    return {"id": notification.pk, "kind": notification.kind,
            "kind_label": str(notification.get_kind_display()), "title": notification.title,
            "body": notification.body, "url": notification.url,
            "created_at": notification.created_at, "read_at": notification.read_at}


def _preferences_out(chosen: dict[str, bool]) -> list[dict]:
    return [{"kind": kind, "label": str(label), "push": chosen[kind]}
            for kind, label in Kind.choices]


def _subscription_out(device) -> dict:
    return {"id": device.pk, "endpoint": device.endpoint, "origin": push.origin_of(device.endpoint),
            "created_at": device.created_at, "last_success_at": device.last_success_at,
            "failures": device.failures}


# Notifications ---------------------------------------------------------------------------

@router.get("", response=NotificationPage)
def notification_list(request, filters: Query[NotificationQuery]):
    """My notifications, newest first."""
    found = queries.notifications_of(request.user, unread_only=filters.unread)
    items = found[filters.offset:filters.offset + filters.limit]
    return {"count": found.count(), "unread": queries.unread_count(request.user),
            "limit": filters.limit, "offset": filters.offset,
            "items": [_notification_out(n) for n in items]}


@router.post("/read-all", response=ReadAllOut)
def read_all(request):
    """Mark all my notifications read."""
    return {"marked": services.read_all_notifications(person=request.user)}


@router.post("/{notification_id}/read", response={200: NotificationOut, **refusals(404)})
def read_one(request, notification_id: Id):
    """Mark one of my notifications read (it keeps the moment it was first read)."""
    return _notification_out(services.read_notification(person=request.user,
                                                        notification_id=notification_id))


# Preferences -----------------------------------------------------------------------------

@router.get("/preferences", response=list[PreferenceOut])
def preferences(request):
    """Each kind of notification, and whether it is pushed to my devices."""
    return _preferences_out(queries.push_preferences(request.user))


@router.patch("/preferences", response={200: list[PreferenceOut], **refusals(400)})
def change_preferences(request, payload: PreferencesIn):
    """Turn pushing on or off, kind by kind."""
    return _preferences_out(services.set_push_preferences(person=request.user,
                                                          changes=payload.push))


# Push ------------------------------------------------------------------------------------

@router.get("/push-key", response=PushKeyOut)
def push_key(request):
    """The key browsers subscribe with (the same for every node of the instance)."""
    return {"public_key": services.vapid_key().public_key}


@router.get("/subscriptions", response=list[SubscriptionOut])
def subscriptions(request):
    """My devices receiving notifications."""
    return [_subscription_out(d) for d in queries.devices_of(request.user)]


@router.post("/subscriptions", response={200: SubscriptionOut, 201: SubscriptionOut,
                                         **refusals(400, 409)})
def subscribe(request, payload: SubscriptionIn):
    """Register this browser's push subscription: 201 when new, 200 when it was
    registered already (its keys are updated)."""
    device, created = services.add_push_subscription(
        person=request.user, endpoint=payload.endpoint, p256dh=payload.keys.p256dh,
        auth=payload.keys.auth)
    receivers.remember_this_browser(request, device)
    return Status(201 if created else 200, _subscription_out(device))


@router.delete("/subscriptions/{subscription_id}", response={204: None, **refusals(404)})
def unsubscribe(request, subscription_id: Id):
    """Stop pushing to one of my devices."""
    services.remove_push_subscription(person=request.user, subscription_id=subscription_id)
    return Status(204, None)
