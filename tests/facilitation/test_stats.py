"""Speech statistics (R14): turns and speaking time per person, the share of the most
talkative fifth and the Gini coefficient, per meeting and per body over time; the chart;
self-described categories only ever aggregated over at least five people; visibility."""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from autogestion.assemblies import queries as assembly_queries
from autogestion.assemblies import services as assembly_services
from autogestion.cooperatives import services as cooperatives
from autogestion.core import clock, formats
from autogestion.core.errors import DomainError
from autogestion.facilitation import services, stats
from autogestion.facilitation.models import Room, SelfDescription

pytestmark = pytest.mark.django_db

# The fixture's Agora: Saturday 28 November 2026, 10:30 in Paris (09:30 UTC).
T0 = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
SCRIPT = "<script>alert(1)</script>"
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def thaw_the_clock():
    yield
    clock.freeze(None)


def act(person, room, action, **kwargs):
    return services.act(actor=person, room_id=room.pk, action=action, **kwargs)


def speak(room, facilitator, at, seconds, *, person=None, guest=None, kind="speak",
          end=True):
    """Someone raises a hand (or is written down) at `at`, gets the floor at once and,
    unless `end` is False, stops after `seconds`."""
    clock.freeze(at)
    if guest is not None:
        act(facilitator, room, "add_guest", name=guest, kind=kind)
        key = f"n:{guest}"
    else:
        act(person, room, "raise", kind=kind)
        key = f"p:{person.pk}"
    act(facilitator, room, "give_floor", who=key, kind=kind)
    if end:
        clock.freeze(at + timedelta(seconds=seconds))
        act(facilitator, room, "end_turn")
    return at + timedelta(seconds=seconds)


def member_of(body, person):
    """Only the body's members (and the meeting's registered guests) raise a hand."""
    cooperatives.join_body(person=person, body=body)
    return person


@pytest.fixture
def speakers(make_person, world):
    return [member_of(world["coop"], make_person(name))
            for name in ("Alice", "Bob", "Chloé", "Dan")]


@pytest.fixture
def meeting(world, room, speakers):
    """Alice 200 s + 100 s, Bob 100 s (and a 15 s technical point), Chloé 50 s, Dan 30 s,
    a guest 20 s: 500 s of speech in 6 turns."""
    alice, bob, chloe, dan = speakers
    fac = world["coordinator"]
    t = speak(room, fac, T0, 200, person=alice)
    t = speak(room, fac, t, 100, person=bob)
    t = speak(room, fac, t, 15, person=bob, kind="technical")
    t = speak(room, fac, t, 50, person=chloe)
    t = speak(room, fac, t, 100, person=alice)
    t = speak(room, fac, t, 30, person=dan)
    t = speak(room, fac, t, 20, guest=SCRIPT)
    clock.freeze(t + timedelta(hours=1))
    return room


def by_name(speech):
    return {p.name: p for p in speech.people}


def stats_url(occurrence):
    return reverse("room_stats", args=[occurrence.series.pk, occurrence.key])


