"""The assemblies' pages on a phone and in good French (issue #14): tables that become
cards (every cell labelled, no empty header), the page's one primary action, names never
glued to an article, plurals, lower-case days in running text, codes shown by their
labels; and a person on a workshop's waiting list sees it, with their rank, on the
meeting's page, in the API's answer and in the demo."""

import re
from datetime import timedelta

import pytest

from autogestion.assemblies import demo as assemblies_demo
from autogestion.assemblies import queries, services
from autogestion.assemblies.models import AgendaItemEvent
from autogestion.cooperatives import demo as cooperatives_demo
from autogestion.cooperatives.models import Body
from tests.support.http import ApiClient, client_for

from .conftest import paris

pytestmark = pytest.mark.django_db

URL = "/meetings/{id}/2026-11-28/"


def in_french(person):
    """A client for `person` reading in French (their own language decides)."""
    person.language = "fr"
    person.save(update_fields=["language"])
    return client_for(person, "fr")


def tables(html: str) -> list[str]:
    return re.findall(r"(?s)<table\b.*?</table>", html)


def assert_stacked(table: str) -> None:
    """A table.stack: every header has words, every data cell of a row with several
    cells says which column it is (except the one that heads the card)."""
    assert re.search(r'<table class="[^"]*\bstack\b', table), table[:200]
    assert not re.search(r"<th\b[^>]*>\s*</th>", table)
    for row in re.findall(r"(?s)<tr\b.*?</tr>", table):
        cells = re.findall(r"<td\b[^>]*>", row)
        if len(cells) > 2:
            unlabelled = [c for c in cells if "data-label" not in c]
            assert len(unlabelled) <= 2, row[:300]


@pytest.fixture
def full_workshop(world, november, make_person):
    """A workshop of one place: the coordinator has it, Alice then the member wait."""
    workshop = services.add_session(
        actor=world["coordinator"], occurrence=november, title="Monnaie", kind="workshop",
        starts_at=paris(2026, 11, 28, 14), ends_at=paris(2026, 11, 28, 17, 30), capacity=1)
    alice = make_person("Alice")
    for person in (world["coordinator"], alice, world["member"]):
        services.sign_up(person=person, session_id=workshop.pk)
    return workshop, alice


