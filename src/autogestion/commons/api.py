"""Pooled resources and their bookings through the API (DOMAIN.md R11): the same
services, rules and messages as the pages.

Who sees what. A resource is seen by whoever sees its steward body (open bodies are
public, R2) and by those who may book it; to anyone else it does not exist (404). Who
booked and what for is shown to those who may book it and to its stewards; others see
the taken slots only (`booker`, `purpose` and `for_body` are null).

Times. `starts_at` and `ends_at` are ISO 8601 datetimes; one with an offset
("2026-03-14T10:00:00+01:00") is that instant; one without is read in the platform's
time zone (a time the clocks skip is refused). Answers are in the platform's time
zone with their offset. Spans are half-open: a booking until 12:00 and one from 12:00
do not overlap. Opening hours are "HH:MM"; a closing time of "00:00" (or "24:00") is
midnight, the end of the day. `open_days` are ISO weekdays, Monday = 1.

Fees. `fee` is a string in the fee currency's units ("10.00"), with `fee_currency`
(the code of a currency of the steward's cooperative) and `fee_per` ("booking", or
"hour" begun); `fee: null` (or "0") makes the resource free. Answers give the fee as
`{"amount": {"minor": 1000, "value": "10.00"}, "currency": "oseille", "per": "booking"}`.
A fee is paid from the booker's account when the booking is confirmed; a payment the
ledger refuses refuses the booking (409, the ledger's message).

History. A booking's detail (and the answer to booking it, confirming, declining or
cancelling it) lists its `events`, oldest first: made (requested or confirmed), then
each change of status, with when; who did it for those who see who booked, and why for
the booker and the stewards.

Refusals: 400 (bad input, with `field`), 403 (seen but not allowed), 404 (not there, or
hidden: a request is not shown to those who see only the slots taken), 409 (a booking
in the way, already decided, a payment refused); nothing is written. The pages answer
the same statuses (access.py).
"""

from datetime import date, datetime, time, timedelta
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import StrictBool

from autogestion.core import clock
from autogestion.core.api import public
from autogestion.core.api_schemas import Input, Integer, Moment, Money, refusals, text_up_to
from autogestion.core.api_types import MAX_ID, Text
from autogestion.core.errors import DomainError
from autogestion.core.inputs import AmountError, amount_in_minor_units, parse_amount, parse_day
from autogestion.economy import rules as money_rules

from . import access, permissions, queries, rules, services
from .models import Booking, SharedResource
from .rules import Refusal
from .texts import refusal_message

router = Router(tags=["commons"])

MAX_RANGE_DAYS = 62
HOUR_PATTERN = r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$"


Hour = Annotated[str, Field(pattern=HOUR_PATTERN, description="HH:MM; 00:00 or 24:00 as a "
                                                             "closing time: midnight.")]


# Schemas -----------------------------------------------------------------------------

class FeeOut(Schema):
    amount: Money
    currency: str
    per: str = Field(description="booking, or hour (begun).")


class PhotoOut(Schema):
    id: int
    url: str
    caption: str
    width: int
    height: int


class ResourceOut(Schema):
    id: int
    name: str
    kind: str
    steward: str = Field(description="The steward body's short name.")
    steward_name: str
    description: str = Field(description="Markdown.")
    place: str
    usage_rules: str = Field(description="Markdown.")
    audience: str = Field(description="steward, cooperative or network.")
    audience_body: str = Field(description="Short name of the body whose members book.")
    requires_approval: bool
    open_days: list[int] = Field(description="ISO weekdays, Monday = 1.")
    opens_at: str
    closes_at: str
    overnight: bool = Field(description="May be kept over several days.")
    longest_minutes: int | None
    notice_minutes: int
    horizon_days: int
    fee: FeeOut | None
    is_active: bool
    photos: list[PhotoOut]
    may_book: bool
    can_steward: bool
    url: str


class ResourceQuery(Schema):
    body: Text = Field("", max_length=80, description="Short name: the resources this body "
                                                      "and the bodies inside it steward.")
    bookable: bool = Field(False, description="Only those I may book now.")