class TestOneMeeting:
    def test_turns_and_seconds_per_person(self, meeting):
        speech = stats.room_speech(Room.objects.get(pk=meeting.pk))
        people = by_name(speech)
        assert {n: (p.turns, p.seconds) for n, p in people.items()} == {
            "Alice": (2, 300.0), "Bob": (1, 100.0), "Chloé": (1, 50.0), "Dan": (1, 30.0),
            SCRIPT: (1, 20.0)}
        assert [p.name for p in speech.people] == ["Alice", "Bob", "Chloé", "Dan", SCRIPT]
        assert speech.turns == 6 and speech.seconds == 500.0

    def test_process_points_are_apart(self, meeting):
        speech = stats.room_speech(Room.objects.get(pk=meeting.pk))
        bob = by_name(speech)["Bob"]
        assert (bob.turns, bob.seconds) == (1, 100.0)
        assert bob.process == {"technical": 1} and bob.process_seconds == 15.0
        assert [p.name for p in speech.process_people] == ["Bob"]
        assert speech.process_count == 1

    def test_top_fifth_and_gini_by_hand(self, meeting):
        speech = stats.room_speech(Room.objects.get(pk=meeting.pk))
        # Five people: the top fifth is one person, Alice, 300 s of 500 s.
        assert speech.top_fifth_count == 1
        assert speech.top_fifth_share == pytest.approx(0.6)
        assert [p.name for p in speech.people if p.top_fifth] == ["Alice"]
        # Gini = sum over all pairs |xi - xj| / (2 n² mean): the pairs of 20, 30, 50,
        # 100, 300 differ by 1260 in all (each pair counted once), so 2520 / 5000.
        assert speech.gini == pytest.approx(0.504)

    def test_an_unfinished_turn_counts_up_to_now(self, world, room, speakers):
        alice = speakers[0]
        speak(room, world["coordinator"], T0, 0, person=alice, end=False)
        clock.freeze(T0 + timedelta(seconds=42))
        speech = stats.room_speech(Room.objects.get(pk=room.pk))
        assert (speech.people[0].turns, speech.people[0].seconds) == (1, 42.0)
        clock.freeze(T0 + timedelta(seconds=90))
        assert stats.room_speech(Room.objects.get(pk=room.pk)).people[0].seconds == 90.0

    def test_someone_who_waited_and_never_spoke_counts_as_zero(self, world, room, speakers):
        alice, bob = speakers[:2]
        speak(room, world["coordinator"], T0, 60, person=alice)
        act(bob, room, "raise")
        speech = stats.room_speech(Room.objects.get(pk=room.pk))
        assert [(p.name, p.turns, p.seconds) for p in speech.people] == [
            ("Alice", 1, 60.0), ("Bob", 0, 0.0)]
        assert speech.gini == pytest.approx(0.5)
        assert speech.top_fifth_share == pytest.approx(1.0)

    def test_the_page(self, client, meeting, occurrence):
        response = client.get(stats_url(occurrence))
        assert response.status_code == 200
        content = response.content.decode()
        assert SCRIPT not in content
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
        # Numbers as the reader's language writes them (core/formats.py): "60 %", not
        # "60.0 %"; "0,50" in French.
        with translation.override("fr"):
            share, gini = formats.percent_text(60), formats.number_text(0.5, 2)
        assert share.startswith("60") and "." not in share
        assert f'id="top-fifth-share">{share}<' in content
        assert f'id="gini">{gini}<' in content and gini == "0,50"
        assert re.search(r"<td[^>]*>Alice.*?</td><td[^>]*>2</td><td[^>]*>5 min 00 s</td>", content)
        svg = content[content.index("<svg"):content.index("</svg>") + len("</svg>")]
        tree = ET.fromstring(svg)
        assert len(bars(tree)) == 5

    def test_the_chart_legend_speaks_the_reader_s_language(self, meeting, occurrence):
        """The legend said "others", a word in no catalogue, on the French page."""
        from tests.support.http import client_for

        for language in ("fr", "en"):
            content = client_for(None, language).get(stats_url(occurrence)).content.decode()
            svg = content[content.index("<svg"):content.index("</svg>") + len("</svg>")]
            legend = [t.text for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")
                      if t.text][-2:]
            with translation.override(language):
                expected = [translation.gettext("most talkative fifth"),
                            translation.pgettext("speech chart", "the other people")]
            assert legend == expected
            assert "others" not in legend

    def test_a_meeting_without_a_room(self, client, world):
        series = assembly_services.create_series(
            actor=world["coordinator"], body=world["coop"], title="Weekly",
            rrule="FREQ=WEEKLY;BYDAY=MO", first_day=date(2026, 1, 1), start_time=time(18),
            end_time=time(20))
        response = client.get(reverse("room_stats", args=[series.pk, "2026-11-30"]))
        assert response.status_code == 200 and b"<svg" not in response.content
        assert client.get(reverse("room_stats", args=[series.pk, "2026-11-29"])) \
            .status_code == 404
        assert client.get(reverse("room_stats", args=[series.pk, "2026-02-31"])) \
            .status_code == 404
        assert client.get(reverse("room_stats", args=[999999, "2026-11-30"])).status_code == 404


def bars(tree):
    return [r for r in tree.iter(f"{SVG_NS}rect") if "bar" in r.get("class", "").split()]


