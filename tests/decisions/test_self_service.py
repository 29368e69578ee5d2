"""Issue #13 in the decisions app: the rules of a body change only by its decisions (R16,
core.effects), minimum participation, proxies for legal votes, earlier rounds readable
after a revision, proposals tied to an agenda item, confirmations."""

from datetime import date, time
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from autogestion.cooperatives import services as bodies
from autogestion.core import registry
from autogestion.core.effects import Effect
from autogestion.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from autogestion.decisions import effects, queries, rules, services
from autogestion.decisions.models import (
    Decision,
    DecisionPolicy,
    DecisionSettings,
    Position,
    Proposal,
    Proxy,
    Round,
)
from autogestion.decisions.rules import Method, Outcome
from tests.support.http import api_client, client_for, page_refused, refused
from tests.support.services import refused_unchanged

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def rows() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (
        Proposal, Round, Position, Decision, DecisionPolicy, DecisionSettings, Proxy)}


def rules_of(body) -> tuple:
    current = queries.settings_of(body)
    return (dict(queries.policy_of(body)), current.star_group_size,
            current.concerned_veto_blocks, current.min_participation_consent,
            current.max_proxies)


def current_round(proposal) -> Round:
    return proposal.rounds.get(closed_at__isnull=True)


def close(world, proposal) -> Round:
    return services.close_round(actor=world["coordinator"], round_id=current_round(proposal).pk)


def propose_policy(world, params, actor="member", **kwargs) -> Proposal:
    return services.propose_change(actor=world[actor], body=world["coop"],
                                   kind="decisions.policy", params=params, **kwargs)


# Pure rules --------------------------------------------------------------------------------

class TestRules:
    def test_participation_below_the_minimum_decides_nothing(self):
        tally = rules.Tally.of([(1, "fully_agree", None), (2, "fully_agree", None),
                                (3, "fully_agree", None)])
        low = rules.decide(tally, rules.Context(method=Method.CONSENT, eligible=22,
                                                min_participation=Fraction(25, 100)))
        assert low.outcome == Outcome.LOW_PARTICIPATION
        assert low.lines == [("participation", {"positions": 3, "eligible": 22,
                                                "percent": "13.6", "minimum": "25"})]
        enough = rules.decide(tally, rules.Context(method=Method.CONSENT, eligible=12,
                                                   min_participation=Fraction(25, 100)))
        assert enough.outcome == Outcome.ADOPTED
        # No minimum (the default, as in an assembly): three of 22 decide.
        assert rules.decide(tally, rules.Context(method=Method.CONSENT, eligible=22)) \
            .outcome == Outcome.ADOPTED
        assert rules.status_after(Outcome.LOW_PARTICIPATION) == rules.ProposalStatus.AMENDABLE

    def test_the_close_warning(self):
        assert rules.participation_warning(3, 22, 25) == {
            "positions": 3, "eligible": 22, "percent": "13.6", "minimum": 25, "below": True}
        assert not rules.participation_warning(3, 22, 0)["below"]

    def test_proxies(self):
        ok = {"giver": 1, "holder": 2, "held_by_holder": 0, "limit": 1, "giver_voted": False}
        rules.check_proxy(Method.MAJORITY, **ok)
        for method in (Method.CONSENT, Method.CONSENSUS):
            with pytest.raises(rules.Refusal) as caught:
                rules.check_proxy(method, **ok)
            assert caught.value.code == "proxy_not_personal_method"
        for change, code in (({"holder": 1}, "proxy_to_oneself"),
                             ({"held_by_holder": 1}, "proxy_limit"),
                             ({"giver_voted": True}, "proxy_after_voting"),
                             ({"holder_gave": True}, "proxy_chain")):
            with pytest.raises(rules.Refusal) as caught:
                rules.check_proxy(Method.MAJORITY, **(ok | change))
            assert caught.value.code == code


# The effects engine ------------------------------------------------------------------------

