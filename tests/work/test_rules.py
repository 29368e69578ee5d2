"""Rotation planner (DOMAIN.md R12, R13): properties on random inputs, examples, fairness."""

import random
from collections import Counter, defaultdict
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from autogestion.work.rules import (
    EVERYONE_UNAVAILABLE,
    HOLDER,
    LEARNER,
    NOBODY_CAPABLE,
    STREAK_LIMIT,
    Assignment,
    Past,
    Post,
    Shift,
    Skill,
    Unavailable,
    Wish,
    load_spread,
    longest_streak,
    match,
    plan,
    posts_at_risk,
    round_robin,
    teaching_pairs,
    topic_key,
    violations,
)

START = date(2025, 3, 3)
PEOPLE = [f"p{k}" for k in range(6)]


@st.composite
def worlds(draw):
    n_posts = draw(st.integers(1, 3))
    n_shifts = draw(st.integers(1, 8))
    posts = []
    for j in range(n_posts):
        # Some posts are held only on some shifts (the Saturday market stall).
        held_on = None
        if draw(st.booleans()):
            held_on = frozenset(f"s{d}" for d in range(n_shifts) if draw(st.booleans()))
        posts.append(Post(f"post{j}", f"Post {j}", draw(st.integers(1, 2)), held_on))
    people = PEOPLE[: draw(st.integers(1, len(PEOPLE)))]
    skills = []
    for person in people:
        for post in posts:
            level = draw(st.sampled_from([None, None, "capable", "learning", "teaching"]))
            if level:
                skills.append(Skill(person, post.id, level))
    shifts = [Shift(f"s{d}", START + timedelta(days=d)) for d in range(n_shifts)]
    draw(st.randoms()).shuffle(shifts)  # input order must not matter
    unavailable = [
        Unavailable(p, s.id) for p in people for s in shifts if draw(st.integers(0, 4)) == 0
    ]
    max_streak = draw(st.integers(1, 3))
    history = []
    for back in range(1, draw(st.integers(0, 3)) + 1):
        for post in posts:
            if people and draw(st.booleans()):
                person = draw(st.sampled_from(people))
                if all(
                    h.person_id != person or h.start != START - timedelta(days=back)
                    for h in history
                ):
                    history.append(Past(START - timedelta(days=back), post.id, person))
    return posts, shifts, skills, unavailable, max_streak, history


def _ordered_ids(shifts):
    return [s.id for s in sorted(shifts, key=lambda s: (s.start, s.id))]


def _runs(result, shifts, history):
    """Longest consecutive run per (person, post), trailing history included."""
    past_days = sorted({h.start for h in history})
    timeline = [{h.person_id: h.post_id for h in history if h.start == d} for d in past_days]
    for sid in _ordered_ids(shifts):
        timeline.append(
            {
                a.person_id: a.post_id
                for a in result.assignments
                if a.shift_id == sid and a.role == HOLDER
            }
        )
    best, run = 0, defaultdict(int)
    for held in timeline:
        run = defaultdict(int, {k: run[k] + 1 for k in held.items()})
        run.update({k: 1 for k in held.items() if run[k] == 0})
        best = max([best, *run.values()])
    return best


