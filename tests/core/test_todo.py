""""À faire", the signed-in home (issue #14): what waits for a person in each capability,
for the person it waits for and nobody else, one tap from where they act on it; the
page's queries do not grow with what they hold; the anonymous home stays the
cooperative's public page. Then what makes the site installable and offline-readable on
the server's side: the manifest, the service worker, the offline pages and the list of
the person's pages kept offline.

Everything is built through the services, at the suite's moment: Thursday 26 November
2026, 10:00 in Paris. The Agora meets on the last Saturday of the month; its December
agenda (26 December) takes items until the preparation meeting, 19 December."""

import json
import re
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from autogestion.assemblies import queries as assembly_queries
from autogestion.assemblies import services as assemblies
from autogestion.assemblies import todo as assembly_todo
from autogestion.commons import services as commons
from autogestion.commons import todo as commons_todo
from autogestion.cooperatives import services as bodies
from autogestion.cooperatives import todo as cooperative_todo
from autogestion.core import clock, todo
from autogestion.decisions import services as decisions
from autogestion.decisions import todo as decision_todo
from autogestion.economy import services as economy
from autogestion.economy import todo as economy_todo
from autogestion.notifications.models import Kind as NotificationKind
from autogestion.notifications.services import notify
from autogestion.work import todo as work_todo
from autogestion.work.daily import services as daily
from tests.support.clock import PARIS
from tests.support.http import client_for

pytestmark = pytest.mark.django_db

# The signed-in home's queries, whatever the member holds: session, person, unread
# notifications, memberships (once for all providers), the coming meetings (series and
# meetings, read once for the agendas and the pages kept offline), waiting lists, rounds,
# payment requests, next bookings, tasks, accounts and daily plans kept offline, the home
# cooperative, the menu's unread count, the next Agora (series, meetings; two more when
# its agenda has items). Stewards add the bookings to decide, coordinators the requests
# to join, legal votes two.
SIGNED_IN = 17


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def fresh(person):
    """The person as a new request loads them: memberships are cached on the object."""
    return type(person).objects.get(pk=person.pk)


def titles(person, provider) -> list[str]:
    return [item.title for item in provider.items(fresh(person), clock.today())]


@pytest.fixture
def agora(world):
    return assemblies.create_series(
        actor=world["coordinator"], body=world["coop"], title="Agora",
        rrule="FREQ=MONTHLY;BYDAY=-1SA", first_day=clock.today(), start_time=time(10, 30),
        end_time=time(19), kind="agora", preparation_offset_days=7, agenda_opens_days=35)


@pytest.fixture
def december(agora):
    return assembly_queries.find_occurrence(agora, paris(2026, 12, 26).date())


@pytest.fixture
def oseille(world):
    return economy.create_currency(actor=world["coordinator"], cooperative=world["coop"],
                                   code="oseille", name="Oseille", symbol="Os",
                                   default_debit_limit=10_000)


def _request(world, oseille, amount=3800, description="Panier de légumes", days=None):
    return economy.request_payment(
        actor=world["coordinator"],
        seller_id=economy.account_of(world["coordinator"], oseille).pk,
        buyer_id=economy.account_of(world["member"], oseille).pk, amount=amount,
        description=description,
        auto_accept_after=timedelta(days=days) if days is not None else None)


# Each provider: its items for whom they wait for, not for the others -------------------

def test_rounds_waiting_for_my_position(world):
    coop, member, coordinator = world["coop"], world["member"], world["coordinator"]
    proposal = decisions.create_proposal(
        actor=coordinator, body=coop, title="Acheter une grelinette", text="Pour le jardin.",
        decision_class="executive", deadline=paris(2026, 11, 27, 18))
    items = decision_todo.items(fresh(member), clock.today())
    assert [i.title for i in items] == ["Acheter une grelinette"]
    assert items[0].url == f"/proposals/{proposal.pk}/#round"
    assert items[0].action == "Take a position"
    assert items[0].detail == "CIT · round 1 · until tomorrow at 18:00"
    assert items[0].urgency == todo.SOON
    # Not for someone outside the body, nor once one's position is taken.
    assert titles(world["outsider"], decision_todo) == []
    assert titles(world["other_coordinator"], decision_todo) == []
    decisions.take_position(person=member, round_id=proposal.rounds.get().pk,
                            stance="fully_agree")
    assert titles(member, decision_todo) == []
    assert titles(coordinator, decision_todo) == ["Acheter une grelinette"]