class ResourceIn(Input):
    kind: Text = Field(description="premises, land, vehicle, tool or other.")
    name: Text = Field(min_length=1, max_length=150)
    description: Text = Field("", max_length=services.MAX_TEXT)
    place: Text = Field("", max_length=255)
    usage_rules: Text = Field("", max_length=services.MAX_TEXT)
    audience: Text = Field("cooperative", description="steward, cooperative or network.")
    requires_approval: StrictBool = False
    open_days: list[Integer] = Field([1, 2, 3, 4, 5, 6, 7], max_length=7)
    opens_at: Hour = "00:00"
    closes_at: Hour = "00:00"
    overnight: StrictBool = False
    longest_minutes: Integer | None = Field(None, ge=1, le=services.MAX_LONGEST_MINUTES)
    notice_minutes: Integer = Field(0, ge=0, le=services.MAX_NOTICE_MINUTES)
    horizon_days: Integer = Field(180, ge=1, le=rules.LONGEST_HORIZON_DAYS)
    fee: text_up_to(25) | None = Field(None, description="In the currency's units.")
    fee_currency: text_up_to(20) | None = Field(None, description="Currency code.")
    fee_per: Text = "booking"
    is_active: StrictBool = True


class ResourcePatch(Input):
    """Only the fields sent change."""

    kind: Text | None = None
    name: text_up_to(150, min_length=1) | None = None
    description: text_up_to(services.MAX_TEXT) | None = None
    place: text_up_to(255) | None = None
    usage_rules: text_up_to(services.MAX_TEXT) | None = None
    audience: Text | None = None
    requires_approval: StrictBool | None = None
    open_days: list[Integer] | None = Field(None, max_length=7)
    opens_at: Hour | None = None
    closes_at: Hour | None = None
    overnight: StrictBool | None = None
    longest_minutes: Integer | None = Field(None, ge=1, le=services.MAX_LONGEST_MINUTES)
    notice_minutes: Integer | None = Field(None, ge=0, le=services.MAX_NOTICE_MINUTES)
    horizon_days: Integer | None = Field(None, ge=1, le=rules.LONGEST_HORIZON_DAYS)
    fee: text_up_to(25) | None = None
    fee_currency: text_up_to(20) | None = None
    fee_per: Text | None = None
    is_active: StrictBool | None = None


class BookingOut(Schema):
    id: int
    resource_id: int
    resource: str
    starts_at: datetime
    ends_at: datetime
    status: str = Field(description="requested, confirmed, declined or cancelled.")
    booker: str | None
    for_body: str | None
    purpose: str | None
    mine: bool
    note: str | None
    decided_at: datetime | None
    fee: Money | None = Field(description="What was paid, for the booker and the stewards.")
    fee_payment_id: int | None
    fee_refund_id: int | None
    refund_request_id: int | None
    created_at: datetime


class BookingEventOut(Schema):
    from_status: str | None = Field(description="None for the first event (the booking "
                                                "made).")
    to_status: str = Field(description="requested, confirmed, declined or cancelled.")
    actor: str | None = Field(description="Who did it, for those who see who booked.")
    at: datetime
    reason: str | None = Field(description="For the booker and the stewards.")


class BookingDetailOut(BookingOut):
    events: list[BookingEventOut] = Field(description="The booking's history, oldest "
                                                      "first.")


class BookingIn(Input):
    starts_at: Moment
    ends_at: Moment
    purpose: Text = Field("", max_length=255)
    for_body: text_up_to(80) | None = Field(None, description="Short name of a group "
                                                              "I book for.")


class RangeQuery(Schema):
    date_from: Text = Field("", alias="from", description="YYYY-MM-DD, included; today by "
                                                          "default.")
    date_to: Text = Field("", alias="to", description="YYYY-MM-DD, included; a week after "
                                                      "`from` by default; 62 days at most.")


class BookingReasonIn(Input):
    reason: Text = Field("", max_length=255)


# Reading -----------------------------------------------------------------------------

def _money(minor: int, decimals: int) -> dict:
    return {"minor": minor, "value": money_rules.format_amount(minor, decimals)}


def _hour(moment: time) -> str:
    return moment.strftime("%H:%M")


def _parse_hour(text: str) -> time:
    return rules.MIDNIGHT if text == "24:00" else time.fromisoformat(text)


