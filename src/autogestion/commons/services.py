"""Every write about pooled resources and their bookings (R11).

Two confirmed bookings of one resource never overlap. The service checks it inside its
transaction and says which booking is in the way; on SQLite that check is exact,
because SQLite runs one writing transaction at a time (IMMEDIATE mode); on PostgreSQL
an exclusion constraint decides between concurrent writers, and its refusal gets the
same message.

Fees are paid through the ledger when a booking becomes confirmed, in the same
transaction: from the booker's account to the steward body's account, in the fee's
currency (euros or social currency). A payment the ledger refuses (beyond the debit
limit, say) refuses the confirmation with the ledger's message, and nothing is written.

Cancelling a paid booking: when a steward cancels, the payment is reversed at once;
when the booker cancels, a payment request for the fee goes to the steward body,
whose coordinators accept it (or not, as their usage rules say) on the economy page.
"""

import io
import secrets
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from autogestion.cooperatives.models import Body, Membership
from autogestion.cooperatives.permissions import active_body_ids
from autogestion.cooperatives.rules import Kind
from autogestion.core import clock
from autogestion.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from autogestion.core.inputs import check_year
from autogestion.economy import rules as money_rules
from autogestion.economy import services as economy
from autogestion.economy.models import Account, AccountKind, Currency

from . import permissions, rules
from .models import (
    Audience,
    Booking,
    BookingStatusChoice,
    FeePerChoice,
    ResourceKind,
    ResourcePhoto,
    SharedResource,
)
from .rules import BookingStatus, Refusal, Span

MAX_TEXT = 20_000
MAX_LONGEST_MINUTES = 366 * 24 * 60
MAX_NOTICE_MINUTES = 365 * 24 * 60
MAX_PHOTOS = 12
MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTO_PIXELS = 50_000_000
PHOTO_SIDE = 1600  # photos are stored at most this wide or high
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# Words -------------------------------------------------------------------------------

def duration_text(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)s day", "%(n)s days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours})
    if minutes or not parts:
        parts.append(ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes})
    return " ".join(parts)


def moment_text(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment, zone()), "l j F Y, H:i")


def slot_text(starts_at: datetime, ends_at: datetime) -> tuple[str, str]:
    """'Saturday 14 March 2026, 10:00' and '12:00' (the whole date when another day)."""
    start, end = timezone.localtime(starts_at, zone()), timezone.localtime(ends_at, zone())
    if start.date() == end.date():
        return moment_text(starts_at), formats.time_format(end, "H:i")
    return moment_text(starts_at), moment_text(ends_at)


def hours_text(resource: SharedResource) -> str:
    if resource.opens_at == rules.MIDNIGHT and resource.closes_at == rules.MIDNIGHT:
        return _("round the clock")
    closes = "24:00" if resource.closes_at == rules.MIDNIGHT else resource.closes_at.strftime(
        "%H:%M")
    return _("%(opens)s to %(closes)s") % {"opens": resource.opens_at.strftime("%H:%M"),
                                          "closes": closes}


def days_text(mask: int) -> str:
    days = sorted(rules.mask_to_days(mask))
    if len(days) == 7:
        return _("every day")
    names = [formats.date_format(datetime(2024, 1, day), "l") for day in days]  # 2024-01-01: Monday
    return ", ".join(names)