class TestPolicyByDecision:
    def test_the_effect_is_registered(self):
        effect = registry.decision_effects()["decisions.policy"]
        assert isinstance(effect, Effect) and effect.decision_class == "statutes"
        assert effect.form == "autogestion.decisions.forms.PolicyChangeForm"

    def test_described_in_words_only_the_differences(self, world):
        coop = world["coop"]
        params = effects.check(world["member"], coop, {
            "policy": {"executive": "consensus", "statutes": "consensus"},
            "star_group_size": 6, "min_participation_consent": 25})
        assert params == {"policy": {"executive": "consensus"}, "min_participation_consent": 25}
        assert effects.describe(coop, params) == (
            "Executive decision: consensus instead of consent; Minimum participation in "
            "consent rounds (%): 25 instead of 0")

    def test_refused_params_name_the_field_and_write_nothing(self, world):
        for params, field in (({"policy": {"legal_act": "consent"}}, "policy.legal_act"),
                              ({"star_group_size": 12}, "star_group_size"),
                              ({"max_proxies": 9}, "max_proxies"),
                              ({"colour": "red"}, "colour"),
                              ({"groups_need_ratification": "yes"}, "groups_need_ratification"),
                              ({"policy": {"executive": "consent"}}, "policy")):
            error = refused_unchanged(DomainError, propose_policy, rows, world=world,
                                      params=params)
            assert error.field == field, (params, error.field)
        refused_unchanged(PermissionDenied, propose_policy, rows, world=world,
                          params={"star_group_size": 5}, actor="outsider")
        with pytest.raises(NotFound):
            services.propose_change(actor=world["member"], body=world["coop"],
                                    kind="nobody.knows", params={})

    def test_applies_only_when_adopted_by_the_method_of_statutes(self, world):
        """Consensus (the policy of "statutes"): a veto postpones, nothing applies; the
        revised round adopted applies the change in the same transaction."""
        coop, member, coordinator = world["coop"], world["member"], world["coordinator"]
        before = rules_of(coop)
        proposal = propose_policy(world, {"policy": {"executive": "consensus"},
                                          "star_group_size": 5})
        assert (proposal.decision_class, proposal.method) == ("statutes", "consensus")
        assert proposal.title == "Change how CIT decides"
        assert "Executive decision: consensus instead of consent" in proposal.text
        assert rules_of(coop) == before  # proposed: nothing changes yet
        services.take_position(person=member, round_id=current_round(proposal).pk,
                               stance="veto", reason="Too slow",
                               counter_proposal="Keep consent")
        services.take_position(person=coordinator, round_id=current_round(proposal).pk,
                               stance="agree")
        assert close(world, proposal).outcome == "postponed"
        proposal.refresh_from_db()
        assert proposal.change_applied_at is None and rules_of(coop) == before
        # A revision changes the explanation, never the change carried.
        services.open_next_round(actor=member, proposal_id=proposal.pk,
                                 text="Revised: consensus for executive decisions.")
        proposal.refresh_from_db()
        assert proposal.change_params == {"policy": {"executive": "consensus"},
                                          "star_group_size": 5}
        for person in (member, coordinator):
            services.take_position(person=person, round_id=current_round(proposal).pk,
                                   stance="agree")
        assert close(world, proposal).outcome == "adopted"
        proposal.refresh_from_db()
        assert proposal.status == "adopted" and proposal.change_applied_at is not None
        assert queries.policy_of(coop)[rules.DecisionClass.EXECUTIVE] == Method.CONSENSUS
        assert queries.settings_of(coop).star_group_size == 5
        assert proposal.events.filter(reason="change applied").exists()
        assert queries.policy_decisions(coop) == {"policy.executive": proposal,
                                                  "star_group_size": proposal}

    def test_consent_adopted_applies(self, world):
        services.set_initial_policy(body=world["coop"], policy={"statutes": "consent"})
        proposal = propose_policy(world, {"concerned_veto_blocks": True, "max_proxies": 2})
        assert proposal.method == "consent"
        services.take_position(person=world["member"], round_id=current_round(proposal).pk,
                               stance="fully_agree")
        close(world, proposal)
        current = queries.settings_of(world["coop"])
        assert current.concerned_veto_blocks is True and current.max_proxies == 2

    def test_consent_objected_does_not_apply(self, world):
        services.set_initial_policy(body=world["coop"], policy={"statutes": "consent"})
        proposal = propose_policy(world, {"star_group_size": 4})
        services.take_position(person=world["member"], round_id=current_round(proposal).pk,
                               stance="objection", reason="Too small")
        assert close(world, proposal).outcome == "rejected"
        assert queries.settings_of(world["coop"]).star_group_size == 6
        assert Proposal.objects.get(pk=proposal.pk).change_applied_at is None

    def test_not_applicable_at_adoption_is_said_and_nothing_half_written(self, world):
        """Two proposals of the same change: the second, adopted after the first, changes
        nothing any more: adopted, not applied, and why."""
        first = propose_policy(world, {"policy": {"executive": "consensus"}})
        second = propose_policy(world, {"policy": {"executive": "consensus"}},
                                actor="coordinator")
        for proposal in (first, second):
            for person in (world["member"], world["coordinator"]):
                services.take_position(person=person, round_id=current_round(proposal).pk,
                                       stance="agree")
            close(world, proposal)
        second.refresh_from_db()
        assert second.status == "adopted" and second.change_applied_at is None
        assert "changes nothing" in second.change_error
        assert second.events.filter(reason__startswith="change not applied").exists()
        page = client_for(None).get(f"/proposals/{second.pk}/").content.decode()
        assert "the change could not be applied" in page and "changes nothing" in page
        page = client_for(None).get(f"/proposals/{first.pk}/").content.decode()
        assert "Applied on" in page

    def test_group_ratification_by_decision(self, world):
        """The cooperatives app's setting, changed by this effect only."""
        group = world["open_group"]
        services.set_initial_policy(body=group, policy={"statutes": "consent"})
        proposal = services.propose_change(actor=world["member"], body=group,
                                           kind="decisions.policy",
                                           params={"groups_need_ratification": True})
        assert "wait for its ratification" in proposal.change_description
        group.refresh_from_db()
        assert group.groups_need_ratification is False
        services.take_position(person=world["member"], round_id=current_round(proposal).pk,
                               stance="fully_agree")
        services.close_round(actor=world["coordinator"],
                             round_id=current_round(proposal).pk)
        group.refresh_from_db()
        assert group.groups_need_ratification is True


