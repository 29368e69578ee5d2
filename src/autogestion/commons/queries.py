"""Reading pooled resources and bookings for pages, the API and the feed, with a fixed
number of queries whatever the number of rows."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q

from autogestion.cooperatives.permissions import active_body_ids, is_operator, memberships_of
from autogestion.cooperatives.rules import Role, Status
from autogestion.core import clock
from autogestion.economy import rules as money_rules

from . import permissions, rules, services
from .models import Audience, Booking, SharedResource
from .rules import BookingStatus, Span

PAST_DAYS = 31  # "my bookings" shows the past month too


def _resources():
    return SharedResource.objects.select_related("steward", "audience_body",
                                                 "fee_currency")


def visible_resources(user, within=None):
    """The resources a person may see (R2 and the audiences), optionally those stewarded
    by a body and the bodies inside it; steward and audience joined in."""
    found = _resources()
    if within is not None:
        found = found.filter(steward__path__startswith=within.path)
    if is_operator(user):
        return found
    paths = permissions.active_paths(user)
    member_of = {int(part) for path in paths for part in path.strip("/").split("/") if part}
    own = active_body_ids(user)
    return found.filter(Q(steward__is_open=True) | Q(steward_id__in=own)
                        | Q(audience_body_id__in=own)
                        | Q(audience=Audience.NETWORK, audience_body_id__in=member_of))


@dataclass
class ResourceRow:
    resource: SharedResource
    may_book: bool
    can_steward: bool
    fee: str = ""


def fee_text(resource: SharedResource) -> str:
    if not resource.fee_amount or resource.fee_currency is None:
        return ""
    amount = money(resource.fee_amount, resource.fee_currency)
    return f"{amount} {resource.get_fee_per_display()}"


def money(minor: int, currency) -> str:
    return f"{money_rules.format_amount(minor, currency.decimals)} {currency.symbol}"


def resource_rows(user, resources) -> list[ResourceRow]:
    return [ResourceRow(resource=r, may_book=bool(permissions.may_book(user, r)),
                        can_steward=bool(permissions.can_steward_resource(user, r)),
                        fee=fee_text(r))
            for r in resources]


# The week calendar ---------------------------------------------------------------------

@dataclass
class Slot:
    booking: Booking
    starts: time
    ends: time | None          # None: goes on past midnight
    continues: bool            # began on an earlier day
    show_details: bool
    mine: bool


@dataclass
class Day:
    day: date
    is_open: bool
    is_today: bool
    slots: list[Slot] = field(default_factory=list)


@dataclass
class Week:
    monday: date
    previous: date
    next: date
    days: list[Day]
    hours: str
    open_days: str


def bookings_between(resource: SharedResource, start: datetime, end: datetime,
                     with_requests: bool):
    statuses = [BookingStatus.CONFIRMED] + ([BookingStatus.REQUESTED] if with_requests else [])
    return (Booking.objects.filter(resource=resource, status__in=statuses,
                                   starts_at__lt=end, ends_at__gt=start)
            .select_related("booker", "for_body").order_by("starts_at", "pk"))


def week(resource: SharedResource, monday: date, user) -> Week:
    tz = services.zone()
    start, end = rules.week_bounds(monday, tz)
    details = bool(permissions.can_see_bookers(user, resource))
    found = list(bookings_between(resource, start, end, with_requests=details))
    open_days = rules.mask_to_days(resource.open_days)
    today = clock.now().astimezone(tz).date()
    days = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        entry = Day(day=day, is_open=day.isoweekday() in open_days, is_today=day == today)
        for booking in found:
            part = rules.day_parts(Span(booking.starts_at, booking.ends_at), day, tz)
            if part is None:
                continue
            entry.slots.append(Slot(
                booking=booking, starts=part[0], ends=part[1],
                continues=booking.starts_at.astimezone(tz).date() < day,
                show_details=details or booking.booker_id == getattr(user, "pk", None),
                mine=booking.booker_id == getattr(user, "pk", None)))
        days.append(entry)
    return Week(monday=monday, previous=monday - timedelta(days=7),
                next=monday + timedelta(days=7), days=days,
                hours=services.hours_text(resource), open_days=services.days_text(
                    resource.open_days))


# My bookings and the requests I decide --------------------------------------------------

def my_bookings(user):
    since = clock.now() - timedelta(days=PAST_DAYS)
    return (Booking.objects.filter(booker=user, ends_at__gte=since)
            .select_related("resource__steward", "for_body", "fee_payment__currency")
            .order_by("starts_at", "pk"))


def stewarded_body_ids(user) -> set[int]:
    return {body_id for body_id, (status, role) in memberships_of(user).items()
            if status == Status.ACTIVE and role in (Role.COORDINATOR, Role.STEWARD)}


def requests_to_decide(user, resource: SharedResource | None = None):
    found = Booking.objects.filter(status=BookingStatus.REQUESTED, ends_at__gt=clock.now())
    if resource is not None:
        found = found.filter(resource=resource)
    if not is_operator(user):
        found = found.filter(resource__steward_id__in=stewarded_body_ids(user))
    return found.select_related("resource__steward", "booker", "for_body").order_by(
        "starts_at", "pk")