def test_a_legal_vote_waits_only_for_those_who_vote(world, make_person):
    """In a SCIC with colleges a member in no college has no vote (R5): the round does not
    wait for them. (The operator founded the SCIC before its colleges: in none.)"""
    scic, without_college = world["scic"], world["operator"]
    voter = make_person("Voter")
    bodies.join_body(person=voter, body=scic, college=world["colleges"][1])
    decisions.create_proposal(actor=voter, body=scic, title="Approuver les comptes",
                              text="Exercice 2026.", decision_class="legal_act")
    assert titles(voter, decision_todo) == ["Approuver les comptes"]
    assert decision_todo.items(fresh(voter), clock.today())[0].action == "Vote"
    assert titles(without_college, decision_todo) == []


def test_payment_requests_to_me(world, oseille):
    request = _request(world, oseille, days=1)
    items = economy_todo.items(fresh(world["member"]), clock.today())
    assert len(items) == 1
    assert items[0].title == "Coordinator asks for 38.00\u00a0Os"
    assert items[0].url == "/bodies/cit/economy/#requests-in"
    assert items[0].detail.startswith("Panier de légumes · accepted by itself: tomorrow at ")
    assert items[0].urgency == todo.NOW
    # The seller waits for nothing; nor does anyone else.
    assert titles(world["coordinator"], economy_todo) == []
    assert titles(world["outsider"], economy_todo) == []
    economy.decline_request(actor=world["member"], request_id=request.pk)
    assert titles(world["member"], economy_todo) == []


def test_my_tasks_today_and_tomorrow(world):
    group, member, coordinator = world["open_group"], world["member"], world["coordinator"]
    today = clock.today()
    plans = {day: daily.prepare_daily_plan(actor=member, body=group, day=day)
             for day in (today, today + timedelta(days=1), today + timedelta(days=2))}
    daily.add_task(actor=member, plan_id=plans[today].pk, title="Accueil du marché",
                   starts_at=time(14), ends_at=time(16), people=[member])
    daily.add_task(actor=member, plan_id=plans[today + timedelta(days=1)].pk,
                   title="Rangement", people=[member, coordinator])
    daily.add_task(actor=member, plan_id=plans[today + timedelta(days=2)].pk,
                   title="Plus tard", people=[member])
    items = work_todo.items(fresh(member), today)
    assert [i.title for i in items] == ["Accueil du marché", "Rangement"]
    assert items[0].detail == "Today · 14:00 – 16:00 · Accueil · plan being prepared"
    assert items[0].url.startswith(f"/bodies/accueil/daily/{today.isoformat()}/#task-")
    assert [i.urgency for i in items] == [todo.NOW, todo.SOON]
    assert titles(coordinator, work_todo) == ["Rangement"]
    assert titles(world["outsider"], work_todo) == []