class TestWaitingList:
    def test_my_card_says_i_wait_and_my_rank(self, world, agora, full_workshop):
        workshop, alice = full_workshop
        page = client_for(world["member"]).get(URL.format(id=agora.pk)).content.decode()
        card = re.search(rf'(?s)id="session-{workshop.pk}".*?</div>', page).group()
        assert '<span class="badge waiting">2nd on the waiting list</span>' in card
        assert "Leave the waiting list" in card
        assert "1 place · 1 sign-up · 2 waiting" in card
        # The first one waiting reads that the next place is hers.
        first = client_for(alice).get(URL.format(id=agora.pk)).content.decode()
        assert "At the head of the waiting list" in first
        # The one with the place reads that she has it; nobody else reads a rank.
        held = client_for(world["coordinator"]).get(URL.format(id=agora.pk)).content.decode()
        assert "You are signed up" in held and "on the waiting list" not in held

    def test_in_french_the_ordinal(self, world, agora, full_workshop):
        workshop, _alice = full_workshop
        page = in_french(world["member"]).get(URL.format(id=agora.pk)).content.decode()
        assert "2<sup>e</sup> sur la liste d'attente" in page
        assert "1 place · 1 inscription · 2 en attente" in page  # never "1 places"

    def test_the_rank_moves_up_when_someone_leaves(self, world, agora, full_workshop):
        workshop, alice = full_workshop
        services.leave_session(person=alice, session_id=workshop.pk)
        page = client_for(world["member"]).get(URL.format(id=agora.pk)).content.decode()
        assert "At the head of the waiting list" in page and "2nd" not in page

    def test_signing_up_to_a_full_workshop_says_the_rank(self, world, agora, november,
                                                        make_person):
        workshop = services.add_session(
            actor=world["coordinator"], occurrence=november, title="Local", kind="workshop",
            starts_at=paris(2026, 11, 28, 14), ends_at=paris(2026, 11, 28, 17, 30),
            capacity=1)
        for person in (world["coordinator"], make_person("Bea")):
            services.sign_up(person=person, session_id=workshop.pk)
        client = client_for(world["member"])
        assert "Join the waiting list" in client.get(URL.format(id=agora.pk)).content.decode()
        answer = client.post(f"/sessions/{workshop.pk}/signup/", follow=True)
        assert "The workshop is full: you are 2nd on the waiting list." \
            in answer.content.decode()

    def test_the_api_answers_the_rank(self, world, agora, full_workshop, make_person):
        workshop, _alice = full_workshop
        late = make_person("Late")
        answer = ApiClient(late).post(f"/api/sessions/{workshop.pk}/signup")
        assert answer.status_code == 201
        assert answer.json() == {"session_id": workshop.pk, "status": "waiting",
                                 "waiting_rank": 3}
        mine = next(s for s in ApiClient(world["member"]).get(
            f"/api/series/{agora.pk}/occurrences/2026-11-28").json()["sessions"]
            if s["id"] == workshop.pk)
        assert (mine["my_status"], mine["my_waiting_rank"]) == ("waiting", 2)

    def test_the_demo_has_someone_waiting(self):
        loaded = cooperatives_demo.load_demo()
        bodies = {b.slug: b for b in Body.objects.all()}
        people = loaded["people"]
        assemblies_demo.load(bodies, people)
        louise = people[1]
        workshop = queries.program(queries.next_agoras(bodies["cit"], 1)[0])
        full = next(s for s in workshop if s.title == assemblies_demo.FULL_WORKSHOP)
        place = queries.place_in(full, louise)
        assert (place.status, place.rank) == ("waiting", 2)
        page = in_french(louise).get(
            queries.next_agoras(bodies["cit"], 1)[0].get_absolute_url()).content.decode()
        assert "2<sup>e</sup> sur la liste d'attente" in page


