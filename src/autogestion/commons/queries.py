"""Reading pooled resources and bookings for pages, the API and the feed, with a fixed
number of queries whatever the number of rows."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from autogestion.cooperatives import selectors as memberships
from autogestion.cooperatives.models import Body
from autogestion.cooperatives.permissions import active_body_ids, is_operator, memberships_of
from autogestion.cooperatives.rules import Kind, Role, Status
from autogestion.core import clock
from autogestion.core.errors import DomainError
from autogestion.core.formats import amount_text
from autogestion.economy.models import Account, AccountKind, Currency

from . import permissions, rules, texts
from .models import Audience, Booking, BookingEvent, SharedResource
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


def resource_list(user, within=None):
    """The resources listed to a person, on the page and through the API alike: those
    they may see (of `within` and the bodies inside it), by steward, then name."""
    return visible_resources(user, within=within).order_by("steward__path", "name", "pk")


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
    """An amount for people, in the reader's language ("10,00 Os")."""
    return amount_text(minor, currency.decimals, currency.symbol)


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
    tz = clock.zone()
    start, end = rules.week_bounds(monday, tz)
    details = bool(permissions.can_see_bookers(user, resource))
    found = list(bookings_between(resource, start, end, with_requests=details))
    open_days = rules.mask_to_days(resource.open_days)
    today = clock.today()
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
                hours=texts.hours_text(resource), open_days=texts.days_text(
                    resource.open_days))


# My bookings and the requests I decide --------------------------------------------------

def my_bookings(user, *, history: bool = False):
    """My bookings that end from a month ago on, in time order (`history`: with their
    events)."""
    since = clock.now() - timedelta(days=PAST_DAYS)
    found = (Booking.objects.filter(booker=user, ends_at__gte=since)
             .select_related("resource__steward", "for_body", "fee_payment__currency")
             .order_by("starts_at", "pk"))
    return found.prefetch_related(with_events()) if history else found


def with_events() -> Prefetch:
    """A booking's history (oldest first) with who did what, in one more query."""
    return Prefetch("events", queryset=BookingEvent.objects.select_related("actor")
                    .order_by("at", "pk"))


def my_bodies(user) -> list[Body]:
    """The bodies a person may book for (their own, active), in tree order."""
    if not user or not user.is_authenticated:
        return []
    return list(memberships.active_bodies(user).order_by("path"))


def stewarded_body_ids(user) -> set[int]:
    return {body_id for body_id, (status, role) in memberships_of(user).items()
            if status == Status.ACTIVE and role in (Role.COORDINATOR, Role.STEWARD)}


def stewarded_bodies(user) -> list[Body]:
    """The bodies whose resources a person stewards, in tree order."""
    if not user or not user.is_authenticated:
        return []
    ids = stewarded_body_ids(user)
    return list(Body.objects.filter(pk__in=ids).order_by("path")) if ids else []


def requests_to_decide(user, resource: SharedResource | None = None):
    found = Booking.objects.filter(status=BookingStatus.REQUESTED, ends_at__gt=clock.now())
    if resource is not None:
        found = found.filter(resource=resource)
    if not is_operator(user):
        found = found.filter(resource__steward_id__in=stewarded_body_ids(user))
    return found.select_related("resource__steward", "booker", "for_body").order_by(
        "starts_at", "pk")


# What the services read -----------------------------------------------------------------

def opening_rules(resource: SharedResource) -> rules.OpeningRules:
    return rules.OpeningRules(
        tz=clock.zone(), days=rules.mask_to_days(resource.open_days), opens=resource.opens_at,
        closes=resource.closes_at, overnight=resource.overnight,
        longest=timedelta(minutes=resource.longest_minutes)
        if resource.longest_minutes else None,
        notice=timedelta(minutes=resource.notice_minutes),
        horizon=timedelta(days=resource.horizon_days))


def fee_of(resource: SharedResource, span: Span) -> int:
    return rules.fee_for(span, resource.fee_amount, resource.fee_per)


def confirmed_overlapping(resource_id: int, span: Span, exclude: int | None = None):
    """The confirmed bookings of a resource in the way of `span`, earliest first."""
    found = Booking.objects.filter(resource_id=resource_id, status=BookingStatus.CONFIRMED,
                                   starts_at__lt=span.ends_at, ends_at__gt=span.starts_at)
    if exclude is not None:
        found = found.exclude(pk=exclude)
    return found.order_by("starts_at", "pk")


def has_pending_request(resource_id: int, person, span: Span) -> bool:
    return Booking.objects.filter(resource_id=resource_id, booker=person,
                                  status=BookingStatus.REQUESTED, starts_at__lt=span.ends_at,
                                  ends_at__gt=span.starts_at).exists()


def steward_account(resource: SharedResource) -> Account | None:
    """The steward body's account that receives the fees."""
    return (Account.objects.filter(currency=resource.fee_currency_id, body=resource.steward_id,
                                   person__isnull=True,
                                   kind__in=[AccountKind.GROUP, AccountKind.PROJECT,
                                             AccountKind.COOPERATIVE])
            .order_by("pk").first())


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


def may_pay_fees_of(person, resource: SharedResource) -> bool:
    """A fee in a cooperative's currency is paid by the members of that cooperative."""
    currency = resource.fee_currency
    return currency is None or memberships.is_active_member(person, currency.cooperative_id)


# What the API reads from its input --------------------------------------------------------

def body_with_slug(slug: str) -> Body | None:
    return Body.objects.filter(slug=slug).first() if "\x00" not in slug else None


def currency_with_code(code: str) -> Currency | None:
    return Currency.objects.select_related("cooperative").filter(code=code).first()
