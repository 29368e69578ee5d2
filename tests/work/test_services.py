"""Work services against the database (DOMAIN.md R12, R13): refusals say what to change
and write nothing; impossible rotations give gaps with reasons, not errors; runs on a
post carry over from the previous published rotation; hand edits are checked."""

from datetime import date, datetime, timedelta

import pytest

from autogestion.cooperatives import services as bodies
from autogestion.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from autogestion.work import queries, rules, services
from autogestion.work.models import (
    Assignment,
    Gap,
    Knowledge,
    Post,
    Rotation,
    Skill,
    TrainingSession,
    Unavailability,
)
from tests.support.services import refused_unchanged

from .conftest import NEXT_MONDAY, NOW, PARIS

pytestmark = pytest.mark.django_db


def counts():
    return tuple(m.objects.count() for m in (Post, Skill, Unavailability, Rotation, Assignment,
                                             Gap, Knowledge, TrainingSession))


def refused(exc_type, call, **kwargs):
    return refused_unchanged(exc_type, call, counts, **kwargs)


def propose(farm, **extra):
    return services.propose_rotation(actor=farm["coordinator"], body=farm["coop"],
                                     first_day=extra.pop("first_day", NEXT_MONDAY), **extra)


def grid(rotation):
    return {(a.day, a.post_id, a.role): a for a in rotation.assignments.all()}


# Posts -------------------------------------------------------------------------------

class TestPosts:
    def test_coordinators_define_posts(self, farm):
        post = services.create_post(actor=farm["coordinator"], body=farm["coop"],
                                    name="  Welcome desk ", weekdays="6,3")
        assert (post.name, post.weekdays, post.holders, post.capable_needed) == (
            "Welcome desk", "36", 1, 2)

    def test_a_member_does_not(self, farm):
        error = refused(PermissionDenied, services.create_post, actor=farm["member"],
                        body=farm["coop"], name="Cheese")
        assert "coordinators" in str(error)

    @pytest.mark.parametrize("fields, field", [
        ({"name": ""}, "name"), ({"name": "x" * 121}, "name"),
        ({"name": "A", "weekdays": "8"}, "weekdays"), ({"name": "A", "weekdays": ""}, "weekdays"),
        ({"name": "A", "holders": 0}, "holders"), ({"name": "A", "capable_needed": 0},
                                                  "capable_needed"),
    ])
    def test_bad_fields(self, farm, fields, field):
        error = refused(DomainError, services.create_post, actor=farm["coordinator"],
                        body=farm["coop"], **fields)
        assert error.field == field and error.status == 400

    def test_names_are_unique_in_a_body_whatever_the_case(self, farm):
        error = refused(Conflict, services.create_post, actor=farm["coordinator"],
                        body=farm["coop"], name="MILKING")
        assert error.field == "name"
        error = refused(Conflict, services.update_post, actor=farm["coordinator"],
                        post_id=farm["market"].pk, name="milking")

    def test_update_and_retire(self, farm):
        post = services.update_post(actor=farm["coordinator"], post_id=farm["market"].pk,
                                    holders=3, weekdays=[6, 7])
        assert (post.holders, post.weekdays) == (3, "67")
        services.retire_post(actor=farm["coordinator"], post_id=post.pk)
        rotation = propose(farm)
        assert not rotation.assignments.filter(post=post).exists()
        refused(PermissionDenied, services.retire_post, actor=farm["member"],
                post_id=farm["milking"].pk)


# Skills ------------------------------------------------------------------------------