def _resource_out(user, r: SharedResource) -> dict:
    fee = None
    if r.fee_amount and r.fee_currency is not None:
        fee = {"amount": _money(r.fee_amount, r.fee_currency.decimals),
               "currency": r.fee_currency.code, "per": r.fee_per}
    return {
        "id": r.pk, "name": r.name, "kind": r.kind, "steward": r.steward.slug,
        "steward_name": r.steward.name, "description": r.description, "place": r.place,
        "usage_rules": r.usage_rules, "audience": r.audience,
        "audience_body": r.audience_body.slug, "requires_approval": r.requires_approval,
        "open_days": sorted(rules.mask_to_days(r.open_days)), "opens_at": _hour(r.opens_at),
        "closes_at": _hour(r.closes_at), "overnight": r.overnight,
        "longest_minutes": r.longest_minutes, "notice_minutes": r.notice_minutes,
        "horizon_days": r.horizon_days, "fee": fee, "is_active": r.is_active,
        "photos": [{"id": p.pk, "url": p.get_absolute_url(), "caption": p.caption,
                    "width": p.width, "height": p.height} for p in r.photos.all()],
        "may_book": bool(permissions.may_book(user, r)),
        "can_steward": bool(permissions.can_steward_resource(user, r)),
        "url": r.get_absolute_url()}


def _booking_out(user, b: Booking, events: bool = False) -> dict:
    resource = b.resource
    mine = b.booker_id == getattr(user, "pk", None)
    steward = bool(permissions.can_steward_resource(user, resource))
    details = mine or steward or bool(permissions.can_see_bookers(user, resource))
    shown = {}
    if events:
        shown["events"] = [
            {"from_status": e.from_status or None, "to_status": e.to_status,
             "actor": e.actor.public_name if details and e.actor_id else None,
             "at": clock.local(e.at), "reason": e.reason if mine or steward else None}
            for e in b.events.all()]
    fee = None
    if (mine or steward) and b.fee_payment_id is not None:
        fee = _money(b.fee_payment.amount, b.fee_payment.currency.decimals)
    return {
        "id": b.pk, "resource_id": resource.pk, "resource": resource.name,
        "starts_at": clock.local(b.starts_at), "ends_at": clock.local(b.ends_at),
        "status": b.status,
        "booker": b.booker.public_name if details else None,
        "for_body": b.for_body.slug if details and b.for_body_id else None,
        "purpose": b.purpose if details else None, "mine": mine,
        "note": b.note if mine or steward else None, "decided_at": clock.local(b.decided_at),
        "fee": fee, "fee_payment_id": b.fee_payment_id if mine or steward else None,
        "fee_refund_id": b.fee_refund_id if mine or steward else None,
        "refund_request_id": b.refund_request_id if mine or steward else None,
        "created_at": clock.local(b.created_at)} | shown


def _detail(user, booking_id: int) -> dict:
    """A booking as its detail answers it: with its history."""
    return _booking_out(user, access.get_booking_for(user, booking_id, events=True),
                        events=True)


def _renamed(exc: DomainError) -> DomainError:
    """The service names its own arguments; the answer names the request's fields."""
    exc.field = {"fee_amount": "fee"}.get(exc.field, exc.field)
    return exc


def _fee_fields(sent: dict, current: SharedResource | None) -> dict:
    """`fee` (text in units) and `fee_currency` (a code) as the service's amount and
    currency; only what was sent changes."""
    if "fee" not in sent and "fee_currency" not in sent:
        return {}
    currency = current.fee_currency if current is not None else None
    if "fee_currency" in sent:
        currency = _currency(sent["fee_currency"]) if sent["fee_currency"] else None
    if "fee" not in sent:  # the same amount, in another currency
        return {"fee_amount": current.fee_amount if current else None,
                "fee_currency": currency}
    text = sent["fee"]
    if text is None or _is_zero(text):
        return {"fee_amount": None, "fee_currency": None}
    if currency is None:
        raise DomainError(_("Choose the currency of the fee."), field="fee_currency")
    return {"fee_amount": parse_amount(text, currency.decimals, "fee"),
            "fee_currency": currency}


def _is_zero(text: str) -> bool:
    """"0" means no fee, in whatever currency (a currency has at most 4 decimals)."""
    try:
        return amount_in_minor_units(text, 4) == 0
    except AmountError:
        return False