def test_bookings_to_decide_and_my_next_bookings(world, make_person):
    coop, member, coordinator = world["coop"], world["member"], world["coordinator"]
    van = commons.create_resource(actor=coordinator, steward=coop, kind="vehicle",
                                  name="Fourgon", requires_approval=True, opens_at=time(8),
                                  closes_at=time(20))
    commons.book_resource(actor=member, resource_id=van.pk, starts_at=paris(2026, 11, 28, 9),
                          ends_at=paris(2026, 11, 28, 12), purpose="Marché")
    steward = {i.section.key: i for i in commons_todo.items(fresh(coordinator),
                                                             clock.today())}
    assert set(steward) == {"bookings_to_decide"}
    assert steward["bookings_to_decide"].title == "Fourgon"
    assert steward["bookings_to_decide"].action == "Confirm or decline"
    assert "Member" in steward["bookings_to_decide"].detail
    mine = commons_todo.items(fresh(member), clock.today())
    assert [(i.section.key, i.title) for i in mine] == [("my_bookings", "Fourgon")]
    assert mine[0].detail == "Saturday 28 November at 09:00 to 12:00 · waiting for approval"
    # A member who stewards nothing decides nothing; an outsider has no booking.
    assert titles(world["outsider"], commons_todo) == []
    # An operator's reach does not make the requests theirs.
    assert titles(world["operator"], commons_todo) == []


def test_agendas_open_for_items(world, agora, december):
    member = world["member"]
    items = [i for i in assembly_todo.items(fresh(member), clock.today())
             if i.section.key == "agendas"]
    # November's agenda closed on 21 November; December's is open until the 19th.
    assert [(i.title, i.url) for i in items] == [
        ("Agora", f"/meetings/{agora.pk}/2026-12-26/#add-item")]
    assert items[0].detail == ("CIT · meets Saturday 26 December · open for items until "
                               "Saturday 19 December at 10:30")
    assert titles(world["outsider"], assembly_todo) == []
    assert titles(world["other_coordinator"], assembly_todo) == []


def test_workshops_i_am_on_the_waiting_list_of(world, december, make_person):
    coordinator, member, outsider = world["coordinator"], world["member"], world["outsider"]
    seeds = assemblies.add_session(
        actor=coordinator, occurrence=december, title="Semences", kind="workshop",
        starts_at=paris(2026, 12, 26, 14), ends_at=paris(2026, 12, 26, 16), capacity=1)
    for person in (coordinator, member, outsider):
        assemblies.sign_up(person=person, session_id=seeds.pk)

    def waiting(person):
        return [(i.title, i.detail.split(" · ")[0])
                for i in assembly_todo.items(fresh(person), clock.today())
                if i.section.key == "waiting_lists"]

    assert waiting(coordinator) == []  # the place is theirs
    assert waiting(member) == [("Semences", "at the head of the waiting list")]
    assert waiting(outsider) == [("Semences", "2nd on the waiting list")]
    assemblies.leave_session(person=coordinator, session_id=seeds.pk)
    assert waiting(member) == []
    assert waiting(outsider) == [("Semences", "at the head of the waiting list")]
    # The meeting is cancelled: its workshops will not happen, nothing to wait for.
    assemblies.cancel_occurrence(actor=coordinator, occurrence=december, reason="Flood")
    assert waiting(outsider) == []


def test_join_requests_to_decide(world, make_person):
    closed, coordinator = world["closed_group"], world["coordinator"]
    for name in ("Inès", "Paul"):
        person = make_person(name)
        bodies.join_body(person=person, body=world["coop"])
        bodies.join_body(person=person, body=closed, message="Bonjour")
    items = cooperative_todo.items(fresh(coordinator), clock.today())
    assert [(i.title, i.url, i.detail) for i in items] == [
        ("Caisse", "/bodies/caisse/requests/", "2 people ask to join, the first since today")]
    # Members who do not coordinate it answer nothing.
    assert titles(world["member"], cooperative_todo) == []


# The page ---------------------------------------------------------------------------------