class TestSkills:
    def test_declaring_for_another_member_is_refused(self, farm):
        error = refused(PermissionDenied, services.declare_skill, actor=farm["member"],
                        post_id=farm["milking"].pk, level="capable", person=farm["ana"])
        assert error.status == 403 and "your own" in str(error)

    def test_outsiders_and_bad_levels(self, farm):
        refused(PermissionDenied, services.declare_skill, actor=farm["outsider"],
                post_id=farm["milking"].pk, level="capable")
        error = refused(DomainError, services.declare_skill, actor=farm["member"],
                        post_id=farm["milking"].pk, level="expert")
        assert error.field == "level"
        refused(NotFound, services.declare_skill, actor=farm["member"], post_id=10**9,
                level="capable")

    def test_a_new_level_clears_the_confirmation(self, farm):
        skill = Skill.objects.get(person=farm["ben"], post=farm["milking"])
        services.confirm_skill(actor=farm["coordinator"], skill_id=skill.pk)
        same = services.declare_skill(actor=farm["ben"], post_id=farm["milking"].pk,
                                      level="capable")
        assert same.confirmed_by == farm["coordinator"]
        changed = services.declare_skill(actor=farm["ben"], post_id=farm["milking"].pk,
                                         level="teaching")
        changed.refresh_from_db()
        assert changed.level == "teaching" and changed.confirmed_at is None

    def test_confirm(self, farm):
        skill = Skill.objects.get(person=farm["ana"], post=farm["milking"])
        refused(PermissionDenied, services.confirm_skill, actor=farm["member"],
                skill_id=skill.pk)
        refused(PermissionDenied, services.confirm_skill, actor=farm["other_coordinator"],
                skill_id=skill.pk)
        bodies.leave_body(person=farm["ana"], body=farm["coop"])
        error = refused(Conflict, services.confirm_skill, actor=farm["coordinator"],
                        skill_id=skill.pk)
        assert "not a member" in str(error)

    def test_retired_posts_and_withdrawal(self, farm):
        services.retire_post(actor=farm["coordinator"], post_id=farm["accounts"].pk)
        refused(Conflict, services.declare_skill, actor=farm["dan"],
                post_id=farm["accounts"].pk, level="learning")
        services.withdraw_skill(actor=farm["ana"], post_id=farm["market"].pk)
        assert not Skill.objects.filter(person=farm["ana"], post=farm["market"]).exists()
        refused(NotFound, services.withdraw_skill, actor=farm["ana"],
                post_id=farm["market"].pk)

    def test_posts_at_risk_and_who_could_train_whom(self, farm):
        home = queries.work_home(farm["coop"], farm["member"])
        assert [r.post.name for r in home.at_risk] == ["Bookkeeping"]
        assert [(p.teacher, p.learner, p.subject) for p in home.pairs] == [
            ("Ana", "Cleo", "Milking")]


# Unavailability ----------------------------------------------------------------------

class TestUnavailability:
    def test_own_days_to_come(self, farm):
        services.declare_unavailability(actor=farm["ana"], body=farm["coop"],
                                        first_day=NEXT_MONDAY, last_day=NEXT_MONDAY)
        refused(DomainError, services.declare_unavailability, actor=farm["ana"],
                body=farm["coop"], first_day=date(2026, 3, 1), last_day=date(2026, 3, 2))
        error = refused(DomainError, services.declare_unavailability, actor=farm["ana"],
                        body=farm["coop"], first_day=NEXT_MONDAY,
                        last_day=NEXT_MONDAY - timedelta(days=1))
        assert error.field == "last_day"
        refused(PermissionDenied, services.declare_unavailability, actor=farm["outsider"],
                body=farm["coop"], first_day=NEXT_MONDAY, last_day=NEXT_MONDAY)

    def test_only_the_person_withdraws(self, farm):
        away = services.declare_unavailability(actor=farm["ana"], body=farm["coop"],
                                               first_day=NEXT_MONDAY, last_day=NEXT_MONDAY)
        refused(PermissionDenied, services.withdraw_unavailability, actor=farm["coordinator"],
                unavailability_id=away.pk)
        services.withdraw_unavailability(actor=farm["ana"], unavailability_id=away.pk)
        assert not Unavailability.objects.exists()


# Rotations ---------------------------------------------------------------------------

