"""Reads shared by the pages, the API and the delivery task."""

from collections import defaultdict

from django.db.models import F

from .models import Kind, Notification, PushPreference, PushSubscription


def notifications_of(person, *, unread_only: bool = False):
    """A person's notifications, newest first."""
    found = Notification.objects.filter(person_id=person.pk)
    return found.filter(read_at__isnull=True) if unread_only else found


def recent_for(person, limit: int = 100):
    return notifications_of(person)[:limit]


def unread_count(person) -> int:
    return Notification.objects.filter(person_id=person.pk, read_at__isnull=True).count()


def push_preferences(person) -> dict[str, bool]:
    """Every kind, in the order of Kind, with whether it is pushed (off unless chosen)."""
    chosen = dict(PushPreference.objects.filter(person_id=person.pk)
                  .values_list("kind", "push"))
    return {kind: chosen.get(kind, False) for kind in Kind.values}


def devices_of(person):
    return PushSubscription.objects.filter(person_id=person.pk).order_by("created_at", "pk")


def _opted_in(notification_ids):
    """The notifications among these whose person wants their kind pushed: both
    conditions in one filter() hold for the same preference row."""
    return Notification.objects.filter(pk__in=notification_ids,
                                       person__push_preferences__kind=F("kind"),
                                       person__push_preferences__push=True)


def anything_to_push(notification_ids) -> bool:
    """Whether any of these notifications goes to a device (one query; most go to none)."""
    return _opted_in(notification_ids).filter(person__push_subscriptions__isnull=False) \
        .exists()


def push_targets(notification_ids, subscription_id: int | None = None):
    """(notification, device) pairs to push now: the devices of each person who opted in
    for that notification's kind, asked again when the task runs (a preference turned
    off or a device removed since the notification was made sends nothing)."""
    notifications = list(_opted_in(notification_ids).order_by("pk"))
    devices = PushSubscription.objects.filter(
        person_id__in={n.person_id for n in notifications}).order_by("pk")
    if subscription_id is not None:
        devices = devices.filter(pk=subscription_id)
    by_person = defaultdict(list)
    for device in devices:
        by_person[device.person_id].append(device)
    return [(n, device) for n in notifications for device in by_person[n.person_id]]