class TestNoDirectChange:
    """R16: nobody, coordinator or operator, changes the rules by hand."""

    @pytest.mark.parametrize("who", ["member", "coordinator", "operator"])
    def test_page_and_api(self, world, who):
        before, counted = rules_of(world["coop"]), rows()
        client, api = client_for(world[who]), api_client(world[who])
        direct = {"method_executive": "consensus", "star_group_size": "5"}
        assert client.post("/bodies/cit/decision-policy/", direct).status_code == 405
        assert api.put("/api/bodies/cit/decision-policy",
                       {"policy": {"executive": "consensus"}}).status_code == 405
        assert api.patch("/api/bodies/cit/decision-policy",
                         {"policy": {"executive": "consensus"}}).status_code == 405
        assert rules_of(world["coop"]) == before and rows() == counted
        assert not hasattr(services, "change_decision_policy")

    def test_the_policy_page_proposes(self, world):
        page = client_for(None).get("/bodies/cit/decision-policy/")
        assert page.status_code == 200 and "Propose a change" not in page.content.decode()
        member = client_for(world["member"])
        shown = member.get("/bodies/cit/decision-policy/").content.decode()
        assert 'action="/bodies/cit/changes/decisions.policy/"' in shown
        form = {"method_statutes": "consensus", "method_orientation": "consensus",
                "method_exclusion": "consensus", "method_executive": "consensus",
                "method_legal_act": "majority", "star_group_size": "6",
                "quorum_percent": "50", "threshold_percent": "50", "min_seniority_days": "0",
                "min_participation_consent": "20", "min_participation_consensus": "0",
                "max_proxies": "1", "title": "", "text": ""}
        response = member.post("/bodies/cit/changes/decisions.policy/", form)
        assert response.status_code == 302, response.content[:2000]
        proposal = Proposal.objects.get()
        assert response["Location"] == f"/proposals/{proposal.pk}/"
        assert proposal.change_params == {"policy": {"executive": "consensus"},
                                          "min_participation_consent": 20}
        assert queries.policy_of(world["coop"])["executive"] == "consent"
        detail = client_for(None).get(response["Location"]).content.decode()
        assert "The change this proposal makes" in detail
        assert "Executive decision: consensus instead of consent" in detail
        # Refused: the class of legal acts stays a majority vote; nothing written.
        counted = rows()
        bad = member.post("/bodies/cit/changes/decisions.policy/",
                          form | {"star_group_size": "12"})
        page_refused(bad, 400)
        assert rows() == counted
        # Once adopted, the policy page links each changed rule to the decision.
        for person in (world["member"], world["coordinator"]):
            services.take_position(person=person, round_id=current_round(proposal).pk,
                                   stance="agree")
        close(world, proposal)
        shown = client_for(None).get("/bodies/cit/decision-policy/").content.decode()
        assert shown.count(f'href="/proposals/{proposal.pk}/"') == 2

    def test_unknown_kind_is_404(self, world):
        member = client_for(world["member"])
        assert member.get("/bodies/cit/changes/nobody.knows/").status_code == 404
        assert member.post("/bodies/cit/changes/nobody.knows/", {}).status_code == 404
        refused(api_client(world["member"]).post("/api/bodies/cit/changes/nobody.knows",
                                                 {"params": {}}), 404)
        assert not Proposal.objects.exists()

    def test_the_generic_api(self, world):
        api = api_client(world["member"])
        response = api.post("/api/bodies/cit/changes/decisions.policy",
                            {"params": {"max_proxies": 2}, "title": "Two proxies"})
        assert response.status_code == 201, response.content
        data = response.json()
        assert data["title"] == "Two proxies" and data["decision_class"] == "statutes"
        assert data["change"]["description"] == ("Proxies one member may hold in a legal "
                                                 "vote: 2 instead of 1")
        refused(api.post("/api/bodies/cit/changes/decisions.policy",
                         {"params": {"max_proxies": 9}}), 400, field="max_proxies")
        refused(api_client(world["outsider"]).post(
            "/api/bodies/cit/changes/decisions.policy", {"params": {"max_proxies": 2}}), 403)
        assert Proposal.objects.count() == 1


