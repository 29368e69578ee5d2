"""The decisions API through the test client (DOMAIN.md R1, R5, R15): who may read and
write what, positions refused with the field to fix, consensus with its star debate,
consent, a SCIC's weighted majority vote and its arithmetic, secret ballots, the
register and its filters, nothing written on a refusal, bounded query counts.

The clock is frozen on Tuesday 10 March 2026, noon in Paris.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from autogestion.cooperatives import services as bodies
from autogestion.core import clock
from autogestion.decisions import services
from autogestion.decisions.models import (
    Comment,
    Decision,
    DecisionPolicy,
    DecisionSettings,
    Position,
    PositionLog,
    Proposal,
    ProposalEvent,
    Round,
    StarDebate,
    StarGroup,
)
from tests.support.http import api_client, refused

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=PARIS)


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.freeze(NOW)
    yield clock.freeze
    clock.freeze(None)


PEOPLE = ("outsider", "member", "coordinator", "operator", "other_coordinator")


@pytest.fixture
def clients(world):
    return {name: api_client(world[name]) for name in PEOPLE} | {"anonymous": api_client(None)}


def rows() -> dict[str, int]:
    models = (Proposal, ProposalEvent, Round, Position, PositionLog, Comment, StarDebate,
              StarGroup, Decision, DecisionPolicy, DecisionSettings)
    return {m.__name__: m.objects.count() for m in models}


def propose(world, actor="member", body="coop", decision_class="executive", **kwargs):
    return services.create_proposal(actor=world[actor], body=world[body],
                                    title=kwargs.pop("title", "Buy a van"),
                                    text=kwargs.pop("text", "We **buy** a van."),
                                    decision_class=decision_class, **kwargs)


def current_round(proposal) -> Round:
    return proposal.rounds.get(closed_at__isnull=True)


def position(person, proposal, stance, **kwargs):
    return services.take_position(person=person, round_id=current_round(proposal).pk,
                                  stance=stance, **kwargs)


def close(actor, proposal) -> Round:
    return services.close_round(actor=actor, round_id=current_round(proposal).pk)


def url(proposal, action="") -> str:
    return f"/api/proposals/{proposal.pk}" + (f"/{action}" if action else "")


@pytest.fixture
def third(world, make_person):
    """A third member of the CIT, in no working group and coordinating nothing."""
    person = make_person("Third")
    bodies.join_body(person=person, body=world["coop"])
    return person


@pytest.fixture
def secret_proposal(world):
    """A proposal of the closed group "Caisse" (its coordinator is its only member)."""
    return propose(world, actor="coordinator", body="closed_group", title="Hidden budget")


# Reading: who sees what ----------------------------------------------------------------

EVERYONE = ["anonymous", "outsider", "member", "coordinator", "operator", "other_coordinator"]
SEE_CLOSED = {"coordinator", "operator"}


class TestReading:
    @pytest.mark.parametrize("who", EVERYONE)
    def test_an_open_body_publishes_its_proposals_to_everyone(self, world, clients, who):
        proposal = propose(world)
        listed = clients[who].get("/api/bodies/cit/proposals")
        assert listed.status_code == 200, listed.content
        [summary] = listed.json()
        assert summary["id"] == proposal.pk and summary["title"] == "Buy a van"
        assert summary["status"] == "open" and summary["method"] == "consent"
        assert summary["author"] == "Member" and summary["round_count"] == 1
        detail = clients[who].get(url(proposal))
        assert detail.status_code == 200
        data = detail.json()
        assert data["text"] == "We **buy** a van."
        assert data["text_html"] == "<p>We <strong>buy</strong> a van.</p>"
        assert data["body"] == "cit" and data["decision_class"] == "executive"
        assert data["current_round"] == 1 and data["rounds"][0]["outcome"] is None
        # R15: who has not taken a position yet, named, for everyone who sees the body.
        assert data["not_positioned"] == ["Coordinator", "Member"]
        assert data["not_positioned_count"] == 2 and data["eligible_count"] == 2
        policy = clients[who].get("/api/bodies/cit/decision-policy")
        assert policy.status_code == 200
        assert policy.json()["policy"]["executive"] == "consent"
        # Whether the caller may propose a change: the members (nobody changes it directly).
        assert policy.json()["can_change"] is (who in ("member", "coordinator"))

    @pytest.mark.parametrize("who", EVERYONE)
    def test_a_closed_body_hides_its_proposals_from_others(self, world, clients, who,
                                                          secret_proposal):
        listed = clients[who].get("/api/bodies/caisse/proposals")
        detail = clients[who].get(url(secret_proposal))
        policy = clients[who].get("/api/bodies/caisse/decision-policy")
        if who in SEE_CLOSED:
            assert [p["title"] for p in listed.json()] == ["Hidden budget"]
            assert detail.status_code == 200 and detail.json()["body"] == "caisse"
            assert policy.status_code == 200
        else:
            refused(listed, 404, contains="visible to its members only")
            body = refused(detail, 404)
            assert "Hidden" not in str(body)
            refused(policy, 404)

    def test_unknown_body_and_proposal(self, clients):
        refused(clients["member"].get("/api/bodies/nowhere/proposals"), 404,
                contains="nowhere")
        refused(clients["member"].get("/api/proposals/999999"), 404)

    def test_the_list_filters_by_status_and_pages(self, world, clients):
        first = propose(world, title="First")
        propose(world, title="Second")
        position(world["member"], first, "fully_agree")
        close(world["coordinator"], first)
        client = clients["anonymous"]
        assert [p["title"] for p in client.get("/api/bodies/cit/proposals").json()] == [
            "Second", "First"]
        adopted = client.get("/api/bodies/cit/proposals?status=adopted").json()
        assert [p["title"] for p in adopted] == ["First"]
        assert adopted[0]["decided_at"].startswith("2026-03-10T12:00:00+01:00")
        assert [p["title"] for p in client.get(
            "/api/bodies/cit/proposals?limit=1&offset=1").json()] == ["First"]
        refused(client.get("/api/bodies/cit/proposals?status=lost"), 400, field="status")
        assert client.get("/api/bodies/cit/proposals?limit=201").status_code == 422


# Writing: who may do what ----------------------------------------------------------------

PROPOSAL = {"title": "Buy a van", "text": "We buy a van.", "decision_class": "executive"}
# anonymous: 401 (sign in); others as the rules say.
MAY_PROPOSE = {"anonymous": 401, "outsider": 403, "other_coordinator": 403, "operator": 403,
               "member": 201, "coordinator": 201}
MAY_POSITION = {"anonymous": 401, "outsider": 403, "other_coordinator": 403, "operator": 403,
                "member": 200, "coordinator": 200}
MAY_FACILITATE = {"anonymous": 401, "outsider": 403, "other_coordinator": 403, "member": 403,
                  "operator": 200, "coordinator": 200}
MAY_COMMENT = {"anonymous": 401, "outsider": 403, "other_coordinator": 403, "member": 201,
               "operator": 201, "coordinator": 201}


class TestWritingMatrix:
    @pytest.mark.parametrize("who", EVERYONE)
    def test_proposing(self, world, clients, who):
        before = rows()
        response = clients[who].post("/api/bodies/cit/proposals", PROPOSAL)
        assert response.status_code == MAY_PROPOSE[who], response.content
        if response.status_code == 201:
            data = response.json()
            assert data["status"] == "open" and data["current_round"] == 1
            assert data["author"] == world[who].public_name
            assert Proposal.objects.get(pk=data["id"]).body == world["coop"]
        else:
            assert rows() == before
            if who != "anonymous":
                assert "Only members of CIT" in response.json()["detail"]

    @pytest.mark.parametrize("who", EVERYONE)
    def test_proposing_to_a_closed_body(self, world, clients, who):
        before = rows()
        response = clients[who].post("/api/bodies/caisse/proposals", PROPOSAL)
        expected = {"coordinator": 201, "operator": 403, "anonymous": 401}.get(who, 404)
        assert response.status_code == expected, response.content
        if expected != 201:
            assert rows() == before

    @pytest.mark.parametrize("who", EVERYONE)
    def test_taking_a_position(self, world, clients, who):
        proposal = propose(world)
        before = rows()
        response = clients[who].post(url(proposal, "position"), {"stance": "fully_agree"})
        assert response.status_code == MAY_POSITION[who], response.content
        if response.status_code == 200:
            assert response.json()["stance"] == "fully_agree"
            assert response.json()["round"] == 1
            assert Position.objects.get(person=world[who]).stance == "fully_agree"
        else:
            assert rows() == before

    @pytest.mark.parametrize("who", EVERYONE)
    def test_closing_a_round(self, world, clients, who):
        proposal = propose(world)
        position(world["member"], proposal, "fully_agree")
        before = rows()
        response = clients[who].post(url(proposal, "close"))
        assert response.status_code == MAY_FACILITATE[who], response.content
        if response.status_code == 200:
            data = response.json()
            assert data["status"] == "adopted" and data["current_round"] is None
            assert data["rounds"][0]["outcome"] == "adopted"
        else:
            assert rows() == before
            assert Proposal.objects.get(pk=proposal.pk).status == "open"

    @pytest.mark.parametrize("who", EVERYONE)
    def test_extending_a_round(self, world, clients, who):
        proposal = propose(world, deadline=paris(2026, 3, 17, 18, 0))
        response = clients[who].post(url(proposal, "extend"),
                                     {"deadline": "2026-03-24T18:00:00+01:00"})
        assert response.status_code == MAY_FACILITATE[who], response.content
        expected = paris(2026, 3, 24, 18) if response.status_code == 200 \
            else paris(2026, 3, 17, 18)
        assert current_round(proposal).deadline == expected

    @pytest.mark.parametrize("who", EVERYONE)
    def test_nobody_sets_the_policy_directly(self, world, clients, who):
        """R16: no PUT for anyone, coordinators and operators included; a POST proposes
        the change (members only) and changes nothing until it is adopted."""
        before = rows()
        change = {"policy": {"executive": "consensus"}, "star_group_size": 4}
        assert clients[who].put("/api/bodies/cit/decision-policy", change).status_code \
            == 405
        assert rows() == before
        response = clients[who].post("/api/bodies/cit/decision-policy", change)
        assert response.status_code == MAY_PROPOSE[who], response.content
        if response.status_code == 201:
            data = response.json()
            assert data["decision_class"] == "statutes" and data["method"] == "consensus"
            assert data["change"]["kind"] == "decisions.policy"
            assert data["change"]["params"] == {"policy": {"executive": "consensus"},
                                                "star_group_size": 4}
            assert data["change"]["applied_at"] is None
        else:
            assert rows() == before
        policy = clients["coordinator"].get("/api/bodies/cit/decision-policy").json()
        assert policy["policy"]["executive"] == "consent" and policy["star_group_size"] == 6
        assert not DecisionPolicy.objects.exists() and not DecisionSettings.objects.exists()

    @pytest.mark.parametrize("who", EVERYONE)
    def test_commenting(self, world, clients, who):
        proposal = propose(world)
        before = rows()
        response = clients[who].post(url(proposal, "comments"), {"text": "Which van?"})
        assert response.status_code == MAY_COMMENT[who], response.content
        if response.status_code == 201:
            assert response.json()["author"] == world[who].public_name
            shown = clients["anonymous"].get(url(proposal)).json()["comments"]
            assert [c["text"] for c in shown] == ["Which van?"]
        else:
            assert rows() == before

    @pytest.mark.parametrize("action", ["position", "close", "comments", "withdraw", "refer"])
    def test_writes_on_a_hidden_body_answer_404(self, world, clients, secret_proposal,
                                                action):
        before = rows()
        for who in ("member", "outsider", "other_coordinator"):
            response = clients[who].post(url(secret_proposal, action),
                                         {"stance": "fully_agree", "text": "x"})
            refused(response, 404)
        assert rows() == before

    def test_withdrawing_is_for_the_author_or_a_coordinator(self, world, clients, third):
        proposal = propose(world)
        before = rows()
        refused(api_client(third).post(url(proposal, "withdraw")), 403, contains="author")
        refused(clients["outsider"].post(url(proposal, "withdraw")), 403)
        assert rows() == before
        data = clients["member"].post(url(proposal, "withdraw")).json()
        assert data["status"] == "withdrawn" and data["current_round"] is None
        refused(clients["coordinator"].post(url(proposal, "withdraw")), 409,
                contains="withdrawn")
        refused(clients["member"].post(url(proposal, "position"), {"stance": "fully_agree"}),
                409, contains="No round is open")

    def test_a_group_refers_a_question_to_its_cooperative(self, world, clients):
        proposal = propose(world, body="open_group", title="Open on Sundays")
        refused(clients["outsider"].post(url(proposal, "refer")), 403)
        refused(clients["member"].post(url(propose(world), "refer")), 400,
                contains="Only a group")
        data = clients["member"].post(url(proposal, "refer")).json()
        assert data["body"] == "cit" and data["referred_from"] == "accueil"
        listed = clients["anonymous"].get("/api/bodies/cit/proposals").json()
        assert {p["title"]: p["referred_from"] for p in listed}["Open on Sundays"] == "accueil"


# Proposing: input checked, with the field to fix ------------------------------------------

class TestProposing:
    def test_a_proposer_cannot_pick_a_weaker_method(self, world, clients):
        before = rows()
        client = clients["member"]
        body = refused(client.post("/api/bodies/cit/proposals",
                                   PROPOSAL | {"decision_class": "orientation",
                                               "method": "consent"}),
                       400, field="method", contains="consensus")
        assert "political orientation" in body["detail"]
        refused(client.post("/api/bodies/cit/proposals", PROPOSAL | {"method": "majority"}),
                400, field="method")
        refused(client.post("/api/bodies/cit/proposals", PROPOSAL | {"method": "vote"}),
                400, field="method")
        refused(client.post("/api/bodies/cit/proposals", PROPOSAL | {"decision_class": "x"}),
                400, field="decision_class")
        refused(client.post("/api/bodies/cit/proposals", PROPOSAL | {"title": "  "}),
                400, field="title")
        refused(client.post("/api/bodies/cit/proposals",
                            PROPOSAL | {"decision_class": "exclusion"}),
                400, field="concerned_person_id")
        refused(client.post("/api/bodies/cit/proposals",
                            PROPOSAL | {"decision_class": "exclusion",
                                        "concerned_person_id": world["outsider"].pk}),
                400, field="concerned_person_id", contains="not a member")
        refused(client.post("/api/bodies/cit/proposals", PROPOSAL | {"agenda_item_id": 999}),
                400, field="agenda_item_id")
        refused(client.post("/api/bodies/cit/proposals", PROPOSAL | {"amends": [999]}),
                400, field="amends")
        missing = client.post("/api/bodies/cit/proposals", {"title": "Only a title"})
        assert missing.status_code == 422
        assert {e["field"] for e in missing.json()["errors"]} == {"text", "decision_class"}
        assert rows() == before

    def test_a_stronger_method_is_allowed(self, world, clients):
        data = clients["member"].post("/api/bodies/cit/proposals",
                                      PROPOSAL | {"method": "consensus"}).json()
        assert data["method"] == "consensus" and data["required_method"] == "consent"

    def test_deadlines_with_or_without_offset(self, world, clients):
        client = clients["member"]
        naive = client.post("/api/bodies/cit/proposals",
                            PROPOSAL | {"deadline": "2026-03-20T18:00:00"}).json()
        # Read in Europe/Paris (settings.TIME_ZONE), answered with the offset.
        assert naive["rounds"][0]["deadline"] == "2026-03-20T18:00:00+01:00"
        assert Round.objects.get(proposal_id=naive["id"]).deadline == datetime(
            2026, 3, 20, 17, 0, tzinfo=UTC)
        offset = client.post("/api/bodies/cit/proposals",
                             PROPOSAL | {"deadline": "2026-04-01T08:00:00-04:00"}).json()
        assert offset["rounds"][0]["deadline"] == "2026-04-01T14:00:00+02:00"
        before = rows()
        refused(client.post("/api/bodies/cit/proposals",
                            PROPOSAL | {"deadline": "2026-03-01T18:00:00"}), 400, field="deadline",
                contains="future")
        refused(client.post("/api/bodies/cit/proposals",
                            PROPOSAL | {"deadline": "2026-09-01T18:00:00"}), 400, field="deadline",
                contains="90 days")
        refused(client.post("/api/bodies/cit/proposals",
                            PROPOSAL | {"deadline": "9999-12-31T23:59:59+14:00"}), 400,
                field="deadline")
        assert client.post("/api/bodies/cit/proposals",
                           PROPOSAL | {"deadline": "next friday"}).status_code == 422
        assert rows() == before

    def test_an_amendment_to_an_adopted_decision(self, world, clients):
        adopted = propose(world, title="Statute article 3")
        position(world["member"], adopted, "fully_agree")
        close(world["coordinator"], adopted)
        still_open = propose(world, title="Still open")
        refused(clients["member"].post("/api/bodies/cit/proposals",
                                       PROPOSAL | {"amends": [still_open.pk]}), 400, field="amends")
        data = clients["member"].post("/api/bodies/cit/proposals",
                                      PROPOSAL | {"amends": [adopted.pk]}).json()
        assert data["amends"] == [adopted.pk]


    def test_hostile_input_is_refused_not_crashed_on(self, world, clients):
        """NUL characters (PostgreSQL stores none) and numbers beyond what the database
        holds are input errors, never a 500."""
        proposal = propose(world)
        client = clients["member"]
        huge = 2**70
        before = rows()
        for status, response in (
            (400, client.post("/api/bodies/cit/proposals", PROPOSAL | {"title": "a\x00b"})),
            (422, client.post("/api/bodies/cit/proposals", PROPOSAL | {"agenda_item_id": huge})),
            (422, client.post("/api/bodies/cit/proposals", PROPOSAL | {"amends": [huge]})),
            (422, client.post("/api/bodies/cit/proposals",
                              PROPOSAL | {"decision_class": "exclusion",
                                          "concerned_person_id": huge})),
            (400, client.post(url(proposal, "position"),
                              {"stance": "fully_agree", "note": "\x00"})),
            (400, client.post(url(proposal, "comments"), {"text": "a\x00b"})),
            (400, clients["coordinator"].post("/api/bodies/cit/decision-policy",
                                              {"policy": {"executive\x00": "consent"}})),
            (400, client.get("/api/decisions?q=a%00b")),
            (422, client.get(f"/api/decisions?offset={huge}")),
            (422, client.get(f"/api/bodies/cit/proposals?offset={huge}")),
        ):
            assert response.status_code == status, response.content
        refused(client.get("/api/bodies/a%00b/proposals"), 400)
        refused(client.get(f"/api/proposals/{huge}"), 404)
        refused(client.post(f"/api/proposals/{huge}/position", {"stance": "agree"}), 404)
        refused(client.post(f"/api/star-groups/{huge}/summary", {"summary": "x"}), 404)
        assert rows() == before


# Positions ------------------------------------------------------------------------------

class TestPositions:
    @pytest.mark.parametrize(("method_class", "entry", "field", "words"), [
        ("orientation", {"stance": "veto", "reason": "Too expensive"}, "counter_proposal",
         "counter-proposal"),
        ("orientation", {"stance": "veto", "counter_proposal": "Rent one"}, "reason",
         "veto needs its reason"),
        ("orientation", {"stance": "reservations"}, "note", "reservations"),
        ("executive", {"stance": "objection"}, "reason", "objection needs its reason"),
        ("executive", {"stance": "veto", "reason": "r", "counter_proposal": "c"}, "stance",
         "fully agree"),
        ("executive", {"stance": "yes"}, "stance", "objection"),
        ("orientation", {"stance": "objection", "reason": "r"}, "stance", "veto"),
        ("orientation", {"stance": "maybe"}, "stance", "stand aside"),
    ])
    def test_invalid_positions_name_the_field(self, world, clients, method_class, entry, field,
                                             words):
        proposal = propose(world, decision_class=method_class)
        before = rows()
        refused(clients["member"].post(url(proposal, "position"), entry), 400, field=field,
                contains=words)
        assert rows() == before

    def test_blank_counter_proposal_is_no_counter_proposal(self, world, clients):
        proposal = propose(world, decision_class="statutes")
        refused(clients["member"].post(url(proposal, "position"),
                                       {"stance": "veto", "reason": "No",
                                        "counter_proposal": "   "}),
                400, field="counter_proposal")

    def test_a_position_changes_until_the_round_closes(self, world, clients):
        proposal = propose(world)
        client = clients["member"]
        client.post(url(proposal, "position"), {"stance": "slight_disagreement"})
        data = client.post(url(proposal, "position"),
                           {"stance": "objection", "reason": "Too big"}).json()
        assert data["stance"] == "objection" and data["reason"] == "Too big"
        assert Position.objects.count() == 1 and PositionLog.objects.count() == 2
        mine = client.get(url(proposal)).json()["my_position"]
        assert mine["stance"] == "objection" and mine["round"] == 1
        assert clients["coordinator"].get(url(proposal)).json()["my_position"] is None
        assert clients["anonymous"].get(url(proposal)).json()["my_position"] is None
        clients["coordinator"].post(url(proposal, "close"))
        before = rows()
        refused(client.post(url(proposal, "position"), {"stance": "fully_agree"}), 409)
        assert rows() == before

    def test_after_the_deadline_positions_are_refused(self, world, clients, frozen_clock):
        proposal = propose(world, deadline=paris(2026, 3, 12, 18, 0))
        frozen_clock(paris(2026, 3, 12, 18, 0))
        before = rows()
        refused(clients["member"].post(url(proposal, "position"), {"stance": "fully_agree"}),
                409, contains="closed")
        assert rows() == before

    def test_counts_and_who_has_not_positioned(self, world, clients, third):
        proposal = propose(world)
        clients["member"].post(url(proposal, "position"), {"stance": "fully_agree"})
        api_client(third).post(url(proposal, "position"),
                               {"stance": "objection", "reason": "We have bikes"})
        data = clients["anonymous"].get(url(proposal)).json()
        assert data["counts"] == {"fully_agree": 1, "objection": 1}
        assert data["positions_taken"] == 2 and data["counts_round"] == 1
        assert data["not_positioned"] == ["Coordinator"]
        assert data["not_positioned_count"] == 1 and data["eligible_count"] == 3
        named = {p["person"]: p for p in data["positions"]}
        assert named["Third"]["reason"] == "We have bikes"
        assert data["can_take_position"] is False


# Consensus, consent -----------------------------------------------------------------------

class TestConsensus:
    def test_veto_postpones_opens_a_star_debate_and_a_second_round(self, world, clients,
                                                                   third):
        proposal = propose(world, decision_class="orientation", title="Leave the network")
        assert proposal.method == "consensus"
        veto = clients["member"].post(url(proposal, "position"),
                                      {"stance": "veto", "reason": "We would be alone",
                                       "counter_proposal": "Stay one more year"})
        assert veto.status_code == 200, veto.content
        clients["coordinator"].post(url(proposal, "position"), {"stance": "agree"})
        api_client(third).post(url(proposal, "position"),
                               {"stance": "reservations", "note": "Timing"})

        data = clients["coordinator"].post(url(proposal, "close")).json()
        assert data["status"] == "postponed"
        [round_one] = data["rounds"]
        assert round_one["outcome"] == "postponed" and round_one["eligible"] == 3
        assert round_one["result"]["blocking_vetoes"] == [world["member"].pk]
        assert round_one["result"]["counts"] == {"veto": 1, "agree": 1, "reservations": 1}
        assert not Decision.objects.exists()  # postponed: not in the register
        [group] = data["star_groups"]
        assert group["round"] == 1 and group["number"] == 1
        assert sorted(group["members"]) == ["Coordinator", "Member", "Third"]
        assert group["spokesperson"] in group["members"] and group["summary"] == ""
        veto_shown = {p["person"]: p for p in data["positions"]}["Member"]
        assert veto_shown["counter_proposal"] == "Stay one more year"

        people = {"Coordinator": world["coordinator"], "Member": world["member"],
                  "Third": third}
        spokesperson = people[group["spokesperson"]]
        # Neither the spokesperson nor a coordinator: refused, nothing written.
        bystander = next(p for name, p in people.items()
                         if name not in (group["spokesperson"], "Coordinator"))
        summary_url = f"/api/star-groups/{group['id']}/summary"
        before = rows()
        refused(api_client(bystander).post(summary_url, {"summary": "Mine"}), 403,
                contains="spokesperson")
        refused(clients["outsider"].post(summary_url, {"summary": "Mine"}), 403)
        refused(clients["anonymous"].post(summary_url, {"summary": "Mine"}), 401)
        refused(api_client(spokesperson).post(summary_url, {"summary": "  "}), 400,
                field="summary")
        assert rows() == before
        written = api_client(spokesperson).post(summary_url,
                                                {"summary": "Stay, and review in a year"})
        assert written.status_code == 200, written.content
        assert written.json()["summary"] == "Stay, and review in a year"
        assert written.json()["summary_at"].startswith("2026-03-10T12:00:00+01:00")

        refused(api_client(third).post(url(proposal, "revise"), {"text": "Mine"}), 403)
        revised = clients["member"].post(url(proposal, "revise"),
                                         {"text": "We stay one more year, then review.",
                                          "deadline": "2026-03-31T20:00"}).json()
        assert revised["status"] == "open" and revised["current_round"] == 2
        assert [r["number"] for r in revised["rounds"]] == [1, 2]
        assert revised["rounds"][1]["text"] == "We stay one more year, then review."
        assert revised["rounds"][1]["deadline"] == "2026-03-31T20:00:00+02:00"
        assert revised["rounds"][0]["outcome"] == "postponed"
        assert revised["counts"] == {} and revised["not_positioned_count"] == 3
        assert revised["star_groups"][0]["summary"] == "Stay, and review in a year"
        # The debate is over once the new round opens.
        refused(api_client(spokesperson).post(summary_url, {"summary": "Late"}), 409)
        # Round 2: everyone agrees; the decision enters the register.
        for person in people.values():
            api_client(person).post(url(proposal, "position"), {"stance": "agree"})
        final = clients["coordinator"].post(url(proposal, "close")).json()
        assert final["status"] == "adopted" and final["rounds"][1]["outcome"] == "adopted"
        [entry] = clients["anonymous"].get("/api/decisions").json()["items"]
        assert entry["round"] == 2 and entry["participants"] == 3 and entry["eligible"] == 3

    def test_the_veto_of_the_person_concerned_does_not_block_their_exclusion(
            self, world, clients, third):
        created = clients["member"].post("/api/bodies/cit/proposals",
                                         PROPOSAL | {"decision_class": "exclusion",
                                                     "title": "Exclude Third",
                                                     "concerned_person_id": third.pk})
        assert created.status_code == 201, created.content
        data = created.json()
        assert data["concerned_person"] == "Third" and data["method"] == "consensus"
        proposal = Proposal.objects.get(pk=data["id"])
        api_client(third).post(url(proposal, "position"),
                               {"stance": "veto", "reason": "I was not heard",
                                "counter_proposal": "Mediation"})
        clients["member"].post(url(proposal, "position"), {"stance": "agree"})
        closed = clients["coordinator"].post(url(proposal, "close")).json()
        assert closed["status"] == "adopted"
        result = closed["rounds"][0]["result"]
        assert result["blocking_vetoes"] == []
        assert ["concerned_veto_ignored", {}] in result["lines"]


class TestConsent:
    def test_an_objection_rejects_and_the_proposal_may_be_amended(self, world, clients):
        proposal = propose(world, title="Paint the hall red")
        clients["member"].post(url(proposal, "position"),
                               {"stance": "objection", "reason": "Red is tiring"})
        clients["coordinator"].post(url(proposal, "position"),
                                    {"stance": "slight_disagreement"})
        data = clients["coordinator"].post(url(proposal, "close")).json()
        assert data["status"] == "amendable" and data["rounds"][0]["outcome"] == "rejected"
        assert data["rounds"][0]["result"]["objections"] == [world["member"].pk]
        assert data["star_groups"] == []
        assert data["can_revise"] is True  # the coordinator
        [entry] = clients["anonymous"].get("/api/decisions").json()["items"]
        assert entry["outcome"] == "rejected" and entry["title"] == "Paint the hall red"
        refused(clients["coordinator"].post(url(proposal, "close")), 409)
        refused(clients["coordinator"].post(url(proposal, "extend"),
                                            {"deadline": "2026-03-20T10:00"}), 409)
        revised = clients["member"].post(url(proposal, "revise"),
                                         {"text": "Paint the hall light green"}).json()
        assert revised["status"] == "open" and revised["current_round"] == 2

    def test_no_objection_adopts(self, world, clients):
        proposal = propose(world)
        clients["member"].post(url(proposal, "position"), {"stance": "fully_agree"})
        clients["coordinator"].post(url(proposal, "position"),
                                    {"stance": "slight_disagreement", "note": "Smaller would do"})
        data = clients["operator"].post(url(proposal, "close")).json()
        assert data["status"] == "adopted"
        assert data["decided_at"].startswith("2026-03-10T12:00:00+01:00")
        refused(clients["member"].post(url(proposal, "revise"), {"text": "Other"}), 409)

    def test_extending_a_round(self, world, clients):
        proposal = propose(world, deadline=paris(2026, 3, 17, 18, 0))
        client = clients["coordinator"]
        refused(client.post(url(proposal, "extend"), {"deadline": "2026-03-16T18:00"}), 400,
                field="deadline", contains="later")
        refused(client.post(url(proposal, "extend"), {"deadline": "soon"}), 422)
        data = client.post(url(proposal, "extend"), {"deadline": "2026-03-29T18:00"}).json()
        # 29 March 2026 is after the change to summer time in Paris.
        assert data["rounds"][0]["deadline"] == "2026-03-29T18:00:00+02:00"


# Policy ---------------------------------------------------------------------------------

class TestPolicy:
    def test_the_policy_binds_proposers(self, world, clients):
        client = clients["coordinator"]
        services.set_initial_policy(body=world["coop"], policy={"executive": "consensus"},
                                    settings={"threshold_percent": 67,
                                              "anonymous_ballots": True})
        data = client.get("/api/bodies/cit/decision-policy").json()
        assert data["policy"]["executive"] == "consensus"
        assert data["threshold_percent"] == 67 and data["anonymous_ballots"] is True
        assert data["quorum_percent"] == 50  # left out: unchanged
        refused(clients["member"].post("/api/bodies/cit/proposals",
                                       PROPOSAL | {"method": "consent"}), 400, field="method")

    def test_refused_values_change_nothing(self, world, clients):
        client = clients["coordinator"]
        before = rows()
        refused(client.post("/api/bodies/cit/decision-policy",
                            {"policy": {"executive": "consensus", "legal_act": "consent"}}),
                400, field="policy.legal_act", contains="law")
        refused(client.post("/api/bodies/cit/decision-policy",
                            {"policy": {"statutes": "majority"}}), 400, field="policy.statutes")
        refused(client.post("/api/bodies/cit/decision-policy",
                            {"policy": {"executive": "consensus"}, "star_group_size": 9}),
                400, field="star_group_size")
        refused(client.post("/api/bodies/cit/decision-policy", {"threshold_percent": 40}),
                400, field="threshold_percent")
        refused(client.post("/api/bodies/cit/decision-policy", {"min_participation_consent": 101}),
                400, field="min_participation_consent")
        refused(client.post("/api/bodies/cit/decision-policy",
                            {"policy": {"executive": "consent"}}), 400, field="policy",
                contains="changes nothing")
        for wrong in ({"star_group_size": "6"}, {"anonymous_ballots": "yes"},
                      {"quorum_percent": True}):
            assert client.post("/api/bodies/cit/decision-policy", wrong).status_code == 422
        assert rows() == before
        assert client.get("/api/bodies/cit/decision-policy").json()["policy"][
            "executive"] == "consent"


# Majority votes of a SCIC -----------------------------------------------------------------

@pytest.fixture
def scic_members(world, make_person):
    """Two members in each college (Salariés 40 %, Usagers 35 %, Soutiens 25 %)."""
    people = []
    for college in world["colleges"]:
        for i in (1, 2):
            person = make_person(f"{college.name} {i}")
            bodies.join_body(person=person, body=world["scic"], college=college)
            people.append(person)
    return people


def vote(people, proposal, stances):
    for person, stance in zip(people, stances, strict=True):
        response = api_client(person).post(url(proposal, "position"), {"stance": stance})
        assert response.status_code == 200, response.content


class TestWeightedMajority:
    def test_colleges_weigh_the_vote(self, world, clients, scic_members):
        created = api_client(scic_members[0]).post("/api/bodies/scic/proposals",
                                                   PROPOSAL | {"decision_class": "legal_act",
                                                               "title": "Approve accounts"})
        assert created.status_code == 201, created.content
        assert created.json()["method"] == "majority"
        proposal = Proposal.objects.get(pk=created.json()["id"])
        refused(api_client(scic_members[1]).post(url(proposal, "position"),
                                                 {"stance": "agree"}),
                400, field="stance", contains="yes")
        # Salariés yes, yes; Usagers yes, no; Soutiens no, no: 3 yes and 3 no, but
        # weighted 40 × 1 + 35 × 1/2 + 25 × 0 = 57.5 %: adopted.
        vote(scic_members, proposal, ["yes", "yes", "yes", "no", "no", "no"])
        live = clients["anonymous"].get(url(proposal)).json()
        assert live["counts"] == {"yes": 3, "no": 3} and live["secret_ballot"] is False
        assert len(live["positions"]) == 6  # not secret: named
        data = clients["operator"].post(url(proposal, "close")).json()
        assert data["status"] == "adopted"
        result = data["rounds"][0]["result"]
        assert result["yes_share"] == "23/40"
        assert result["participants"] == 6
        salaries, usagers, soutiens = world["colleges"]
        rows_by_college = {row["college_id"]: row for row in result["by_college"]}
        assert (rows_by_college[salaries.pk]["weight"], rows_by_college[salaries.pk]["yes"],
                rows_by_college[salaries.pk]["no"], rows_by_college[salaries.pk]["share"]) \
            == (40, 2, 0, "1")
        assert (rows_by_college[usagers.pk]["weight"], rows_by_college[usagers.pk]["share"],
                rows_by_college[usagers.pk]["share_percent"]) == (35, "1/2", "50.0")
        assert (rows_by_college[soutiens.pk]["weight"], rows_by_college[soutiens.pk]["no"],
                rows_by_college[soutiens.pk]["share"]) == (25, 2, "0")
        assert ["weighted_share", {"percent": "57.5", "weights_used": 100}] in result["lines"]
        [entry] = clients["anonymous"].get("/api/decisions?method=majority").json()["items"]
        assert entry["body"] == "scic" and entry["outcome"] == "adopted"
        assert entry["participants"] == 6

    def test_weights_can_reject_what_heads_would_adopt(self, world, clients, scic_members):
        # Salariés no, no (40 %); Usagers yes, yes; Soutiens yes, yes: 4 yes of 6 heads
        # (67 %), but weighted 35 + 25 = 60 %, short of a qualified 67 % majority.
        services.set_initial_policy(body=world["scic"], settings={"threshold_percent": 67})
        proposal = services.create_proposal(
            actor=scic_members[0], body=world["scic"], title="New premises",
            text="Rent the barn.", decision_class="legal_act")
        vote(scic_members, proposal, ["no", "no", "yes", "yes", "yes", "yes"])
        data = clients["operator"].post(url(proposal, "close")).json()
        assert data["status"] == "amendable"
        result = data["rounds"][0]["result"]
        assert result["yes_share"] == "3/5"
        assert ["threshold", {"percent": "67.0", "qualified": True, "passed": False}] \
            in result["lines"]

    def test_secret_ballots_never_name_anyone(self, world, clients, scic_members):
        services.set_initial_policy(body=world["scic"], settings={"anonymous_ballots": True})
        author, *voters = scic_members
        proposal = services.create_proposal(actor=author, body=world["scic"],
                                            title="Elect the board", text="Ballot.",
                                            decision_class="legal_act")
        vote(voters[:3], proposal, ["yes", "no", "abstain"])
        names = [v.public_name for v in voters]
        for reader in (api_client(author), api_client(voters[0]), clients["operator"],
                       clients["anonymous"]):
            response = reader.get(url(proposal))
            data = response.json()
            assert data["secret_ballot"] is True
            assert data["positions"] == [] and data["not_positioned"] == []
            # The author and two voters; the operator belongs to no college: no vote.
            assert data["not_positioned_count"] == 3
            assert data["counts"] == {"yes": 1, "no": 1, "abstain": 1}
            assert not any(name in response.content.decode() for name in names)
        mine = api_client(voters[1]).get(url(proposal)).json()["my_position"]
        assert mine["stance"] == "no"  # one's own ballot, to oneself only
        closed = clients["operator"].post(url(proposal, "close"))
        assert closed.status_code == 200
        assert not any(name in closed.content.decode() for name in names)
        result = closed.json()["rounds"][0]["result"]
        assert result["counts"] == {"yes": 1, "no": 1, "abstain": 1}
        assert result["blocking_vetoes"] == [] and result["objections"] == []

    def test_majority_is_only_for_legal_acts(self, world, clients, scic_members):
        refused(api_client(scic_members[0]).post("/api/bodies/scic/proposals",
                                                 PROPOSAL | {"method": "majority"}),
                400, field="method")


# The register ---------------------------------------------------------------------------

def decided(world, frozen_clock, day, title, objection=False, body="coop",
            actor="member", closer="coordinator"):
    frozen_clock(paris(2026, 3, day, 12, 0))
    proposal = propose(world, actor=actor, body=body, title=title,
                       text=f"The text of {title.lower()}.")
    if objection:
        position(world[actor], proposal, "objection", reason="No")
    else:
        position(world[actor], proposal, "fully_agree")
    close(world[closer], proposal)
    frozen_clock(NOW)
    return proposal


@pytest.fixture
def register(world, frozen_clock):
    made = [decided(world, frozen_clock, 2, "Buy seeds"),
            decided(world, frozen_clock, 3, "Buy a tractor", objection=True),
            decided(world, frozen_clock, 4, "Sell the old van"),
            decided(world, frozen_clock, 5, "Plant hedges"),
            decided(world, frozen_clock, 6, "Secret budget", body="closed_group",
                    actor="coordinator")]
    still_open = propose(world, title="Buy a goat")
    return made, still_open


class TestRegister:
    def test_public_for_open_bodies_only(self, clients, register):
        anonymous = clients["anonymous"].get("/api/decisions").json()
        assert anonymous["count"] == 4
        assert [d["title"] for d in anonymous["items"]] == [
            "Plant hedges", "Sell the old van", "Buy a tractor", "Buy seeds"]
        first = anonymous["items"][-1]
        assert first["body"] == "cit" and first["method"] == "consent"
        assert first["decided_at"] == "2026-03-02T12:00:00+01:00"
        assert first["round"] == 1 and first["participants"] == 1 and first["eligible"] == 2
        assert first["proposal_id"] == register[0][0].pk
        for who in ("outsider", "member", "other_coordinator"):
            assert clients[who].get("/api/decisions").json()["count"] == 4
        for who in ("coordinator", "operator"):
            seen = clients[who].get("/api/decisions").json()
            assert seen["count"] == 5 and seen["items"][0]["title"] == "Secret budget"
        assert clients["member"].get("/api/decisions?body=caisse").json()["count"] == 0

    def test_filters(self, clients, register):
        client = clients["anonymous"]

        def titles(query):
            response = client.get("/api/decisions?" + query)
            assert response.status_code == 200, response.content
            return [d["title"] for d in response.json()["items"]]

        assert titles("q=buy") == ["Buy a tractor", "Buy seeds"]
        assert titles("q=old+van") == ["Sell the old van"]  # in the text too
        assert titles("outcome=rejected") == ["Buy a tractor"]
        assert titles("outcome=adopted&q=buy") == ["Buy seeds"]
        assert titles("method=consensus") == []
        assert titles("body=cit&from=2026-03-03&to=2026-03-04") == [
            "Sell the old van", "Buy a tractor"]
        assert titles("from=2026-03-05") == ["Plant hedges"]
        assert titles("to=2026-03-02") == ["Buy seeds"]
        assert titles("body=other") == []
        refused(client.get("/api/decisions?from=03/02/2026"), 400, field="from")
        refused(client.get("/api/decisions?to=2026-02-30"), 400, field="to")
        refused(client.get("/api/decisions?method=vote"), 400, field="method")
        refused(client.get("/api/decisions?outcome=lost"), 400, field="outcome")

    def test_pagination(self, clients, register):
        client = clients["anonymous"]
        page = client.get("/api/decisions?limit=3").json()
        assert (page["count"], page["limit"], page["offset"]) == (4, 3, 0)
        assert [d["title"] for d in page["items"]] == [
            "Plant hedges", "Sell the old van", "Buy a tractor"]
        rest = client.get("/api/decisions?limit=3&offset=3").json()
        assert [d["title"] for d in rest["items"]] == ["Buy seeds"]
        assert client.get("/api/decisions?offset=10").json()["items"] == []
        assert client.get("/api/decisions?limit=200").status_code == 200
        for wrong in ("limit=201", "limit=0", "offset=-1", "limit=ten"):
            response = client.get("/api/decisions?" + wrong)
            assert response.status_code == 422, wrong
            assert "limit" in response.json()["detail"] or "offset" in response.json()["detail"]


# Query counts ---------------------------------------------------------------------------

def crowd(world, make_person, count):
    people = []
    for i in range(count):
        person = make_person(f"Crowd {i:02d}")
        bodies.join_body(person=person, body=world["coop"])
        people.append(person)
    return people


# The proposal page answers in 16 queries (session, person, memberships, proposal,
# rounds, counts, positions, star debate, members, comments, policy...), whatever the
# number of positions; a little slack for the authentication chain.
PAGE_QUERIES = 18


class TestQueryCounts:
    @pytest.mark.parametrize("positions", [5, 60])
    def test_a_proposal_costs_the_same_whatever_its_positions(
            self, world, make_person, django_assert_max_num_queries, positions):
        people = crowd(world, make_person, positions + 3)
        proposal = propose(world, decision_class="orientation")
        for i, person in enumerate(people[:positions]):
            position(person, proposal, "veto" if i == 0 else "agree",
                     reason="r" if i == 0 else "", counter_proposal="c" if i == 0 else "")
        for i in range(3):
            services.add_comment(person=people[i], proposal_id=proposal.pk, text=f"c{i}")
        client = api_client(people[0])
        with django_assert_max_num_queries(PAGE_QUERIES):
            data = client.get(url(proposal)).json()
        assert data["positions_taken"] == positions
        assert data["not_positioned_count"] == 5  # three of the crowd, the first two
        close(world["coordinator"], proposal)
        with django_assert_max_num_queries(PAGE_QUERIES):
            data = api_client(None).get(url(proposal)).json()
        assert data["star_groups"] and sum(len(g["members"]) for g in data["star_groups"]) \
            == positions

    @pytest.mark.parametrize("count", [2, 12])
    def test_the_register_and_the_list(self, world, frozen_clock,
                                       django_assert_max_num_queries, count):
        for day in range(1, count + 1):
            decided(world, frozen_clock, day, f"Decision {day}")
        client = api_client(world["member"])
        with django_assert_max_num_queries(8):
            page = client.get("/api/decisions").json()
        assert page["count"] == count
        with django_assert_max_num_queries(8):
            listed = client.get("/api/bodies/cit/proposals").json()
        assert len(listed) == count