@settings(max_examples=200, deadline=None)
@given(worlds())
def test_every_constraint_holds(world):
    posts, shifts, skills, unavailable, max_streak, history = world
    result = plan(posts, shifts, skills, unavailable, max_streak, history)
    capable = {(s.person_id, s.post_id) for s in skills if s.level in ("capable", "teaching")}
    learning = {(s.person_id, s.post_id) for s in skills if s.level == "learning"}
    away = {(u.person_id, u.shift_id) for u in unavailable}
    holders = Counter((a.shift_id, a.post_id) for a in result.assignments if a.role == HOLDER)
    per_shift = Counter((a.shift_id, a.person_id) for a in result.assignments)

    for a in result.assignments:
        assert a.reason
        assert (a.person_id, a.shift_id) not in away
        if a.role == HOLDER:
            assert (a.person_id, a.post_id) in capable
        else:
            assert a.role == LEARNER
            assert (a.person_id, a.post_id) in learning
            assert holders[(a.shift_id, a.post_id)] >= 1  # beside a capable holder
            assert a.details["holder"] != a.person_id
    assert max(per_shift.values(), default=0) <= 1  # nobody twice in one shift
    assert _runs(result, shifts, history) <= max(max_streak, _runs(plan([], [], []), [], history))
    gaps = {(g.shift_id, g.post_id): g for g in result.gaps}
    assert len(gaps) == len(result.gaps)
    for shift in shifts:
        for post in posts:
            n = holders[(shift.id, post.id)]
            if not post.held(shift.id):
                assert n == 0 and (shift.id, post.id) not in gaps
                assert not [a for a in result.assignments
                            if (a.shift_id, a.post_id) == (shift.id, post.id)]
                continue
            assert n <= post.needed
            if n < post.needed:
                gap = gaps[(shift.id, post.id)]
                assert gap.missing == post.needed - n
                assert gap.reason
            else:
                assert (shift.id, post.id) not in gaps
    assert violations(result, posts, skills, unavailable, None, history) == []
    # Deterministic, whatever the input order.
    again = plan(
        list(reversed(posts)),
        sorted(shifts, key=lambda s: s.id),
        list(reversed(skills)),
        list(reversed(unavailable)),
        max_streak,
        list(reversed(history)),
    )
    assert again == result
    assert [a.details for a in again.assignments] == [a.details for a in result.assignments]


@settings(max_examples=100, deadline=None)
@given(worlds())
def test_round_robin_respects_capability_and_unavailability(world):
    posts, shifts, skills, unavailable, _, _ = world
    result = round_robin(posts, shifts, skills, unavailable)
    assert violations(result, posts, skills, unavailable) == []


def test_streak_limit_counts_history_and_is_reported():
    posts = [Post("bar", "Bar")]
    skills = [Skill("ana", "bar", "capable")]
    shifts = [Shift(f"s{d}", START + timedelta(days=d)) for d in range(3)]
    history = [Past(START - timedelta(days=1), "bar", "ana")]
    result = plan(posts, shifts, skills, max_streak=2, history=history)
    assert [a.shift_id for a in result.assignments] == ["s0", "s2"]
    assert result.assignments[0].reason == "only_capable"
    [gap] = result.gaps
    assert (gap.shift_id, gap.post_id, gap.reason) == ("s1", "bar", STREAK_LIMIT)
    assert gap.details["streak_limit"] == ("ana",)


def test_impossible_input_says_which_post_and_why():
    posts = [Post("kitchen", "Kitchen"), Post("accounts", "Accounts"), Post("bar", "Bar")]
    skills = [
        Skill("ana", "kitchen", "capable"),
        Skill("ben", "kitchen", "learning"),  # a learner alone never holds
        Skill("cleo", "bar", "capable"),
    ]
    shifts = [Shift("mon", START)]
    unavailable = [Unavailable("cleo", "mon")]
    result = plan(posts, shifts, skills, unavailable, max_streak=1)
    reasons = {g.post_id: g.reason for g in result.gaps}
    assert reasons == {"accounts": NOBODY_CAPABLE, "bar": EVERYONE_UNAVAILABLE}
    assert {(a.post_id, a.person_id, a.role) for a in result.assignments} == {
        ("kitchen", "ana", HOLDER),
        ("kitchen", "ben", LEARNER),
    }
    learner = next(a for a in result.assignments if a.role == LEARNER)
    assert learner.reason == "learner_paired_with"
    assert learner.details["holder"] == "ana"


def test_least_loaded_first_and_reasons():
    posts = [Post("bar", "Bar")]
    skills = [Skill(p, "bar", "capable") for p in ("ana", "ben", "cleo")]
    shifts = [Shift(f"s{d}", START + timedelta(days=d)) for d in range(6)]
    result = plan(posts, shifts, skills, max_streak=3)
    assert [a.person_id for a in result.assignments] == ["ana", "ben", "cleo"] * 2
    assert result.assignments[0].reason == "id_order"
    assert result.assignments[2].reason == "least_load"
    assert result.assignments[3].reason == "longest_since"
    assert load_spread(result) == 0
    assert longest_streak(result) == 1