class TestChart:
    def test_parses_one_bar_per_person_sorted_and_escaped(self, meeting):
        speech = stats.room_speech(Room.objects.get(pk=meeting.pk))
        svg = stats.chart(speech, "Speaking time & <co>")
        tree = ET.fromstring(svg)
        assert tree.find(f"{SVG_NS}title").text == "Speaking time & <co>"
        assert "Gini" in tree.find(f"{SVG_NS}desc").text
        assert tree.get("role") == "img"
        found = bars(tree)
        assert len(found) == 5
        widths = [float(r.get("width")) for r in found]
        assert widths == sorted(widths, reverse=True)
        assert ["top-fifth" in r.get("class") for r in found] == [True] + [False] * 4
        labels = [t.text for t in tree.iter(f"{SVG_NS}text")]
        assert SCRIPT in labels          # shown as text, once parsed...
        assert SCRIPT not in svg         # ...because it was escaped
        assert "&lt;script&gt;" in svg

    def test_names_with_characters_xml_forbids(self):
        people = [stats.PersonLine(key="n:a", name="Bell\x07 \"quoted\" 'x' & co",
                                   turns=1, seconds=10, top_fifth=True)]
        tree = ET.fromstring(stats.speech_chart(people, title="t", summary="s"))
        assert len(bars(tree)) == 1
        assert any("Bell \"quoted\" 'x' & co" in (t.text or "")
                   for t in tree.iter(f"{SVG_NS}text"))

    def test_nobody(self):
        tree = ET.fromstring(stats.speech_chart([], title="t", summary="s"))
        assert bars(tree) == []


def run_meeting(world, series, day, alice, bob, extra=0):
    occurrence = assembly_queries.find_occurrence(series, day)
    start = occurrence.starts_at.astimezone(UTC)
    clock.freeze(start)
    room = services.open_room(actor=world["coordinator"], occurrence=occurrence)
    fac = world["coordinator"]
    t = speak(room, fac, start, 60, person=alice)
    t = speak(room, fac, t, 30, person=bob)
    if extra:
        speak(room, fac, t, extra, person=bob)
    return room


@pytest.fixture
def three_meetings(world, occurrence, speakers):
    """Three meetings of the Agora (26 Sep, 31 Oct, 28 Nov 2026); in each, Alice speaks
    60 s and Bob 30 s; in the first, Bob also speaks 120 s more."""
    alice, bob = speakers[:2]
    series = occurrence.series
    run_meeting(world, series, date(2026, 9, 26), alice, bob, extra=120)
    run_meeting(world, series, date(2026, 10, 31), alice, bob)
    run_meeting(world, series, date(2026, 11, 28), alice, bob)
    clock.freeze(datetime(2026, 11, 28, 18, 0, tzinfo=UTC))
    return series


