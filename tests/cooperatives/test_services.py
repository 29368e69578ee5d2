"""Services against the real database: every write, its refusals, and its history."""

import pytest
from django.db import IntegrityError, transaction

from autogestion.cooperatives import services
from autogestion.cooperatives.models import Body, Membership, MembershipEvent, ProgressUpdate
from autogestion.cooperatives.rules import Kind, Role, Status
from autogestion.core.errors import Conflict, DomainError, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


def current(person, body):
    return Membership.objects.filter(person=person, body=body,
                                     status__in=[Status.PENDING, Status.ACTIVE]).first()


class TestTree:
    def test_ancestors_and_descendants(self, world):
        group = world["open_group"]
        inner = services.create_body(actor=world["coordinator"], kind=Kind.GROUP,
                                     name="Inner", parent=group)
        assert [b.slug for b in inner.ancestors()] == ["reseau", "cit", "accueil"]
        assert inner.enclosing_cooperative() == world["coop"]
        descendants = set(Body.objects.descendants_of(world["coop"])
                          .values_list("slug", flat=True))
        assert descendants == {"accueil", "caisse", "inner"}

    def test_a_group_cannot_sit_in_a_network(self, world):
        with pytest.raises(DomainError, match="cannot be placed"):
            services.create_body(actor=world["operator"], kind=Kind.GROUP, name="Lost",
                                 parent=world["network"])
        assert not Body.objects.filter(name="Lost").exists()

    def test_members_found_groups_only_coordinators_create_the_rest(self, world):
        with pytest.raises(PermissionDenied):
            services.create_body(actor=world["outsider"], kind=Kind.GROUP, name="Mine",
                                 parent=world["coop"])
        with pytest.raises(PermissionDenied):
            services.create_body(actor=world["member"], kind=Kind.COOPERATIVE, name="Sub",
                                 parent=world["network"], legal_form="scop")
        with pytest.raises(PermissionDenied):
            services.create_body(actor=world["coordinator"], kind=Kind.COOPERATIVE,
                                 name="Top", legal_form="scop")

    def test_slug_taken_and_legal_form_required(self, world):
        with pytest.raises(Conflict, match="taken"):
            services.create_body(actor=world["operator"], kind=Kind.NETWORK, name="x",
                                 slug="cit")
        with pytest.raises(DomainError, match="legal form"):
            services.create_body(actor=world["operator"], kind=Kind.COOPERATIVE, name="Y")

    def test_database_refuses_a_group_without_parent(self, world):
        with pytest.raises(IntegrityError), transaction.atomic():
            Body.objects.create(kind=Kind.GROUP, name="orphan", slug="orphan", path="/x/")

    def test_database_refuses_a_college_weight_out_of_bounds(self, world):
        with pytest.raises(IntegrityError), transaction.atomic():
            world["scic"].colleges.create(name="Heavy", weight_percent=60)
        with pytest.raises(DomainError, match="10 % and 50 %"):
            services.add_college(actor=world["operator"], cooperative=world["scic"],
                                 name="Light", weight_percent=5)


