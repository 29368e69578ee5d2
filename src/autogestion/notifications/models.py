"""What the platform told a person (the in-app list of notifications, read or not), what
each person chose to receive on their devices, and the Web Push side: the devices'
subscriptions and the instance's own VAPID key pair."""

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


class PushPreference(models.Model):
    """Whether a person wants one kind of notification pushed to their devices. Push is
    opt-in, as e-mails are: no row, or `push` false, means nothing is pushed (the
    notification still appears in the in-app list)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="push_preferences", verbose_name=_("person"))
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    push = models.BooleanField(_("push to my devices"), default=False)
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("push preference")
        verbose_name_plural = _("push preferences")
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="push_preference_once"),
            models.CheckConstraint(condition=models.Q(kind__in=Kind.values),
                                   name="push_preference_kind_known"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.push}"


class PushSubscription(models.Model):
    """One device (one browser's push subscription) that receives a person's pushes.

    The endpoint is the push service's address for that browser; `p256dh` and `auth`
    are the browser's public key and secret the messages are encrypted for (RFC 8291).
    One endpoint belongs to one person at a time: when someone else signs in on the same
    browser and turns notifications on, the device becomes theirs."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="push_subscriptions", verbose_name=_("person"))
    endpoint = models.CharField(_("push service address"), max_length=2000, unique=True)
    p256dh = models.CharField(_("device public key"), max_length=100)
    auth = models.CharField(_("device secret"), max_length=50)
    created_at = models.DateTimeField(_("added at"))
    last_success_at = models.DateTimeField(_("last delivered at"), null=True, blank=True)
    # Failed deliveries in a row (a success resets it): an operator sees a device that
    # the push service keeps refusing, without one failure hiding among successes.
    failures = models.PositiveIntegerField(_("failed deliveries in a row"), default=0)
    last_failure_at = models.DateTimeField(_("last failed at"), null=True, blank=True)
    last_failure = models.CharField(_("last failure"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("device receiving notifications")
        verbose_name_plural = _("devices receiving notifications")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.endpoint[:60]


class VapidKey(models.Model):
    """The instance's VAPID key pair (RFC 8292): push services know the instance by its
    public key, given to browsers when they subscribe, and check every message's
    signature with it. One row for the whole instance, stored in the database so that
    every node signs with the same key; made once, on first need, never replaced (a new
    key would orphan every subscription)."""

    SINGLETON = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON)
    private_key = models.TextField(_("private key (PEM)"))
    public_key = models.CharField(_("public key"), max_length=100)
    created_at = models.DateTimeField(_("made at"))

    class Meta:
        verbose_name = _("push signing key")
        verbose_name_plural = _("push signing keys")
        constraints = [models.CheckConstraint(condition=models.Q(id=1),
                                              name="vapid_key_singleton")]

    def __str__(self) -> str:
        return self.public_key
