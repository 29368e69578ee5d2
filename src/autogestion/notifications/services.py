"""The one way to tell people something (DOMAIN.md: what a member is told, in their
language). Apps call `notify` beside the e-mail they queue: it writes the in-app
notification in each person's language, then delivers it by push after the transaction
commits, to those who opted in for that kind.

Also every write of this app: a person reading their notifications, choosing what is
pushed to their devices, adding and removing a device; and what the delivery task
records about each device (delivered, failed, forgotten by its push service)."""

from collections.abc import Iterable, Mapping

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from autogestion.core import clock
from autogestion.core.errors import Conflict, DomainError

from . import access, push, queries
from .models import Kind, Notification, PushPreference, PushSubscription, VapidKey

# Each delivery task pushes this many notifications at most, so that one round opened
# in a large cooperative becomes several tasks that workers share.
DELIVERY_BATCH = 200
# Devices one person may register: each is one request per notification, and a script
# registering thousands of addresses would make the worker send them all.
MAX_DEVICES = 20


def notify(people: Iterable, kind: Kind | str, *, title: str, url: str = "",
           body: str = "", params: dict | None = None) -> list[Notification]:
    """Record one notification per person. `title` and `body` are untranslated
    messages (marked with gettext_noop) with `%(name)s` placeholders filled from
    `params`, so each person reads them in their own language."""
    kind = Kind(kind)
    params = params or {}
    now = clock.now()
    rows = []
    for person in people:
        with translation.override(getattr(person, "language", "") or settings.LANGUAGE_CODE):
            rows.append(Notification(
                person=person, kind=kind, url=url, created_at=now,
                title=(gettext(title) % params)[:300],
                body=gettext(body) % params if body else ""))
    Notification.objects.bulk_create(rows, batch_size=1000)
    if rows:
        ids = [row.pk for row in rows if row.pk]
        # robust: the change the person made is committed; a queue that fails to take
        # the push must not turn their page into an error (the list still has it).
        transaction.on_commit(lambda: _deliver(ids), robust=True)
    return rows


def _deliver(notification_ids: list[int]) -> None:
    """Queue the push of new notifications, if any of them goes to a device: most
    people have none, and a notification nobody pushes costs one query, not a task."""
    if not notification_ids or not queries.anything_to_push(notification_ids):
        return
    from .tasks import deliver_push

    for start in range(0, len(notification_ids), DELIVERY_BATCH):
        deliver_push.enqueue(notification_ids=notification_ids[start:start + DELIVERY_BATCH])


# Reading ---------------------------------------------------------------------------------

@transaction.atomic
def read_notification(*, person, notification_id) -> Notification:
    """Mark one of one's notifications read (opening it does); read stays read, with
    the moment it was first read."""
    notification = access.get_notification_for(person, notification_id)
    if notification.read_at is None:
        notification.read_at = clock.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True) \
            .update(read_at=notification.read_at)
    return notification


@transaction.atomic
def read_all_notifications(*, person) -> int:
    """Mark every unread notification of the person read; returns how many."""
    return Notification.objects.filter(person_id=person.pk, read_at__isnull=True) \
        .update(read_at=clock.now())


# Preferences -----------------------------------------------------------------------------

@transaction.atomic
def set_push_preferences(*, person, changes: Mapping[str, bool]) -> dict[str, bool]:
    """Turn pushing on or off for the kinds named (the others stay as they are); returns
    every kind's choice. Only what changes is written."""
    unknown = [kind for kind in changes if kind not in Kind.values]
    if unknown:
        raise DomainError(_("%(kind)s is not a kind of notification; the kinds are: "
                            "%(kinds)s.") % {"kind": unknown[0], "kinds": ", ".join(Kind.values)},
                          field=f"push.{unknown[0]}")
    now = clock.now()
    current = queries.push_preferences(person)
    for kind, wanted in changes.items():
        if current[kind] != bool(wanted):
            PushPreference.objects.update_or_create(
                person=person, kind=kind, defaults={"push": bool(wanted), "changed_at": now})
            current[kind] = bool(wanted)
    return current


# Devices ---------------------------------------------------------------------------------

@transaction.atomic
def add_push_subscription(*, person, endpoint: str, p256dh: str,
                          auth: str) -> tuple[PushSubscription, bool]:
    """Register a browser's push subscription for the person; True when it is new.

    The same browser subscribing again (a new key, or after its permission was given
    again) updates its keys. A browser registered by someone else becomes this
    person's: one browser, one person signed in, one set of notifications."""
    endpoint = push.check_endpoint(endpoint)
    p256dh, auth = push.check_keys(p256dh, auth)
    now = clock.now()
    device = PushSubscription.objects.select_for_update().filter(endpoint=endpoint).first()
    if (device is None or device.person_id != person.pk) \
            and queries.devices_of(person).count() >= MAX_DEVICES:
        raise Conflict(_("You have %(max)d devices receiving notifications: remove one "
                         "you no longer use, then try again.") % {"max": MAX_DEVICES})
    if device is None:
        try:
            with transaction.atomic():
                return PushSubscription.objects.create(
                    person=person, endpoint=endpoint, p256dh=p256dh, auth=auth,
                    created_at=now), True
        except IntegrityError:  # the same browser, twice at once: the first one made it
            device = PushSubscription.objects.select_for_update().get(endpoint=endpoint)
    if device.person_id != person.pk:
        device.person, device.created_at, device.last_success_at = person, now, None
    device.p256dh, device.auth = p256dh, auth
    device.failures, device.last_failure_at, device.last_failure = 0, None, ""
    device.save()
    return device, False


@transaction.atomic
def remove_push_subscription(*, person, subscription_id) -> None:
    """Stop pushing to one of the person's devices."""
    access.get_subscription_for(person, subscription_id).delete()


@transaction.atomic
def forget_push_subscriptions(*, person, subscription_ids) -> int:
    """Stop pushing to these devices of the person (the browser they log out of); ids
    of devices that are gone or another person's are ignored."""
    deleted, _rows = PushSubscription.objects.filter(
        person=person, pk__in=list(subscription_ids)).delete()
    return deleted


# What the delivery task records (the platform acts, no person) ---------------------------

def vapid_key() -> VapidKey:
    """The instance's VAPID key pair, made on first need and kept for good. Two nodes
    asking at once both try to make it; the primary key lets one row in, and the other
    reads that one (get_or_create retries its read after the refused insert)."""
    found = VapidKey.objects.filter(pk=VapidKey.SINGLETON).first()
    if found is not None:
        return found
    private_pem, public = push.new_key_pair()
    key, _made = VapidKey.objects.get_or_create(
        pk=VapidKey.SINGLETON,
        defaults={"private_key": private_pem, "public_key": public, "created_at": clock.now()})
    return key


def record_push_delivered(subscription_id: int) -> None:
    PushSubscription.objects.filter(pk=subscription_id).update(
        last_success_at=clock.now(), failures=0, last_failure="")


def record_push_failure(subscription_id: int, reason: str) -> None:
    PushSubscription.objects.filter(pk=subscription_id).update(
        failures=F("failures") + 1, last_failure_at=clock.now(), last_failure=reason[:200])


def forget_push_subscription(subscription_id: int) -> None:
    """The push service answered that this browser is gone (404/410: unsubscribed,
    expired, uninstalled): nothing will reach it again."""
    PushSubscription.objects.filter(pk=subscription_id).delete()
