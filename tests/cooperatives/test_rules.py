"""The pure rules of bodies and membership: no database."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autogestion.cooperatives.rules import (
    ALLOWED_PARENTS,
    JoinRequest,
    Kind,
    Refusal,
    Role,
    Status,
    Stint,
    ancestor_ids,
    check_decision_on_request,
    check_leave,
    check_parent,
    child_path,
    decide_join,
    enclosing_cooperative_id,
    has_seniority,
    seniority_days,
)


def join(**overrides) -> JoinRequest:
    values = dict(kind=Kind.GROUP, is_open=True, current_status=None,
                  member_of_enclosing_cooperative=True, college_ids=frozenset(),
                  chosen_college_id=None)
    values.update(overrides)
    return JoinRequest(**values)


def refusal_code(fn, *args, **kwargs) -> str:
    with pytest.raises(Refusal) as caught:
        fn(*args, **kwargs)
    return caught.value.code


class TestTree:
    @pytest.mark.parametrize(("kind", "parent", "allowed"), [
        (Kind.NETWORK, None, True), (Kind.NETWORK, Kind.NETWORK, True),
        (Kind.NETWORK, Kind.COOPERATIVE, False), (Kind.COOPERATIVE, None, True),
        (Kind.COOPERATIVE, Kind.NETWORK, True), (Kind.COOPERATIVE, Kind.GROUP, False),
        (Kind.GROUP, None, False), (Kind.GROUP, Kind.COOPERATIVE, True),
        (Kind.GROUP, Kind.GROUP, True), (Kind.GROUP, Kind.NETWORK, False),
    ])
    def test_what_may_contain_what(self, kind, parent, allowed):
        if allowed:
            check_parent(kind, parent)
        else:
            assert refusal_code(check_parent, kind, parent) == "bad_parent"

    @given(st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=12,
                    unique=True))
    def test_path_lists_ancestors_root_first(self, ids):
        path = None
        for body_id in ids:
            path = child_path(path, body_id)
        assert ancestor_ids(path) == ids[:-1]

    @given(st.lists(st.sampled_from(list(Kind)), min_size=1, max_size=8))
    def test_enclosing_cooperative_is_the_nearest_one(self, kinds):
        ids = list(range(1, len(kinds) + 1))
        path = "/" + "".join(f"{i}/" for i in ids)
        found = enclosing_cooperative_id(path, dict(zip(ids, kinds, strict=True)))
        expected = max((i for i, k in zip(ids, kinds, strict=True) if k == Kind.COOPERATIVE),
                       default=None)
        assert found == expected

    def test_every_kind_has_a_parent_rule(self):
        assert set(ALLOWED_PARENTS) == set(Kind)


class TestJoin:
    def test_open_body_takes_you_at_once(self):
        assert decide_join(join()) == Status.ACTIVE

    def test_closed_body_takes_a_request(self):
        assert decide_join(join(is_open=False)) == Status.PENDING

    def test_twice_is_refused(self):
        assert refusal_code(decide_join, join(current_status=Status.ACTIVE)) == "already_member"
        assert refusal_code(decide_join, join(current_status=Status.PENDING)) \
            == "already_requested"

    def test_group_needs_the_cooperative_first(self):
        code = refusal_code(decide_join, join(member_of_enclosing_cooperative=False))
        assert code == "join_cooperative_first"

    def test_scic_member_belongs_to_one_of_its_colleges(self):
        scic = dict(kind=Kind.COOPERATIVE, college_ids=frozenset({1, 2, 3}))
        assert refusal_code(decide_join, join(**scic)) == "college_required"
        assert refusal_code(decide_join, join(**scic, chosen_college_id=9)) == "unknown_college"
        assert decide_join(join(**scic, chosen_college_id=2)) == Status.ACTIVE

    def test_college_where_there_is_none(self):
        assert refusal_code(decide_join, join(chosen_college_id=1)) == "no_colleges_here"

    @given(st.sampled_from(list(Kind)), st.booleans(), st.sampled_from([None, *Status]),
           st.booleans())
    def test_outcome_is_active_or_pending_or_a_refusal(self, kind, is_open, status, in_coop):
        request = join(kind=kind, is_open=is_open, current_status=status,
                       member_of_enclosing_cooperative=in_coop)
        try:
            outcome = decide_join(request)
        except Refusal:
            return
        assert outcome == (Status.ACTIVE if is_open else Status.PENDING)
        assert status not in (Status.ACTIVE, Status.PENDING)


class TestRequestsAndLeaving:
    def test_only_pending_requests_are_answered(self):
        check_decision_on_request(Status.PENDING)
        for status in (Status.ACTIVE, Status.DECLINED, Status.LEFT):
            assert refusal_code(check_decision_on_request, status) == "request_already_decided"
        assert refusal_code(check_decision_on_request, None) == "no_such_request"

    def test_leaving_needs_membership(self):
        assert refusal_code(check_leave, None, None, 0, 0) == "not_a_member"
        assert refusal_code(check_leave, Status.LEFT, Role.MEMBER, 0, 0) == "not_a_member"
        check_leave(Status.ACTIVE, Role.MEMBER, 0, 3)
        check_leave(Status.PENDING, Role.MEMBER, 0, 3)

    def test_last_coordinator_hands_over_first(self):
        assert refusal_code(check_leave, Status.ACTIVE, Role.COORDINATOR, 0, 2) \
            == "last_coordinator"
        check_leave(Status.ACTIVE, Role.COORDINATOR, 1, 2)
        check_leave(Status.ACTIVE, Role.COORDINATOR, 0, 0)  # alone: may close the door


class TestSeniority:
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)

    def test_counts_the_current_stint_only(self):
        stints = [Stint(self.now - timedelta(days=400), self.now - timedelta(days=100)),
                  Stint(self.now - timedelta(days=30))]
        assert seniority_days(stints, self.now) == 30
        assert not has_seniority(stints, self.now, 90)
        assert has_seniority(stints, self.now, 30)

    def test_no_current_stint_means_no_seniority(self):
        stints = [Stint(self.now - timedelta(days=400), self.now - timedelta(days=1))]
        assert seniority_days(stints, self.now) == 0

    @given(st.integers(min_value=0, max_value=5000), st.integers(min_value=0, max_value=5000))
    def test_threshold(self, days, threshold):
        stints = [Stint(self.now - timedelta(days=days))]
        assert has_seniority(stints, self.now, threshold) == (days >= threshold)