class TestPropose:
    def test_a_week_follows_the_rules(self, farm):
        services.declare_unavailability(actor=farm["ana"], body=farm["coop"],
                                        first_day=NEXT_MONDAY, last_day=NEXT_MONDAY)
        rotation = propose(farm)
        assert (rotation.first_day, rotation.last_day, rotation.status) == (
            NEXT_MONDAY, NEXT_MONDAY + timedelta(days=6), "draft")
        rows = list(rotation.assignments.all())
        assert queries.check_rotation(rotation) == []
        # The market stall only on Saturday, by two; bookkeeping only on Monday.
        assert {a.day.isoweekday() for a in rows if a.post == farm["market"]
                and a.role == "holder"} == {6}
        assert len([a for a in rows if a.post == farm["market"] and a.role == "holder"]) == 2
        assert [a.person for a in rows if a.post == farm["accounts"]] == [farm["cleo"]]
        # Ana said she is away on Monday.
        assert not [a for a in rows if a.person == farm["ana"] and a.day == NEXT_MONDAY]
        monday = grid(rotation)[(NEXT_MONDAY, farm["milking"].pk, "holder")]
        assert monday.person == farm["ben"] and monday.reason == rules.ONLY_CAPABLE
        # Cleo learns milking beside a holder when she is free.
        learners = [a for a in rows if a.role == "learner" and a.post == farm["milking"]]
        assert learners and all(a.person == farm["cleo"] for a in learners)
        assert not rotation.gaps.exists()

    def test_impossible_constraints_give_gaps_with_reasons(self, farm):
        cheese = services.create_post(actor=farm["coordinator"], body=farm["coop"],
                                      name="Cheese dairy")
        for person in (farm["ana"], farm["ben"]):
            services.declare_unavailability(actor=person, body=farm["coop"],
                                            first_day=NEXT_MONDAY + timedelta(days=1),
                                            last_day=NEXT_MONDAY + timedelta(days=1))
        rotation = propose(farm)
        gaps = {(g.day, g.post_id): g for g in rotation.gaps.all()}
        assert len([g for g in gaps.values() if g.post_id == cheese.pk]) == 7
        assert gaps[(NEXT_MONDAY, cheese.pk)].reason == rules.NOBODY_CAPABLE
        tuesday = gaps[(NEXT_MONDAY + timedelta(days=1), farm["milking"].pk)]
        assert tuesday.reason == rules.EVERYONE_UNAVAILABLE
        page = queries.rotation_page(rotation)
        texts = {(g.day, g.post.pk): g.why for g in page.gaps}
        assert texts[(NEXT_MONDAY, cheese.pk)] == (
            "nobody is capable of Cheese dairy: declare skills or train someone")
        assert texts[tuesday.day, farm["milking"].pk] == (
            "every capable person is unavailable that day (Ana, Ben)")

    def test_explanations(self, farm):
        rotation = propose(farm)
        page = queries.rotation_page(rotation)
        whys = {p.why for d in page.days for c in d.cells for p in (*c.holders, *c.learners)}
        assert "learning beside Ana, who teaches it" in whys or "learning beside Ben" in whys
        assert any(w.startswith("least load so far") for w in whys)
        # Sunday: Ana has held more days, but Ben has milked on Saturday: rotating first.
        sunday = page.days[-1].cells[2]
        assert sunday.post == farm["milking"]
        assert [p.why for p in sunday.holders] == [
            "4 days against 3 for the next one, but they have held this post 1 day in a "
            "row: rotating first"]
        assert [p.why for p in page.days[1].cells[2].holders] == [
            "least load so far: 0 days against 1 for the others"]
        assert [p.why for p in page.days[0].cells[2].holders] == [
            "equal with the others on every count: taken in a fixed order"]

    def test_runs_carry_over_from_the_published_rotation(self, farm):
        """Only Ana can milk, two days in a row at most: the last day of the published
        week counts, so the second day of the next week is left open."""
        services.withdraw_skill(actor=farm["ben"], post_id=farm["milking"].pk)
        first = propose(farm, max_streak=2)
        services.publish_rotation(actor=farm["coordinator"], rotation_id=first.pk)
        milked = sorted(a.day for a in first.assignments.filter(post=farm["milking"],
                                                                role="holder"))
        assert milked[-1] == first.last_day  # Sunday: Ana, after a gap on Saturday
        second = propose(farm, first_day=first.last_day + timedelta(days=1), max_streak=2)
        days = sorted(a.day for a in second.assignments.filter(post=farm["milking"],
                                                               role="holder"))
        assert second.first_day in days
        assert second.first_day + timedelta(days=1) not in days
        gap = second.gaps.get(day=second.first_day + timedelta(days=1), post=farm["milking"])
        assert gap.reason == rules.STREAK_LIMIT
        # Without the published week, Ana would have milked both days.
        Rotation.objects.filter(pk=first.pk).delete()
        third = propose(farm, first_day=second.first_day, max_streak=2)
        assert third.assignments.filter(post=farm["milking"], role="holder",
                                        day=third.first_day + timedelta(days=1)).exists()

    def test_a_new_proposal_replaces_the_draft(self, farm):
        first = propose(farm)
        second = propose(farm, first_day=NEXT_MONDAY + timedelta(days=2))
        assert queries.rotations_of(farm["coop"]) == [second]
        first.refresh_from_db()
        assert first.status == "discarded"
        assert [(e.from_status, e.to_status, e.actor, e.reason) for e in first.events.all()] == [
            ("", "draft", farm["coordinator"], ""),
            ("draft", "discarded", farm["coordinator"],
             "Replaced by a new proposal over the same days.")]

    def test_refusals(self, farm):
        refused(PermissionDenied, services.propose_rotation, actor=farm["member"],
                body=farm["coop"], first_day=NEXT_MONDAY)
        refused(DomainError, services.propose_rotation, actor=farm["coordinator"],
                body=farm["coop"], first_day=date(2026, 3, 1))
        error = refused(DomainError, services.propose_rotation, actor=farm["coordinator"],
                        body=farm["coop"], first_day=NEXT_MONDAY, period="year")
        assert error.field == "period"
        refused(DomainError, services.propose_rotation, actor=farm["coordinator"],
                body=farm["coop"], first_day=NEXT_MONDAY,
                last_day=NEXT_MONDAY + timedelta(days=90))
        refused(DomainError, services.propose_rotation, actor=farm["coordinator"],
                body=farm["coop"], first_day=NEXT_MONDAY, max_streak=0)
        error = refused(DomainError, services.propose_rotation, actor=farm["coordinator"],
                        body=farm["open_group"], first_day=NEXT_MONDAY)
        assert "no posts" in str(error)

    def test_the_current_week_on_its_last_day(self, farm, frozen_clock):
        frozen_clock(datetime(2026, 3, 15, 21, 0, tzinfo=PARIS))  # Sunday evening
        rotation = propose(farm, first_day=date(2026, 3, 9))
        assert rotation.last_day == date(2026, 3, 15)
        services.publish_rotation(actor=farm["coordinator"], rotation_id=rotation.pk)

    def test_a_month(self, farm):
        rotation = propose(farm, first_day=date(2026, 4, 1), period="month")
        assert rotation.last_day == date(2026, 4, 30)


