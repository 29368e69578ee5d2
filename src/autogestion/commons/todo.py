"""What waits for a person among the pooled resources ("À faire", core/todo.py): the
booking requests of the resources they steward, to confirm or decline (R11, by role: an
operator's reach does not make them theirs), and their own next bookings."""

from datetime import timedelta

from django.urls import reverse
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autogestion.core import clock
from autogestion.core.todo import LATER, LIMIT, NOW, Section, TodoItem, moment_text, urgency_of

from . import queries
from .models import Booking
from .rules import BookingStatus

TO_DECIDE = Section("bookings_to_decide", gettext_lazy("Bookings to decide"), 40,
                    everyone=False)
MINE = Section("my_bookings", gettext_lazy("My next bookings"), 50)
SECTIONS = [TO_DECIDE, MINE]

# "Next" bookings: those that have not ended, starting within this many days.
AHEAD = timedelta(days=14)


def _span(booking: Booking, today) -> str:
    """"today at 10:00 to 12:00"; the end's day too when it ends on another day."""
    end = clock.local(booking.ends_at)
    same_day = end.date() == clock.local(booking.starts_at).date()
    # Translators: a booking's span: "today at 10:00" to "12:00" (or to "samedi 28
    # novembre at 09:00").
    return _("%(start)s to %(end)s") % {
        "start": moment_text(booking.starts_at, today),
        "end": dateformat.format(end, "H:i") if same_day
        else moment_text(booking.ends_at, today)}


def to_decide(person, limit: int = LIMIT) -> list[Booking]:
    """Requests for the resources of the bodies the person coordinates or stewards that
    have not ended, earliest first. One query (the memberships are the request's)."""
    stewarded = queries.stewarded_body_ids(person)
    if not stewarded:
        return []
    return list(Booking.objects.filter(status=BookingStatus.REQUESTED,
                                       ends_at__gt=clock.now(),
                                       resource__steward_id__in=stewarded)
                .select_related("resource", "booker", "for_body")
                .order_by("starts_at", "pk")[:limit])


def next_bookings(person, limit: int = LIMIT) -> list[Booking]:
    """The person's confirmed bookings and open requests that have not ended and start in
    the next two weeks. One query."""
    now = clock.now()
    return list(Booking.objects.filter(booker=person, ends_at__gt=now,
                                       starts_at__lt=now + AHEAD,
                                       status__in=[BookingStatus.CONFIRMED,
                                                   BookingStatus.REQUESTED])
                .select_related("resource").order_by("starts_at", "pk")[:limit])


def items(person, today) -> list[TodoItem]:
    found = []
    for booking in to_decide(person):
        who = booking.booker.public_name
        if booking.for_body_id:
            who = _("%(person)s, for %(body)s") % {"person": who, "body": booking.for_body.name}
        parts = [_span(booking, today), who]
        if booking.purpose:
            parts.append(booking.purpose)
        found.append(TodoItem(
            section=TO_DECIDE, title=booking.resource.name,
            url=reverse("my_bookings") + f"#request-{booking.pk}",
            action=_("Confirm or decline"), detail=" · ".join(parts),
            when=booking.starts_at, urgency=urgency_of(booking.starts_at)))
    for booking in next_bookings(person):
        parts = [_span(booking, today)]
        if booking.status == BookingStatus.REQUESTED:
            parts.append(_("waiting for approval"))
        started = booking.starts_at <= clock.now()
        found.append(TodoItem(
            section=MINE, title=booking.resource.name,
            url=reverse("my_bookings") + f"#booking-{booking.pk}",
            action=_("See my booking"), detail=" · ".join(parts), when=booking.starts_at,
            # A booking is not a chore: it only comes first on the day itself.
            urgency=NOW if started or clock.local(booking.starts_at).date() == today
            else LATER))
    return found