def refusal_message(refusal: Refusal, resource: SharedResource | None = None) -> DomainError:
    """The words (and 4xx status) of a rule's refusal, shared by pages and the API."""
    code, details = refusal.code, refusal.details
    name = resource.name if resource is not None else ""
    if code == "overlap":
        start, end = slot_text(details["starts_at"], details["ends_at"])
        return Conflict(_("%(resource)s is already booked from %(start)s to %(end)s: choose "
                          "another time.") % {"resource": name, "start": start, "end": end},
                        field="starts_at")
    if code == "bad_transition":
        return Conflict(_("This booking is already %(status)s.") % {
            "status": BookingStatusChoice(details["current"]).label})
    texts = {
        "naive_time": (_("Give the times with their time zone."), "starts_at"),
        "ends_before_start": (_("The end must come after the start."), "ends_at"),
        "in_the_past": (_("This time has passed: choose a start from now on."), "starts_at"),
        "skipped_time": (_("This time does not exist on %(day)s: the clocks change that "
                           "night. Choose another time.")
                         % {"day": formats.date_format(details.get("day"), "j F Y")}
                         if details.get("day") else "", "starts_at"),
        "bad_days": (_("Choose at least one open day."), "open_days"),
        "bad_hours": (_("Opening comes before closing, in whole minutes (closing at 00:00 "
                        "means midnight)."), "closes_at"),
    }
    if resource is not None:
        texts |= {
            "short_notice": (_("%(resource)s is booked at least %(notice)s ahead.") % {
                "resource": name, "notice": duration_text(details.get("notice", timedelta()))},
                "starts_at"),
            "too_far": (_("%(resource)s is booked at most %(days)s days ahead.") % {
                "resource": name, "days": resource.horizon_days}, "starts_at"),
            "too_long": (_("A booking of %(resource)s lasts at most %(longest)s.") % {
                "resource": name,
                "longest": duration_text(details.get("longest", timedelta()))}, "ends_at"),
            "closed_day": (_("%(resource)s is not open on %(day)s; it is open %(days)s.") % {
                "resource": name,
                "day": formats.date_format(details["day"], "l j F Y")
                if details.get("day") else "",
                "days": days_text(resource.open_days)}, "starts_at"),
            "outside_hours": (_("%(resource)s is open %(hours)s: book within these hours.")
                              % {"resource": name, "hours": hours_text(resource)}, "starts_at"),
            "overnight": (_("%(resource)s is given back the same day: end the booking on the "
                            "day it starts.") % {"resource": name}, "ends_at"),
        }
    text, field = texts.get(code, (code, None))
    return DomainError(text, field=field)


# Resources ---------------------------------------------------------------------------

FIELDS = {"kind", "name", "description", "place", "usage_rules", "audience",
          "requires_approval", "open_days", "opens_at", "closes_at", "overnight",
          "longest_minutes", "notice_minutes", "horizon_days", "fee_amount", "fee_currency",
          "fee_per", "is_active"}


def audience_body_of(steward: Body, audience: str) -> Body:
    """The body whose members may book: the steward, its cooperative or its network."""
    if audience == Audience.STEWARD:
        return steward
    if audience == Audience.COOPERATIVE:
        cooperative = steward.enclosing_cooperative()
        if cooperative is None:
            raise DomainError(_("%(body)s is not part of a cooperative: choose its own "
                                "members or the network's.") % {"body": steward.name},
                              field="audience")
        return cooperative
    if audience == Audience.NETWORK:
        if steward.kind == Kind.NETWORK:
            return steward
        network = (Body.objects.filter(pk__in=steward.ancestor_ids, kind=Kind.NETWORK)
                   .order_by("-depth").first())
        if network is None:
            raise DomainError(_("%(body)s is not part of a network: choose its own members "
                                "or its cooperative's.") % {"body": steward.name},
                              field="audience")
        return network
    raise DomainError(_("Choose who may book: the steward's members, the cooperative's or "
                        "the network's."), field="audience")


def _text(value, field: str, longest: int, *, required: bool = False, label: str = "") -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError(_("Give the %(field)s.") % {"field": label or field}, field=field)
    if len(text) > longest:
        raise DomainError(_("The %(field)s has at most %(n)s characters.")
                          % {"field": label or field, "n": longest}, field=field)
    return text


def _whole(value, field: str, lowest: int, highest: int, *, optional: bool = False):
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not lowest <= value <= highest:
        raise DomainError(_("Give a whole number from %(low)s to %(high)s.")
                          % {"low": lowest, "high": highest}, field=field)
    return value