class TestJoining:
    def test_open_group_directly(self, world, make_person):
        newcomer = make_person()
        services.join_body(person=newcomer, body=world["coop"])
        m = services.join_body(person=newcomer, body=world["open_group"])
        assert m.status == Status.ACTIVE and m.joined_at is not None
        assert [e.kind for e in m.events.all()] == ["joined"]

    def test_group_requires_the_cooperative(self, world):
        with pytest.raises(DomainError, match="cooperative this group belongs to"):
            services.join_body(person=world["outsider"], body=world["open_group"])
        assert current(world["outsider"], world["open_group"]) is None

    def test_twice_is_a_conflict_and_writes_nothing(self, world):
        before = Membership.objects.count()
        with pytest.raises(Conflict, match="already a member"):
            services.join_body(person=world["member"], body=world["open_group"])
        assert Membership.objects.count() == before

    def test_database_allows_one_current_membership(self, world):
        with pytest.raises(IntegrityError), transaction.atomic():
            Membership.objects.create(person=world["member"], body=world["open_group"],
                                      status=Status.PENDING)

    def test_closed_group_by_request_then_accept(self, world):
        request = services.join_body(person=world["member"], body=world["closed_group"],
                                     message="I can help")
        assert request.status == Status.PENDING
        accepted = services.accept_membership_request(actor=world["coordinator"],
                                                      membership_id=request.pk)
        assert accepted.status == Status.ACTIVE
        with pytest.raises(Conflict, match="already been answered"):
            services.accept_membership_request(actor=world["coordinator"],
                                               membership_id=request.pk)
        kinds = list(MembershipEvent.objects.filter(membership=request)
                     .values_list("kind", flat=True))
        assert kinds == ["requested", "accepted"]

    def test_decline_and_ask_again(self, world):
        request = services.join_body(person=world["member"], body=world["closed_group"])
        services.decline_membership_request(actor=world["coordinator"],
                                            membership_id=request.pk, reason="full")
        again = services.join_body(person=world["member"], body=world["closed_group"])
        assert again.pk != request.pk and again.status == Status.PENDING

    def test_only_coordinators_answer(self, world, make_person):
        """A member of the closed group is told who may (403); strangers learn nothing
        of it (404, as for a request that does not exist)."""
        closed = world["closed_group"]
        joined = services.join_body(person=world["member"], body=closed)
        services.accept_membership_request(actor=world["coordinator"], membership_id=joined.pk)
        newcomer = make_person("Newcomer")
        services.join_body(person=newcomer, body=world["coop"])
        request = services.join_body(person=newcomer, body=closed)
        with pytest.raises(PermissionDenied, match="Only coordinators of Caisse"):
            services.accept_membership_request(actor=world["member"], membership_id=request.pk)
        for stranger in (world["other_coordinator"], world["outsider"]):
            with pytest.raises(NotFound, match="no such request"):
                services.accept_membership_request(actor=stranger, membership_id=request.pk)
            with pytest.raises(NotFound, match="no such request"):
                services.decline_membership_request(actor=stranger, membership_id=request.pk)
        assert current(newcomer, closed).status == Status.PENDING
        with pytest.raises(NotFound):
            services.accept_membership_request(actor=world["coordinator"],
                                               membership_id=999999)

    def test_scic_college(self, world):
        scic, colleges = world["scic"], world["colleges"]
        with pytest.raises(DomainError, match="college"):
            services.join_body(person=world["member"], body=scic)
        with pytest.raises(DomainError, match="no colleges"):
            services.join_body(person=world["outsider"], body=world["coop"],
                               college=colleges[0])
        foreign = services.add_college(actor=world["operator"], cooperative=world["other"],
                                       name="Workers", weight_percent=50)
        with pytest.raises(DomainError, match="does not belong"):
            services.join_body(person=world["member"], body=scic, college=foreign)
        m = services.join_body(person=world["member"], body=scic, college=colleges[1])
        assert m.college == colleges[1]


class TestLeaving:
    def test_leave_keeps_history_and_allows_coming_back(self, world):
        member, group = world["member"], world["open_group"]
        left = services.leave_body(person=member, body=group)
        assert left.status == Status.LEFT and left.left_at is not None
        back = services.join_body(person=member, body=group)
        stints = Membership.objects.filter(person=member, body=group).order_by("pk")
        assert [m.status for m in stints] == [Status.LEFT, Status.ACTIVE]
        assert back.pk == stints[1].pk

    def test_leaving_a_body_one_is_not_in(self, world):
        with pytest.raises(Conflict, match="not a member"):
            services.leave_body(person=world["outsider"], body=world["coop"])

    def test_leaving_the_cooperative_leaves_its_groups(self, world):
        services.leave_body(person=world["member"], body=world["coop"])
        assert current(world["member"], world["open_group"]) is None

    def test_last_coordinator_stays_until_replaced(self, world):
        coop, coordinator = world["coop"], world["coordinator"]
        with pytest.raises(Conflict, match="last coordinator"):
            services.leave_body(person=coordinator, body=coop)
        services.set_member_role(actor=coordinator, body=coop, person=world["member"],
                                 role=Role.COORDINATOR)
        services.leave_body(person=coordinator, body=coop)

    def test_role_change_keeps_one_coordinator(self, world):
        with pytest.raises(Conflict, match="at least one coordinator"):
            services.set_member_role(actor=world["coordinator"], body=world["coop"],
                                     person=world["coordinator"], role=Role.MEMBER)
        with pytest.raises(DomainError, match="Unknown role"):
            services.set_member_role(actor=world["coordinator"], body=world["coop"],
                                     person=world["member"], role="king")


class TestProgress:
    def test_members_post_others_cannot(self, world):
        before = ProgressUpdate.objects.filter(body=world["coop"]).count()
        services.post_progress_update(actor=world["member"], body=world["coop"], text="Done")
        with pytest.raises(PermissionDenied):
            services.post_progress_update(actor=world["outsider"], body=world["coop"],
                                          text="Hi")
        with pytest.raises(DomainError, match="Write"):
            services.post_progress_update(actor=world["member"], body=world["coop"],
                                          text="   ")
        assert ProgressUpdate.objects.filter(body=world["coop"]).count() == before + 1

    def test_update_body(self, world):
        services.update_body(actor=world["coordinator"], body=world["coop"], place="Ici")
        world["coop"].refresh_from_db()
        assert world["coop"].place == "Ici"
        with pytest.raises(PermissionDenied):
            services.update_body(actor=world["member"], body=world["coop"], place="Là")