def test_posts_at_risk():
    posts = [Post("kitchen"), Post("accounts"), Post("bar")]
    skills = [
        Skill("ana", "kitchen", "capable"),
        Skill("ben", "kitchen", "teaching"),
        Skill("cleo", "bar", "teaching"),
        Skill("dan", "bar", "learning"),
        Skill("dan", "accounts", "learning"),
    ]
    assert posts_at_risk(posts, skills) == [("accounts", 0), ("bar", 1)]
    assert posts_at_risk(posts, skills, minimum=1) == [("accounts", 0)]


def test_teaching_pairs():
    skills = [
        Skill("ana", "kitchen", "teaching"),
        Skill("ben", "kitchen", "learning"),
        Skill("cleo", "kitchen", "learning"),
        Skill("dan", "kitchen", "capable"),  # capable but does not teach
        Skill("dan", "bar", "learning"),  # nobody teaches the bar
    ]
    assert teaching_pairs(skills) == [("ana", "ben", "kitchen"), ("ana", "cleo", "kitchen")]


def _realistic(seed, n_posts=4, n_people=10, days=28):
    rng = random.Random(seed)
    posts = [Post(f"post{j}", f"Post {j}") for j in range(n_posts)]
    people = [f"p{k:02d}" for k in range(n_people)]
    skills = []
    for person in people:
        for j in rng.sample(range(n_posts), rng.choice([1, 1, 2, 2, 3])):
            skills.append(Skill(person, f"post{j}", rng.choice(["capable", "teaching"])))
    shifts = [Shift(f"d{d:02d}", START + timedelta(days=d)) for d in range(days)]
    unavailable = [Unavailable(p, s.id) for p in people for s in shifts if rng.random() < 0.1]
    return posts, shifts, skills, unavailable


def test_fairer_than_round_robin():
    """4 posts, 10 people, 28 daily shifts, ~10 % unavailability, on every seed tried:
    the planner spreads the load strictly better than a naive round robin, never leaves
    more gaps, and keeps streaks within max_streak (round robin has no such bound; it is
    sometimes luckier on streaks, so the comparison on streaks is the bound itself)."""
    for seed in range(16):
        posts, shifts, skills, unavailable = _realistic(seed)
        ours = plan(posts, shifts, skills, unavailable, max_streak=2)
        naive = round_robin(posts, shifts, skills, unavailable)
        assert load_spread(ours) < load_spread(naive)
        assert len(ours.gaps) <= len(naive.gaps) or longest_streak(naive) > 2
        assert longest_streak(ours) <= 2


def test_posts_at_risk_use_each_posts_own_minimum():
    posts = [Post("milking", capable_needed=3), Post("market", capable_needed=1)]
    skills = [Skill("ana", "milking", "capable"), Skill("ben", "milking", "teaching"),
              Skill("ana", "market", "capable")]
    assert posts_at_risk(posts, skills) == [("milking", 2)]


def test_a_post_is_only_held_on_its_shifts_and_a_hand_edit_there_is_flagged():
    posts = [Post("market", "Market", 1, frozenset({"sat"})), Post("milk", "Milk")]
    skills = [Skill("ana", "market", "capable"), Skill("ana", "milk", "capable"),
              Skill("ben", "milk", "capable")]
    shifts = [Shift("fri", START), Shift("sat", START + timedelta(days=1))]
    result = plan(posts, shifts, skills)
    assert {(a.shift_id, a.post_id) for a in result.assignments} == {
        ("fri", "milk"), ("sat", "milk"), ("sat", "market")}
    assert result.gaps == ()
    edited = result.__class__(
        (*result.assignments, Assignment("fri", "market", "ben", HOLDER, "by_hand")),
        result.gaps, result.shift_order, result.people)
    assert ("post_not_held", "fri", "market", "ben") in violations(edited, posts, skills)


def test_the_reason_names_what_tipped_the_choice():
    """Same load in the period, but Ben held the post yesterday: his run counts as load,
    and the reason says it was the run, not the load, that decided."""
    posts = [Post("milk", "Milk")]
    skills = [Skill("ana", "milk", "capable"), Skill("ben", "milk", "capable")]
    history = [Past(START - timedelta(days=2), "milk", "ana"),
               Past(START - timedelta(days=1), "milk", "ben")]
    [first] = plan(posts, [Shift("s0", START)], skills, max_streak=3, history=history).assignments
    assert first.person_id == "ana" and first.reason == "shortest_streak"
    assert (first.details["load_before"], first.details["next_load"]) == (0, 0)
    assert first.details["next_streak"] == 1


