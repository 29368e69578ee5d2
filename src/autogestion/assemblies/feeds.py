"""iCalendar feeds (RFC 5545) of the meeting calendar (DOMAIN.md R2, R3).

One VEVENT per series carries its recurrence rule in local time with a TZID, so that
"the last Saturday of the month at 10:30" stays at 10:30 in winter and in summer in
every calendar program. Cancelled occurrences become EXDATEs; moved ones become extra
VEVENTs with the same UID and a RECURRENCE-ID (the start the rule gives). The
preparation meeting, "7 days before the Agora", cannot always be written as an RRULE
(the last Saturday minus 7 days is not "the penultimate Saturday" in every month), so
it is listed occurrence by occurrence over a window around today.

Three views: a body's public (or members-only) feed, one occurrence's feed, and a
person's private feed at a secret address. Building the calendar is separate from
reading the database: `build_calendar` takes the series and their meetings, and each
view reads them with a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import formats, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event, Timezone, vRecur, vText

from autogestion.core import clock
from autogestion.work.daily import feeds as daily_feeds

from . import access, queries, rules
from .models import CalendarFeedToken, Meeting, MeetingSeries
from .queries import Occurrence

PRODID = "-//Autogestion//Assemblies calendar//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"
# Preparation meetings are listed one by one for the Agoras in this window around now.
PREPARATION_PAST = timedelta(days=61)
PREPARATION_FUTURE = timedelta(days=366)
# How often subscribed calendar programs should fetch the feed again.
REFRESH = timedelta(hours=1)
# VTIMEZONE components describe the zone's changes over this span.
TIMEZONE_FIRST_DATE = date(1970, 1, 1)
TIMEZONE_LAST_DATE = date(2100, 1, 1)


# Identities and addresses --------------------------------------------------------------

def series_uid(series: MeetingSeries) -> str:
    return f"series-{series.pk}@autogestion"


def preparation_uid(occurrence: Occurrence) -> str:
    """Keyed on the date the rule gives the Agora, so it survives moving the Agora."""
    day = occurrence.original_start.astimezone(occurrence.tz).date()
    return f"prep-{occurrence.series.pk}-{day:%Y%m%d}@autogestion"


def occurrence_uid(occurrence: Occurrence) -> str:
    """The UID of a single occurrence downloaded on its own (not part of a series)."""
    day = occurrence.original_start.astimezone(occurrence.tz).date()
    return f"occurrence-{occurrence.series.pk}-{day:%Y%m%d}@autogestion"


def _absolute(path: str) -> str:
    return settings.AUTOGESTION_SITE_URL + path


def _summary(series: MeetingSeries) -> str:
    return f"{series.title} — {series.body.name}"


# Time zones and the rule ----------------------------------------------------------------

@lru_cache(maxsize=64)
def vtimezone(tzid: str) -> Timezone:
    """The VTIMEZONE of a zone (computed once per process; never modified)."""
    return Timezone.from_tzid(tzid, first_date=TIMEZONE_FIRST_DATE,
                              last_date=TIMEZONE_LAST_DATE)


def _zone(series: MeetingSeries) -> ZoneInfo | None:
    try:
        return rules.check_timezone(series.timezone)
    except rules.Refusal:
        return None


def first_start(series: MeetingSeries, tz: ZoneInfo) -> datetime | None:
    """The first start the rule gives, as the feed's DTSTART.

    `first_day` need not match the rule (the site expands from it without counting it
    as an occurrence), but RFC 5545 leaves a DTSTART that is not itself an occurrence
    undefined, and most programs show it as an extra meeting. The first real
    occurrence is equivalent: every INTERVAL counts from a period that holds one."""
    naive = datetime.combine(series.first_day, series.start_time)
    try:
        first = next(iter(rrulestr(series.rrule, dtstart=naive)), None)
    except (ValueError, TypeError, KeyError):
        return None
    return None if first is None else rules.localize(first, tz)


def feed_rrule(series: MeetingSeries, tz: ZoneInfo) -> vRecur:
    """The series' rule as a feed writes it: an UNTIL (stored in local time, as the site
    expands it) becomes UTC, as RFC 5545 requires next to a DTSTART with a TZID."""
    recur = vRecur.from_ical(series.rrule)
    if "UNTIL" in recur:
        until = recur["UNTIL"][0]
        if not isinstance(until, datetime):
            until = datetime.combine(until, datetime.min.time())
        if until.tzinfo is None:
            until = rules.localize(until, tz)
        recur["UNTIL"] = [until.astimezone(UTC)]
    return recur


# Events ---------------------------------------------------------------------------------

def _event(uid: str, stamp: datetime, series: MeetingSeries, summary: str, start: datetime,
           end: datetime, place: str, url: str, description: str = "") -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end)
    if place:
        event.add("location", place)
    event.add("url", url)
    if description:
        event.add("description", description)
    event.add("class", "PUBLIC" if series.body.is_open else "PRIVATE")
    return event


def _differs_from_rule(occurrence: Occurrence) -> bool:
    series = occurrence.series
    return (occurrence.starts_at != occurrence.original_start
            or occurrence.ends_at != rules.at_time(occurrence.original_start, series.end_time)
            or occurrence.place != series.place)


def occurrence_event(occurrence: Occurrence, stamp: datetime, uid: str | None = None,
                     recurrence_id: bool = False) -> Event:
    """One occurrence as a VEVENT: on its own (its own UID), or as the exception of its
    series (the series' UID and the RECURRENCE-ID)."""
    series, tz = occurrence.series, occurrence.tz
    description = occurrence.note
    event = _event(uid or occurrence_uid(occurrence), stamp, series, _summary(series),
                   occurrence.starts_at.astimezone(tz), occurrence.ends_at.astimezone(tz),
                   occurrence.place, _absolute(occurrence.get_absolute_url()), description)
    if recurrence_id:
        event.add("recurrence-id", occurrence.original_start.astimezone(tz))
    if occurrence.cancelled:
        event.add("status", "CANCELLED")
    elif occurrence.meeting is not None and _differs_from_rule(occurrence):
        # Programs that imported an earlier copy of this event take the moved one.
        event.add("sequence", 1)
    return event


def preparation_event(occurrence: Occurrence, stamp: datetime) -> Event | None:
    start, end = occurrence.preparation_start, occurrence.preparation_end
    if start is None or end is None or occurrence.cancelled:
        return None
    series, tz = occurrence.series, occurrence.tz
    summary = _("Preparation meeting — %(meeting)s") % {"meeting": _summary(series)}
    description = _("The agenda of the meeting of %(date)s is fixed here; items are added "
                    "online until it starts.") % {
        "date": formats.date_format(occurrence.starts_at.astimezone(tz), "j F Y")}
    return _event(preparation_uid(occurrence), stamp, series, summary, start.astimezone(tz),
                  end.astimezone(tz), occurrence.place, _absolute(occurrence.get_absolute_url()),
                  description)


def series_events(series: MeetingSeries, meetings: Sequence[Meeting], now: datetime,
                  stamp: datetime | None = None) -> list[Event]:
    """The VEVENTs of one series: the rule with its exceptions, then the preparation
    meetings of the Agoras from two months ago to a year ahead. `meetings` are the
    series' stored meetings (all of them: a cancellation years ago is still one)."""
    tz = _zone(series)
    first = first_start(series, tz) if tz is not None else None
    if first is None:
        return []
    stamp = stamp or now.astimezone(UTC)
    for meeting in meetings:
        meeting.series = series  # no query to get back to it
    master = _event(series_uid(series), stamp, series, _summary(series), first,
                    rules.at_time(first, series.end_time), series.place,
                    _absolute(reverse("body_meetings", args=[series.body.slug])))
    master.add("rrule", feed_rrule(series, tz))
    events = [master]

    # Stored rows whose planned start the rule no longer gives (the rule changed) are
    # not occurrences any more: the site ignores them, and so does the feed.
    planned = set()
    if meetings:
        lowest = min(m.original_start for m in meetings)
        highest = max(m.original_start for m in meetings)
        planned = set(rules.occurrences(series.rrule, series.first_day, series.start_time, tz,
                                        lowest, highest + timedelta(seconds=1)))
    cancelled = []
    for meeting in sorted(meetings, key=lambda m: m.original_start):
        if meeting.original_start not in planned:
            continue
        occurrence = queries.occurrence_of_meeting(meeting)
        if occurrence.cancelled:
            cancelled.append(occurrence.original_start)
        elif _differs_from_rule(occurrence):
            events.append(occurrence_event(occurrence, stamp, uid=series_uid(series),
                                           recurrence_id=True))
    if cancelled:
        master.add("exdate", [start.astimezone(tz) for start in cancelled])

    if series.preparation_offset_days is not None:
        for occurrence in queries.occurrences_of(series, now - PREPARATION_PAST,
                                                 now + PREPARATION_FUTURE, list(meetings)):
            event = preparation_event(occurrence, stamp)
            if event is not None:
                events.append(event)
    return events


def new_calendar(name: str, subscribed: bool = True) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # An X- property is not escaped by icalendar unless typed: a CR/LF in a name would
    # otherwise break the content line.
    calendar.add("x-wr-calname", vText(name))
    if subscribed:
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", REFRESH)
    return calendar


def add_timezones(calendar: Calendar, tzids: Iterable[str]) -> None:
    """A VTIMEZONE for every zone the events use, before the events."""
    for position, tzid in enumerate(sorted(set(tzids) - {"UTC"})):
        try:
            calendar.subcomponents.insert(position, vtimezone(tzid))
        except ValueError:
            continue
    calendar.add_missing_timezones(TIMEZONE_FIRST_DATE, TIMEZONE_LAST_DATE)


def build_calendar(series_list: Sequence[MeetingSeries],
                   meetings_by_series: dict[int, Sequence[Meeting]], name: str,
                   now: datetime | None = None) -> Calendar:
    now = now or clock.now()
    stamp = now.astimezone(UTC)
    calendar = new_calendar(name)
    for series in series_list:
        for event in series_events(series, meetings_by_series.get(series.pk, []), now, stamp):
            calendar.add_component(event)
    add_timezones(calendar, (s.timezone for s in series_list if _zone(s) is not None))
    return calendar


def occurrence_calendar_of(occurrence: Occurrence, now: datetime | None = None) -> Calendar:
    stamp = (now or clock.now()).astimezone(UTC)
    calendar = new_calendar(_summary(occurrence.series), subscribed=False)
    calendar.add_component(occurrence_event(occurrence, stamp))
    add_timezones(calendar, [occurrence.series.timezone])
    return calendar


# Reading the database -------------------------------------------------------------------

def meetings_by_series(series_list: Sequence[MeetingSeries]) -> dict[int, list[Meeting]]:
    """Every stored meeting of the series, in one query."""
    found: dict[int, list[Meeting]] = {s.pk: [] for s in series_list}
    if not series_list:
        return found
    for meeting in (Meeting.objects.filter(series__in=[s.pk for s in series_list])
                    .only("id", "series_id", "original_start", "starts_at", "ends_at", "place",
                          "status", "note", "agenda_published_at", "minutes_published_at")
                    .order_by("original_start")):
        found[meeting.series_id].append(meeting)
    return found


def _calendar_of(series_list: list[MeetingSeries], name: str) -> Calendar:
    return build_calendar(series_list, meetings_by_series(series_list), name)


def _response(calendar: Calendar, filename: str, private: bool) -> HttpResponse:
    response = HttpResponse(calendar.to_ical(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}.ics"'
    if private:
        patch_cache_control(response, private=True, no_cache=True)
        response["X-Robots-Tag"] = "noindex"
    return response


# Views ----------------------------------------------------------------------------------

@require_safe
def body_calendar(request, slug):
    """Every active series of a body. Open bodies publish it to everyone (R2); a closed
    body's calendar is for its members, and is not found for anyone else."""
    body = access.get_body_for(request.user, slug)
    series_list = queries.active_series_of(body)
    calendar = _calendar_of(series_list, body.name)
    return _response(calendar, body.slug, private=not body.is_open)


@require_safe
def occurrence_calendar(request, series_id, day):
    """One occurrence, to add to a calendar program by hand."""
    occurrence = access.get_occurrence_at(request.user, series_id, day)
    series = occurrence.series
    return _response(occurrence_calendar_of(occurrence), f"{series.body.slug}-{occurrence.key}",
                     private=not series.body.is_open)


@require_safe
def member_calendar(request, token):
    """A person's own calendar at a secret address: the meetings of every body the
    person is an active member of, and their work (work/daily/feeds.py: tasks of
    published daily plans, training sessions), which no body's feed shows. No login
    (calendar programs cannot sign in); the person cuts off old copies of the address by
    resetting it."""
    feed = (daily_feeds.with_work_flags(CalendarFeedToken.objects.select_related("person"))
            .filter(token=token, person__is_active=True).first())
    if feed is None:
        raise Http404
    person = feed.person
    series_list = queries.feed_series_of(person)
    with translation.override(person.language or settings.LANGUAGE_CODE):
        calendar = _calendar_of(series_list, _("My meetings — Autogestion"))
        # The person's tasks of published daily plans and training sessions (work app).
        work = daily_feeds.member_work_events(person, has_tasks=feed.has_daily_tasks,
                                              has_sessions=feed.has_training_sessions)
    for event in work.events:
        calendar.add_component(event)
    present = {str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")}
    add_timezones(calendar, work.tzids - present)
    return _response(calendar, "my-meetings", private=True)