# Minimum participation ------------------------------------------------------------------

class TestParticipation:
    def test_below_the_minimum_with_the_arithmetic(self, world, make_person):
        coop = world["coop"]
        services.set_initial_policy(body=coop, settings={"min_participation_consent": 25})
        for n in range(6):
            bodies.join_body(person=make_person(f"Extra {n}"), body=coop)
        proposal = services.create_proposal(actor=world["member"], body=coop, title="Paint",
                                            text="Paint the door.", decision_class="executive")
        services.take_position(person=world["member"], round_id=current_round(proposal).pk,
                               stance="fully_agree")
        coordinator = client_for(world["coordinator"])
        manage = f"/proposals/{proposal.pk}/manage/"
        detail = coordinator.get(f"/proposals/{proposal.pk}/").content.decode()
        assert "1 of 8 members has taken a position" in detail and "data-confirm" in detail
        asked = coordinator.post(manage, {"action": "close"}).content.decode()
        assert "1 of 8 members has taken a position" in asked and "minimum of 25" in asked
        assert current_round(proposal)
        assert coordinator.post(manage, {"action": "close", "confirmed": "yes"}) \
            .status_code == 302
        round_ = Round.objects.get(proposal=proposal)
        assert round_.outcome == "low_participation"
        assert Proposal.objects.get(pk=proposal.pk).status == "amendable"
        assert not Decision.objects.exists()
        page = client_for(None).get(f"/proposals/{proposal.pk}/").content.decode()
        assert "not decided: participation too low" in page
        assert "1 position of 8 members entitled: 12.5%, minimum 25%." in page


# Proxies --------------------------------------------------------------------------------