def _clean(data: dict, steward: Body, current: SharedResource | None) -> dict:
    """Checks each given field and returns the row's new values."""
    unknown = set(data) - FIELDS
    if unknown:
        raise DomainError(_("Unknown field: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    clean: dict = {}
    if "kind" in data:
        if data["kind"] not in ResourceKind.values:
            raise DomainError(_("Choose premises, land, vehicle, tool or other."), field="kind")
        clean["kind"] = data["kind"]
    if "name" in data:
        clean["name"] = _text(data["name"], "name", 150, required=True, label=_("name"))
    for field, label, longest in (("description", _("description"), MAX_TEXT),
                                  ("place", _("place"), 255),
                                  ("usage_rules", _("usage rules"), MAX_TEXT)):
        if field in data:
            clean[field] = _text(data[field], field, longest, label=label)
    for field in ("requires_approval", "overnight", "is_active"):
        if field in data:
            clean[field] = bool(data[field])
    if "audience" in data:
        clean["audience"] = data["audience"]
        clean["audience_body"] = audience_body_of(steward, data["audience"])
    if "open_days" in data:
        try:
            clean["open_days"] = rules.days_to_mask(data["open_days"])
        except (Refusal, TypeError):
            raise refusal_message(Refusal("bad_days")) from None
    opens = data.get("opens_at", current.opens_at if current else rules.MIDNIGHT)
    closes = data.get("closes_at", current.closes_at if current else rules.MIDNIGHT)
    if "opens_at" in data or "closes_at" in data:
        if not isinstance(opens, time) or not isinstance(closes, time):
            raise DomainError(_("Give the hours as HH:MM."), field="opens_at")
        try:
            rules.check_hours(opens, closes)
        except Refusal as refusal:
            raise refusal_message(refusal) from None
        clean["opens_at"], clean["closes_at"] = opens, closes
    if "longest_minutes" in data:
        clean["longest_minutes"] = _whole(data["longest_minutes"], "longest_minutes", 1,
                                          MAX_LONGEST_MINUTES, optional=True)
    if "notice_minutes" in data:
        clean["notice_minutes"] = _whole(data["notice_minutes"] or 0, "notice_minutes", 0,
                                         MAX_NOTICE_MINUTES)
    if "horizon_days" in data:
        clean["horizon_days"] = _whole(data["horizon_days"], "horizon_days", 1,
                                       rules.LONGEST_HORIZON_DAYS)
    if "fee_per" in data:
        if data["fee_per"] not in FeePerChoice.values:
            raise DomainError(_("The fee is per booking or per hour."), field="fee_per")
        clean["fee_per"] = data["fee_per"]
    if "fee_amount" in data or "fee_currency" in data:
        clean |= _clean_fee(data, steward, current)
    return clean


def _clean_fee(data: dict, steward: Body, current: SharedResource | None) -> dict:
    amount = data.get("fee_amount", current.fee_amount if current else None)
    currency = data.get("fee_currency", current.fee_currency if current else None)
    if not amount:
        return {"fee_amount": None, "fee_currency": None}
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= \
            money_rules.MAX_AMOUNT:
        raise DomainError(_("The fee is more than zero."), field="fee_amount")
    if not isinstance(currency, Currency):
        raise DomainError(_("Choose the currency of the fee."), field="fee_currency")
    if not steward.path.startswith(currency.cooperative.path):
        raise DomainError(_("The fee is in a currency of the cooperative of %(body)s.")
                          % {"body": steward.name}, field="fee_currency")
    return {"fee_amount": amount, "fee_currency": currency}


def _steward_account_kind(steward: Body) -> str:
    return AccountKind.COOPERATIVE if steward.kind == Kind.COOPERATIVE else AccountKind.GROUP


def steward_account(resource: SharedResource) -> Account | None:
    """The steward body's account that receives the fees."""
    return (Account.objects.filter(currency=resource.fee_currency_id, body=resource.steward_id,
                                   person__isnull=True,
                                   kind__in=[AccountKind.GROUP, AccountKind.PROJECT,
                                             AccountKind.COOPERATIVE])
            .order_by("pk").first())


def _open_fee_account(actor, resource: SharedResource) -> None:
    if resource.fee_currency_id is not None and steward_account(resource) is None:
        economy.open_body_account(actor=actor, currency=resource.fee_currency,
                                  body=resource.steward,
                                  kind=_steward_account_kind(resource.steward))


@transaction.atomic
def create_resource(*, actor, steward: Body, kind: str, name: str, **fields) -> SharedResource:
    """A steward body's coordinators (or stewards) put a resource in common."""
    if not permissions.can_create_resource(actor, steward):
        raise PermissionDenied(_("Only coordinators or stewards of %(body)s put resources "
                                 "in common for it.") % {"body": steward.name})
    fields.setdefault("audience", Audience.COOPERATIVE if steward.kind != Kind.NETWORK
                      else Audience.NETWORK)
    clean = _clean({"kind": kind, "name": name, **fields}, steward, None)
    if SharedResource.objects.filter(steward=steward, name=clean["name"]).exists():
        raise Conflict(_("%(body)s already has a resource named “%(name)s”.")
                       % {"body": steward.name, "name": clean["name"]}, field="name")
    resource = SharedResource.objects.create(steward=steward, created_by=actor, **clean)
    _open_fee_account(actor, resource)
    return resource


def _resource(resource_id: int, *, lock: bool = False) -> SharedResource:
    found = SharedResource.objects.select_related("steward", "audience_body",
                                                  "fee_currency__cooperative")
    if lock:
        found = found.select_for_update(of=("self",))
    resource = found.filter(pk=resource_id).first()
    if resource is None:
        raise NotFound(_("There is no such resource."))
    return resource


@transaction.atomic
def update_resource(*, actor, resource_id: int, **fields) -> SharedResource:
    """Change what a resource is and its rules. Bookings already made stay as they are;
    new ones follow the new rules."""
    resource = _resource(resource_id, lock=True)
    if not permissions.can_steward_resource(actor, resource):
        raise PermissionDenied(_("Only the stewards of %(resource)s change it.")
                               % {"resource": resource.name})
    clean = _clean(fields, resource.steward, resource)
    if "name" in clean and SharedResource.objects.filter(
            steward=resource.steward_id, name=clean["name"]).exclude(pk=resource.pk).exists():
        raise Conflict(_("%(body)s already has a resource named “%(name)s”.")
                       % {"body": resource.steward.name, "name": clean["name"]}, field="name")
    for field, value in clean.items():
        setattr(resource, field, value)
    resource.save()
    _open_fee_account(actor, resource)
    return resource


# Photos ------------------------------------------------------------------------------

def _read_image(upload):
    """The upload as a checked, re-encoded image: (bytes, extension, size). Re-encoding keeps
    only the pixels: no location or camera data leaves with the photo, and nothing but
    an image is ever served back."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    refused = DomainError(_("This file is not a photo: send a JPEG, PNG, WebP or GIF "
                            "image."), field="image")
    if upload is None:
        raise refused
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_PHOTO_BYTES:
        raise DomainError(_("A photo weighs at most %(mb)s MB.")
                          % {"mb": MAX_PHOTO_BYTES // (1024 * 1024)}, field="image")
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            if probe.format not in PHOTO_FORMATS:
                raise refused
            if probe.width * probe.height > MAX_PHOTO_PIXELS:
                raise DomainError(_("This photo has too many pixels."), field="image")
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            image.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
            transparent = image.mode in ("RGBA", "LA", "P") and (
                image.mode != "P" or "transparency" in image.info)
            out = io.BytesIO()
            if transparent:
                image.convert("RGBA").save(out, "PNG", optimize=True)
                extension = "png"
            else:
                image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
                extension = "jpg"
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            EOFError):
        raise refused from None
    return out.getvalue(), extension, image.size


@transaction.atomic
def add_photo(*, actor, resource_id: int, image, caption: str = "") -> ResourcePhoto:
    resource = _resource(resource_id, lock=True)
    if not permissions.can_steward_resource(actor, resource):
        raise PermissionDenied(_("Only the stewards of %(resource)s add photos.")
                               % {"resource": resource.name})
    caption = _text(caption, "caption", 200, label=_("caption"))
    if resource.photos.count() >= MAX_PHOTOS:
        raise Conflict(_("A resource has at most %(n)s photos: remove one first.")
                       % {"n": MAX_PHOTOS}, field="image")
    content, extension, (width, height) = _read_image(image)
    photo = ResourcePhoto(resource=resource, caption=caption, uploaded_by=actor,
                          token=secrets.token_hex(16), extension=extension, width=width,
                          height=height)
    photo.image.save(f"photo.{extension}", ContentFile(content), save=False)
    name, storage = photo.image.name, photo.image.storage
    try:
        photo.save()
    except Exception:
        storage.delete(name)
        raise
    return photo


@transaction.atomic
def remove_photo(*, actor, photo_id: int) -> None:
    photo = ResourcePhoto.objects.select_related("resource__steward").filter(pk=photo_id).first()
    if photo is None:
        raise NotFound(_("There is no such photo."))
    if not permissions.can_steward_resource(actor, photo.resource):
        raise PermissionDenied(_("Only the stewards of %(resource)s remove its photos.")
                               % {"resource": photo.resource.name})
    name, storage = photo.image.name, photo.image.storage
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))


# Bookings ----------------------------------------------------------------------------

def opening_rules(resource: SharedResource) -> rules.OpeningRules:
    return rules.OpeningRules(
        tz=zone(), days=rules.mask_to_days(resource.open_days), opens=resource.opens_at,
        closes=resource.closes_at, overnight=resource.overnight,
        longest=timedelta(minutes=resource.longest_minutes)
        if resource.longest_minutes else None,
        notice=timedelta(minutes=resource.notice_minutes),
        horizon=timedelta(days=resource.horizon_days))


def _confirmed_overlapping(resource_id: int, span: Span, exclude: int | None = None):
    found = Booking.objects.filter(resource_id=resource_id, status=BookingStatus.CONFIRMED,
                                   starts_at__lt=span.ends_at, ends_at__gt=span.starts_at)
    if exclude is not None:
        found = found.exclude(pk=exclude)
    return found.order_by("starts_at", "pk")


def _overlap(resource: SharedResource, span: Span, exclude: int | None = None) -> Conflict:
    clash = _confirmed_overlapping(resource.pk, span, exclude).first()
    if clash is None:  # the other booking was cancelled meanwhile: the words still hold
        return Conflict(_("%(resource)s was booked for this time meanwhile: choose another "
                          "time.") % {"resource": resource.name}, field="starts_at")
    return refusal_message(Refusal("overlap", starts_at=clash.starts_at, ends_at=clash.ends_at),
                           resource)


def _check_no_overlap(resource: SharedResource, span: Span, exclude: int | None = None) -> None:
    if _confirmed_overlapping(resource.pk, span, exclude).exists():
        raise _overlap(resource, span, exclude)


def _is_exclusion_violation(exc: IntegrityError) -> bool:
    return getattr(exc.__cause__, "sqlstate", "") == "23P01"


def _save_confirmed(booking: Booking, resource: SharedResource, **save) -> None:
    """Write a confirmed booking; on PostgreSQL the exclusion constraint has the last
    word between concurrent writers, and its refusal reads like the service's own."""
    try:
        with transaction.atomic():
            booking.save(**save)
    except IntegrityError as exc:
        if _is_exclusion_violation(exc):
            raise _overlap(resource, Span(booking.starts_at, booking.ends_at),
                           exclude=booking.pk) from None
        raise


def fee_of(resource: SharedResource, span: Span) -> int:
    return rules.fee_for(span, resource.fee_amount, resource.fee_per)


def _check_can_pay(person, resource: SharedResource) -> None:
    currency = resource.fee_currency
    if currency is None:
        return
    if not Membership.objects.filter(person=person, body=currency.cooperative_id,
                                     status="active").exists():
        raise PermissionDenied(_("The fee of %(resource)s is paid in %(currency)s, held by the "
                                 "members of %(body)s only.") % {
            "resource": resource.name, "currency": currency.name,
            "body": currency.cooperative.name})


def _pay_fee(booking: Booking, resource: SharedResource) -> None:
    amount = fee_of(resource, Span(booking.starts_at, booking.ends_at))
    if not amount:
        return
    payee = steward_account(resource)
    if payee is None:
        raise Conflict(_("%(body)s has no account in %(currency)s to receive the fee: its "
                         "coordinators open one.") % {"body": resource.steward.name,
                                                      "currency": resource.fee_currency.name})
    payer = economy.account_of(booking.booker, resource.fee_currency)
    start, end = slot_text(booking.starts_at, booking.ends_at)
    # The booker agreed to the fee when booking: the payment is theirs, made when the
    # booking is confirmed (by them at once, or by the steward's approval).
    booking.fee_payment = economy.pay(
        actor=booking.booker, payer_id=payer.pk, payee_id=payee.pk, amount=amount,
        description=f"{resource.name}: {start} – {end}"[:255],
        currency_id=resource.fee_currency_id)
    booking.save(update_fields=["fee_payment"])


def _check_for_body(actor, for_body: Body | None) -> None:
    if for_body is not None and for_body.pk not in active_body_ids(actor):
        raise PermissionDenied(_("You book for %(body)s only as one of its members.")
                               % {"body": for_body.name}, field="for_body")


@transaction.atomic
def book_resource(*, actor, resource_id: int, starts_at: datetime, ends_at: datetime,
                  purpose: str = "", for_body: Body | None = None) -> Booking:
    """Book a resource for a span of time: confirmed at once, or requested when the
    steward approves bookings (a steward's own booking needs no approval)."""
    resource = _resource(resource_id)
    if not permissions.may_book(actor, resource):
        if not permissions.can_view_resource(actor, resource):
            raise NotFound(_("There is no such resource."))
        if not resource.is_active:
            raise Conflict(_("%(resource)s takes no booking for now.")
                           % {"resource": resource.name})
        raise PermissionDenied(_("%(resource)s is booked by the members of %(body)s.")
                               % {"resource": resource.name, "body": resource.audience_body.name})
    purpose = _text(purpose, "purpose", 255, label=_("purpose"))
    _check_for_body(actor, for_body)
    # Far years overflow when converted to local time (9999-12-31T23:00-10:00).
    check_year(starts_at, "starts_at")
    check_year(ends_at, "ends_at")
    span = Span(starts_at, ends_at)
    try:
        rules.check_span(span)
        rules.check_timing(span, opening_rules(resource), clock.now())
        rules.check_opening(span, opening_rules(resource))
    except Refusal as refusal:
        raise refusal_message(refusal, resource) from None
    _check_can_pay(actor, resource)
    _check_no_overlap(resource, span)
    if Booking.objects.filter(resource=resource, booker=actor, status=BookingStatus.REQUESTED,
                              starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
        raise Conflict(_("You already asked for %(resource)s at this time.")
                       % {"resource": resource.name}, field="starts_at")
    now = clock.now()
    confirm = not resource.requires_approval or permissions.can_steward_resource(actor, resource)
    booking = Booking(resource=resource, booker=actor, for_body=for_body, starts_at=starts_at,
                      ends_at=ends_at, purpose=purpose, created_at=now,
                      status=BookingStatus.CONFIRMED if confirm else BookingStatus.REQUESTED,
                      decided_at=now if confirm else None)
    if not confirm:
        booking.save()
        return booking
    _save_confirmed(booking, resource)
    _pay_fee(booking, resource)
    return booking


def _booking(booking_id: int) -> Booking:
    booking = (Booking.objects.select_for_update(of=("self",))
               .select_related("resource__steward", "resource__audience_body",
                               "resource__fee_currency__cooperative", "booker")
               .filter(pk=booking_id).first())
    if booking is None:
        raise NotFound(_("There is no such booking."))
    return booking


def _steward_booking(actor, booking_id: int, wanted: str) -> Booking:
    booking = _booking(booking_id)
    if not permissions.can_steward_resource(actor, booking.resource):
        raise PermissionDenied(_("Only the stewards of %(resource)s decide on its bookings.")
                               % {"resource": booking.resource.name})
    try:
        rules.check_transition(booking.status, wanted)
    except Refusal as refusal:
        raise refusal_message(refusal) from None
    return booking


@transaction.atomic
def approve_booking(*, actor, booking_id: int) -> Booking:
    """The steward confirms a request: still in the future, the booker still in the
    audience, no confirmed booking in the way; the fee is paid now."""
    booking = _steward_booking(actor, booking_id, BookingStatus.CONFIRMED)
    resource = booking.resource
    span = Span(booking.starts_at, booking.ends_at)
    if booking.starts_at < clock.now():
        raise Conflict(_("This request was for a time that has passed: decline it."))
    if not permissions.in_audience(booking.booker, resource):
        raise Conflict(_("%(person)s is no longer among those who may book %(resource)s: "
                         "decline the request.") % {"person": booking.booker.public_name,
                                                     "resource": resource.name})
    _check_no_overlap(resource, span, exclude=booking.pk)
    booking.status, booking.decided_by, booking.decided_at = (BookingStatus.CONFIRMED, actor,
                                                              clock.now())
    _save_confirmed(booking, resource, update_fields=["status", "decided_by", "decided_at"])
    _pay_fee(booking, resource)
    return booking


@transaction.atomic
def decline_booking(*, actor, booking_id: int, reason: str = "") -> Booking:
    booking = _steward_booking(actor, booking_id, BookingStatus.DECLINED)
    booking.note = _text(reason, "reason", 255, label=_("reason"))
    booking.status, booking.decided_by, booking.decided_at = (BookingStatus.DECLINED, actor,
                                                              clock.now())
    booking.save(update_fields=["status", "decided_by", "decided_at", "note"])
    return booking


@transaction.atomic
def cancel_booking(*, actor, booking_id: int, reason: str = "") -> Booking:
    """The booker withdraws, or a steward cancels, a booking that has not started. A
    paid fee goes back: reversed by a steward, or asked back by the booker."""
    booking = _booking(booking_id)
    resource = booking.resource
    is_steward = permissions.can_steward_resource(actor, resource)
    if booking.booker_id != getattr(actor, "pk", None) and not is_steward:
        raise PermissionDenied(_("Only the person who booked, or a steward of %(resource)s, "
                               "cancels a booking.") % {"resource": resource.name})
    try:
        rules.check_transition(booking.status, BookingStatus.CANCELLED)
    except Refusal as refusal:
        raise refusal_message(refusal) from None
    if booking.status == BookingStatus.CONFIRMED and booking.starts_at <= clock.now():
        raise Conflict(_("This booking has started: it can no longer be cancelled."))
    booking.note = _text(reason, "reason", 255, label=_("reason"))
    booking.status, booking.decided_by, booking.decided_at = (BookingStatus.CANCELLED, actor,
                                                              clock.now())
    booking.save(update_fields=["status", "decided_by", "decided_at", "note"])
    if booking.fee_payment_id is not None:
        _refund(booking, actor, is_steward)
    return booking


def _refund(booking: Booking, actor, is_steward: bool) -> None:
    payment = booking.fee_payment
    reason = _("booking of %(resource)s cancelled") % {"resource": booking.resource.name}
    if is_steward:
        booking.fee_refund = economy.reverse_payment(actor=actor, payment_id=payment.pk,
                                                     reason=reason)
        booking.save(update_fields=["fee_refund"])
        return
    booking.refund_request = economy.request_payment(
        actor=actor, seller_id=payment.payer_id, buyer_id=payment.payee_id,
        amount=payment.amount, description=(_("Refund: %(reason)s") % {"reason": reason})[:255])
    booking.save(update_fields=["refund_request"])