def _currency(code: str):
    currency = queries.currency_with_code(code)
    if currency is None:
        raise DomainError(_("There is no currency with the code “%(code)s”.")
                          % {"code": code[:20]}, field="fee_currency")
    return currency


def _service_fields(sent: dict, current: SharedResource | None = None) -> dict:
    fields = {k: v for k, v in sent.items() if k not in ("fee", "fee_currency")}
    for name in ("opens_at", "closes_at"):
        if fields.get(name) is not None:
            fields[name] = _parse_hour(fields[name])
    return fields | _fee_fields(sent, current)


def _aware(moment: datetime, field: str) -> datetime:
    if moment.tzinfo is not None:
        return moment
    try:
        return rules.localize(moment.date(), moment.time(), clock.zone())
    except Refusal as refusal:
        error = refusal_message(refusal)
        error.field = field
        raise error from None


def _range(filters: RangeQuery) -> tuple[datetime, datetime]:
    start = parse_day(filters.date_from, "from", optional=True) or clock.today()
    end = parse_day(filters.date_to, "to", optional=True) or start + timedelta(days=6)
    if end < start:
        raise DomainError(_("`to` comes on or after `from`."), field="to")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise DomainError(_("Ask for %(n)s days at most.") % {"n": MAX_RANGE_DAYS},
                          field="to")
    return _day_start(start), _day_start(end + timedelta(days=1))


def _day_start(day: date) -> datetime:
    return datetime.combine(day, rules.MIDNIGHT, clock.zone())


# Resources ---------------------------------------------------------------------------

@router.get("/resources", response={200: list[ResourceOut], **refusals(404)}, auth=public)
def list_resources(request, filters: Query[ResourceQuery]):
    """The resources I may see (open bodies' ones to everyone), or those of one body
    (`body`) and the bodies inside it; `bookable=true`: only those I may book now."""
    within = access.get_body_for(request.user, filters.body) if filters.body else None
    found = queries.resource_list(request.user, within=within).prefetch_related("photos")
    rows = [_resource_out(request.user, r) for r in found]
    return [row for row in rows if row["may_book"]] if filters.bookable else rows


@router.post("/bodies/{slug}/resources",
             response={201: ResourceOut, **refusals(400, 403, 404, 409)})
def create_resource(request, slug: str, payload: ResourceIn):
    """The coordinators or stewards of a body put a resource in common for it."""
    body = access.get_body_to_steward(request.user, slug)
    fields = _service_fields(payload.dict())
    try:
        resource = services.create_resource(actor=request.user, steward=body, **fields)
    except DomainError as exc:
        raise _renamed(exc) from None
    return Status(201, _resource_out(request.user, access.get_resource_for(
        request.user, resource.pk, photos=True)))


@router.get("/resources/{resource_id}", response={200: ResourceOut, **refusals(404)}, auth=public)
def get_resource(request, resource_id: int = Path(..., ge=1, le=MAX_ID)):
    return _resource_out(request.user, access.get_resource_for(request.user, resource_id,
                                                                photos=True))


@router.patch("/resources/{resource_id}",
              response={200: ResourceOut, **refusals(400, 403, 404, 409)})
def update_resource(request, payload: ResourcePatch,
                    resource_id: int = Path(..., ge=1, le=MAX_ID)):
    """The stewards change a resource: only the fields sent. `longest_minutes: null`
    lifts the limit; `fee: null` makes it free."""
    resource = access.get_stewarded_resource_for(request.user, resource_id)
    sent = payload.dict(exclude_unset=True)
    for name in ("kind", "name", "audience", "requires_approval", "open_days", "opens_at",
                 "closes_at", "overnight", "notice_minutes", "horizon_days", "fee_per",
                 "is_active", "description", "place", "usage_rules"):
        if name in sent and sent[name] is None:
            raise DomainError(_("%(field)s cannot be null.") % {"field": name}, field=name)
    try:
        services.update_resource(actor=request.user, resource_id=resource.pk,
                                 **_service_fields(sent, resource))
    except DomainError as exc:
        raise _renamed(exc) from None
    return _resource_out(request.user, access.get_resource_for(request.user, resource_id,
                                                                photos=True))


# Bookings ----------------------------------------------------------------------------

