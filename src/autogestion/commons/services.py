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
from datetime import datetime, time

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from autogestion.cooperatives.models import Body
from autogestion.cooperatives.permissions import active_body_ids
from autogestion.cooperatives.rules import Kind
from autogestion.core import clock, history
from autogestion.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from autogestion.core.inputs import check_year
from autogestion.economy import rules as money_rules
from autogestion.economy import services as economy
from autogestion.economy.models import AccountKind, Currency

from . import permissions, queries, rules
from .models import (
    Audience,
    Booking,
    BookingEvent,
    FeePerChoice,
    ResourceKind,
    ResourcePhoto,
    SharedResource,
)
from .rules import BookingStatus, Refusal, Span
from .texts import refusal_message, slot_text

MAX_TEXT = 20_000
MAX_LONGEST_MINUTES = 366 * 24 * 60
MAX_NOTICE_MINUTES = 365 * 24 * 60
MAX_PHOTOS = 12
MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTO_PIXELS = 50_000_000
PHOTO_SIDE = 1600  # photos are stored at most this wide or high
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}


# Resources ---------------------------------------------------------------------------

FIELDS = {"kind", "name", "description", "place", "usage_rules", "audience",
          "requires_approval", "open_days", "opens_at", "closes_at", "overnight",
          "longest_minutes", "notice_minutes", "horizon_days", "fee_amount", "fee_currency",
          "fee_per", "is_active"}


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
        clean["audience_body"] = queries.audience_body_of(steward, data["audience"])
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


def _open_fee_account(actor, resource: SharedResource) -> None:
    if resource.fee_currency_id is not None and queries.steward_account(resource) is None:
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

def _overlap(resource: SharedResource, span: Span, exclude: int | None = None) -> Conflict:
    clash = queries.confirmed_overlapping(resource.pk, span, exclude).first()
    if clash is None:  # the other booking was cancelled meanwhile: the words still hold
        return Conflict(_("%(resource)s was booked for this time meanwhile: choose another "
                          "time.") % {"resource": resource.name}, field="starts_at")
    return refusal_message(Refusal("overlap", starts_at=clash.starts_at, ends_at=clash.ends_at),
                           resource)


def _check_no_overlap(resource: SharedResource, span: Span, exclude: int | None = None) -> None:
    if queries.confirmed_overlapping(resource.pk, span, exclude).exists():
        raise _overlap(resource, span, exclude)


def _is_exclusion_violation(exc: IntegrityError) -> bool:
    return getattr(exc.__cause__, "sqlstate", "") == "23P01"


def _save_confirmed(booking: Booking, resource: SharedResource, write) -> None:
    """Write a confirmed booking (`write()` saves it); on PostgreSQL the exclusion
    constraint has the last word between concurrent writers, and its refusal reads like
    the service's own."""
    try:
        with transaction.atomic():
            write()
    except IntegrityError as exc:
        if _is_exclusion_violation(exc):
            raise _overlap(resource, Span(booking.starts_at, booking.ends_at),
                           exclude=booking.pk) from None
        raise


def _check_can_pay(person, resource: SharedResource) -> None:
    if not queries.may_pay_fees_of(person, resource):
        currency = resource.fee_currency
        raise PermissionDenied(_("The fee of %(resource)s is paid in %(currency)s, held by the "
                                 "members of %(body)s only.") % {
            "resource": resource.name, "currency": currency.name,
            "body": currency.cooperative.name})


def _pay_fee(booking: Booking, resource: SharedResource) -> None:
    amount = queries.fee_of(resource, Span(booking.starts_at, booking.ends_at))
    if not amount:
        return
    payee = queries.steward_account(resource)
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
        # Translators: a booking's fee in a statement: the resource, then its time.
        description=(_("%(resource)s: %(start)s – %(end)s")
                     % {"resource": resource.name, "start": start, "end": end})[:255],
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
        rules.check_timing(span, queries.opening_rules(resource), clock.now())
        rules.check_opening(span, queries.opening_rules(resource))
    except Refusal as refusal:
        raise refusal_message(refusal, resource) from None
    _check_can_pay(actor, resource)
    _check_no_overlap(resource, span)
    if queries.has_pending_request(resource.pk, actor, span):
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
    else:
        _save_confirmed(booking, resource, lambda: booking.save())
    history.record(booking, event_model=BookingEvent, subject="booking", actor=actor)
    if confirm:
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


def move_booking(booking: Booking, to: str, *, actor, reason: str = "",
                 update_fields=()) -> BookingEvent:
    """The one way a booking changes status (core.history): checks the move, saves the
    status with who decided and when, and writes its event, in one transaction. A move
    the state machine refuses is a 409 saying what the booking already is."""
    refusal = refusal_message(Refusal("bad_transition", current=booking.status,
                                      wanted=to)).message
    if to not in rules.TRANSITIONS.get(booking.status, ()):
        raise Conflict(refusal)
    booking.decided_by, booking.decided_at = actor, clock.now()
    return history.transition(
        booking, to, allowed=rules.TRANSITIONS, event_model=BookingEvent, subject="booking",
        actor=actor, reason=reason, refusal=refusal,
        update_fields=("decided_by", "decided_at", *update_fields))


def _check_move(booking: Booking, wanted: str) -> None:
    """The state machine first: a booking already decided says so before anything else."""
    try:
        rules.check_transition(booking.status, wanted)
    except Refusal as refusal:
        raise refusal_message(refusal) from None


def _steward_booking(actor, booking_id: int, wanted: str) -> Booking:
    booking = _booking(booking_id)
    if not permissions.can_steward_resource(actor, booking.resource):
        raise PermissionDenied(_("Only the stewards of %(resource)s decide on its bookings.")
                               % {"resource": booking.resource.name})
    _check_move(booking, wanted)
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
    _save_confirmed(booking, resource,
                    lambda: move_booking(booking, BookingStatus.CONFIRMED, actor=actor))
    _pay_fee(booking, resource)
    return booking


@transaction.atomic
def decline_booking(*, actor, booking_id: int, reason: str = "") -> Booking:
    booking = _steward_booking(actor, booking_id, BookingStatus.DECLINED)
    booking.note = _text(reason, "reason", 255, label=_("reason"))
    move_booking(booking, BookingStatus.DECLINED, actor=actor, reason=booking.note,
                 update_fields=("note",))
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
    _check_move(booking, BookingStatus.CANCELLED)
    if booking.status == BookingStatus.CONFIRMED and booking.starts_at <= clock.now():
        raise Conflict(_("This booking has started: it can no longer be cancelled."))
    booking.note = _text(reason, "reason", 255, label=_("reason"))
    move_booking(booking, BookingStatus.CANCELLED, actor=actor, reason=booking.note,
                 update_fields=("note",))
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