class TestHandEdits:
    @pytest.fixture
    def rotation(self, farm):
        return propose(farm)

    def holder(self, rotation, day, post):
        return rotation.assignments.get(day=day, post=post, role="holder")

    def test_not_capable_is_refused(self, farm, rotation):
        monday = self.holder(rotation, NEXT_MONDAY, farm["milking"])
        error = refused(DomainError, services.reassign, actor=farm["coordinator"],
                        rotation_id=rotation.pk, assignment_id=monday.pk,
                        person_id=farm["dan"].pk)
        assert "capable" in str(error) and error.field == "person"

    def test_learner_must_be_learning_and_beside_a_holder(self, farm, rotation):
        error = refused(DomainError, services.assign_by_hand, actor=farm["coordinator"],
                        rotation_id=rotation.pk, day=NEXT_MONDAY + timedelta(days=5),
                        post_id=farm["market"].pk, person_id=farm["coordinator"].pk,
                        role="learner")
        assert "learning" in str(error)
        saturday = NEXT_MONDAY + timedelta(days=5)
        learner = rotation.assignments.filter(role="learner", post=farm["milking"]).first()
        holder = self.holder(rotation, learner.day, farm["milking"])
        error = refused(DomainError, services.remove_assignment, actor=farm["coordinator"],
                        rotation_id=rotation.pk, assignment_id=holder.pk)
        assert "beside a holder" in str(error)
        assert saturday

    def test_unavailable_and_twice_a_day(self, farm, rotation):
        tuesday = NEXT_MONDAY + timedelta(days=1)
        services.declare_unavailability(actor=farm["dan"], body=farm["coop"],
                                        first_day=tuesday, last_day=tuesday)
        saturday = NEXT_MONDAY + timedelta(days=5)
        market = list(rotation.assignments.filter(day=saturday, post=farm["market"],
                                                  role="holder"))
        milker = self.holder(rotation, saturday, farm["milking"])
        error = refused(DomainError, services.reassign, actor=farm["coordinator"],
                        rotation_id=rotation.pk, assignment_id=market[0].pk,
                        person_id=milker.person_id)
        assert "already has a place" in str(error)
        services.remove_assignment(actor=farm["coordinator"], rotation_id=rotation.pk,
                                   assignment_id=market[0].pk)
        refused(DomainError, services.assign_by_hand, actor=farm["coordinator"],
                rotation_id=rotation.pk, day=tuesday, post_id=farm["market"].pk,
                person_id=farm["dan"].pk)

    def test_remove_leaves_a_gap_and_filling_it_removes_the_gap(self, farm, rotation):
        saturday = NEXT_MONDAY + timedelta(days=5)
        holders = list(rotation.assignments.filter(day=saturday, post=farm["market"]))
        services.remove_assignment(actor=farm["coordinator"], rotation_id=rotation.pk,
                                   assignment_id=holders[0].pk)
        gap = Gap.objects.get(rotation=rotation, day=saturday, post=farm["market"])
        assert (gap.reason, gap.missing) == (rules.LEFT_OPEN, 1)
        edit = services.assign_by_hand(actor=farm["coordinator"], rotation_id=rotation.pk,
                                       day=saturday, post_id=farm["market"].pk,
                                       person_id=holders[0].person_id)
        assert edit.warnings == [] and edit.assignment.set_by == farm["coordinator"]
        assert not Gap.objects.filter(rotation=rotation, day=saturday).exists()
        page = queries.rotation_page(rotation)
        assert any(p.why == "set by hand by Coordinator" for d in page.days
                   for c in d.cells for p in c.holders)

    def test_a_full_post_and_a_day_it_is_not_held(self, farm, rotation):
        error = refused(Conflict, services.assign_by_hand, actor=farm["coordinator"],
                        rotation_id=rotation.pk, day=NEXT_MONDAY, post_id=farm["milking"].pk,
                        person_id=farm["ana"].pk)
        assert "replace" in str(error)
        error = refused(DomainError, services.assign_by_hand, actor=farm["coordinator"],
                        rotation_id=rotation.pk, day=NEXT_MONDAY + timedelta(days=1),
                        post_id=farm["accounts"].pk, person_id=farm["cleo"].pk)
        assert "not held" in str(error)
        refused(DomainError, services.assign_by_hand, actor=farm["coordinator"],
                rotation_id=rotation.pk, day=NEXT_MONDAY - timedelta(days=1),
                post_id=farm["milking"].pk, person_id=farm["cleo"].pk)
        refused(DomainError, services.assign_by_hand, actor=farm["coordinator"],
                rotation_id=rotation.pk, day=NEXT_MONDAY, post_id=farm["market"].pk,
                person_id=farm["outsider"].pk)

    def test_a_longer_run_is_allowed_with_a_warning(self, farm, rotation):
        """Hand edits may keep someone on a post longer than max_streak: the edit goes
        through, says so, and the page keeps the warning."""
        warnings = []
        for day in queries.days_of(rotation.first_day, rotation.first_day + timedelta(days=3)):
            row = self.holder(rotation, day, farm["milking"])
            if row.person_id != farm["ben"].pk:
                learner = rotation.assignments.filter(day=day, person=farm["ben"]).first()
                if learner:
                    services.remove_assignment(actor=farm["coordinator"],
                                               rotation_id=rotation.pk,
                                               assignment_id=learner.pk)
                warnings += services.reassign(actor=farm["coordinator"],
                                              rotation_id=rotation.pk, assignment_id=row.pk,
                                              person_id=farm["ben"].pk).warnings
        assert warnings and "more days in a row" in warnings[0]
        assert queries.rotation_page(rotation).warnings

    def test_only_coordinators_and_only_drafts(self, farm, rotation):
        monday = self.holder(rotation, NEXT_MONDAY, farm["milking"])
        refused(PermissionDenied, services.remove_assignment, actor=farm["ben"],
                rotation_id=rotation.pk, assignment_id=monday.pk)
        services.publish_rotation(actor=farm["coordinator"], rotation_id=rotation.pk)
        refused(Conflict, services.remove_assignment, actor=farm["coordinator"],
                rotation_id=rotation.pk, assignment_id=monday.pk)