class TestPhoneAndFrench:
    def test_a_bodys_meetings(self, world, agora, frozen):
        frozen(paris(2026, 11, 20, 10))  # the agenda of 28 November still takes items
        services.create_series(actor=world["coordinator"], body=world["open_group"],
                               title="Weekly", rrule="FREQ=WEEKLY;BYDAY=TU",
                               first_day=agora.first_day, start_time=agora.start_time,
                               end_time=agora.end_time)
        group = in_french(world["member"]).get("/bodies/accueil/meetings/")
        html = group.content.decode()
        # "Réunions de Accueil": the name is never glued to an article.
        assert "<h1>Réunions — Accueil</h1>" in html and "de Accueil" not in html
        [coming] = tables(html)
        assert_stacked(coming)
        assert html.count("data-primary") == 1
        # Without a deadline, the agenda takes items until the meeting: said, not blank.
        assert "ouvert aux points jusqu'à la réunion" in html
        assert not re.search(r"jusqu'au\s*<", html)
        coop = in_french(world["member"]).get("/bodies/cit/meetings/").content.decode()
        assert "ouvert aux points jusqu'au samedi 21 novembre, 18:30" not in coop  # not "l"
        assert "ouvert aux points jusqu'au 21 novembre, 18:30" in coop
        # Days and months in lower case in running text.
        assert "samedi 28 novembre 2026, 10:30" in coop
        assert not re.search(r"[a-zà-ÿ,] (Lundi|Mardi|Samedi|Dimanche|Déc|Nov)\b", coop)

    def test_the_agora_with_an_open_agenda(self, world, agora, november, frozen):
        frozen(november.deadline - timedelta(days=3))
        item = services.add_agenda_item(actor=world["member"], occurrence=november,
                                        title="Budget", duration_minutes=1, kind="decision")
        services.accept_agenda_item(actor=world["coordinator"], item_id=item.pk)
        for person in (world["member"], world["coordinator"]):
            html = in_french(person).get(URL.format(id=agora.pk)).content.decode()
            # The one primary action, at the top: add an item, until the deadline.
            assert html.count("data-primary") == 1
            primary = re.search(r"<a [^>]*data-primary[^>]*>[^<]*</a>", html).group()
            assert 'href="#add-item"' in primary and "Ajouter un point" in primary
            assert html.index("data-primary") < html.index('id="agenda"')
            assert "jusqu'au samedi 21 novembre, 18:30" in html
            [agenda] = tables(html)
            assert_stacked(agenda)
            # The status column is labelled, and shows the label, not the code.
            assert re.search(r'data-label="Statut"><span class="status status-accepted">'
                             r'accepté', agenda)
            assert 'data-label="Type">décision' in agenda
            # One minute requested: singular.
            assert "1 minute demandée sur 510." in html
            assert "Les membres ajoutent des points en ligne jusqu'au samedi 21 novembre" in html

    def test_during_the_meeting_the_room_comes_first(self, world, agora, november, frozen):
        frozen(november.starts_at + timedelta(minutes=5))
        html = client_for(world["member"]).get(URL.format(id=agora.pk)).content.decode()
        primary = re.search(r"<a [^>]*data-primary[^>]*>[^<]*</a>", html).group()
        assert "Enter the meeting room" in primary and "/room/" in primary

    def test_status_history_in_words(self, world, agora, november, frozen):
        frozen(november.deadline - timedelta(days=3))
        item = services.add_agenda_item(actor=world["member"], occurrence=november,
                                        title="Budget", duration_minutes=10)
        following = queries.next_occurrences(agora, 1, after=november.ends_at)[0]
        services.delay_agenda_item(actor=world["coordinator"], item_id=item.pk, to=following)
        event = AgendaItemEvent.objects.get(item=item, to_status="delayed")
        assert event.reason == following.key  # the code stays for machines
        html = in_french(world["member"]).get(URL.format(id=agora.pk)).content.decode()
        assert ", 26 décembre 2026</li>" in html and following.key + "</li>" not in html

    def test_the_printable_program_fits_a_phone(self, world, agora, full_workshop):
        html = client_for(None, "fr").get(f"{URL.format(id=agora.pk)}program/").content.decode()
        assert '<meta name="viewport"' in html
        assert "· 1 place</span>" in html and "1 places" not in html
        assert "<style" not in html and ' style="' not in html

    def test_no_inline_style_left(self, world, agora, november, frozen):
        frozen(november.ends_at)
        services.write_minutes(actor=world["coordinator"], occurrence=november, notes="Notes")
        coordinator = client_for(world["coordinator"])
        for url in (URL, f"{URL}minutes/", "/bodies/cit/meetings/", "/bodies/cit/meetings/new/"):
            html = coordinator.get(url.format(id=agora.pk)).content.decode()
            assert ' style="' not in html, url
            assert "autogestion/site.css" in html and ".css" not in html.replace(
                "autogestion/site.css", ""), url  # the one stylesheet, no other
        minutes = coordinator.get(f"{URL.format(id=agora.pk)}minutes/").content.decode()
        ids = re.findall(r'\bid="(id_[^"]+)"', minutes)
        assert ids and len(ids) == len(set(ids))  # one label per field


def test_the_calendar_says_dates_in_words(world, agora):
    """A calendar description is read by people: the Agora's date in words, not its code."""
    feed = client_for(None).get("/bodies/cit/calendar.ics").content.decode()
    unfolded = feed.replace("\r\n ", "")
    assert "The agenda of the meeting of 28 November 2026 is fixed here" in unfolded
    assert "meeting of 2026-11-28" not in unfolded
