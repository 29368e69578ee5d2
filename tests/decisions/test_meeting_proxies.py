"""Issue #13, R16: a proxy for every legal vote of one general meeting. It becomes a
proxy in each majority vote of a legal act tied to the meeting (open when given, or
opened later), counted as any proxy; revoking it ends those still open; voting in
person ends it for that vote only; the statutes' limit holds in every vote; never for
consensus or consent, nor in a body without legal votes."""

from datetime import date, time

import pytest

from autogestion.assemblies import queries as calendar
from autogestion.assemblies import services as assemblies
from autogestion.assemblies.models import Meeting
from autogestion.cooperatives import services as bodies
from autogestion.core.errors import Conflict, DomainError, PermissionDenied
from autogestion.decisions import services
from autogestion.decisions.models import MeetingProxy, Position, Proposal, Proxy, Round
from tests.support.http import api_client, client_for, page_refused, refused
from tests.support.services import refused_unchanged

pytestmark = pytest.mark.django_db
# A Monday after the suite's "now" (Thursday 26 November 2026), and one before it.
MEETING_DAY = date(2026, 12, 14)
PAST_DAY = date(2026, 11, 23)


def rows() -> dict[str, int]:
    counts = {m.__name__: m.objects.count() for m in (
        Proposal, Round, Position, Proxy, MeetingProxy, Meeting)}
    counts["active"] = Proxy.objects.filter(revoked_at__isnull=True).count()
    return counts


@pytest.fixture
def voters(world, make_person):
    people = []
    for i, college in enumerate(world["colleges"] * 2):
        person = make_person(f"Voter {i}")
        bodies.join_body(person=person, body=world["scic"], college=college)
        people.append(person)
    return people


@pytest.fixture
def series(world):
    return assemblies.create_series(
        actor=world["operator"], body=world["scic"], title="General meeting",
        rrule="FREQ=WEEKLY;BYDAY=MO", first_day=date(2026, 11, 2), start_time=time(18),
        end_time=time(20))


@pytest.fixture
def occurrence(series):
    return calendar.find_occurrence(series, MEETING_DAY)


def item(occurrence, person, title="Accounts"):
    return assemblies.add_agenda_item(actor=person, occurrence=occurrence, title=title,
                                      duration_minutes=10)


def legal_vote(world, author, agenda_item=None, title="Accounts") -> Proposal:
    return services.create_proposal(actor=author, body=world["scic"], title=title,
                                    text="Approve.", decision_class="legal_act",
                                    agenda_item=agenda_item)


def open_round(proposal) -> Round:
    return proposal.rounds.get(closed_at__isnull=True)


def give(world, occurrence, giver, holder) -> MeetingProxy:
    return services.give_meeting_proxy(giver=giver, body=world["scic"], occurrence=occurrence,
                                       holder=holder)


class TestCoverage:
    def test_open_and_later_votes_are_covered_and_counted(self, world, voters, occurrence):
        a, b, c, *_ = voters
        before = legal_vote(world, a, item(occurrence, a, "Accounts"))
        elsewhere = legal_vote(world, a, title="Not at this meeting")
        consent = services.create_proposal(
            actor=a, body=world["scic"], title="Buy a van", text="x",
            decision_class="executive", agenda_item=item(occurrence, a, "Van"))
        given = give(world, occurrence, a, b)
        assert Proxy.objects.get(round=open_round(before)).meeting_proxy == given
        # Neither a vote of another meeting nor a consent round: not covered.
        assert not Proxy.objects.filter(round__proposal__in=[elsewhere, consent]).exists()
        later = legal_vote(world, c, item(occurrence, c, "Budget"), title="Budget")
        proxy = Proxy.objects.get(round=open_round(later))
        assert (proxy.giver, proxy.holder, proxy.meeting_proxy) == (a, b, given)
        round_id = open_round(later).pk
        services.take_position(person=b, round_id=round_id, stance="yes")
        copied = Position.objects.get(round_id=round_id, person=a)
        assert (copied.stance, copied.proxy_holder) == ("yes", b)
        services.take_position(person=c, round_id=round_id, stance="no")
        services.close_round(actor=world["operator"], round_id=round_id)
        result = Round.objects.get(pk=round_id).result
        assert result["participants"] == 3 and result["by_proxy"] == 1
        page = client_for(None).get(f"/proposals/{later.pk}/").content.decode()
        assert "3 votes, of which 1 by proxy." in page

    def test_the_holders_earlier_vote_counts_at_once(self, world, voters, occurrence):
        a, b, *_ = voters
        proposal = legal_vote(world, a, item(occurrence, a))
        services.take_position(person=b, round_id=open_round(proposal).pk, stance="no")
        give(world, occurrence, a, b)
        assert Position.objects.get(round=open_round(proposal), person=a).stance == "no"

    def test_a_vote_already_cast_or_a_proxy_already_given_stands(self, world, voters,
                                                                   occurrence):
        a, b, c, d, *_ = voters
        voted = legal_vote(world, a, item(occurrence, a), title="Voted")
        services.take_position(person=a, round_id=open_round(voted).pk, stance="yes")
        per_vote = legal_vote(world, a, item(occurrence, a, "Other"), title="Per vote")
        services.give_proxy(giver=a, round_id=open_round(per_vote).pk, holder=c)
        give(world, occurrence, a, b)
        assert Position.objects.get(round=open_round(voted), person=a).proxy_holder is None
        assert list(Proxy.objects.filter(giver=a, revoked_at__isnull=True)
                    .values_list("holder", flat=True)) == [c.pk]


