"""The iCalendar feed (RFC 5545) of a resource's confirmed bookings.

Who sees it: as for the resource page. An open body's resource is public, but the
public feed says only "booked" for each slot; those who may book it or steward it see
who booked and what for. Calendar programs cannot sign in, so they add the person's
secret calendar address token (the one of their meetings feed, reset on the profile
page) as `?token=`. A closed body's resource without a session or a valid token is
not found.

Times are written in UTC: exact, and every program shows them in its own zone.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event, vText

from autogestion.core import clock

from . import access, permissions, queries
from .models import SharedResource

PRODID = "-//Autogestion//Pooled resources//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"
PAST = timedelta(days=62)
REFRESH = timedelta(hours=1)


def booking_uid(booking) -> str:
    return f"booking-{booking.pk}@autogestion"


def build_calendar(resource: SharedResource, bookings, details: bool,
                   now: datetime | None = None) -> Calendar:
    stamp = (now or clock.now()).astimezone(UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", vText(resource.name))  # typed, so CR/LF are escaped
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    url = settings.AUTOGESTION_SITE_URL + resource.get_absolute_url()
    for booking in bookings:
        event = Event()
        event.add("uid", booking_uid(booking))
        event.add("dtstamp", stamp)
        event.add("dtstart", booking.starts_at.astimezone(UTC))
        event.add("dtend", booking.ends_at.astimezone(UTC))
        if details:
            who = booking.for_body.name if booking.for_body_id else booking.booker.public_name
            event.add("summary", _("%(resource)s — %(who)s") % {"resource": resource.name,
                                                                 "who": who})
            if booking.purpose:
                event.add("description", booking.purpose)
        else:
            event.add("summary", _("%(resource)s — booked") % {"resource": resource.name})
        if resource.place:
            event.add("location", resource.place)
        event.add("url", url)
        event.add("status", "CONFIRMED")
        event.add("class", "PUBLIC" if resource.steward.is_open and not details else "PRIVATE")
        calendar.add_component(event)
    return calendar


def _person(request):
    """The signed-in person, or the owner of the calendar token given."""
    token = request.GET.get("token", "")
    if token and "\x00" not in token and len(token) <= 64:
        from autogestion.assemblies.models import CalendarFeedToken

        feed = (CalendarFeedToken.objects.select_related("person")
                .filter(token=token, person__is_active=True).first())
        if feed is None:
            raise Http404
        return feed.person
    return request.user


@require_safe
def resource_calendar(request, resource_id):
    person = _person(request)
    resource = access.get_resource_for(person, resource_id)
    details = bool(permissions.can_see_bookers(person, resource))
    now = clock.now()
    bookings = queries.bookings_between(resource, now - PAST,
                                        now + timedelta(days=resource.horizon_days + 1),
                                        with_requests=False)
    language = getattr(person, "language", "") or translation.get_language()
    with translation.override(language or settings.LANGUAGE_CODE):
        calendar = build_calendar(resource, bookings, details, now)
    response = HttpResponse(calendar.to_ical(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="resource-{resource.pk}.ics"'
    if details or not resource.steward.is_open:
        patch_cache_control(response, private=True, no_cache=True)
        response["X-Robots-Tag"] = "noindex"
    return response