class TestPublish:
    def test_publish_and_overlap(self, farm):
        rotation = propose(farm)
        refused(PermissionDenied, services.publish_rotation, actor=farm["member"],
                rotation_id=rotation.pk)
        services.publish_rotation(actor=farm["coordinator"], rotation_id=rotation.pk)
        rotation.refresh_from_db()
        assert rotation.status == "published" and rotation.published_at == NOW
        refused(Conflict, services.publish_rotation, actor=farm["coordinator"],
                rotation_id=rotation.pk)
        error = refused(Conflict, services.propose_rotation, actor=farm["coordinator"],
                        body=farm["coop"], first_day=NEXT_MONDAY + timedelta(days=3))
        assert "overlap" in str(error)

    def test_two_overlapping_drafts_cannot_both_be_published(self, farm):
        first = propose(farm)
        second = Rotation.objects.create(body=farm["coop"], first_day=NEXT_MONDAY,
                                         last_day=NEXT_MONDAY, created_at=NOW)
        services.publish_rotation(actor=farm["coordinator"], rotation_id=first.pk)
        refused(Conflict, services.publish_rotation, actor=farm["coordinator"],
                rotation_id=second.pk)

    def test_discard(self, farm):
        rotation = propose(farm)
        refused(PermissionDenied, services.discard_rotation, actor=farm["member"],
                rotation_id=rotation.pk)
        services.discard_rotation(actor=farm["coordinator"], rotation_id=rotation.pk)
        rotation.refresh_from_db()
        assert rotation.status == "discarded" and queries.rotations_of(farm["coop"]) == []
        assert [(e.from_status, e.to_status) for e in rotation.events.all()] == [
            ("", "draft"), ("draft", "discarded")]
        for call in (services.discard_rotation, services.publish_rotation):
            error = refused(Conflict, call, actor=farm["coordinator"], rotation_id=rotation.pk)
            assert "discarded" in str(error)

    def test_history_of_a_published_rotation(self, farm):
        """Each change of status is one event, written with it (RotationEvent)."""
        rotation = propose(farm)
        services.publish_rotation(actor=farm["coordinator"], rotation_id=rotation.pk)
        assert [(e.from_status, e.to_status, e.actor, e.at) for e in rotation.events.all()] \
            == [("", "draft", farm["coordinator"], NOW),
                ("draft", "published", farm["coordinator"], NOW)]
        refused(Conflict, services.discard_rotation, actor=farm["coordinator"],
                rotation_id=rotation.pk)
        assert rotation.events.count() == 2