def _fill(world, oseille, december, *, n: int = 1, start: int = 0):
    """n things of every kind waiting for the member."""
    coop, group = world["coop"], world["open_group"]
    coordinator, member = world["coordinator"], world["member"]
    for i in range(start, start + n):
        decisions.create_proposal(actor=coordinator, body=coop, title=f"Proposition {i}",
                                  text="Texte.", decision_class="executive")
        _request(world, oseille, amount=100 + i, description=f"Demande {i}")
        notify([member], NotificationKind.MEETING, title="Agenda %(n)s", params={"n": i},
               url="/")
        plan = (daily.prepare_daily_plan(actor=member, body=group, day=clock.today())
                if i == 0 else group.daily_plans.get(day=clock.today()))
        daily.add_task(actor=member, plan_id=plan.pk, title=f"Tâche {i}", people=[member])
        bodies.create_body(actor=coordinator, kind="group", name=f"Atelier {i}",
                           slug=f"atelier-{i}", parent=coop)
        session = assemblies.add_session(
            actor=coordinator, occurrence=december, title=f"Atelier {i}", kind="workshop",
            starts_at=paris(2026, 12, 26, 11 + i), ends_at=paris(2026, 12, 26, 12 + i),
            capacity=1)
        for person in (coordinator, member):
            assemblies.sign_up(person=person, session_id=session.pk)
    return member


def test_the_home_shows_what_waits_each_one_tap_away(world, oseille, december):
    member = _fill(world, oseille, december)
    html = client_for(member).get("/").content.decode()
    assert "<h1 id=\"todo-title\" data-offline-sync>To do</h1>" in html
    for heading in ("Rounds waiting for my position", "Payments asked of me",
                    "My tasks today and tomorrow", "Agendas open for items"):
        assert heading in html
    assert "Proposition 0" in html and "Tâche 0" in html and "Demande 0" in html
    # The most pressing first, and only it is the page's primary action: today's task.
    primary = re.findall(r'<a class="button" href="([^"]+)" data-primary>([^<]+)</a>', html)
    assert len(primary) == 1 and primary[0][1] == "See the plan"
    assert primary[0][0].startswith(f"/bodies/accueil/daily/{clock.today().isoformat()}/")
    assert html.index("My tasks today and tomorrow") < html.index("Payments asked of me")
    # Each item is a link to where one acts.
    assert 'href="/bodies/cit/economy/#requests-in"' in html
    # The unread notifications, opened through the link that marks them read.
    notification = member.notifications.get(title="Agenda 0")
    assert f'href="/notifications/{notification.pk}/"' in html and "Agenda 0" in html
    assert 'href="/notifications/"' in html
    # The pages kept offline, as shortcuts.
    assert 'href="/bodies/cit/economy/" data-offline' in html
    assert "Today&#x27;s plan — Accueil" in html
    # What the page does not have items of says so, in one line.
    assert "Nothing waiting:" in html and "my next bookings" in html


def test_the_home_in_french(world, oseille, december):
    member = _fill(world, oseille, december)
    member.language = "fr"
    member.save(update_fields=["language"])
    html = client_for(member, "fr").get("/").content.decode()
    assert "<title>À faire · Autogestion</title>" in html
    # Days in lower case in running text; no English left in what the providers say.
    assert "samedi 26 décembre" in html
    assert "Samedi" not in html and "Saturday" not in html


def test_nothing_waiting_says_so(world):
    html = client_for(world["outsider"]).get("/").content.decode()
    assert "Nothing waits for you right now." in html
    assert "data-primary" not in html
    assert "No unread notification." in html
    # The sections anybody may have items in are named; those of stewards and
    # coordinators are not.
    assert "rounds waiting for my position" in html
    assert "bookings to decide" not in html and "requests to join to answer" not in html


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured.captured_queries)


def test_the_home_queries_do_not_grow_with_what_waits(world, oseille, december):
    member = _fill(world, oseille, december)
    client = client_for(member)
    client.get("/")
    few = _queries(client)
    _fill(world, oseille, december, n=5, start=1)
    page = client.get("/").content.decode()
    assert "Proposition 5" in page and "Tâche 5" in page and "Demande 5" in page
    assert _queries(client) == few == SIGNED_IN