class TestEnding:
    def test_revoking_ends_the_open_votes_not_the_closed_ones(self, world, voters,
                                                                occurrence):
        a, b, c, *_ = voters
        first = legal_vote(world, a, item(occurrence, a, "First"), title="First")
        second = legal_vote(world, a, item(occurrence, a, "Second"), title="Second")
        given = give(world, occurrence, a, b)
        for proposal in (first, second):
            services.take_position(person=b, round_id=open_round(proposal).pk, stance="yes")
        closed = services.close_round(actor=world["operator"], round_id=open_round(first).pk)
        counted = Round.objects.get(pk=closed.pk).result
        with pytest.raises(PermissionDenied):
            services.revoke_meeting_proxy(actor=c, meeting_proxy_id=given.pk)
        services.revoke_meeting_proxy(actor=a, meeting_proxy_id=given.pk)
        assert MeetingProxy.objects.get().revoked_reason == "revoked"
        assert Proxy.objects.get(round=open_round(second)).revoked_reason == "revoked"
        assert not Position.objects.filter(round=open_round(second), person=a).exists()
        # The closed vote stays as counted, its proxy with it.
        assert Proxy.objects.get(round=closed).revoked_at is None
        assert Position.objects.get(round=closed, person=a).proxy_holder == b
        assert Round.objects.get(pk=closed.pk).result == counted
        with pytest.raises(Conflict, match="already ended"):
            services.revoke_meeting_proxy(actor=a, meeting_proxy_id=given.pk)
        later = legal_vote(world, a, item(occurrence, a, "Later"), title="Later")
        assert not Proxy.objects.filter(round__proposal=later).exists()

    def test_the_holder_declines(self, world, voters, occurrence):
        a, b, *_ = voters
        proposal = legal_vote(world, a, item(occurrence, a))
        given = give(world, occurrence, a, b)
        services.revoke_meeting_proxy(actor=b, meeting_proxy_id=given.pk)
        assert {MeetingProxy.objects.get().revoked_reason,
                Proxy.objects.get(round__proposal=proposal).revoked_reason} == {"declined"}

    def test_voting_in_person_ends_that_votes_proxy_only(self, world, voters, occurrence):
        a, b, *_ = voters
        first = legal_vote(world, a, item(occurrence, a, "First"), title="First")
        second = legal_vote(world, a, item(occurrence, a, "Second"), title="Second")
        give(world, occurrence, a, b)
        services.take_position(person=a, round_id=open_round(first).pk, stance="no")
        assert Proxy.objects.get(round=open_round(first)).revoked_reason == "voted in person"
        assert Proxy.objects.get(round=open_round(second)).revoked_at is None
        assert MeetingProxy.objects.get().revoked_at is None
        services.take_position(person=b, round_id=open_round(first).pk, stance="yes")
        assert Position.objects.get(round=open_round(first), person=a).stance == "no"