@pytest.fixture
def scic_voters(world, make_person):
    people = []
    for i, college in enumerate(world["colleges"] * 2):
        person = make_person(f"Voter {i}")
        bodies.join_body(person=person, body=world["scic"], college=college)
        people.append(person)
    return people


def legal_vote(world, author) -> Proposal:
    return services.create_proposal(actor=author, body=world["scic"], title="Accounts",
                                    text="Approve the accounts.", decision_class="legal_act")


class TestProxies:
    def test_the_closing_reminder_goes_only_to_those_who_can_still_vote(
            self, world, scic_voters):
        """Not to a member whose vote a proxy carries: "take your position" is not theirs
        to do any more."""
        from datetime import timedelta

        from autogestion.core import clock
        from autogestion.notifications.models import Kind, Notification

        a, b, c, *_ = scic_voters
        proposal = services.create_proposal(
            actor=a, body=world["scic"], title="Accounts", text="Approve the accounts.",
            decision_class="legal_act", deadline=clock.now() + timedelta(days=3))
        round_ = current_round(proposal)
        services.give_proxy(giver=a, round_id=round_.pk, holder=b)
        services.take_position(person=c, round_id=round_.pk, stance="yes")
        clock.freeze(round_.deadline - timedelta(hours=12))
        services.send_round_reminders()
        told = set(Notification.objects.filter(kind=Kind.ROUND_CLOSING)
                   .values_list("person_id", flat=True))
        assert b.pk in told
        assert not told & {a.pk, c.pk}

    def test_the_holders_vote_counts_for_the_giver(self, world, scic_voters):
        a, b, c, d, *_ = scic_voters
        proposal = legal_vote(world, a)
        round_id = current_round(proposal).pk
        services.take_position(person=b, round_id=round_id, stance="yes")
        services.give_proxy(giver=a, round_id=round_id, holder=b)
        # Given after the holder voted: it counts at once, in the giver's college.
        copied = Position.objects.get(round_id=round_id, person=a)
        assert (copied.stance, copied.proxy_holder, copied.college_id) \
            == ("yes", b, world["colleges"][0].pk)
        services.take_position(person=b, round_id=round_id, stance="no")
        assert Position.objects.get(round_id=round_id, person=a).stance == "no"
        services.take_position(person=c, round_id=round_id, stance="yes")
        services.close_round(actor=world["operator"], round_id=round_id)
        result = Round.objects.get(pk=round_id).result
        assert result["participants"] == 3 and result["by_proxy"] == 1
        page = client_for(None).get(f"/proposals/{proposal.pk}/").content.decode()
        assert "3 votes, of which 1 by proxy." in page
        # Closed: no more revoking.
        proxy = Proxy.objects.get()
        with pytest.raises(Conflict, match="closed"):
            services.revoke_proxy(actor=a, proxy_id=proxy.pk)

    def test_limit_and_refusals(self, world, scic_voters):
        a, b, c, d, *_ = scic_voters
        proposal = legal_vote(world, a)
        round_id = current_round(proposal).pk
        services.give_proxy(giver=a, round_id=round_id, holder=b)
        error = refused_unchanged(DomainError, services.give_proxy, rows, giver=c,
                                  round_id=round_id, holder=b)
        assert "already holds 1 proxy" in str(error) and error.field == "holder"
        refused_unchanged(Conflict, services.give_proxy, rows, giver=a, round_id=round_id,
                          holder=c)  # one per giver
        refused_unchanged(DomainError, services.give_proxy, rows, giver=c,
                          round_id=round_id, holder=c)
        refused_unchanged(DomainError, services.give_proxy, rows, giver=c,
                          round_id=round_id, holder=a)  # no chains
        refused_unchanged(DomainError, services.give_proxy, rows, giver=c,
                          round_id=round_id, holder=world["outsider"])
        services.take_position(person=d, round_id=round_id, stance="yes")
        refused_unchanged(Conflict, services.give_proxy, rows, giver=d, round_id=round_id,
                          holder=c)

    def test_never_for_consent_or_consensus(self, world):
        for decision_class in ("executive", "orientation"):
            proposal = services.create_proposal(
                actor=world["member"], body=world["coop"], title=decision_class, text="x",
                decision_class=decision_class)
            error = refused_unchanged(DomainError, services.give_proxy, rows,
                                      giver=world["member"],
                                      round_id=current_round(proposal).pk,
                                      holder=world["coordinator"])
            assert "Consensus and consent are personal" in str(error)
        response = api_client(world["member"]).post(f"/api/proposals/{proposal.pk}/proxies",
                                                    {"holder_id": world["coordinator"].pk})
        refused(response, 400, field="holder_id", contains="personal")

    def test_revocation_and_voting_in_person(self, world, scic_voters):
        a, b, c, *_ = scic_voters
        proposal = legal_vote(world, a)
        round_id = current_round(proposal).pk
        proxy = services.give_proxy(giver=a, round_id=round_id, holder=b)
        services.take_position(person=b, round_id=round_id, stance="yes")
        with pytest.raises(PermissionDenied):
            services.revoke_proxy(actor=c, proxy_id=proxy.pk)
        services.revoke_proxy(actor=a, proxy_id=proxy.pk)
        assert not Position.objects.filter(round_id=round_id, person=a).exists()
        with pytest.raises(Conflict):
            services.revoke_proxy(actor=a, proxy_id=proxy.pk)
        # Given again, then the giver votes in person: that ends the proxy.
        services.give_proxy(giver=a, round_id=round_id, holder=b)
        assert Position.objects.get(round_id=round_id, person=a).proxy_holder == b
        services.take_position(person=a, round_id=round_id, stance="no")
        mine = Position.objects.get(round_id=round_id, person=a)
        assert (mine.stance, mine.proxy_holder) == ("no", None)
        assert Proxy.objects.get(revoked_reason="voted in person").giver == a
        services.take_position(person=b, round_id=round_id, stance="abstain")
        assert Position.objects.get(round_id=round_id, person=a).stance == "no"

    def test_pages_and_api(self, world, scic_voters):
        a, b, c, *_ = scic_voters
        proposal = legal_vote(world, a)
        page = client_for(a).get(f"/proposals/{proposal.pk}/").content.decode()
        assert "Give my proxy" in page
        response = client_for(a).post(f"/proposals/{proposal.pk}/proxy/", {"holder": b.pk})
        assert response.status_code == 302
        proxy = Proxy.objects.get()
        page = client_for(a).get(f"/proposals/{proposal.pk}/").content.decode()
        assert "Your proxy is held by Voter 1" in page
        refused(api_client(c).post(f"/api/proposals/{proposal.pk}/proxies",
                                   {"holder_id": b.pk}), 400, field="holder_id",
                contains="already holds")
        refused(api_client(c).post(f"/api/proxies/{proxy.pk}/revoke"), 403)
        assert client_for(a).post(f"/proxies/{proxy.pk}/revoke/").status_code == 302
        assert Proxy.objects.get().revoked_reason == "revoked"
        data = api_client(c).post(f"/api/proposals/{proposal.pk}/proxies",
                                  {"holder_id": b.pk})
        assert data.status_code == 201 and data.json()["holder"] == "Voter 1"
        detail = api_client(b).get(f"/api/proposals/{proposal.pk}").json()
        assert [p["giver"] for p in detail["proxies_held"]] == ["Voter 2"]
        assert detail["proxies_count"] == 1
        assert api_client(c).post(f"/api/proxies/{data.json()['id']}/revoke").json()[
            "revoked_reason"] == "revoked"