@router.get("/resources/{resource_id}/bookings",
            response={200: list[BookingOut], **refusals(400, 404)}, auth=public)
def resource_bookings(request, filters: Query[RangeQuery],
                      resource_id: int = Path(..., ge=1, le=MAX_ID)):
    """Confirmed bookings between two days (and the requests waiting, for those who may
    book the resource and its stewards), in time order."""
    resource = access.get_resource_for(request.user, resource_id)
    start, end = _range(filters)
    details = bool(permissions.can_see_bookers(request.user, resource))
    found = (queries.bookings_between(resource, start, end, with_requests=details)
             .select_related("fee_payment__currency"))
    for booking in found:
        booking.resource = resource
    return [_booking_out(request.user, b) for b in found]


@router.post("/resources/{resource_id}/bookings",
             response={201: BookingDetailOut, **refusals(400, 403, 404, 409)})
def book(request, payload: BookingIn, resource_id: int = Path(..., ge=1, le=MAX_ID)):
    """Book a resource: confirmed at once (status confirmed, the fee paid), or requested
    when its stewards approve bookings. 409 when a confirmed booking is in the way, with
    its times."""
    resource = access.get_resource_for(request.user, resource_id)
    for_body = None
    if payload.for_body:
        for_body = queries.body_with_slug(payload.for_body)
        if for_body is None:
            raise DomainError(_("There is no body with the short name “%(slug)s”.")
                              % {"slug": payload.for_body}, field="for_body")
    booking = services.book_resource(
        actor=request.user, resource_id=resource.pk,
        starts_at=_aware(payload.starts_at, "starts_at"),
        ends_at=_aware(payload.ends_at, "ends_at"), purpose=payload.purpose,
        for_body=for_body)
    return Status(201, _detail(request.user, booking.pk))


@router.get("/bookings/{booking_id}", response={200: BookingDetailOut, **refusals(404)},
            auth=public)
def get_booking(request, booking_id: int = Path(..., ge=1, le=MAX_ID)):
    """A booking and its history. The public sees the confirmed ones only (the slots
    taken), without who booked nor why."""
    return _detail(request.user, booking_id)


@router.post("/bookings/{booking_id}/approve",
             response={200: BookingDetailOut, **refusals(400, 403, 404, 409)})
def approve(request, booking_id: int = Path(..., ge=1, le=MAX_ID)):
    """A steward confirms a request; the fee is paid now (409 if the ledger refuses)."""
    access.get_booking_to_decide(request.user, booking_id)
    services.approve_booking(actor=request.user, booking_id=booking_id)
    return _detail(request.user, booking_id)


@router.post("/bookings/{booking_id}/decline",
             response={200: BookingDetailOut, **refusals(400, 403, 404, 409)})
def decline(request, payload: BookingReasonIn, booking_id: int = Path(..., ge=1, le=MAX_ID)):
    access.get_booking_to_decide(request.user, booking_id)
    services.decline_booking(actor=request.user, booking_id=booking_id,
                             reason=payload.reason)
    return _detail(request.user, booking_id)


@router.post("/bookings/{booking_id}/cancel",
             response={200: BookingDetailOut, **refusals(400, 403, 404, 409)})
def cancel(request, payload: BookingReasonIn, booking_id: int = Path(..., ge=1, le=MAX_ID)):
    """The booker or a steward cancels a booking that has not started. A paid fee goes
    back: reversed when a steward cancels (`fee_refund_id`), asked back from the steward
    body when the booker does (`refund_request_id`)."""
    access.get_booking_to_cancel(request.user, booking_id)
    services.cancel_booking(actor=request.user, booking_id=booking_id, reason=payload.reason)
    return _detail(request.user, booking_id)


@router.get("/me/bookings", response=list[BookingOut])
def my_bookings(request):
    """My bookings that end from a month ago on, in time order."""
    found = queries.my_bookings(request.user).select_related(
        "resource__audience_body", "booker")
    return [_booking_out(request.user, b) for b in found]


@router.get("/me/booking-requests", response=list[BookingOut])
def requests_to_decide(request):
    """Requests waiting for my decision, on the resources I steward."""
    found = queries.requests_to_decide(request.user).select_related(
        "resource__audience_body", "fee_payment__currency")
    return [_booking_out(request.user, b) for b in found]

