"""A person's notifications and devices, for pages and the API (core/access.py's rule):
another person's, or one that does not exist, is not found (404) — the same answer
either way, so nobody learns what was sent to someone else."""

from django.utils.translation import gettext_lazy

from autogestion.core import access

from . import permissions
from .models import Notification, PushSubscription

NO_NOTIFICATION = gettext_lazy("You have no notification with this number.")
NO_DEVICE = gettext_lazy("You have no device with this number receiving notifications.")


def get_notification_for(user, notification_id) -> Notification:
    return access.get_for(user, Notification.objects.filter(person_id=user.pk),
                          may_see=permissions.can_read_notification,
                          hidden=NO_NOTIFICATION, pk=notification_id)


def get_subscription_for(user, subscription_id) -> PushSubscription:
    return access.get_for(user, PushSubscription.objects.filter(person_id=user.pk),
                          may_see=permissions.can_remove_device, hidden=NO_DEVICE,
                          pk=subscription_id)
