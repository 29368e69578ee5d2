"""Decision services against the real database: proposals, positions and their
history, closing by the rules, star debates, legal votes, the register, e-mails."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from autogestion.cooperatives import services as bodies
from autogestion.cooperatives.rules import Kind
from autogestion.core.errors import Conflict, DomainError, PermissionDenied
from autogestion.decisions import queries, services
from autogestion.decisions.models import (
    Decision,
    DecisionPolicy,
    DecisionSettings,
    Notice,
    Position,
    PositionLog,
    Proposal,
    ProposalEvent,
    Round,
    StarGroupMember,
)
from autogestion.decisions.personal_data import export

pytestmark = pytest.mark.django_db


def propose(world, decision_class="executive", **kwargs):
    return services.create_proposal(actor=world["member"], body=world["coop"],
                                    title=kwargs.pop("title", "Buy a van"),
                                    text=kwargs.pop("text", "We **buy** a van."),
                                    decision_class=decision_class, **kwargs)


def current_round(proposal):
    return proposal.rounds.get(closed_at__isnull=True)


def position(person, proposal, stance, **kwargs):
    return services.take_position(person=person, round_id=current_round(proposal).pk,
                                  stance=stance, **kwargs)


@pytest.fixture
def crowd(world, make_person):
    """Six more members of the cooperative, spread over two working groups."""
    people = []
    for i in range(6):
        person = make_person(f"Crowd {i}")
        bodies.join_body(person=person, body=world["coop"])
        people.append(person)
    return people


class TestProposals:
    def test_method_from_the_policy_and_no_weaker_one(self, world):
        assert propose(world).method == "consent"
        assert propose(world, "statutes", title="Statutes").method == "consensus"
        with pytest.raises(DomainError, match="consensus") as caught:
            propose(world, "statutes", method="consent", title="Weak")
        assert caught.value.field == "method"
        assert propose(world, "executive", method="consensus", title="Strong").method \
            == "consensus"
        assert not Proposal.objects.filter(title="Weak").exists()

    def test_body_policy_changes_the_method(self, world):
        with pytest.raises(DomainError, match="law"):
            services.set_initial_policy(body=world["coop"], policy={"legal_act": "consent"})
        services.set_initial_policy(body=world["coop"], policy={"executive": "consensus"})
        assert propose(world).method == "consensus"
        # Once the body decides, its rules change only by its decisions (R16).
        with pytest.raises(Conflict, match="own decisions"):
            services.set_initial_policy(body=world["coop"], policy={"executive": "consent"})
        assert queries.policy_of(world["coop"])["executive"] == "consensus"
        assert not hasattr(services, "change_decision_policy")

    def test_only_members_propose(self, world):
        with pytest.raises(PermissionDenied):
            services.create_proposal(actor=world["outsider"], body=world["coop"], title="x",
                                     text="y", decision_class="executive")
        with pytest.raises(DomainError, match="class"):
            propose(world, "whatever")

    def test_exclusion_names_a_member(self, world):
        with pytest.raises(DomainError, match="Name the person"):
            propose(world, "exclusion")
        with pytest.raises(DomainError, match="not a member"):
            propose(world, "exclusion", concerned_person=world["outsider"])
        proposal = propose(world, "exclusion", concerned_person=world["coordinator"])
        assert proposal.method == "consensus"

    def test_database_refuses_two_open_rounds(self, world):
        proposal = propose(world)
        with pytest.raises(IntegrityError), transaction.atomic():
            Round.objects.create(proposal=proposal, number=2, text="x",
                                 opened_at=timezone.now())


class TestPositions:
    def test_change_until_close_and_history_kept(self, world):
        proposal = propose(world)
        position(world["member"], proposal, "fully_agree")
        position(world["member"], proposal, "objection", reason="Too expensive")
        assert Position.objects.get().stance == "objection"
        assert list(PositionLog.objects.values_list("stance", flat=True)) == [
            "fully_agree", "objection"]

    def test_refusals_write_nothing(self, world):
        proposal = propose(world, "statutes")
        with pytest.raises(PermissionDenied):
            position(world["outsider"], proposal, "agree")
        with pytest.raises(PermissionDenied):  # operators are not members
            position(world["operator"], proposal, "agree")
        with pytest.raises(DomainError, match="counter-proposal"):
            position(world["member"], proposal, "veto", reason="No")
        with pytest.raises(DomainError, match="reason"):
            position(world["member"], proposal, "veto", counter_proposal="Better")
        with pytest.raises(DomainError):
            position(world["member"], proposal, "yes")
        assert not Position.objects.exists() and not PositionLog.objects.exists()

    def test_database_refuses_a_veto_without_counter_proposal(self, world):
        round_ = current_round(propose(world, "statutes"))
        with pytest.raises(IntegrityError), transaction.atomic():
            Position.objects.create(round=round_, person=world["member"], stance="veto",
                                    reason="x", updated_at=timezone.now())

    def test_after_the_deadline_or_close(self, world, frozen):
        now = frozen(timezone.now())
        proposal = propose(world, deadline=now + timedelta(days=2))
        frozen(now + timedelta(days=3))
        with pytest.raises(Conflict, match="closed"):
            position(world["member"], proposal, "fully_agree")

    def test_seniority_for_legal_votes(self, world, frozen):
        scic, colleges = world["scic"], world["colleges"]
        services.set_initial_policy(body=scic, settings={"min_seniority_days": 90})
        bodies.join_body(person=world["member"], body=scic, college=colleges[0])
        proposal = services.create_proposal(actor=world["member"], body=scic, title="Capital",
                                            text="Raise it", decision_class="legal_act")
        with pytest.raises(PermissionDenied, match="90 days"):
            position(world["member"], proposal, "yes")
        frozen(timezone.now() + timedelta(days=91))
        position(world["member"], proposal, "yes")


class TestClosing:
    def test_consensus_veto_postpones_and_opens_a_star_debate(self, world, crowd):
        proposal = propose(world, "orientation")
        for person in crowd[:5]:
            position(person, proposal, "agree")
        position(crowd[5], proposal, "veto", reason="We cannot", counter_proposal="Rent one")
        round_ = services.close_round(actor=world["coordinator"],
                                      round_id=current_round(proposal).pk)
        assert round_.outcome == "postponed"
        proposal.refresh_from_db()
        assert proposal.status == "postponed"
        assert not Decision.objects.exists()  # postponed is not a decision
        members = StarGroupMember.objects.filter(debate__round=round_)
        assert sorted(members.values_list("person_id", flat=True)) == sorted(
            p.pk for p in crowd)
        group = round_.star_debate.groups.first()
        with pytest.raises(PermissionDenied):
            services.write_star_summary(person=world["outsider"], group_id=group.pk,
                                        summary="x")
        spokesperson = group.spokesperson
        services.write_star_summary(person=spokesperson, group_id=group.pk,
                                    summary="Rent first, buy later")
        second = services.open_next_round(actor=world["member"], proposal_id=proposal.pk,
                                          text="We rent a van for a year.")
        assert second.number == 2 and second.text.startswith("We rent")
        for person in crowd:
            position(person, proposal, "agree")
        closed = services.close_round(actor=world["coordinator"], round_id=second.pk)
        assert closed.outcome == "adopted"
        decision = Decision.objects.get()
        assert decision.round == closed and decision.text == "We rent a van for a year."
        with pytest.raises(Conflict):
            services.write_star_summary(person=spokesperson, group_id=group.pk, summary="late")

    def test_consent_objection_is_not_adopted_then_amended(self, world, crowd):
        proposal = propose(world)
        position(crowd[0], proposal, "fully_agree")
        position(crowd[1], proposal, "objection", reason="Not now")
        round_ = services.close_round(actor=world["coordinator"],
                                      round_id=current_round(proposal).pk)
        assert round_.outcome == "rejected"
        assert Proposal.objects.get().status == "amendable"
        assert Decision.objects.get().outcome == "rejected"
        services.open_next_round(actor=world["coordinator"], proposal_id=proposal.pk,
                                 text="Later")
        assert Proposal.objects.get().status == "open"

    def test_only_facilitators_close_and_never_twice(self, world):
        proposal = propose(world)
        round_id = current_round(proposal).pk
        with pytest.raises(PermissionDenied):
            services.close_round(actor=world["member"], round_id=round_id)
        services.close_round(actor=world["coordinator"], round_id=round_id)
        with pytest.raises(Conflict):
            services.close_round(actor=world["coordinator"], round_id=round_id)

    def test_deadline_closes_and_extending_moves_it(self, world, frozen):
        now = frozen(timezone.now())
        proposal = propose(world, deadline=now + timedelta(days=1))
        round_id = current_round(proposal).pk
        with pytest.raises(DomainError, match="later"):
            services.extend_round(actor=world["coordinator"], round_id=round_id,
                                  deadline=now + timedelta(hours=2))
        services.extend_round(actor=world["coordinator"], round_id=round_id,
                              deadline=now + timedelta(days=3))
        frozen(now + timedelta(days=2))
        assert services.close_due_rounds() == 0
        frozen(now + timedelta(days=4))
        assert services.close_due_rounds() == 1
        assert Round.objects.get(pk=round_id).outcome == "no_quorum"

    def test_scic_weighted_vote_with_its_arithmetic(self, world, make_person):
        scic, colleges = world["scic"], world["colleges"]
        votes = {0: ["yes", "no", "no", "no"], 1: ["yes"] * 5, 2: ["no", "no"]}
        author = None
        for index, stances in votes.items():
            for stance in stances:
                person = make_person()
                bodies.join_body(person=person, body=scic, college=colleges[index])
                author = author or person
                person.stance = stance
        proposal = services.create_proposal(actor=author, body=scic, title="Capital",
                                            text="Raise it", decision_class="legal_act")
        voters = [m.person for m in scic.memberships.filter(status="active",
                                                           college__isnull=False)
                  .select_related("person", "college").order_by("pk")]
        flat = [s for index in sorted(votes) for s in votes[index]]
        for person, stance in zip(voters, flat, strict=True):
            position(person, proposal, stance)
        round_ = services.close_round(actor=world["operator"],
                                      round_id=current_round(proposal).pk)
        assert round_.outcome == "rejected"  # 6 of 11 said yes, but colleges weigh 45 %
        assert round_.result["yes_share"] == "9/20"
        assert [row["weight"] for row in round_.result["by_college"]] == [40, 35, 25]

    def test_exclusion_the_persons_own_veto(self, world, crowd):
        concerned = crowd[0]
        proposal = services.create_proposal(actor=world["member"], body=world["coop"],
                                            title="Exclude", text="Because",
                                            decision_class="exclusion",
                                            concerned_person=concerned)
        position(world["member"], proposal, "agree")
        position(concerned, proposal, "veto", reason="Unfair", counter_proposal="Mediation")
        round_ = services.close_round(actor=world["coordinator"],
                                      round_id=current_round(proposal).pk)
        assert round_.outcome == "adopted"
        assert ["concerned_veto_ignored", {}] in round_.result["lines"]


class TestSubsidiarity:
    def test_a_group_refers_a_question_to_its_cooperative(self, world):
        group = world["open_group"]
        proposal = services.create_proposal(actor=world["member"], body=group, title="Hours",
                                            text="Open on Sundays", decision_class="executive")
        referred = services.refer_to_parent(actor=world["member"], proposal=proposal)
        assert referred.body == world["coop"] and referred.referred_from == group
        with pytest.raises(DomainError, match="Only a group"):
            services.refer_to_parent(actor=world["member"], proposal=referred)

    def test_members_of_the_parent_do_not_decide_for_the_group(self, world, crowd):
        group = world["open_group"]
        proposal = services.create_proposal(actor=world["member"], body=group, title="Hours",
                                            text="x", decision_class="executive")
        with pytest.raises(PermissionDenied):
            position(crowd[0], proposal, "fully_agree")  # in the cooperative, not the group
        assert group.kind == Kind.GROUP


class TestMail:
    def test_round_open_closing_soon_and_outcome(self, world, crowd, mailbox, frozen,
                                                 django_capture_on_commit_callbacks):
        now = frozen(timezone.now())
        with django_capture_on_commit_callbacks(execute=True):
            proposal = propose(world, deadline=now + timedelta(days=2))
        assert len(mailbox.wait_for(8)) == 8  # every member of the cooperative
        position(crowd[0], proposal, "fully_agree")
        frozen(now + timedelta(days=1, hours=2))
        with django_capture_on_commit_callbacks(execute=True):
            queued = services.send_round_reminders()
        assert queued == 7  # all but the one who took a position
        assert services.send_round_reminders() == 0
        frozen(now + timedelta(days=3))
        with django_capture_on_commit_callbacks(execute=True):
            services.close_due_rounds()
        messages = mailbox.wait_for(8 + 7 + 8)
        assert any("Outcome" in m["Subject"] for m in messages)
        assert Notice.objects.filter(kind="outcome").count() == 8


class TestPolicy:
    def test_one_refused_value_and_nothing_changes(self, world):
        coop = world["coop"]
        for policy, settings, field in (
                ({"executive": "consensus"}, {"star_group_size": 12}, "star_group_size"),
                ({"executive": "consensus", "legal_act": "consent"}, {"star_group_size": 5},
                 "policy.legal_act"),
                ({"executive": "sortition"}, {}, "policy.executive"),
                ({"executive": "consensus"}, {"colour": "red"}, "colour")):
            with pytest.raises(DomainError) as caught:
                services.set_initial_policy(body=coop, policy=policy, settings=settings)
            assert caught.value.field == field
        assert not DecisionPolicy.objects.exists() and not DecisionSettings.objects.exists()
        services.set_initial_policy(body=coop, policy={"executive": "consensus"},
                                    settings={"star_group_size": 5})
        assert queries.policy_of(coop)["executive"] == "consensus"
        assert queries.settings_of(coop).star_group_size == 5


class TestHistory:
    def test_each_change_of_status_is_an_event(self, world, crowd):
        proposal = propose(world, "orientation")  # consensus
        position(world["member"], proposal, "veto", reason="Too soon",
                 counter_proposal="Next year")
        services.close_round(actor=world["coordinator"], round_id=current_round(proposal).pk)
        services.open_next_round(actor=world["member"], proposal_id=proposal.pk,
                                 text="Next year, then.")
        services.withdraw_proposal(actor=world["coordinator"], proposal_id=proposal.pk)
        events = [(e.from_status, e.to_status, e.actor, e.reason)
                  for e in ProposalEvent.objects.filter(proposal=proposal)]
        assert events == [
            ("", "open", world["member"], "round 1 opened"),
            ("open", "postponed", world["coordinator"], "round 1: postponed"),
            ("postponed", "open", world["member"], "round 2 opened"),
            ("open", "withdrawn", world["coordinator"], "withdrawn"),
        ]

    def test_a_refused_change_writes_no_event(self, world):
        proposal = propose(world)
        services.withdraw_proposal(actor=world["member"], proposal_id=proposal.pk)
        with pytest.raises(Conflict, match="withdrawn"):
            services.open_next_round(actor=world["member"], proposal_id=proposal.pk,
                                     text="Again")
        assert ProposalEvent.objects.filter(proposal=proposal).count() == 2
        assert Proposal.objects.get(pk=proposal.pk).text == "We **buy** a van."

    def test_a_referral_keeps_the_status_and_says_so(self, world):
        proposal = services.create_proposal(actor=world["member"], body=world["open_group"],
                                            title="Hours", text="Sundays",
                                            decision_class="executive")
        services.refer_to_parent(actor=world["member"], proposal=proposal)
        last = ProposalEvent.objects.filter(proposal=proposal).last()
        assert (last.from_status, last.to_status, last.reason) \
            == ("open", "open", "referred from accueil")


class TestPersonalData:
    def test_every_row_pointing_to_the_person(self, world, crowd):
        member = world["member"]
        proposal = propose(world, "orientation")
        services.add_comment(person=member, proposal_id=proposal.pk, text="Which van?")
        position(world["coordinator"], proposal, "agree")
        position(member, proposal, "veto", reason="No", counter_proposal="Bikes")
        position(member, proposal, "veto", reason="No, really", counter_proposal="Bikes")
        round_ = services.close_round(actor=world["coordinator"],
                                      round_id=current_round(proposal).pk)
        services.notify_round(round_.pk, "outcome")
        exported = export(member)
        assert [p["id"] for p in exported["proposal"]] == [proposal.pk]
        assert [e["to_status"] for e in exported["proposalevent"]] == ["open"]
        assert [p["stance"] for p in exported["position"]] == ["veto"]
        assert [p["reason"] for p in exported["positionlog"]] == ["No", "No, really"]
        assert [c["text"] for c in exported["comment"]] == ["Which van?"]
        assert len(exported["stargroupmember"]) == 1
        assert [n["kind"] for n in exported["notice"]] == ["outcome"]
        coordinator = export(world["coordinator"])
        assert [r["id"] for r in coordinator["round"]] == [round_.pk]
        assert [e["to_status"] for e in coordinator["proposalevent"]] == ["postponed"]
        assert len(coordinator["stargroup"]) + len(exported["stargroup"]) == 1

    def test_the_person_an_exclusion_concerns(self, world, crowd):
        proposal = services.create_proposal(
            actor=world["member"], body=world["coop"], title="Exclude", text="Why",
            decision_class="exclusion", concerned_person=crowd[0])
        assert [p["id"] for p in export(crowd[0])["proposal"]] == [proposal.pk]