class TestOverTime:
    def test_sums_meetings_of_the_period(self, world, three_meetings):
        now = clock.now()
        year = stats.body_speech(world["coop"], now - timedelta(days=365))
        people = by_name(year)
        assert (people["Alice"].turns, people["Alice"].seconds) == (3, 180.0)
        assert (people["Bob"].turns, people["Bob"].seconds) == (4, 210.0)
        assert [p.name for p in year.people] == ["Bob", "Alice"]
        assert len(year.meetings) == 3
        first = year.meetings[0]
        assert (first.people, first.turns, first.seconds) == (2, 3, 210.0)
        assert first.top_fifth_share == pytest.approx(150 / 210)
        assert first.gini == pytest.approx(abs(150 - 60) / (2 * 2 * 105))
        month = stats.body_speech(world["coop"], now - timedelta(days=31))
        assert by_name(month)["Alice"].seconds == 120.0
        assert by_name(month)["Bob"].seconds == 60.0
        assert [m.day for m in month.meetings] == ["2026-10-31", "2026-11-28"]

    def test_the_page_respects_months(self, client, world, three_meetings,
                                      django_assert_max_num_queries):
        url = reverse("body_speech", args=["cit"])
        with django_assert_max_num_queries(8):
            year = client.get(url).content.decode()
        assert re.search(r"<td[^>]*>Alice.*?</td><td[^>]*>3</td><td[^>]*>3 min 00 s</td>", year)
        assert year.count('href="/meetings/') >= 3
        for day in ("2026-09-26", "2026-10-31", "2026-11-28"):
            assert f"/{day}/room/stats/" in year
        month = client.get(url, {"months": "1"}).content.decode()
        assert re.search(r"<td[^>]*>Alice.*?</td><td[^>]*>2</td><td[^>]*>2 min 00 s</td>", month)
        assert "/2026-09-26/room/stats/" not in month
        three = client.get(url, {"months": "3"}).content.decode()
        assert "/2026-09-26/room/stats/" in three

    @pytest.mark.parametrize("months", ["0", "25", "-3", "abc", "1.5", "12abc"])
    def test_bad_months_is_a_400_with_a_message(self, client, world, months):
        response = client.get(reverse("body_speech", args=["cit"]), {"months": months},
                              HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400
        assert b'role="alert"' in response.content
        assert b"from 1 to 24" in response.content or b"de 1 \xc3\xa0 24" in response.content

    def test_default_and_bounds(self, client, world):
        url = reverse("body_speech", args=["cit"])
        for months in (None, "1", "24", " 6 "):
            params = {} if months is None else {"months": months}
            assert client.get(url, params).status_code == 200
        assert client.get(reverse("body_speech", args=["nowhere"])).status_code == 404


def describe(people, category):
    for person in people:
        services.describe_myself(person=person, category=category)


@pytest.fixture
def nine(world, room, make_person):
    """Nine members speak, 10 s to 90 s."""
    people = [member_of(world["coop"], make_person(f"Speaker {i}")) for i in range(1, 10)]
    t = T0
    for i, person in enumerate(people, start=1):
        t = speak(room, world["coordinator"], t, 10 * i, person=person)
    clock.freeze(t)
    return people


class TestCategories:
    ALPHA, BETA = "Catégorie-Alpha", "Catégorie-Beta"

    def test_four_say_nothing_speakers_are_shown_aggregated(self, client, nine, occurrence,
                                                        room):
        describe(nine[:5], self.ALPHA)       # 10+20+30+40+50 = 150 s
        describe(nine[5:], self.BETA)        # four people
        speech = stats.room_speech(Room.objects.get(pk=room.pk))
        assert [(c.category, c.people, c.seconds) for c in speech.categories] == [
            (self.ALPHA, 5, 150.0)]
        content = client.get(stats_url(occurrence)).content.decode()
        assert "Beta" not in content
        assert content.count(self.ALPHA) == 1
        row = re.search(r"<tr><td[^>]*>Catégorie-Alpha</td><td[^>]*>5</td>"
                        r"<td[^>]*>2 min 30 s</td></tr>", content)
        assert row is not None
        # Down to four: nothing at all about it.
        services.describe_myself(person=nine[0], category="")
        content = client.get(stats_url(occurrence)).content.decode()
        assert "Alpha" not in content and "Beta" not in content
        assert stats.room_speech(Room.objects.get(pk=room.pk)).categories == []

    def test_no_person_is_ever_next_to_a_category(self, client, nine, occurrence):
        describe(nine, self.ALPHA)
        content = client.get(stats_url(occurrence)).content.decode()
        assert content.count(self.ALPHA) == 1
        row = re.search(r"<tr><td[^>]*>Catégorie-Alpha</td>.*?</tr>", content).group(0)
        assert "Speaker" not in row
        svg = content[content.index("<svg"):content.index("</svg>")]
        assert "Alpha" not in svg

    def test_spellings_are_counted_together(self, nine, room):
        describe(nine[:3], "alpha")
        describe(nine[3:5], " ALPHA ")
        speech = stats.room_speech(Room.objects.get(pk=room.pk))
        assert [(c.category, c.people) for c in speech.categories] == [("alpha", 5)]

    def test_guests_have_no_category(self, world, room):
        for i in range(6):
            speak(room, world["coordinator"], T0 + timedelta(minutes=i), 10, guest=f"G{i}")
        assert stats.room_speech(Room.objects.get(pk=room.pk)).categories == []


@pytest.fixture
def closed_occurrence(world):
    series = assembly_services.create_series(
        actor=world["coordinator"], body=world["closed_group"], title="Caisse",
        rrule="FREQ=MONTHLY;BYDAY=-1SA", first_day=date(2026, 1, 1), start_time=time(9),
        end_time=time(10))
    occurrence = assembly_queries.find_occurrence(series, date(2026, 11, 28))
    room = services.open_room(actor=world["coordinator"], occurrence=occurrence)
    speak(room, world["coordinator"], T0, 30, person=world["coordinator"])
    clock.freeze(T0 + timedelta(hours=2))
    return occurrence


class TestVisibility:
    @pytest.mark.parametrize("who, status", [
        (None, 200), ("outsider", 200), ("member", 200), ("coordinator", 200)])
    def test_open_body(self, client, world, meeting, occurrence, who, status):
        if who:
            client.force_login(world[who])
        assert client.get(stats_url(occurrence)).status_code == status
        assert client.get(reverse("body_speech", args=["cit"])).status_code == status

    @pytest.mark.parametrize("who, status", [
        (None, 404), ("outsider", 404), ("member", 404), ("other_coordinator", 404),
        ("coordinator", 200), ("operator", 200)])
    def test_closed_body(self, client, world, closed_occurrence, who, status):
        if who:
            client.force_login(world[who])
        response = client.get(stats_url(closed_occurrence))
        assert response.status_code == status
        assert client.get(reverse("body_speech", args=["caisse"])).status_code == status
        if status == 200:
            assert "Coordinator" in response.content.decode()
        else:
            assert b"Coordinator" not in response.content


class TestQueryCounts:
    def _meeting(self, world, room, people, rounds):
        t = T0
        for _round in range(rounds):
            for person in people:
                t = speak(room, world["coordinator"], t, 5, person=person)
        clock.freeze(t)

    def _count(self, client, url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def test_pages_do_not_grow_with_turns(self, client, world, room, occurrence, speakers,
                                          django_assert_max_num_queries):
        client.force_login(world["member"])
        describe(speakers, "x")
        room_url = stats_url(occurrence)
        body_url = reverse("body_speech", args=["cit"])
        self._meeting(world, room, speakers, 1)
        few_room, few_body = self._count(client, room_url), self._count(client, body_url)
        self._meeting(world, room, speakers, 6)
        with django_assert_max_num_queries(12):
            client.get(room_url)
        with django_assert_max_num_queries(12):
            client.get(body_url)
        assert self._count(client, room_url) == few_room
        assert self._count(client, body_url) == few_body

    def test_queries_themselves(self, world, room, speakers, django_assert_num_queries):
        self._meeting(world, room, speakers, 3)
        describe(speakers, "x")
        room = Room.objects.get(pk=room.pk)
        with django_assert_num_queries(2):   # turns, names (fewer than 5 members: no more)
            stats.room_speech(room)
        with django_assert_num_queries(3):   # rooms, turns, names
            stats.body_speech(world["coop"], T0 - timedelta(days=30))


class TestSelfDescription:
    url = "/profile/self-description/"

    def test_login_required(self, client):
        response = client.get(self.url)
        assert response.status_code == 302 and "login" in response["Location"]
        assert client.post(self.url, {"category": "x"}).status_code == 302
        assert not SelfDescription.objects.exists()

    def test_set_edit_delete(self, client, world):
        member = world["member"]
        client.force_login(member)
        page = client.get(self.url)
        assert page.status_code == 200 and b'name="category"' in page.content
        assert client.post(self.url, {"category": "  ouvrière  "}).status_code == 302
        assert SelfDescription.objects.get(person=member).category == "ouvrière"
        assert "ouvrière" in client.get(self.url).content.decode()
        client.post(self.url, {"category": "paysanne"})
        assert SelfDescription.objects.get(person=member).category == "paysanne"
        client.post(self.url, {"category": "paysanne", "delete": "1"})
        assert not SelfDescription.objects.filter(person=member).exists()
        client.post(self.url, {"category": "paysanne"})
        client.post(self.url, {"category": ""})
        assert not SelfDescription.objects.exists()

    def test_sixty_characters_at_most(self, client, world):
        client.force_login(world["member"])
        response = client.post(self.url, {"category": "x" * 61}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400
        assert b'role="alert"' in response.content
        assert not SelfDescription.objects.exists()
        assert client.post(self.url, {"category": "x" * 60}).status_code == 302
        with pytest.raises(DomainError):
            services.describe_myself(person=world["member"], category="y" * 61)
        assert SelfDescription.objects.get().category == "x" * 60

    def test_each_person_sees_only_their_own(self, client, world):
        services.describe_myself(person=world["coordinator"], category="secret-cat")
        client.force_login(world["member"])
        assert b"secret-cat" not in client.get(self.url).content
