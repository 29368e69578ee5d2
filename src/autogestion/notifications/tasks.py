"""Push delivery in the background (django-tasks, run by `autogestion worker`).

`deliver_push` pushes new notifications to every device of each person who opted in
for their kind. Each device's answer is recorded: delivered; gone (404/410, the
device is forgotten); or failed, counted on the device and, when the failure may pass
(the push service busy or down, the network), tried again later by `retry_push`, at
most MAX_ATTEMPTS times in all.
"""

from datetime import timedelta

from django_tasks import task

from autogestion.core import clock

from . import push, queries, services
from .models import Kind

MAX_ATTEMPTS = 3
# The wait before the second and third attempts, when the push service gave no
# Retry-After (which is followed, up to an hour).
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=10))
LONGEST_RETRY_AFTER = timedelta(hours=1)

# How long a push service keeps a message for a device that is offline (TTL), by kind:
# the floor given in a live meeting is worth nothing a few minutes later; tomorrow's
# tasks until tomorrow; the rest for a day (the in-app list keeps everything).
TTL = {Kind.FLOOR_GIVEN: 120, Kind.ROUND_CLOSING: 6 * 3600, Kind.TASK_TOMORROW: 12 * 3600}
DEFAULT_TTL = 24 * 3600
# Urgency (RFC 8030 §5.3): a push service may hold back "normal" messages to a phone
# saving its battery; the floor given to someone in the room cannot wait.
URGENCY = {Kind.FLOOR_GIVEN: "high"}


@task()
def deliver_push(notification_ids: list[int]) -> dict:
    """Push these notifications; returns how many deliveries ended each way."""
    return _push(queries.push_targets(notification_ids), attempt=1)


@task()
def retry_push(notification_id: int, subscription_id: int, attempt: int) -> dict:
    """Try one notification on one device again (if the person still wants it pushed
    and the device is still theirs)."""
    return _push(queries.push_targets([notification_id], subscription_id), attempt=attempt)


def _push(targets, *, attempt: int) -> dict:
    counts = {"delivered": 0, "gone": 0, "retrying": 0, "failed": 0}
    if not targets:
        return counts
    key = push.signer(services.vapid_key().private_key)
    with push.session() as http:
        for notification, device in targets:
            counts[_push_one(notification, device, key=key, http=http, attempt=attempt)] += 1
    return counts


def _push_one(notification, device, *, key, http, attempt: int) -> str:
    data = push.message(title=notification.title, body=notification.body,
                        url=open_address(notification))
    outcome = push.send(endpoint=device.endpoint, p256dh=device.p256dh, auth=device.auth,
                        data=data, key=key, ttl=TTL.get(notification.kind, DEFAULT_TTL),
                        urgency=URGENCY.get(notification.kind, "normal"), http=http)
    if outcome.delivered:
        services.record_push_delivered(device.pk)
        return "delivered"
    if outcome.gone:
        services.forget_push_subscription(device.pk)
        return "gone"
    services.record_push_failure(device.pk, outcome.reason)
    if not outcome.retry or attempt >= MAX_ATTEMPTS:
        return "failed"
    later = retry_push
    if later.get_backend().supports_defer:
        wait = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1]
        if outcome.retry_after is not None:
            wait = min(max(wait, timedelta(seconds=outcome.retry_after)), LONGEST_RETRY_AFTER)
        later = later.using(run_after=clock.now() + wait)
    # A backend that cannot wait (the tests' immediate one) tries again at once.
    later.enqueue(notification_id=notification.pk, subscription_id=device.pk,
                  attempt=attempt + 1)
    return "retrying"


def open_address(notification) -> str:
    """Where tapping the push leads: the notification's own address, which marks it
    read and goes on to what it is about (views.notification_open)."""
    from django.urls import reverse

    return reverse("notification_open", args=[notification.pk])
