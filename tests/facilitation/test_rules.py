"""The speaking list as a pure data structure, property-tested over random sequences
of raise, lower, next, skip, put back and undo (DOMAIN.md R6), and the statistics (R14)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autogestion.facilitation import rules
from autogestion.facilitation.rules import HandKind, Refusal, State

PEOPLE = [f"p:{i}" for i in range(1, 7)]

actions = st.lists(st.one_of(
    st.tuples(st.just("raise"), st.sampled_from(PEOPLE), st.sampled_from(list(HandKind))),
    st.tuples(st.just("lower"), st.sampled_from(PEOPLE), st.none()),
    st.tuples(st.just("next"), st.none(), st.none()),
    st.tuples(st.just("skip"), st.sampled_from(PEOPLE), st.none()),
    st.tuples(st.just("put_back"), st.sampled_from(PEOPLE), st.none()),
    st.tuples(st.just("undo"), st.none(), st.none()),
    st.tuples(st.just("end"), st.none(), st.none()),
), max_size=60)


def apply(state, action):
    name, who, kind = action
    if name == "raise":
        return rules.raise_hand(state, who, kind)
    if name == "lower":
        return rules.lower_hand(state, who)
    if name == "next":
        return rules.next_speaker(state)
    if name == "skip":
        return rules.skip(state, who)
    if name == "put_back":
        return rules.put_back(state, who)
    if name == "end":
        return rules.end_turn(state)
    return rules.undo(state)


def run(sequence):
    """Apply what the rules accept; a refused action changes nothing."""
    state = State()
    for action in sequence:
        try:
            state = apply(state, action)
        except Refusal:
            continue
        yield action, state


class TestProperties:
    @given(actions)
    @settings(max_examples=300, deadline=None)
    def test_nobody_is_called_while_someone_who_spoke_less_waits(self, sequence):
        previous = State()
        for action, state in run(sequence):
            if action[0] == "next" and state.speaker_kind == HandKind.SPEAK:
                waiting = [h for h in previous.hands if not h.is_process]
                # Process points come first; the list itself follows the turns.
                assert not any(h.is_process for h in previous.hands)
                fewest = min(previous.turns_of(h.who) for h in waiting)
                assert previous.turns_of(state.speaker) == fewest
                # Ties: the earliest hand among the fewest.
                tied = [h for h in waiting if previous.turns_of(h.who) == fewest]
                assert state.speaker == min(tied, key=lambda h: h.seq).who
            previous = state

    @given(actions)
    @settings(max_examples=300, deadline=None)
    def test_nobody_is_twice_on_the_list(self, sequence):
        for _action, state in run(sequence):
            ordinary = [h.who for h in state.hands if not h.is_process]
            process = [h.who for h in state.hands if h.is_process]
            assert len(ordinary) == len(set(ordinary))
            assert len(process) == len(set(process))

    @given(actions)
    @settings(max_examples=300, deadline=None)
    def test_undo_restores_the_previous_state_exactly(self, sequence):
        for action, state in run(sequence):
            if action[0] == "undo":
                continue
            assert rules.undo(state) == state.previous
            assert rules.from_data(rules.to_data(state)) == state  # survives a restart

    @given(actions)
    @settings(max_examples=200, deadline=None)
    def test_within_a_tier_first_come_first_served(self, sequence):
        for _action, state in run(sequence):
            order = [h for h in rules.queue(state) if not h.is_process]
            for first, second in zip(order, order[1:], strict=False):
                if state.turns_of(first.who) == state.turns_of(second.who):
                    assert first.seq < second.seq

    @given(actions)
    @settings(max_examples=200, deadline=None)
    def test_process_points_do_not_count_as_turns(self, sequence):
        """Without undo, the turns are exactly the ordinary hands given the floor."""
        if any(action[0] == "undo" for action in sequence):
            return
        spoken: dict[str, int] = {}
        final = State()
        for action, state in run(sequence):
            if action[0] == "next" and state.speaker_kind == HandKind.SPEAK:
                spoken[state.speaker] = spoken.get(state.speaker, 0) + 1
            final = state
        assert dict(final.turns) == spoken


class TestExamples:
    def test_the_one_who_spoke_less_goes_first(self):
        state = State()
        state = rules.raise_hand(state, "p:1")
        state = rules.next_speaker(state)        # p:1 speaks once
        state = rules.raise_hand(state, "p:1")   # and asks again
        state = rules.raise_hand(state, "p:2")   # later, but has not spoken
        assert [h.who for h in rules.queue(state)] == ["p:2", "p:1"]
        place = rules.place_of(state, "p:1")
        assert place.position == 2 and place.reason == "spoken_before"
        assert place.ahead_with_fewer == 1
        assert rules.place_of(state, "p:2").reason == "not_spoken_yet"

    def test_process_points_before_the_list(self):
        state = rules.raise_hand(State(), "p:1")
        state = rules.raise_hand(state, "p:2", HandKind.DIRECT)
        state = rules.raise_hand(state, "p:3", HandKind.TECHNICAL)
        assert [h.kind for h in rules.queue(state)] == [HandKind.TECHNICAL, HandKind.DIRECT,
                                                        HandKind.SPEAK]
        state = rules.next_speaker(state)
        assert state.speaker == "p:3" and state.turns_of("p:3") == 0

    def test_twice_is_refused(self):
        state = rules.raise_hand(State(), "n:Marie")
        with pytest.raises(Refusal):
            rules.raise_hand(state, "n:Marie")
        rules.raise_hand(state, "n:Marie", HandKind.CLARIFYING)  # a process point is apart

    def test_skip_and_put_back_keep_the_place(self):
        state = State()
        for who in ("p:1", "p:2", "p:3"):
            state = rules.raise_hand(state, who)
        state = rules.skip(state, "p:1")
        assert [h.who for h in rules.queue(state)] == ["p:2", "p:3"]
        state = rules.put_back(state, "p:1")
        assert [h.who for h in rules.queue(state)] == ["p:1", "p:2", "p:3"]

    def test_reset_turns_per_item(self):
        state = rules.next_speaker(rules.raise_hand(State(), "p:1"))
        assert rules.reset_turns(state).turns_of("p:1") == 0

    def test_empty_list_and_nothing_to_undo(self):
        with pytest.raises(Refusal):
            rules.next_speaker(State())
        with pytest.raises(Refusal):
            rules.undo(State())

    def test_undo_depth_is_bounded(self):
        state = State()
        for i in range(rules.UNDO_DEPTH + 20):
            state = rules.raise_hand(state, f"p:{i}")
        depth, cursor = 0, state
        while cursor.previous is not None:
            depth, cursor = depth + 1, cursor.previous
        assert depth <= rules.UNDO_DEPTH


class TestStatistics:
    def test_gini(self):
        assert rules.gini([10, 10, 10]) == pytest.approx(0)
        assert rules.gini([0, 0, 0, 100]) == pytest.approx(0.75)
        assert rules.gini([]) == 0

    @given(st.lists(st.floats(min_value=0, max_value=10_000), min_size=1, max_size=50))
    def test_gini_between_0_and_1(self, values):
        assert 0 <= rules.gini(values) < 1 + 1e-9

    def test_top_fifth(self):
        assert rules.top_fifth_share([50, 10, 10, 10, 20]) == pytest.approx(0.5)
        assert rules.top_fifth_share([5] * 10) == pytest.approx(0.2)

    def test_categories_only_in_groups_of_five(self):
        rows = [("a", 10)] * 5 + [("b", 3)] * 4
        assert rules.aggregate_categories(rows) == {"a": (5, 50)}


class TestRoleRotation:
    def test_never_held_first_by_name_then_held_longest_ago(self):
        candidates = [(1, "Zoé"), (2, "Ana"), (3, "Bob"), (4, "Céline")]
        assert rules.rotation(candidates, {3: 5, 2: 1}) == [4, 1, 2, 3]

    def test_everyone_is_offered_once(self):
        candidates = [(n, f"Person {n:02}") for n in range(1, 13)]
        ranked = rules.rotation(candidates, {n: n for n in range(1, 13, 2)})
        assert sorted(ranked) == list(range(1, 13))
        assert ranked[:3] == [2, 4, 6]

    def test_nobody(self):
        assert rules.rotation([], {1: 3}) == []
        assert rules.role_suggestions([], {}, {1, 2}) == ([], [])

    def test_everyone_present_is_suggested_least_recently_in_the_role_first(self):
        """The suggestions were the first three of the rotation: with six people in the
        room, three of them could only be found among everyone else."""
        candidates = [(n, f"Person {n:02}") for n in range(1, 11)]
        held = {1: 5, 2: 1, 3: 9}
        present = {1, 2, 3, 4, 5, 6}
        here, others = rules.role_suggestions(candidates, held, present)
        assert here == [4, 5, 6, 2, 1, 3]  # never held it (by name), then longest ago
        assert others == [7, 8, 9, 10]

    @given(st.lists(st.integers(1, 40), unique=True, max_size=25),
           st.dictionaries(st.integers(1, 40), st.integers(0, 100), max_size=20),
           st.sets(st.integers(1, 60), max_size=30))
    def test_suggestions_and_others_share_everyone_out(self, ids, held, present):
        candidates = [(n, f"P{n:02}") for n in ids]
        here, others = rules.role_suggestions(candidates, held, present)
        assert set(here) == set(ids) & present and set(others) == set(ids) - present
        # Both parts keep the rotation's order.
        order = rules.rotation(candidates, held)
        assert here == [n for n in order if n in present]
        assert others == [n for n in order if n not in present]
