"""The iCalendar feeds: what a calendar program computes from them is what the site
shows (R3), and closed bodies' calendars stay with their members (R2)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rruleset, rrulestr
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from autogestion.assemblies import queries, services
from autogestion.assemblies.models import MeetingSeries
from autogestion.core import clock

PARIS = ZoneInfo("Europe/Paris")
AGORA_RULE = "FREQ=MONTHLY;BYDAY=-1SA"
# The window of the comparisons: two years, four daylight-saving changes.
WINDOW = (datetime(2025, 1, 1, tzinfo=PARIS), datetime(2027, 1, 1, tzinfo=PARIS))
NOW = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.freeze(NOW)
    yield NOW
    clock.freeze(None)


def new_series(world, body=None, **extra) -> MeetingSeries:
    options = {"title": "Agora", "rrule": AGORA_RULE, "first_day": date(2025, 1, 1),
               "start_time": time(10, 30), "end_time": time(19, 0), "kind": "agora"}
    options.update(extra)
    return services.create_series(actor=world["coordinator"], body=body or world["coop"],
                                  **options)


def fetch(client, url, status=200) -> Calendar | None:
    response = client.get(url)
    assert response.status_code == status, response.content[:300]
    if status != 200:
        return None
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith('inline; filename="')
    assert response["Content-Disposition"].endswith('.ics"')
    return Calendar.from_ical(response.content)


def body_feed(client, body, status=200) -> Calendar | None:
    return fetch(client, reverse("body_calendar", args=[body.slug]), status)


def events(calendar: Calendar, uid: str | None = None) -> list:
    found = calendar.walk("VEVENT")
    return [e for e in found if uid is None or str(e["UID"]) == uid]


def master(calendar: Calendar, series: MeetingSeries):
    [event] = [e for e in events(calendar, f"series-{series.pk}@autogestion")
               if "RECURRENCE-ID" not in e]
    return event


def exdates(event) -> list[datetime]:
    value = event.get("EXDATE")
    if value is None:
        return []
    lists = value if isinstance(value, list) else [value]
    return [d.dt for dates in lists for d in dates.dts]


def expand(event, window) -> list[datetime]:
    """What a calendar program computes: the RRULE from the feed's DTSTART, less the
    EXDATEs."""
    start = event.decoded("DTSTART")
    assert start.tzinfo is not None
    rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=start)
    recurrence = rruleset()
    recurrence.rrule(rule)
    for day in exdates(event):
        recurrence.exdate(day)
    low, high = window
    return [d for d in recurrence.between(low, high, inc=True) if d < high]


def overrides(calendar: Calendar, series: MeetingSeries) -> dict[datetime, object]:
    return {e.decoded("RECURRENCE-ID"): e
            for e in events(calendar, f"series-{series.pk}@autogestion")
            if "RECURRENCE-ID" in e}


def occurrence_of(series, day: date):
    occurrence = queries.find_occurrence(series, day)
    assert occurrence is not None, day
    return occurrence


# 1. The rule in the feed gives the site's occurrences ----------------------------------

def test_body_feed_expands_to_exactly_the_sites_occurrences(client, world):
    series = new_series(world, place="Maison des associations")
    calendar = body_feed(client, world["coop"])

    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert not calendar.get_missing_tzids()
    event = master(calendar, series)
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event["DTEND"].params["TZID"] == "Europe/Paris"
    assert event.decoded("DTSTART") == datetime(2025, 1, 25, 10, 30, tzinfo=PARIS)
    assert event.decoded("DTEND") == datetime(2025, 1, 25, 19, 0, tzinfo=PARIS)
    assert str(event["SUMMARY"]) == "Agora — CIT"
    assert str(event["LOCATION"]) == "Maison des associations"
    assert str(event["URL"]).startswith("http")
    assert "DTSTAMP" in event

    computed = expand(event, WINDOW)
    site = [o.starts_at for o in queries.occurrences_of(series, *WINDOW)]
    assert len(site) == 24
    assert computed == site
    for start in computed:
        local = start.astimezone(PARIS)
        assert local.weekday() == 5
        assert (local + timedelta(days=7)).month != local.month  # in the last 7 days
        assert (local.hour, local.minute) == (10, 30)
    # Both sides of the daylight-saving changes are there, at 10:30 local time.
    offsets = {s.astimezone(PARIS).utcoffset() for s in computed}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}


@pytest.mark.parametrize("rule, first_day", [
    # first_day is not itself an occurrence: DTSTART must be the first real one.
    ("FREQ=MONTHLY;INTERVAL=2;BYDAY=1MO", date(2025, 1, 15)),
    # A local UNTIL becomes UTC in the feed, without losing the last occurrence.
    ("FREQ=WEEKLY;BYDAY=WE;UNTIL=20260325T103000", date(2025, 1, 1)),
    ("FREQ=WEEKLY;INTERVAL=3;BYDAY=SU", date(2025, 3, 2)),
])
def test_other_rules_expand_the_same(client, world, rule, first_day):
    series = new_series(world, title="Réunion", rrule=rule, first_day=first_day, kind="regular",
                   start_time=time(2, 30), end_time=time(4, 0))
    calendar = body_feed(client, world["coop"])
    event = master(calendar, series)
    site = [o.starts_at for o in queries.occurrences_of(series, *WINDOW)]
    assert site
    assert event.decoded("DTSTART") == site[0]
    assert expand(event, WINDOW) == site


def test_a_vtimezone_for_each_zone_used(client, world):
    new_series(world)
    new_series(world, title="Visio", timezone_name="America/Montreal", rrule="FREQ=WEEKLY;BYDAY=TU")
    calendar = body_feed(client, world["coop"])
    assert sorted(str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")) == [
        "America/Montreal", "Europe/Paris"]
    assert not calendar.get_missing_tzids()
    # The zones come before the events that use them.
    names = [c.name for c in calendar.subcomponents]
    assert names.index("VEVENT") > max(i for i, n in enumerate(names) if n == "VTIMEZONE")


# 2. Exceptions: cancelled and moved occurrences ----------------------------------------

def test_cancelled_and_moved_occurrences(client, world):
    series = new_series(world)
    coordinator = world["coordinator"]
    cancelled = occurrence_of(series, date(2025, 11, 29))
    services.cancel_occurrence(actor=coordinator, occurrence=cancelled, reason="Strike")
    moved = occurrence_of(series, date(2025, 10, 25))
    new_start = datetime(2025, 10, 18, 14, 0, tzinfo=PARIS)
    services.move_occurrence(actor=coordinator, occurrence=moved, starts_at=new_start,
                             ends_at=datetime(2025, 10, 18, 18, 0, tzinfo=PARIS),
                             place="Salle des fêtes")
    place_only = occurrence_of(series, date(2026, 2, 28))
    services.move_occurrence(actor=coordinator, occurrence=place_only,
                             starts_at=place_only.starts_at, ends_at=place_only.ends_at,
                             place="Halle aux grains")
    # A stored but unchanged occurrence (it has an agenda) is not an exception.
    services.ensure_meeting(occurrence_of(series, date(2026, 1, 31)))

    calendar = body_feed(client, world["coop"])
    event = master(calendar, series)
    cancelled_start = datetime(2025, 11, 29, 10, 30, tzinfo=PARIS)
    assert exdates(event) == [cancelled_start]
    assert event["EXDATE"].params["TZID"] == "Europe/Paris"
    computed = expand(event, WINDOW)
    assert cancelled_start not in computed

    moved_events = overrides(calendar, series)
    assert set(moved_events) == {datetime(2025, 10, 25, 10, 30, tzinfo=PARIS),
                                 datetime(2026, 2, 28, 10, 30, tzinfo=PARIS)}
    octobre = moved_events[datetime(2025, 10, 25, 10, 30, tzinfo=PARIS)]
    assert octobre["RECURRENCE-ID"].params["TZID"] == "Europe/Paris"
    assert octobre.decoded("DTSTART") == new_start
    assert octobre.decoded("DTEND") == datetime(2025, 10, 18, 18, 0, tzinfo=PARIS)
    assert str(octobre["LOCATION"]) == "Salle des fêtes"
    assert str(octobre["URL"]).endswith(f"/meetings/{series.pk}/2025-10-25/")
    assert str(moved_events[datetime(2026, 2, 28, 10, 30, tzinfo=PARIS)]["LOCATION"]) \
        == "Halle aux grains"

    # What a calendar program shows is what the site shows.
    shown = sorted(
        [d for d in computed if d not in moved_events]
        + [e.decoded("DTSTART") for e in moved_events.values()])
    site = [o.starts_at for o in queries.occurrences_of(series, *WINDOW) if not o.cancelled]
    assert shown == site


# 3. Preparation meetings --------------------------------------------------------------

def test_preparation_meetings_are_seven_days_before_each_agora(client, world):
    series = new_series(world)
    coordinator = world["coordinator"]
    services.cancel_occurrence(actor=coordinator,
                               occurrence=occurrence_of(series, date(2025, 11, 29)))
    services.move_occurrence(actor=coordinator, occurrence=occurrence_of(series,
                                                                         date(2025, 10, 25)),
                             starts_at=datetime(2025, 10, 18, 14, 0, tzinfo=PARIS),
                             ends_at=datetime(2025, 10, 18, 18, 0, tzinfo=PARIS))
    calendar = body_feed(client, world["coop"])
    preparations = {str(e["UID"]): e for e in events(calendar)
                    if str(e["UID"]).startswith("prep-")}

    window = (NOW - timedelta(days=61), NOW + timedelta(days=366))
    agoras = [o for o in queries.occurrences_of(series, *window) if not o.cancelled]
    assert len(agoras) >= 12
    expected = {}
    for occurrence in agoras:
        day = occurrence.original_start.astimezone(PARIS).date()
        expected[f"prep-{series.pk}-{day:%Y%m%d}@autogestion"] = occurrence
    assert set(preparations) == set(expected)
    for uid, occurrence in expected.items():
        event = preparations[uid]
        agora_start = occurrence.starts_at.astimezone(PARIS)
        start = event.decoded("DTSTART")
        assert event["DTSTART"].params["TZID"] == "Europe/Paris"
        assert start.date() == agora_start.date() - timedelta(days=7)
        assert start.time() == agora_start.time()  # the same wall-clock time
        assert start == occurrence.preparation_start
        assert event.decoded("DTEND") == occurrence.preparation_end
        # Anonymous calendar programs get the site default language, French.
        assert str(event["SUMMARY"]) == "Réunion de préparation — Agora — CIT"
        assert str(event["URL"]).endswith(occurrence.get_absolute_url())
    # Across the autumn change: the Agora of 31 October 2026 is in winter time, its
    # preparation in summer time, both at 10:30.
    october = preparations[f"prep-{series.pk}-20261031@autogestion"].decoded("DTSTART")
    assert october == datetime(2026, 10, 24, 10, 30, tzinfo=PARIS)
    assert october.utcoffset() == timedelta(hours=2)
    # The moved Agora takes its preparation along; the cancelled one has none.
    assert preparations[f"prep-{series.pk}-20251025@autogestion"].decoded("DTSTART") \
        == datetime(2025, 10, 11, 14, 0, tzinfo=PARIS)
    assert f"prep-{series.pk}-20251129@autogestion" not in preparations


def test_series_without_preparation_have_no_preparation_events(client, world):
    new_series(world, title="Hebdo", kind="regular", rrule="FREQ=WEEKLY;BYDAY=TH")
    calendar = body_feed(client, world["coop"])
    assert len(events(calendar)) == 1


# 4. Visibility (R2) ------------------------------------------------------------------

def test_closed_body_feed_is_for_its_members(client, world):
    closed = world["closed_group"]
    series = new_series(world, body=closed, title="Caisse", kind="regular")
    for person in (None, world["outsider"], world["member"]):
        client.logout()
        if person is not None:
            client.force_login(person)
        body_feed(client, closed, status=404)
        day = date(2025, 1, 25).isoformat()
        fetch(client, reverse("occurrence_calendar", args=[series.pk, day]), status=404)
    client.force_login(world["coordinator"])
    calendar = body_feed(client, closed)
    event = master(calendar, series)
    assert str(event["CLASS"]) == "PRIVATE"
    response = client.get(reverse("body_calendar", args=[closed.slug]))
    assert "private" in response["Cache-Control"]


def test_open_body_feed_is_public(client, world):
    new_series(world)
    calendar = body_feed(client, world["coop"])
    assert len(calendar.walk("VEVENT")) > 1
    assert str(calendar.walk("VEVENT")[0]["CLASS"]) == "PUBLIC"


def test_unknown_body_is_not_found(client, world):
    fetch(client, reverse("body_calendar", args=["nowhere"]), status=404)


def test_only_active_series(client, world):
    series = new_series(world)
    MeetingSeries.objects.filter(pk=series.pk).update(is_active=False)
    assert body_feed(client, world["coop"]).walk("VEVENT") == []


# 5. The member's private feed --------------------------------------------------------

def test_member_feed_lists_the_series_of_the_persons_bodies(client, world):
    mine = [new_series(world), new_series(world, body=world["open_group"], title="Accueil",
                                kind="regular", rrule="FREQ=WEEKLY;BYDAY=MO")]
    others = [new_series(world, body=world["closed_group"], title="Caisse", kind="regular"),
              services.create_series(actor=world["other_coordinator"], body=world["other"],
                                     title="AG", rrule=AGORA_RULE, first_day=date(2025, 1, 1),
                                     start_time=time(9, 0), end_time=time(12, 0))]
    token = services.calendar_token_of(world["member"]).token
    url = reverse("member_calendar", args=[token])

    response = client.get(url)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    calendar = Calendar.from_ical(response.content)
    uids = {str(e["UID"]) for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("series")}
    assert uids == {f"series-{s.pk}@autogestion" for s in mine}
    assert not uids & {f"series-{s.pk}@autogestion" for s in others}
    assert not calendar.get_missing_tzids()

    new = services.reset_calendar_token(person=world["member"]).token
    assert new != token
    fetch(client, url, status=404)
    assert fetch(client, reverse("member_calendar", args=[new])).walk("VEVENT")
    fetch(client, reverse("member_calendar", args=["no-such-token"]), status=404)


def test_member_feed_includes_closed_bodies_the_person_is_in(client, world):
    series = new_series(world, body=world["closed_group"], title="Caisse", kind="regular")
    token = services.calendar_token_of(world["coordinator"]).token
    calendar = fetch(client, reverse("member_calendar", args=[token]))
    assert master(calendar, series)


# 6. One occurrence -------------------------------------------------------------------

def test_occurrence_feed(client, world):
    series = new_series(world)
    url = reverse("occurrence_calendar", args=[series.pk, "2026-01-31"])
    calendar = fetch(client, url)
    [event] = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2026, 1, 31, 10, 30, tzinfo=PARIS)
    assert event.decoded("DTEND") == datetime(2026, 1, 31, 19, 0, tzinfo=PARIS)
    assert "STATUS" not in event
    assert str(event["URL"]).endswith(f"/meetings/{series.pk}/2026-01-31/")
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]

    services.cancel_occurrence(actor=world["coordinator"],
                               occurrence=occurrence_of(series, date(2026, 1, 31)))
    [event] = fetch(client, url).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"


def test_occurrence_feed_of_a_moved_occurrence(client, world):
    series = new_series(world)
    services.move_occurrence(actor=world["coordinator"],
                             occurrence=occurrence_of(series, date(2026, 1, 31)),
                             starts_at=datetime(2026, 2, 1, 10, 0, tzinfo=PARIS),
                             ends_at=datetime(2026, 2, 1, 12, 0, tzinfo=PARIS))
    url = reverse("occurrence_calendar", args=[series.pk, "2026-01-31"])
    [event] = fetch(client, url).walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2026, 2, 1, 10, 0, tzinfo=PARIS)


@pytest.mark.parametrize("day", ["2026-13-01", "2026-02-30", "yesterday", "20260131",
                                 "2026-01-30"])
def test_occurrence_feed_bad_or_empty_day(client, world, day):
    series = new_series(world)
    # Written by hand: the URL pattern itself only takes YYYY-MM-DD.
    fetch(client, f"/meetings/{series.pk}/{day}/calendar.ics", status=404)


def test_occurrence_feed_unknown_series(client, world):
    fetch(client, reverse("occurrence_calendar", args=[999999, "2026-01-31"]), status=404)


# 7. Bounded queries ------------------------------------------------------------------

def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _grow(world, body, many: int) -> None:
    for n in range(many):
        series = new_series(world, body=body, title=f"Série {n}")
        for day in (date(2025, 10, 25), date(2025, 11, 29)):
            services.cancel_occurrence(actor=world["coordinator"],
                                       occurrence=occurrence_of(series, day))
        moved = occurrence_of(series, date(2026, 1, 31))
        services.move_occurrence(actor=world["coordinator"], occurrence=moved,
                                 starts_at=moved.starts_at + timedelta(hours=1),
                                 ends_at=moved.ends_at + timedelta(hours=1))


def test_body_feed_queries_do_not_grow_with_series_and_meetings(
        client, world, django_assert_max_num_queries):
    url = reverse("body_calendar", args=["cit"])
    _grow(world, world["coop"], 1)
    few = _count(client, url)
    _grow(world, world["coop"], 5)
    with django_assert_max_num_queries(3):
        client.get(url)
    assert _count(client, url) == few

    client.force_login(world["coordinator"])
    closed = reverse("body_calendar", args=["caisse"])
    _grow(world, world["closed_group"], 1)
    few = _count(client, closed)
    _grow(world, world["closed_group"], 4)
    with django_assert_max_num_queries(6):
        client.get(closed)
    assert _count(client, closed) == few


def test_member_feed_queries_are_bounded(client, world, django_assert_max_num_queries):
    token = services.calendar_token_of(world["member"]).token
    url = reverse("member_calendar", args=[token])
    _grow(world, world["coop"], 1)
    few = _count(client, url)
    _grow(world, world["coop"], 3)
    _grow(world, world["open_group"], 2)
    with django_assert_max_num_queries(3):
        client.get(url)
    assert _count(client, url) == few


def test_line_breaks_in_names_and_titles_are_escaped(client, world):
    """A CR/LF in a body's name or a series' title used to make the feeds answer 500."""
    from autogestion.cooperatives.services import update_body

    update_body(actor=world["coordinator"], body=world["coop"], name="CIT\r\nX-INJECTED:1")
    new_series(world, title="Agora\r\nX-INJECTED:2")
    response = client.get(reverse("body_calendar", args=[world["coop"].slug]))
    assert response.status_code == 200
    assert b"\r\nX-INJECTED" not in response.content
    calendar = Calendar.from_ical(response.content)
    # The parser keeps an X- property as written: the line break stays escaped.
    assert str(calendar["X-WR-CALNAME"]) == "CIT\\nX-INJECTED:1"
    assert any("X-INJECTED:2" in str(event["SUMMARY"]) for event in events(calendar))