# Earlier rounds, agenda items ------------------------------------------------------------

class TestEarlierRounds:
    def test_readable_after_a_revision(self, world):
        proposal = services.create_proposal(actor=world["member"], body=world["coop"],
                                            title="Network", text="Join the network.",
                                            decision_class="orientation")
        round_id = current_round(proposal).pk
        services.take_position(person=world["member"], round_id=round_id, stance="veto",
                               reason="Unknown charter", counter_proposal="Observe a year")
        services.take_position(person=world["coordinator"], round_id=round_id,
                               stance="reservations", note="Costly")
        first = close(world, proposal)
        group = first.star_debate.groups.first()
        services.write_star_summary(person=group.spokesperson, group_id=group.pk,
                                    summary="Observe first")
        services.open_next_round(actor=world["member"], proposal_id=proposal.pk,
                                 text="Observe the network for a year.")
        page = client_for(None).get(f"/proposals/{proposal.pk}/").content.decode()
        earlier = page[page.index('id="earlier-rounds"'):]
        assert "<details" in earlier and "Round 1" in earlier
        for said in ("Join the network.", "Unknown charter", "Observe a year", "Costly",
                     "Observe first", "Blocking vetoes: 1."):
            assert said in earlier, said


class TestAgendaItem:
    def test_the_form_offers_the_coming_items(self, world):
        from autogestion.assemblies import queries as meetings
        from autogestion.assemblies import services as assemblies

        series = assemblies.create_series(
            actor=world["coordinator"], body=world["coop"], title="Agora",
            rrule="FREQ=WEEKLY;BYDAY=MO", first_day=date(2026, 11, 2), start_time=time(18),
            end_time=time(20), place="Local")
        occurrence = meetings.find_occurrence(series, date(2026, 12, 14))
        item = assemblies.add_agenda_item(actor=world["member"], occurrence=occurrence,
                                          title="Van", duration_minutes=10)
        member = client_for(world["member"])
        form = member.get(f"/bodies/cit/proposals/new/?agenda_item={item.pk}").content.decode()
        assert f'<option value="{item.pk}" selected>' in form and "Van" in form
        response = member.post(f"/bodies/cit/proposals/new/?agenda_item={item.pk}", {
            "title": "Buy a van", "text": "Buy it.", "decision_class": "executive",
            "agenda_item": str(item.pk)})
        assert response.status_code == 302
        assert Proposal.objects.get().agenda_item == item
        data = api_client(world["member"]).post("/api/bodies/cit/proposals", {
            "title": "Paint", "text": "x", "decision_class": "executive",
            "agenda_item_id": item.pk}).json()
        assert data["agenda_item_id"] == item.pk