class TestRefusals:
    def test_the_holder_at_the_limit(self, world, voters, occurrence):
        a, b, c, d, e, f = voters
        proposal = legal_vote(world, a, item(occurrence, a))
        give(world, occurrence, a, b)
        error = refused_unchanged(DomainError, give, rows, world=world,
                                  occurrence=occurrence, giver=c, holder=b)
        assert "already holds 1 proxy" in str(error) and error.field == "holder"
        # At the limit in one open vote of the meeting (a proxy for that vote only).
        services.give_proxy(giver=d, round_id=open_round(proposal).pk, holder=e)
        error = refused_unchanged(DomainError, give, rows, world=world,
                                  occurrence=occurrence, giver=f, holder=e)
        assert str(error).startswith("In the vote on “Accounts”: This member already holds 1")
        assert error.field == "holder"

    def test_chains_oneself_twice_and_strangers(self, world, voters, occurrence):
        a, b, c, *_ = voters
        give(world, occurrence, a, b)
        for giver, holder, exc in ((c, a, DomainError),  # a gave theirs: no chain
                                   (b, c, DomainError),  # b holds one: votes in person
                                   (c, c, DomainError),
                                   (a, c, Conflict),  # one per giver and meeting
                                   (c, world["outsider"], DomainError)):
            refused_unchanged(exc, give, rows, world=world, occurrence=occurrence,
                              giver=giver, holder=holder)
        error = refused_unchanged(PermissionDenied, give, rows, world=world,
                                  occurrence=occurrence, giver=world["outsider"], holder=a)
        assert "Only members of SCIC" in str(error)

    def test_a_past_meeting(self, world, voters, series):
        a, b, *_ = voters
        past = calendar.find_occurrence(series, PAST_DAY)
        error = refused_unchanged(Conflict, give, rows, world=world, occurrence=past,
                                  giver=a, holder=b)
        assert "over" in str(error)

    def test_a_body_without_legal_votes(self, world):
        group = world["open_group"]  # a group decides by consensus and consent only
        series = assemblies.create_series(
            actor=world["coordinator"], body=group, title="Weekly", rrule="FREQ=WEEKLY;BYDAY=MO",
            first_day=date(2026, 11, 2), start_time=time(18), end_time=time(20))
        found = calendar.find_occurrence(series, MEETING_DAY)
        error = refused_unchanged(DomainError, services.give_meeting_proxy, rows,
                                  giver=world["member"], body=group, occurrence=found,
                                  holder=world["coordinator"])
        assert "holds none" in str(error) and error.field == "meeting"
        page = client_for(world["member"]).get("/bodies/accueil/meeting-proxies/")
        assert "holds no legal votes" in page.content.decode()
        assert 'id="give-meeting-proxy"' not in page.content.decode()
        response = client_for(world["member"]).post(
            "/bodies/accueil/meeting-proxies/",
            {"meeting": f"{series.pk}/{MEETING_DAY}", "holder": world["coordinator"].pk})
        page_refused(response, 400, "holds none")
        refused(api_client(world["member"]).post(
            "/api/bodies/accueil/meeting-proxies",
            {"series_id": series.pk, "day": str(MEETING_DAY),
             "holder_id": world["coordinator"].pk}), 400, field="day", contains="holds none")
        assert not MeetingProxy.objects.exists()