# Teach and learn ---------------------------------------------------------------------

class TestKnowledge:
    def test_topics_are_normalised_and_once(self, farm):
        line = services.add_knowledge(actor=farm["ana"], cooperative=farm["coop"],
                                      kind="teach", topic="  Réparation de   VÉLOS ")
        assert (line.topic, line.topic_key) == ("Réparation de VÉLOS", "reparation de velos")
        error = refused(Conflict, services.add_knowledge, actor=farm["ana"],
                        cooperative=farm["coop"], kind="teach", topic="reparation de velos")
        assert "already" in str(error)
        refused(Conflict, services.add_knowledge, actor=farm["ana"], cooperative=farm["coop"],
                kind="learn", topic="Réparation de vélos")

    def test_refusals(self, farm):
        refused(PermissionDenied, services.add_knowledge, actor=farm["outsider"],
                cooperative=farm["coop"], kind="teach", topic="Bread")
        refused(DomainError, services.add_knowledge, actor=farm["ana"],
                cooperative=farm["coop"], kind="maybe", topic="Bread")
        refused(DomainError, services.add_knowledge, actor=farm["ana"],
                cooperative=farm["coop"], kind="teach", topic="  ")
        refused(DomainError, services.add_knowledge, actor=farm["ana"],
                cooperative=farm["coop"], kind="teach", topic="Bread",
                post_id=farm["milking"].pk)
        other = services.create_post(actor=farm["other_coordinator"], body=farm["other"],
                                     name="Printing")
        error = refused(DomainError, services.add_knowledge, actor=farm["ana"],
                        cooperative=farm["coop"], kind="learn", post_id=other.pk)
        assert error.field == "post"
        refused(DomainError, services.add_knowledge, actor=farm["ana"],
                cooperative=farm["open_group"], kind="learn", topic="Bread")
        line = services.add_knowledge(actor=farm["ana"], cooperative=farm["coop"],
                                      kind="teach", topic="Bread")
        refused(PermissionDenied, services.remove_knowledge, actor=farm["ben"],
                knowledge_id=line.pk)
        services.remove_knowledge(actor=farm["ana"], knowledge_id=line.pk)

    def test_suggested_pairings_mix_lists_and_skills(self, farm):
        for person, kind, topic in ((farm["ana"], "teach", "Boulangerie"),
                                    (farm["ben"], "teach", "boulangerie"),
                                    (farm["dan"], "learn", "BOULANGERIE"),
                                    (farm["member"], "learn", "Boulangerie"),
                                    (farm["dan"], "learn", "Cheese")):
            services.add_knowledge(actor=person, cooperative=farm["coop"], kind=kind,
                                   topic=topic)
        services.add_knowledge(actor=farm["dan"], cooperative=farm["coop"], kind="learn",
                               post_id=farm["milking"].pk)
        found = {(s.teacher, s.learner, s.label) for s in queries.suggestions(farm["coop"])}
        # Only Ana teaches milking (her skill): she gets its two learners, so both
        # learners of bread go to Ben: teaching is spread.
        assert ("Ana", "Cleo", "Milking (CIT)") in found
        assert ("Ana", "Dan", "Milking (CIT)") in found
        bread = {(t, learner) for t, learner, label in found if label == "Boulangerie"}
        assert bread == {("Ben", "Dan"), ("Ben", "Member")}
        dan = next(s for s in queries.suggestions(farm["coop"])
                   if s.learner == "Dan" and s.label == "Boulangerie")
        assert [name for _id, name in dan.others] == ["Ana"]