def test_a_scop_legal_vote_warns_of_the_employee_shares(world):
    """The cooperatives app's warnings (its rules) shown on a SCOP's legal vote page."""
    other = world["other"]  # a SCOP whose only member is not an employee
    vote = services.create_proposal(actor=world["other_coordinator"], body=other,
                                    title="Accounts", text="Approve.",
                                    decision_class="legal_act")
    page = client_for(world["other_coordinator"]).get(f"/proposals/{vote.pk}/")
    text = page.content.decode()
    assert 'id="scop-warnings"' in text and "65" in text
    executive = services.create_proposal(actor=world["other_coordinator"], body=other,
                                         title="Paint", text="Paint.",
                                         decision_class="executive")
    page = client_for(world["other_coordinator"]).get(f"/proposals/{executive.pk}/")
    assert 'id="scop-warnings"' not in page.content.decode()


def test_policy_page_queries_are_bounded(world, django_assert_max_num_queries):
    client = client_for(world["member"])
    client.get("/bodies/cit/decision-policy/")
    with django_assert_max_num_queries(25):
        assert client.get("/bodies/cit/decision-policy/").status_code == 200


def test_the_demo_shows_a_policy_changed_by_decision(db):
    from autogestion.core.demo import load_demo

    load_demo()
    changed = Proposal.objects.get(change_kind="decisions.policy")
    assert changed.status == "adopted" and changed.change_applied_at is not None
    assert queries.policy_of(changed.body)["executive"] == "consensus"
    assert changed.body.slug == "accueil"


def test_a_dissolved_body_takes_no_new_proposal(world):
    group = world["open_group"]
    bodies.dissolve_body(body=group)
    group.refresh_from_db()
    error = refused_unchanged(Conflict, services.create_proposal, rows,
                              actor=world["member"], body=group, title="Encore",
                              text="Une idée", decision_class="executive")
    assert "dissolved" in error.message