class TestPagesAndApi:
    def test_page_give_list_revoke(self, world, voters, occurrence, series,
                                   django_assert_max_num_queries):
        a, b, c, *_ = voters
        proposal = legal_vote(world, a, item(occurrence, a))
        url = "/bodies/scic/meeting-proxies/"
        page = client_for(a).get(url).content.decode()
        choice = f"{series.pk}/{MEETING_DAY}"
        assert f'value="{choice}"' in page and "Voter 1" in page
        occurrence_page = client_for(a).get(occurrence.get_absolute_url()).content.decode()
        assert f"/bodies/scic/meeting-proxies/?meeting={choice}" in occurrence_page
        # A day the series does not meet: refused, nothing written.
        before = rows()
        page_refused(client_for(a).post(url, {"meeting": f"{series.pk}/2026-12-15",
                                              "holder": b.pk}), 400, "coming meetings")
        assert rows() == before
        response = client_for(a).post(url, {"meeting": choice, "holder": b.pk})
        assert response.status_code == 302
        given = MeetingProxy.objects.get()
        assert Proxy.objects.get(round__proposal=proposal).meeting_proxy == given
        signed_in = client_for(a)
        with django_assert_max_num_queries(15):
            page = signed_in.get(url).content.decode()
        assert "your vote is held by Voter 1" in page and "it counts in 1 open vote)" in page
        assert "you hold the vote of Voter 0" in client_for(b).get(url).content.decode()
        revoke = f"/meeting-proxies/{given.pk}/revoke/"
        # Without the confirmation: the question, nothing changed.
        asked = client_for(a).post(revoke)
        assert asked.status_code == 200 and "End this proxy for the meeting?" in \
            asked.content.decode()
        assert MeetingProxy.objects.get().revoked_at is None
        page_refused(client_for(c).post(revoke, {"confirmed": "yes"}), 403,
                     "Only the member who gave a proxy")
        assert MeetingProxy.objects.get().revoked_at is None
        assert client_for(a).post(revoke, {"confirmed": "yes"}).status_code == 302
        assert MeetingProxy.objects.get().revoked_reason == "revoked"
        assert Proxy.objects.get().revoked_reason == "revoked"

    def test_strangers_and_anonymous(self, world, voters, occurrence, series):
        a, b, *_ = voters
        url = "/bodies/scic/meeting-proxies/"
        response = client_for(None).get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
        page_refused(client_for(world["outsider"]).get(url), 403, "Only members of SCIC")
        page_refused(client_for(world["outsider"]).post(
            url, {"meeting": f"{series.pk}/{MEETING_DAY}", "holder": a.pk}), 403)
        body = {"series_id": series.pk, "day": str(MEETING_DAY), "holder_id": b.pk}
        assert api_client(None).post("/api/bodies/scic/meeting-proxies", body) \
            .status_code == 401
        assert api_client(None).get("/api/bodies/scic/meeting-proxies").status_code == 401
        refused(api_client(world["outsider"]).post("/api/bodies/scic/meeting-proxies",
                                                   {**body, "holder_id": a.pk}), 403)
        refused(api_client(world["outsider"]).get("/api/bodies/scic/meeting-proxies"), 403)
        assert not MeetingProxy.objects.exists() and not Meeting.objects.exists()
        given = give(world, occurrence, a, b)
        refused(api_client(world["outsider"]).post(
            f"/api/meeting-proxies/{given.pk}/revoke"), 403)
        response = client_for(None).post(f"/meeting-proxies/{given.pk}/revoke/")
        assert response.status_code == 302 and "/login/" in response["Location"]
        assert MeetingProxy.objects.get().revoked_at is None

    def test_api(self, world, voters, occurrence, series):
        a, b, c, *_ = voters
        proposal = legal_vote(world, a, item(occurrence, a))
        body = {"series_id": series.pk, "day": str(MEETING_DAY), "holder_id": b.pk}
        refused(api_client(a).post("/api/bodies/scic/meeting-proxies",
                                   {**body, "day": "2026-12-15"}), 400, field="day")
        refused(api_client(a).post("/api/bodies/scic/meeting-proxies",
                                   {**body, "holder_id": world["outsider"].pk}), 400,
                field="holder_id")
        answer = api_client(a).post("/api/bodies/scic/meeting-proxies", body)
        assert answer.status_code == 201, answer.content
        data = answer.json()
        assert (data["holder"], data["open_votes"], data["meeting"]["day"]) == (
            "Voter 1", 1, str(MEETING_DAY))
        refused(api_client(c).post("/api/bodies/scic/meeting-proxies", body), 400,
                field="holder_id", contains="already holds")
        refused(api_client(a).post("/api/bodies/scic/meeting-proxies",
                                   {**body, "holder_id": c.pk}), 409)
        listed = api_client(b).get("/api/bodies/scic/meeting-proxies").json()
        assert [p["giver"] for p in listed] == ["Voter 0"]
        ended = api_client(a).post(f"/api/meeting-proxies/{data['id']}/revoke").json()
        assert (ended["revoked_reason"], ended["open_votes"]) == ("revoked", 0)
        assert not Position.objects.filter(round__proposal=proposal, person=a).exists()
        refused(api_client(a).post(f"/api/meeting-proxies/{data['id']}/revoke"), 409)
        schema = api_client(a).get("/api/openapi.json").json()
        assert "/api/bodies/{slug}/meeting-proxies" in schema["paths"]
        assert "/api/meeting-proxies/{meeting_proxy_id}/revoke" in schema["paths"]