class TestTraining:
    @pytest.fixture
    def pair(self, farm):
        services.add_knowledge(actor=farm["ana"], cooperative=farm["coop"], kind="teach",
                               topic="Boulangerie")
        services.add_knowledge(actor=farm["dan"], cooperative=farm["coop"], kind="learn",
                               topic="boulangerie")
        return farm

    def schedule(self, farm, **extra):
        values = {"actor": farm["dan"], "cooperative": farm["coop"],
                  "teacher_id": farm["ana"].pk, "learner_id": farm["dan"].pk,
                  "topic": "Boulangerie",
                  "starts_at": datetime(2026, 3, 20, 9, 0, tzinfo=PARIS),
                  "ends_at": datetime(2026, 3, 20, 12, 0, tzinfo=PARIS)}
        return values | extra

    def test_the_learner_schedules_and_the_teacher_cancels(self, pair):
        session = services.schedule_training(**self.schedule(pair, place="Fournil"))
        assert (session.teacher, session.learner, session.topic) == (
            pair["ana"], pair["dan"], "Boulangerie")
        refused(PermissionDenied, services.cancel_training, actor=pair["ben"],
                session_id=session.pk)
        services.cancel_training(actor=pair["ana"], session_id=session.pk)
        assert not TrainingSession.objects.exists()

    def test_for_a_post_taught_by_skill(self, pair):
        session = services.schedule_training(**self.schedule(
            pair, actor=pair["cleo"], learner_id=pair["cleo"].pk, topic="",
            post_id=pair["milking"].pk))
        assert session.post == pair["milking"] and session.topic == "Milking"

    @pytest.mark.parametrize("extra, exc_type, field", [
        ({"actor": "ben"}, PermissionDenied, None),
        ({"teacher_id": "dan"}, DomainError, "learner"),
        ({"ends_at": datetime(2026, 3, 20, 8, 0, tzinfo=PARIS)}, DomainError, "ends_at"),
        ({"starts_at": datetime(2026, 3, 1, 9, 0, tzinfo=PARIS),
          "ends_at": datetime(2026, 3, 1, 10, 0, tzinfo=PARIS)}, DomainError, "starts_at"),
        ({"ends_at": datetime(2026, 3, 21, 9, 0, tzinfo=PARIS)}, DomainError, "ends_at"),
        ({"topic": "Cheese"}, DomainError, "topic"),
        ({"teacher_id": "ben"}, DomainError, "topic"),
        ({"learner_id": "outsider", "actor": "ana"}, DomainError, "learner"),
    ])
    def test_refusals(self, pair, extra, exc_type, field):
        for key in ("actor", "teacher_id", "learner_id"):
            if isinstance(extra.get(key), str):
                person = pair[extra[key]]
                extra[key] = person if key == "actor" else person.pk
        error = refused(exc_type, services.schedule_training, **self.schedule(pair, **extra))
        assert error.field == field

    def test_nobody_learns_what_they_teach(self, pair):
        """The pair must be one rules.match suggests: Cleo declares learning milking but
        also lists it as something she teaches, so she is no learner of it (before: the
        service paired her with Ana all the same)."""
        services.add_knowledge(actor=pair["cleo"], cooperative=pair["coop"], kind="teach",
                               post_id=pair["milking"].pk)
        assert not [s for s in queries.suggestions(pair["coop"])
                    if s.learner_id == pair["cleo"].pk]
        error = refused(DomainError, services.schedule_training, **self.schedule(
            pair, actor=pair["cleo"], learner_id=pair["cleo"].pk, topic="",
            post_id=pair["milking"].pk))
        assert error.field == "post"

    def test_not_twice_at_the_same_time(self, pair):
        services.schedule_training(**self.schedule(pair))
        refused(Conflict, services.schedule_training, **self.schedule(pair))
