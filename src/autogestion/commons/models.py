"""Pooled resources, their photos and their bookings (DOMAIN.md R11).

Invariants held by the database: a booking ends after it starts; fees are positive and
name their currency; opening hours and days make sense. On PostgreSQL an exclusion
constraint (migration 0002) also refuses two confirmed bookings of one resource that
overlap, whatever writes them; on SQLite the booking service checks it inside its
transaction, which SQLite runs one writer at a time.

A booking changes status only through `services.move_booking` (core.history), which
writes a `BookingEvent` with each change; its creation writes the first one."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from autogestion.cooperatives.models import Body
from autogestion.core.history import StatusEvent

from .rules import LONGEST_HORIZON_DAYS, MIDNIGHT, BookingStatus, FeePer


class ResourceKind(models.TextChoices):
    PREMISES = "premises", _("premises")
    LAND = "land", _("land")
    VEHICLE = "vehicle", _("vehicle")
    TOOL = "tool", _("tool")
    OTHER = "other", _("other")


class Audience(models.TextChoices):
    """Who may book: the members of the steward body, of its cooperative, or of the
    network around that cooperative (the members of every cooperative in it)."""

    STEWARD = "steward", _("members of the stewarding body")
    COOPERATIVE = "cooperative", _("members of the cooperative")
    NETWORK = "network", _("members of the network")


class FeePerChoice(models.TextChoices):
    BOOKING = FeePer.BOOKING, _("per booking")
    HOUR = FeePer.HOUR, _("per hour begun")


class SharedResource(models.Model):
    """Premises, land, a vehicle or a tool held in common; the steward body decides its
    usage rules and its fee (R1: the body in charge of the resource)."""

    steward = models.ForeignKey(Body, verbose_name=_("stewarded by"), on_delete=models.PROTECT,
                                related_name="shared_resources")
    kind = models.CharField(_("kind"), max_length=16, choices=ResourceKind.choices)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    place = models.CharField(_("place"), max_length=255, blank=True)
    usage_rules = models.TextField(_("usage rules"), blank=True)
    audience = models.CharField(_("who may book"), max_length=16, choices=Audience.choices,
                                default=Audience.COOPERATIVE)
    # The body whose members may book, resolved from the audience when it is set (bodies
    # never move in the tree), so that "may I book?" needs no walk up the tree.
    audience_body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="+",
                                      editable=False)
    requires_approval = models.BooleanField(_("bookings need the steward's approval"),
                                            default=False)
    open_days = models.PositiveSmallIntegerField(_("open days"), default=127)
    opens_at = models.TimeField(_("opens at"), default=MIDNIGHT)
    closes_at = models.TimeField(_("closes at"), default=MIDNIGHT,
                                 help_text=_("00:00 is midnight, the end of the day."))
    overnight = models.BooleanField(_("may be kept over several days"), default=False)
    longest_minutes = models.PositiveIntegerField(_("longest booking (minutes)"), null=True,
                                                  blank=True)
    notice_minutes = models.PositiveIntegerField(_("minimum notice (minutes)"), default=0)
    horizon_days = models.PositiveSmallIntegerField(_("bookable this many days ahead"),
                                                    default=180)
    fee_amount = models.BigIntegerField(_("fee (minor units)"), null=True, blank=True)
    fee_currency = models.ForeignKey("economy.Currency", verbose_name=_("fee currency"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    fee_per = models.CharField(_("fee"), max_length=8, choices=FeePerChoice.choices,
                               default=FeePer.BOOKING)
    is_active = models.BooleanField(_("can be booked"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("shared resource")
        verbose_name_plural = _("shared resources")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["steward", "name"], name="resource_unique_name"),
            models.CheckConstraint(condition=Q(kind__in=ResourceKind.values),
                                   name="resource_kind_known"),
            models.CheckConstraint(condition=Q(audience__in=Audience.values),
                                   name="resource_audience_known"),
            models.CheckConstraint(condition=Q(open_days__gte=1, open_days__lte=127),
                                   name="resource_open_days_mask"),
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at"))
                                   | Q(closes_at=MIDNIGHT),
                                   name="resource_opens_before_closing"),
            models.CheckConstraint(condition=Q(longest_minutes__isnull=True)
                                   | Q(longest_minutes__gt=0),
                                   name="resource_longest_positive"),
            models.CheckConstraint(condition=Q(horizon_days__gte=1,
                                               horizon_days__lte=LONGEST_HORIZON_DAYS),
                                   name="resource_horizon_bounded"),
            models.CheckConstraint(condition=Q(fee_amount__isnull=True, fee_currency__isnull=True)
                                   | Q(fee_amount__gt=0, fee_currency__isnull=False),
                                   name="resource_fee_has_currency"),
            models.CheckConstraint(condition=Q(fee_per__in=FeePerChoice.values),
                                   name="resource_fee_per_known"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("resource_detail", args=[self.pk])


def photo_path(photo: "ResourcePhoto", filename: str) -> str:
    # The name a person gave the file is not kept: it may say more than they think.
    return f"commons/{photo.resource_id}/{photo.token}.{photo.extension}"


class ResourcePhoto(models.Model):
    resource = models.ForeignKey(SharedResource, on_delete=models.CASCADE,
                                 related_name="photos")
    # Width and height are those of the re-encoded image, written by the service.
    image = models.ImageField(_("photo"), upload_to=photo_path, max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    token = models.CharField(max_length=32, editable=False)
    extension = models.CharField(max_length=8, editable=False)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.caption or f"photo {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("resource_photo", args=[self.pk])


class BookingStatusChoice(models.TextChoices):
    REQUESTED = BookingStatus.REQUESTED, _("waiting for approval")
    CONFIRMED = BookingStatus.CONFIRMED, _("confirmed")
    DECLINED = BookingStatus.DECLINED, _("declined")
    CANCELLED = BookingStatus.CANCELLED, _("cancelled")


class Booking(models.Model):
    """A member holds a resource for a span of time [starts_at, ends_at)."""

    resource = models.ForeignKey(SharedResource, on_delete=models.PROTECT,
                                 related_name="bookings")
    booker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("booked by"),
                               on_delete=models.PROTECT, related_name="bookings")
    for_body = models.ForeignKey(Body, verbose_name=_("for"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("to"))
    purpose = models.CharField(_("purpose"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=BookingStatusChoice.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    fee_payment = models.OneToOneField("economy.Payment", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="booking")
    # A cancelled paid booking: the steward's reversal, or the booker's request to be
    # paid back when the booker cancelled (the steward decides on it).
    fee_refund = models.OneToOneField("economy.Payment", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="refunded_booking")
    refund_request = models.OneToOneField("economy.PaymentRequest", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="booking")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["resource", "status", "starts_at"]),
                   models.Index(fields=["booker", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="booking_ends_after_start"),
            models.CheckConstraint(condition=Q(status__in=BookingStatusChoice.values),
                                   name="booking_status_known"),
            models.CheckConstraint(condition=Q(status=BookingStatus.REQUESTED)
                                   | Q(decided_at__isnull=False),
                                   name="booking_decided_has_date"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.starts_at:%Y-%m-%d %H:%M} ({self.status})"


class BookingEvent(StatusEvent):
    """One step of a booking's history: asked or booked, confirmed, declined, cancelled;
    by whom, when, and why (the reason given)."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        verbose_name = _("booking event")
        verbose_name_plural = _("booking events")
        indexes = [models.Index(fields=["booking", "at"])]
        constraints = [
            models.CheckConstraint(condition=Q(to_status__in=BookingStatusChoice.values),
                                   name="booking_event_status_known"),
        ]

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.from_status or '-'} → {self.to_status}"

    @property
    def status_label(self) -> str:
        return BookingStatusChoice(self.to_status).label