def test_the_anonymous_home_is_the_cooperatives_page(world):
    html = client_for(None).get("/").content.decode()
    assert "<h1>CIT</h1>" in html
    assert 'href="/newcomers/" data-primary' in html
    assert "data-offline-sync" in html  # it clears a former person's copies
    assert "To do" not in re.sub(r"<header.*?</header>", "", html, flags=re.S)


# Installable and readable offline ----------------------------------------------------------

def test_the_manifest(world):
    response = client_for(None).get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#1f2a24" and manifest["background_color"] == "#fbfaf6"
    assert manifest["lang"] == "en"
    assert client_for(None, "fr").get("/manifest.webmanifest").json()["lang"] == "fr"
    icons = {icon["sizes"]: icon for icon in manifest["icons"]}
    assert set(icons) == {"any", "192x192", "512x512"}
    assert icons["any"]["type"] == "image/svg+xml"
    for size in ("192", "512"):
        png = client_for(None).get(icons[f"{size}x{size}"]["src"])
        body = b"".join(png.streaming_content) if png.streaming else png.content
        assert png.status_code == 200 and body[:8] == b"\x89PNG\r\n\x1a\n"
        # Width and height, from the PNG's header.
        assert int.from_bytes(body[16:20], "big") == int.from_bytes(body[20:24], "big") \
            == int(size)


def test_the_service_worker(world):
    response = client_for(None).get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "no-cache" in response["Cache-Control"]
    script = response.content.decode()
    # Push first (guarded: offline reading works without it), then offline reading.
    push = script.index('importScripts("/static/notifications/push-sw.js")')
    offline = script.index('importScripts("/static/autogestion/offline.js")')
    assert script.index("try {") < push < offline
    config = json.loads(re.search(r"self.AUTOGESTION = (\{.*?\});", script).group(1))
    assert config["pages"] == "/offline/pages.json"
    # Whatever starts or ends a session (the admin's log-out too) drops the copies.
    assert set(config["forget"]) == {"/accounts/login/", "/accounts/logout/",
                                     "/accounts/signup/", "/admin/logout/"}
    assert client_for(None).post("/sw.js").status_code == 405


def test_the_offline_pages_show_nothing_of_a_person(world):
    member = world["member"]
    for path, heading in (("/offline/", "You are offline"),
                          ("/offline/not-sent/", "You are offline: this was not sent")):
        html = client_for(member).get(path).content.decode()
        assert f"<h1>{heading}</h1>" in html
        assert member.public_name not in html and "csrfmiddlewaretoken" not in html
        texts = json.loads(re.search(r'<script id="offline-texts" type="application/json">'
                                     r"(.*?)</script>", html).group(1))
        assert texts["asOf"] == "Offline: as of %(time)s."
    # In the person's language (the worker fetches it with their cookies).
    assert '<html lang="fr">' in client_for(None, "fr").get("/offline/").content.decode()


def test_the_pages_kept_offline_are_the_persons(world, oseille, agora):
    member = world["member"]
    economy.account_of(member, oseille)
    plan = daily.prepare_daily_plan(actor=member, body=world["open_group"],
                                    day=clock.today() + timedelta(days=1))
    listed = client_for(member).get("/offline/pages.json")
    assert listed.status_code == 200 and "no-cache" in listed["Cache-Control"]
    data = listed.json()
    assert data["user"] == member.pk
    tomorrow = plan.day.isoformat()
    assert data["pages"] == [
        "/", f"/meetings/{agora.pk}/2026-11-28/", "/bodies/cit/economy/", "/economy/",
        "/bodies/accueil/daily/", f"/bodies/accueil/daily/{tomorrow}/"]
    # Each of them opens for the person.
    client = client_for(member)
    for path in data["pages"]:
        assert client.get(path, follow=True).status_code == 200, path
    # Someone else's list is theirs; nobody's has nothing.
    assert client_for(world["outsider"]).get("/offline/pages.json").json()["pages"] == ["/"]
    assert client_for(None).get("/offline/pages.json").json() == {"user": None, "pages": []}
