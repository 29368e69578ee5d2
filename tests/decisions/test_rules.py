"""The rules that decide, with no database: methods per class, valid positions, the
outcome of consensus, consent and weighted majority votes, the star debate's groups."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autogestion.decisions import rules
from autogestion.decisions.rules import (
    Context,
    DecisionClass,
    MajorityRule,
    Method,
    Outcome,
    PositionInput,
    ProposalStatus,
    Refusal,
    Stance,
    Tally,
)


def code_of(fn, *args, **kwargs) -> str:
    with pytest.raises(Refusal) as caught:
        fn(*args, **kwargs)
    return caught.value.code


class TestMethods:
    def test_default_policy_of_the_domain(self):
        for grave in (DecisionClass.STATUTES, DecisionClass.ORIENTATION,
                      DecisionClass.EXCLUSION):
            assert rules.DEFAULT_POLICY[grave] == Method.CONSENSUS
        assert rules.DEFAULT_POLICY[DecisionClass.EXECUTIVE] == Method.CONSENT
        assert rules.DEFAULT_POLICY[DecisionClass.LEGAL_ACT] == Method.MAJORITY

    def test_no_weaker_method_than_required(self):
        rules.check_method(Method.CONSENT, Method.CONSENSUS)
        assert code_of(rules.check_method, Method.CONSENSUS, Method.CONSENT) == "weaker_method"
        assert code_of(rules.check_method, Method.CONSENSUS, Method.MAJORITY) == "weaker_method"
        assert code_of(rules.check_method, Method.MAJORITY, Method.CONSENSUS) == "weaker_method"

    def test_policy_within_the_law(self):
        rules.check_policy(DecisionClass.EXECUTIVE, Method.CONSENSUS)
        assert code_of(rules.check_policy, DecisionClass.LEGAL_ACT, Method.CONSENT) \
            == "policy_against_law"
        assert code_of(rules.check_policy, DecisionClass.EXECUTIVE, Method.MAJORITY) \
            == "policy_against_law"


class TestPositions:
    def test_veto_needs_a_counter_proposal_and_a_reason(self):
        consensus = Method.CONSENSUS
        assert code_of(rules.check_position, consensus, PositionInput("veto", reason="no")) \
            == "veto_needs_counter_proposal"
        assert code_of(rules.check_position, consensus,
                       PositionInput("veto", counter_proposal="Better")) == "veto_needs_reason"
        assert rules.check_position(consensus, PositionInput(
            "veto", reason="cannot live with it", counter_proposal="Better")) == Stance.VETO

    def test_objection_reason_and_reservations_note(self):
        assert code_of(rules.check_position, Method.CONSENT, PositionInput("objection")) \
            == "objection_needs_reason"
        assert code_of(rules.check_position, Method.CONSENSUS,
                       PositionInput("reservations", note=" ")) == "reservations_need_note"

    @pytest.mark.parametrize(("method", "stance"), [(Method.CONSENT, "veto"),
                                                    (Method.CONSENSUS, "yes"),
                                                    (Method.MAJORITY, "agree"),
                                                    (Method.CONSENT, "nonsense")])
    def test_stances_belong_to_their_method(self, method, stance):
        assert code_of(rules.check_position, method, PositionInput(stance)) == "unknown_stance"


def consensus(ballots, **context):
    return rules.decide(Tally.of(ballots), Context(method=Method.CONSENSUS, eligible=10,
                                                   **context))


class TestConsensus:
    def test_no_veto_adopts(self):
        result = consensus([(1, "agree", None), (2, "stand_aside", None),
                            (3, "reservations", None)])
        assert result.outcome == Outcome.ADOPTED

    def test_a_veto_postpones(self):
        result = consensus([(1, "agree", None), (2, "veto", None)])
        assert result.outcome == Outcome.POSTPONED and result.blocking_vetoes == [2]

    def test_the_excluded_persons_own_veto_does_not_block(self):
        ballots = [(1, "agree", None), (7, "veto", None)]
        assert consensus(ballots, concerned_person_id=7).outcome == Outcome.ADOPTED
        assert consensus(ballots, concerned_person_id=7,
                         concerned_veto_blocks=True).outcome == Outcome.POSTPONED
        assert consensus(ballots + [(2, "veto", None)],
                         concerned_person_id=7).outcome == Outcome.POSTPONED

    def test_nobody_decides_nothing(self):
        assert consensus([]).outcome == Outcome.NO_QUORUM

    @given(st.lists(st.tuples(st.integers(1, 50), st.sampled_from(
        ["agree", "reservations", "stand_aside", "veto"])), max_size=40, unique_by=lambda b: b[0]))
    def test_adopted_exactly_when_no_veto(self, ballots):
        result = consensus([(p, s, None) for p, s in ballots])
        if not ballots:
            assert result.outcome == Outcome.NO_QUORUM
        elif any(s == "veto" for _, s in ballots):
            assert result.outcome == Outcome.POSTPONED
        else:
            assert result.outcome == Outcome.ADOPTED


class TestConsent:
    @given(st.lists(st.sampled_from(["fully_agree", "slight_disagreement", "objection"]),
                    min_size=1, max_size=40))
    def test_adopted_exactly_when_nobody_says_no(self, stances):
        result = rules.decide(Tally.of((i, s, None) for i, s in enumerate(stances)),
                              Context(method=Method.CONSENT, eligible=50))
        expected = Outcome.REJECTED if "objection" in stances else Outcome.ADOPTED
        assert result.outcome == expected
        assert len(result.objections) == stances.count("objection")


def majority(ballots, eligible=10, **rule):
    return rules.decide(Tally.of(ballots), Context(method=Method.MAJORITY, eligible=eligible,
                                                   majority=MajorityRule(**rule)))


class TestMajority:
    def test_simple_majority_is_more_than_half(self):
        yes3_no3 = [(i, "yes", None) for i in range(3)] + [(i + 3, "no", None) for i in range(3)]
        assert majority(yes3_no3).outcome == Outcome.REJECTED
        assert majority(yes3_no3 + [(9, "yes", None)]).outcome == Outcome.ADOPTED

    def test_abstentions_do_not_count_as_expressed(self):
        ballots = [(1, "yes", None), (2, "abstain", None), (3, "abstain", None)]
        result = majority(ballots)
        assert result.yes_share == 1 and result.outcome == Outcome.ADOPTED

    def test_qualified_two_thirds_reached_at_the_share(self):
        ballots = [(1, "yes", None), (2, "yes", None), (3, "no", None)]
        assert majority(ballots, threshold=Fraction(2, 3), qualified=True).outcome \
            == Outcome.ADOPTED
        assert majority(ballots, threshold=Fraction(80, 100), qualified=True).outcome \
            == Outcome.REJECTED

    def test_quorum(self):
        assert majority([(1, "yes", None)], eligible=10, quorum=Fraction(1, 2)).outcome \
            == Outcome.NO_QUORUM
        assert majority([(i, "yes", None) for i in range(5)], eligible=10,
                        quorum=Fraction(1, 2)).outcome == Outcome.ADOPTED

    def test_scic_weighting_by_college(self):
        # Workers 40 %: 1 yes 3 no; users 35 %: 5 yes; supporters 25 %: 0 yes 2 no.
        ballots = ([(1, "yes", 1)] + [(i, "no", 1) for i in (2, 3, 4)]
                   + [(i, "yes", 2) for i in range(10, 15)] + [(20, "no", 3), (21, "no", 3)])
        context = Context(method=Method.MAJORITY, eligible=20,
                          college_weights={1: 40, 2: 35, 3: 25})
        result = rules.decide(Tally.of(ballots), context)
        # 0.4 × 1/4 + 0.35 × 1 + 0.25 × 0 = 0.45: rejected, though 6 of 11 said yes.
        assert result.yes_share == Fraction(45, 100)
        assert result.outcome == Outcome.REJECTED
        assert [row["share"] for row in result.by_college] == [Fraction(1, 4), 1, 0]

    def test_a_silent_college_drops_out(self):
        context = Context(method=Method.MAJORITY, eligible=5,
                          college_weights={1: 50, 2: 30, 3: 20})
        result = rules.decide(Tally.of([(1, "yes", 1), (2, "no", 2)]), context)
        assert result.yes_share == Fraction(50, 80)

    @pytest.mark.parametrize(("weights", "code"), [({1: 60, 2: 40}, "college_weight_bounds"),
                                                   ({1: 5, 2: 45, 3: 50},
                                                    "college_weight_bounds"),
                                                   ({1: 40, 2: 40}, "college_weights_sum")])
    def test_college_weights(self, weights, code):
        assert code_of(rules.check_college_weights, weights) == code

    @given(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30))
    def test_weighted_share_is_between_the_colleges_shares(self, a, b, c):
        ballots = ([(i, "yes", 1) for i in range(a)] + [(100 + i, "no", 1) for i in range(b)]
                   + [(200 + i, "yes", 2) for i in range(c)] + [(300, "no", 2)])
        result = rules.decide(Tally.of(ballots), Context(
            method=Method.MAJORITY, eligible=200, college_weights={1: 50, 2: 50}))
        shares = [row["share"] for row in result.by_college if row["share"] is not None]
        assert min(shares) <= result.yes_share <= max(shares)


class TestStarDebate:
    @given(st.lists(st.tuples(st.integers(1, 10_000), st.one_of(st.none(), st.integers(1, 6))),
                    min_size=1, max_size=120, unique_by=lambda p: p[0]),
           st.integers(4, 8))
    def test_everyone_in_exactly_one_group_of_about_the_size(self, people, size):
        groups = rules.star_groups(people, size)
        assert sorted(p for g in groups for p in g) == sorted(p for p, _ in people)
        assert all(len(g) <= size + 1 for g in groups)
        assert max(map(len, groups)) - min(map(len, groups)) <= 1

    def test_working_groups_are_mixed(self):
        people = [(i, i // 6) for i in range(24)]  # four working groups of six
        for group in rules.star_groups(people, 6):
            assert len({i // 6 for i in group}) == 4

    def test_size_4_to_8(self):
        assert code_of(rules.star_groups, [(1, None)], 3) == "bad_group_size"
        assert code_of(rules.star_groups, [(1, None)], 9) == "bad_group_size"


class TestProposalStates:
    def test_transitions(self):
        rules.check_transition(ProposalStatus.OPEN, ProposalStatus.POSTPONED)
        rules.check_transition(ProposalStatus.POSTPONED, ProposalStatus.OPEN)
        assert code_of(rules.check_transition, ProposalStatus.ADOPTED, ProposalStatus.OPEN) \
            == "bad_transition"
        assert rules.status_after(Outcome.REJECTED) == ProposalStatus.AMENDABLE


class TestSettingsAndDeadlines:
    def test_settings_within_their_bounds(self):
        rules.check_settings({"star_group_size": 4, "threshold_percent": 99,
                              "anonymous_ballots": False})
        assert code_of(rules.check_settings, {"star_group_size": 12}) \
            == "setting_out_of_bounds"
        assert code_of(rules.check_settings, {"quorum_percent": True}) \
            == "setting_out_of_bounds"
        assert code_of(rules.check_settings, {"anonymous_ballots": "yes"}) \
            == "setting_not_yes_or_no"
        assert code_of(rules.check_settings, {"colour": "red"}) == "unknown_setting"

    def test_a_deadline_is_in_the_future_and_near(self):
        from datetime import UTC, datetime, timedelta

        now = datetime(2026, 3, 10, 12, tzinfo=UTC)
        rules.check_deadline(None, now)
        rules.check_deadline(now + timedelta(days=rules.MAX_ROUND_DAYS), now)
        assert code_of(rules.check_deadline, now, now) == "deadline_past"
        assert code_of(rules.check_deadline, now + timedelta(days=91), now) \
            == "deadline_too_far"

    def test_majority_votes_are_the_general_meetings(self):
        rules.check_majority_body(Method.MAJORITY, general_meeting=True)
        rules.check_majority_body(Method.CONSENT, general_meeting=False)
        assert code_of(rules.check_majority_body, Method.MAJORITY, general_meeting=False) \
            == "majority_outside_general_meeting"
