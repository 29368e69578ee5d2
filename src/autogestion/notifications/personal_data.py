"""What the notifications app holds about a person (core/personal_data.py): what the
platform told them, what they chose to have pushed, and their devices — for a device,
the push service it goes through and its dates, not the address that identifies the
browser to its push service nor the browser's keys (secrets of the device, not facts
about the person)."""

from autogestion.core.personal_data import plain, rows_of

from . import push
from .models import Notification, PushPreference, PushSubscription


def export(person) -> dict:
    return {
        "notification": rows_of(Notification.objects, person, "person"),
        "pushpreference": rows_of(PushPreference.objects, person, "person"),
        "pushsubscription": [
            {"id": device.pk, "push_service": push.origin_of(device.endpoint),
             "created_at": plain(device.created_at),
             "last_success_at": plain(device.last_success_at),
             "failures": device.failures, "last_failure_at": plain(device.last_failure_at)}
            for device in PushSubscription.objects.filter(person=person).order_by("pk")],
    }