def history(membership) -> list[tuple[str, int | None, str]]:
    return [(e.kind, e.actor_id, e.note) for e in MembershipEvent.objects
            .filter(membership=membership).order_by("at", "pk")]


LAST_EVENT_OF_STATUS = {Status.PENDING: {"requested"}, Status.ACTIVE: {"joined", "accepted"},
                        Status.DECLINED: {"declined"}, Status.LEFT: {"left"}}


class TestHistory:
    """Every change of a membership's status or role writes a MembershipEvent: who, what,
    when (issue #12)."""

    def test_creating_a_body_records_its_first_coordinator(self, world):
        group = services.create_body(actor=world["coordinator"], kind=Kind.GROUP,
                                     name="Atelier", parent=world["coop"])
        [first] = Membership.objects.filter(body=group)
        assert (first.person, first.role) == (world["coordinator"], Role.COORDINATOR)
        assert history(first) == [("joined", world["coordinator"].pk, "")]

    def test_request_accept_decline_withdraw(self, world, make_person):
        closed, coordinator = world["closed_group"], world["coordinator"]
        member, newcomer = world["member"], make_person("Newcomer")
        services.join_body(person=newcomer, body=world["coop"])
        first = services.join_body(person=member, body=closed, message="Me")
        services.accept_membership_request(actor=coordinator, membership_id=first.pk)
        assert history(first) == [("requested", member.pk, ""),
                                  ("accepted", coordinator.pk, "")]
        second = services.join_body(person=newcomer, body=closed)
        services.decline_membership_request(actor=coordinator, membership_id=second.pk,
                                            reason="  full  ")
        assert history(second) == [("requested", newcomer.pk, ""),
                                   ("declined", coordinator.pk, "full")]
        third = services.join_body(person=newcomer, body=closed)
        services.leave_body(person=newcomer, body=closed)
        assert history(third) == [("requested", newcomer.pk, ""),
                                  ("declined", newcomer.pk, "withdrawn")]

    def test_leaving_the_cooperative_records_each_group_left(self, world):
        member = world["member"]
        in_coop = current(member, world["coop"])
        in_group = current(member, world["open_group"])
        services.leave_body(person=member, body=world["coop"])
        assert history(in_coop)[-1] == ("left", member.pk, "")
        assert history(in_group)[-1] == ("left", member.pk, "")

    def test_role_changes_say_from_what_to_what(self, world):
        coordinator, member, coop = world["coordinator"], world["member"], world["coop"]
        services.set_member_role(actor=coordinator, body=coop, person=member,
                                 role=Role.STEWARD)
        services.set_member_role(actor=coordinator, body=coop, person=member,
                                 role=Role.COORDINATOR)
        assert history(current(member, coop))[1:] == [
            ("role_changed", coordinator.pk, "member → steward"),
            ("role_changed", coordinator.pk, "steward → coordinator")]

    def test_a_role_left_as_it_was_records_nothing(self, world):
        coordinator, member, coop = world["coordinator"], world["member"], world["coop"]
        before = history(current(member, coop))
        services.set_member_role(actor=coordinator, body=coop, person=member,
                                 role=Role.MEMBER)
        assert history(current(member, coop)) == before

    def test_refused_changes_record_nothing(self, world):
        before = MembershipEvent.objects.count()
        with pytest.raises(Conflict):
            services.join_body(person=world["member"], body=world["coop"])
        with pytest.raises(Conflict):
            services.leave_body(person=world["coordinator"], body=world["coop"])
        with pytest.raises(Conflict):
            services.set_member_role(actor=world["coordinator"], body=world["coop"],
                                     person=world["coordinator"], role=Role.MEMBER)
        assert MembershipEvent.objects.count() == before

    def test_every_membership_ends_on_the_event_of_its_status(self, world, make_person):
        """Over a whole world built through the services: no status without its event."""
        newcomer = make_person("Newcomer")
        services.join_body(person=newcomer, body=world["coop"])
        request = services.join_body(person=newcomer, body=world["closed_group"])
        services.decline_membership_request(actor=world["coordinator"],
                                            membership_id=request.pk)
        services.join_body(person=newcomer, body=world["closed_group"])
        services.leave_body(person=world["member"], body=world["open_group"])
        memberships = list(Membership.objects.all())
        assert {m.status for m in memberships} == set(Status)
        for m in memberships:
            kinds = [kind for kind, _actor, _note in history(m) if kind != "role_changed"]
            assert kinds and kinds[-1] in LAST_EVENT_OF_STATUS[Status(m.status)], (m, kinds)
            assert kinds[0] in {"requested", "joined"}, (m, kinds)
