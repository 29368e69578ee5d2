"""What the platform told a person: the in-app list of notifications (read or not)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a notification is about. Each kind can be opted in or out of, per person."""

    ROUND_OPEN = "round_open", _("A round opens in one of my bodies")
    ROUND_CLOSING = "round_closing", _("A round I have not answered closes soon")
    ROUND_OUTCOME = "round_outcome", _("The outcome of a round")
    PAYMENT_REQUEST = "payment_request", _("A payment request to me")
    FLOOR_GIVEN = "floor_given", _("The floor is given to me in a live meeting")
    TASK_TOMORROW = "task_tomorrow", _("My tasks of tomorrow")
    MEETING = "meeting", _("Agendas and meetings of my bodies")


class Notification(models.Model):
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="notifications", verbose_name=_("person"))
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("address"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("sent at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["person", "-created_at"], name="notification_person_new"),
                   models.Index(fields=["person"], condition=models.Q(read_at__isnull=True),
                                name="notification_unread")]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=Kind.values),
                                   name="notification_kind_known"),
        ]

    def __str__(self) -> str:
        return self.title