# --- teach and learn (R13) -------------------------------------------------------------

SUBJECTS = ["bread", "bikes", "post:1", "post:2"]


@st.composite
def wish_lists(draw):
    people = PEOPLE[: draw(st.integers(1, len(PEOPLE)))]
    wishes = [Wish(p, kind, subject) for p in people for subject in SUBJECTS
              for kind in ("teach", "learn") if draw(st.integers(0, 3)) == 0]
    skills = [Skill(p, subject, draw(st.sampled_from(["capable", "learning", "teaching"])))
              for p in people for subject in SUBJECTS[2:] if draw(st.integers(0, 3)) == 0]
    return wishes, skills


@settings(max_examples=150, deadline=None)
@given(wish_lists())
def test_matching_pairs_a_teacher_with_each_learner_who_can_have_one(lists):
    wishes, skills = lists
    pairs = match(wishes, skills)
    teaches = {(w.person_id, w.subject) for w in wishes if w.kind == "teach"} | {
        (s.person_id, s.post_id) for s in skills if s.level == "teaching"}
    wants = {(w.person_id, w.subject) for w in wishes if w.kind == "learn"} | {
        (s.person_id, s.post_id) for s in skills if s.level == "learning"}
    seen = Counter((p.learner, p.subject) for p in pairs)
    assert max(seen.values(), default=0) <= 1  # deduplicated
    for p in pairs:
        assert p.teacher != p.learner
        assert (p.teacher, p.subject) in teaches and (p.learner, p.subject) in wants
        assert (p.learner, p.subject) not in teaches
        assert p.teacher not in p.others
        assert all((o, p.subject) in teaches and o != p.learner for o in p.others)
        assert all((p.teacher, a) in teaches and (p.learner, a) in wants for a in p.also)
    for learner, subject in wants - teaches:
        if any(t != learner for t, s in teaches if s == subject):
            assert (learner, subject) in seen
    assert match(list(reversed(wishes)), list(reversed(skills))) == pairs


def test_matching_spreads_the_teaching():
    teachers = ["t1", "t2", "t3"]
    wishes = [Wish(t, "teach", s) for t in teachers for s in SUBJECTS]
    wishes += [Wish(f"l{k}", "learn", s) for k in range(5) for s in SUBJECTS[:2]]
    pairs = match(wishes)
    assert len(pairs) == 10
    per_teacher = Counter(p.teacher for p in pairs)
    assert max(per_teacher.values()) - min(per_teacher.values()) <= 1
    # A line and a skill saying the same thing are one pairing.
    both = match([Wish("ana", "teach", "post:1"), Wish("ben", "learn", "post:1")],
                 [Skill("ana", "post:1", "teaching"), Skill("ben", "post:1", "learning")])
    assert both == [rules_pairing("ana", "ben", "post:1")]


def rules_pairing(teacher, learner, subject, others=(), also=()):
    from autogestion.work.rules import Pairing

    return Pairing(teacher, learner, subject, tuple(others), tuple(also))


def test_matching_tells_what_else_the_teacher_could_teach():
    wishes = [Wish("ana", "teach", "bread"), Wish("ana", "teach", "bikes"),
              Wish("ben", "learn", "bread"), Wish("ben", "learn", "bikes"),
              Wish("cleo", "teach", "bread")]
    pairs = {p.subject: p for p in match(wishes)}
    assert pairs["bikes"].teacher == "ana" and pairs["bikes"].also == ("bread",)
    # Ana already teaches Ben bikes: bread goes to Cleo, the less busy teacher.
    assert pairs["bread"].teacher == "cleo" and pairs["bread"].others == ("ana",)


def test_topic_keys():
    assert topic_key("  Réparation de   VÉLOS ") == "reparation de velos"
    assert topic_key("Straße") == topic_key("STRASSE")
    assert topic_key("Comptabilité") == topic_key("comptabilite")
    assert topic_key("   ") == ""
