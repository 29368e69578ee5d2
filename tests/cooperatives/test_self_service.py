"""Issue #13 in the cooperatives app: founding and growing the tree (R17), ratification,
moving and dissolving by decision (core.effects), colleges as one set, roles and
colleges with history, a SCOP's capital and employee shares, confirmations."""

import pytest
from django.dispatch import receiver

from autogestion.cooperatives import effects, queries, rules, services, signals
from autogestion.cooperatives.models import (
    Body,
    BodyEvent,
    College,
    Membership,
    MembershipEvent,
    ProgressUpdate,
)
from autogestion.cooperatives.rules import BodyStatus, Kind, Role, Status
from autogestion.core import registry
from autogestion.core.errors import Conflict, DomainError
from tests.support.http import api_client, client_for, page_refused, refused

pytestmark = pytest.mark.django_db


def network_coordinator(world, make_person):
    person = make_person("Network coordinator")
    services.join_body(person=person, body=world["network"])
    services.set_member_role(actor=world["operator"], body=world["network"], person=person,
                             role=Role.COORDINATOR)
    return person


def colleges_of(body) -> list[tuple[str, int]]:
    return list(College.objects.filter(cooperative=body).order_by("name")
                .values_list("name", "weight_percent"))


def college_post(rows, deleted=()) -> dict:
    """The colleges page's formset, as the browser sends it."""
    data = {"colleges-TOTAL_FORMS": str(len(rows)), "colleges-INITIAL_FORMS": "0",
            "colleges-MIN_NUM_FORMS": "0", "colleges-MAX_NUM_FORMS": "20"}
    for i, (college_id, name, weight) in enumerate(rows):
        data[f"colleges-{i}-id"] = college_id or ""
        data[f"colleges-{i}-name"] = name
        data[f"colleges-{i}-weight_percent"] = weight
        if i in deleted:
            data[f"colleges-{i}-DELETE"] = "on"
    return data


# Pure rules --------------------------------------------------------------------------------

class TestRules:
    def test_colleges_as_a_set(self):
        draft = rules.CollegeDraft
        rules.check_colleges([draft("A", 50), draft("B", 30), draft("C", 20)])
        rules.check_colleges([])  # no colleges: a cooperative that does not vote by college
        with pytest.raises(rules.Refusal) as found:
            rules.check_colleges([draft("A", 50), draft("B", 30), draft("C", 25)])
        assert (found.value.code, found.value.details) == ("colleges_total", {"total": 105})
        with pytest.raises(rules.Refusal) as found:
            rules.check_colleges([draft("Salariés", 60), draft("B", 40)])
        assert found.value.details == {"name": "Salariés", "weight": 60}
        with pytest.raises(rules.Refusal, match="college_name_twice"):
            rules.check_colleges([draft("A", 50), draft("a ", 50)])
        with pytest.raises(rules.Refusal, match="college_name_missing"):
            rules.check_colleges([draft(" ", 50), draft("B", 50)])

    def test_scop_shares_at_the_thresholds(self):
        def breaches(employees, others, employee_capital=0, other_capital=0):
            partners = ([rules.Partner(True, employee_capital)] * employees
                        + [rules.Partner(False, other_capital)] * others)
            return rules.scop_breaches(rules.scop_shares(partners))

        assert breaches(13, 7) == []  # 65 % of the votes exactly
        assert breaches(12, 7) == ["votes"]  # 63 %
        assert breaches(0, 0) == []  # nobody yet
        # Capital: 51 % exactly holds, 50 % breaks; none recorded breaks nothing.
        assert breaches(1, 0, 51, 0) == []
        assert breaches(13, 7, 51 * 7, 49 * 13) == []
        assert breaches(13, 7, 50 * 7, 50 * 13) == ["capital"]
        assert breaches(1, 1, 0, 100) == ["votes", "capital"]

    def test_move_rules(self):
        def move(**changes):
            values = dict(group_kind=Kind.GROUP, group_path="/1/2/5/", group_parent_id=2,
                          group_cooperative_id=2, new_parent_id=6, new_parent_kind=Kind.GROUP,
                          new_parent_path="/1/2/6/", new_parent_status="active",
                          new_parent_cooperative_id=2)
            rules.check_move(rules.Move(**{**values, **changes}))

        move()
        for changes, code in (
                ({"new_parent_path": "/1/2/5/9/"}, "move_cycle"),
                ({"new_parent_path": "/1/2/5/", "new_parent_id": 5}, "move_cycle"),
                ({"new_parent_cooperative_id": 3}, "move_other_cooperative"),
                ({"new_parent_status": "dissolved"}, "body_dissolved"),
                ({"new_parent_id": 2, "new_parent_path": "/1/2/",
                  "new_parent_kind": Kind.COOPERATIVE}, "move_same_place"),
                ({"group_kind": Kind.COOPERATIVE}, "only_groups_move")):
            with pytest.raises(rules.Refusal) as found:
                move(**changes)
            assert found.value.code == code
        assert rules.moved_path("/1/2/5/9/", "/1/2/5/", "/1/2/6/5/") == "/1/2/6/5/9/"
        assert rules.path_depth("/1/2/6/5/9/") == 4

    def test_dissolved_bodies_take_nobody(self):
        with pytest.raises(rules.Refusal, match="body_dissolved"):
            rules.decide_join(rules.JoinRequest(
                kind=Kind.GROUP, is_open=True, current_status=None,
                member_of_enclosing_cooperative=True, college_ids=frozenset(),
                chosen_college_id=None, body_status=BodyStatus.DISSOLVED))


# Founding ------------------------------------------------------------------------------

FOUND = {"kind": "group", "name": "Jardin", "description": "Des légumes", "place": "Parc",
         "rhythm": "Le dimanche", "is_open": "on"}


class TestFoundingPages:
    def test_top_level_bodies_are_for_operators(self, world):
        assert client_for(None).get("/bodies/new/").status_code == 302
        for role in ("outsider", "member", "coordinator"):
            page_refused(client_for(world[role]).get("/bodies/new/"), 403, "operators")
            page_refused(client_for(world[role]).post("/bodies/new/", {
                "kind": "network", "name": "Mine"}), 403, "operators")
        assert not Body.objects.filter(name="Mine").exists()
        operator = client_for(world["operator"])
        assert operator.get("/bodies/new/").status_code == 200
        response = operator.post("/bodies/new/", {"kind": "network", "name": "Occitanie",
                                                  "is_open": "on"})
        assert response.status_code == 302 and response["Location"] == "/bodies/occitanie/"
        body = Body.objects.get(slug="occitanie")
        assert (body.kind, body.parent, body.status) == (Kind.NETWORK, None, "active")
        assert Membership.objects.get(body=body).role == Role.COORDINATOR

    def test_network_coordinators_create_cooperatives_inside(self, world, make_person):
        coordinator = network_coordinator(world, make_person)
        fields = {"kind": "cooperative", "name": "Biocoop", "description": "Épicerie",
                  "place": "Rue", "rhythm": "Mensuel", "is_open": ""}
        for role in ("member", "coordinator", "outsider"):  # not the network's coordinators
            page_refused(client_for(world[role]).post("/bodies/reseau/found/", fields), 403,
                         "coordinators create cooperatives")
        client = client_for(coordinator)
        assert client.get("/bodies/reseau/found/").status_code == 200
        text = page_refused(client.post("/bodies/reseau/found/", fields), 400)
        assert "legal form" in text
        assert not Body.objects.filter(name="Biocoop").exists()
        response = client.post("/bodies/reseau/found/", {**fields, "legal_form": "scop"})
        assert response.status_code == 302
        coop = Body.objects.get(name="Biocoop")
        assert (coop.parent, coop.legal_form, coop.is_open, coop.place, coop.rhythm) == (
            world["network"], "scop", False, "Rue", "Mensuel")
        assert Membership.objects.get(body=coop, person=coordinator).role == Role.COORDINATOR

    def test_any_member_founds_a_group_and_the_parent_hears_of_it(self, world):
        assert client_for(None).get("/bodies/cit/found/").status_code == 302
        page_refused(client_for(world["outsider"]).post("/bodies/cit/found/", FOUND), 403,
                     "Only members of CIT found groups")
        # A closed group hides itself from those outside it: 404, as if it did not exist.
        page_refused(client_for(world["outsider"]).get("/bodies/caisse/found/"), 404)
        assert not Body.objects.filter(name="Jardin").exists()
        member = client_for(world["member"])
        assert 'href="/bodies/cit/found/"' in member.get("/bodies/cit/").content.decode()
        response = member.post("/bodies/cit/found/", FOUND)
        assert response.status_code == 302 and response["Location"] == "/bodies/jardin/"
        group = Body.objects.get(slug="jardin")
        assert (group.parent, group.status, group.depth, group.path) == (
            world["coop"], "active", 2, f"{world['coop'].path}{group.pk}/")
        founder = Membership.objects.get(body=group)
        assert (founder.person, founder.role) == (world["member"], Role.COORDINATOR)
        news = ProgressUpdate.objects.filter(body=world["coop"]).first()
        assert news.text.startswith("New group founded: “Jardin”, by Member.")
        assert "New group founded" in client_for(None).get("/bodies/cit/").content.decode()
        assert BodyEvent.objects.get(body=group).to_status == "active"

    def test_a_member_of_a_group_founds_a_group_inside_it(self, world, make_person):
        response = client_for(world["member"]).post("/bodies/accueil/found/",
                                                    {**FOUND, "name": "Samedi"})
        assert response.status_code == 302
        inner = Body.objects.get(name="Samedi")
        assert [b.slug for b in inner.ancestors()] == ["reseau", "cit", "accueil"]
        # A member of the cooperative who is not in the group does not found inside it.
        newcomer = make_person("Newcomer")
        services.join_body(person=newcomer, body=world["coop"])
        page_refused(client_for(newcomer).post("/bodies/accueil/found/",
                                               {**FOUND, "name": "Other"}), 403)

    def test_a_group_of_a_closed_group_does_not_tell_its_secrets(self, world):
        services.create_body(actor=world["coordinator"], kind=Kind.GROUP, name="Coffre",
                             parent=world["open_group"], description="SECRET-inside",
                             is_open=False)
        assert "SECRET-inside" not in ProgressUpdate.objects.filter(
            body=world["open_group"]).first().text

    def test_the_group_founded_signal_is_sent_on_commit(self, world,
                                                         django_capture_on_commit_callbacks):
        heard = []

        @receiver(signals.group_founded)
        def hear(sender, group, founder, **kwargs):
            heard.append((group.name, founder))

        try:
            with django_capture_on_commit_callbacks(execute=False) as callbacks:
                services.create_body(actor=world["member"], kind=Kind.GROUP, name="Vélo",
                                     parent=world["coop"])
            assert heard == []  # nothing before the commit
            for callback in callbacks:
                callback()
            assert heard == [("Vélo", world["member"])]
        finally:
            signals.group_founded.disconnect(hear)


class TestFoundingApi:
    def test_top_level(self, world):
        payload = {"kind": "cooperative", "name": "Scop", "legal_form": "scop"}
        refused(api_client(None).post("/api/bodies", payload), 401)
        refused(api_client(world["coordinator"]).post("/api/bodies", payload), 403,
                contains="operators")
        refused(api_client(world["operator"]).post("/api/bodies", {"kind": "cooperative",
                                                                   "name": "Scop"}),
                400, field="legal_form")
        assert not Body.objects.filter(name="Scop").exists()
        created = api_client(world["operator"]).post("/api/bodies", payload)
        assert created.status_code == 201, created.content
        assert created.json()["slug"] == "scop" and created.json()["status"] == "active"

    def test_inside(self, world, make_person):
        group = {"kind": "group", "name": "Vélo", "description": "Réparer"}
        refused(api_client(world["outsider"]).post("/api/bodies/cit/children", group), 403)
        refused(api_client(world["outsider"]).post("/api/bodies/caisse/children", group), 404)
        refused(api_client(world["member"]).post("/api/bodies/cit/children",
                                                 {**group, "name": "Accueil",
                                                  "slug": "accueil-2"}), 409, field="name")
        created = api_client(world["member"]).post("/api/bodies/cit/children", group)
        assert created.status_code == 201, created.content
        assert created.json()["parent"] == "cit" and created.json()["member_count"] == 1
        coordinator = network_coordinator(world, make_person)
        refused(api_client(world["member"]).post("/api/bodies/reseau/children", {
            "kind": "cooperative", "name": "X", "legal_form": "scic"}), 403)
        created = api_client(coordinator).post("/api/bodies/reseau/children", {
            "kind": "cooperative", "name": "X", "legal_form": "scic"})
        assert created.status_code == 201 and created.json()["legal_form"] == "scic"
        # A group cannot sit in a network.
        refused(api_client(coordinator).post("/api/bodies/reseau/children", group), 400,
                field="parent")

    def test_edit_through_the_api(self, world):
        refused(api_client(world["member"]).patch("/api/bodies/cit", {"place": "x"}), 403)
        answer = api_client(world["coordinator"]).patch("/api/bodies/cit", {
            "place": "Salle", "rhythm": "Hebdo", "is_open": False, "name": "CIT 2"})
        assert answer.status_code == 200, answer.content
        world["coop"].refresh_from_db()
        assert (world["coop"].place, world["coop"].rhythm, world["coop"].is_open,
                world["coop"].name) == ("Salle", "Hebdo", False, "CIT 2")
        refused(api_client(world["coordinator"]).patch("/api/bodies/accueil", {"name": ""}),
                422)


# Ratification --------------------------------------------------------------------------

class TestRatification:
    def test_proposed_until_the_parent_adopts_it(self, world,
                                                  django_capture_on_commit_callbacks):
        from autogestion.decisions import services as decisions
        from autogestion.decisions.models import Proposal

        services.set_group_ratification(body=world["coop"], value=True)
        heard = []

        def hear(sender, group, founder, **kwargs):
            heard.append(group.name)

        signals.group_founded.connect(hear)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                response = client_for(world["member"]).post("/bodies/cit/found/", FOUND)
            assert response.status_code == 302
            group = Body.objects.get(slug="jardin")
            assert group.status == BodyStatus.PROPOSED and heard == []
            proposal = Proposal.objects.get(body=world["coop"],
                                            change_kind="cooperatives.ratify_group")
            assert proposal.change_params == {"group": group.pk}
            assert proposal.decision_class == "executive"
            page = client_for(None).get("/bodies/jardin/").content.decode()
            assert "waits for the ratification of CIT" in page
            assert "New group proposed: “Jardin”" in ProgressUpdate.objects.filter(
                body=world["coop"]).first().text
            # Nothing is founded inside a group still proposed.
            page_refused(client_for(world["member"]).post("/bodies/jardin/found/",
                                                          {**FOUND, "name": "Sub"}), 409)
            round_ = proposal.rounds.get()
            with django_capture_on_commit_callbacks(execute=True):
                for person in (world["member"], world["coordinator"]):
                    decisions.take_position(person=person, round_id=round_.pk,
                                            stance="fully_agree")
                decisions.close_round(actor=world["coordinator"], round_id=round_.pk)
            group.refresh_from_db()
            assert group.status == BodyStatus.ACTIVE
            assert heard == ["Jardin"]
            ratified = BodyEvent.objects.filter(body=group).last()
            assert (ratified.from_status, ratified.to_status) == ("proposed", "active")
            assert ratified.decision_id is not None
        finally:
            signals.group_founded.disconnect(hear)

    def test_the_effect_checks_and_applies(self, world):
        effect = registry.decision_effects()["cooperatives.ratify_group"]
        services.set_group_ratification(body=world["coop"], value=True)
        group = services.create_body(actor=world["member"], kind=Kind.GROUP, name="G",
                                     parent=world["coop"])
        with pytest.raises(DomainError, match="not a group of Other coop") as found:
            effect.check(world["member"], world["other"], {"group": group.pk})
        assert found.value.field == "group"
        with pytest.raises(DomainError, match="not waiting"):
            effect.check(None, world["coop"], {"group": world["open_group"].pk})
        params = effect.check(None, world["coop"], {"group": str(group.pk)})
        assert params == {"group": group.pk}
        assert "G" in effect.title(world["coop"], params)
        effect.apply(world["coop"], params, None)
        group.refresh_from_db()
        assert group.status == "active"
        with pytest.raises(Conflict):  # twice: nothing to ratify any more
            effect.apply(world["coop"], params, None)

    def test_set_group_ratification(self, world):
        services.set_group_ratification(body=world["open_group"], value=True)
        world["open_group"].refresh_from_db()
        assert world["open_group"].groups_need_ratification is True
        with pytest.raises(DomainError, match="not networks"):
            services.set_group_ratification(body=world["network"], value=True)


# Moving ------------------------------------------------------------------------------

class TestMove:
    def tree(self, world):
        inner = services.create_body(actor=world["member"], kind=Kind.GROUP, name="Inner",
                                     parent=world["open_group"])
        innermost = services.create_body(actor=world["member"], kind=Kind.GROUP,
                                         name="Innermost", parent=inner)
        return inner, innermost

    def test_the_whole_subtree_moves(self, world):
        inner, innermost = self.tree(world)
        effect = registry.decision_effects()["cooperatives.move_group"]
        assert effect.decision_class == "statutes"
        params = effect.check(world["member"], world["coop"], {
            "group": world["open_group"].pk, "parent": world["closed_group"].pk})
        effect.apply(world["coop"], params, None)
        closed = world["closed_group"]
        moved = {b.slug: (b.parent_id, b.path, b.depth) for b in Body.objects.filter(
            slug__in=["accueil", "inner", "innermost"])}
        accueil = world["open_group"].pk
        assert moved == {
            "accueil": (closed.pk, f"{closed.path}{accueil}/", 3),
            "inner": (accueil, f"{closed.path}{accueil}/{inner.pk}/", 4),
            "innermost": (inner.pk, f"{closed.path}{accueil}/{inner.pk}/{innermost.pk}/", 5)}
        assert [b.slug for b in Body.objects.get(pk=innermost.pk).ancestors()] == [
            "reseau", "cit", "caisse", "accueil", "inner"]
        assert "moved from CIT to Caisse" in BodyEvent.objects.filter(
            body=world["open_group"]).last().reason

    def test_no_cycle_no_other_cooperative(self, world, make_person):
        inner, innermost = self.tree(world)
        effect = registry.decision_effects()["cooperatives.move_group"]
        elsewhere = services.create_body(actor=world["other_coordinator"], kind=Kind.GROUP,
                                         name="Elsewhere", parent=world["other"])
        before = list(Body.objects.order_by("pk").values_list("pk", "path", "depth",
                                                              "parent_id"))
        with pytest.raises(DomainError, match="inside itself") as found:
            effect.check(None, world["coop"], {"group": world["open_group"].pk,
                                               "parent": innermost.pk})
        assert found.value.field == "parent"
        with pytest.raises(DomainError, match="inside itself"):
            effect.check(None, world["coop"], {"group": inner.pk, "parent": inner.pk})
        with pytest.raises(DomainError, match="its own cooperative"):
            effect.check(None, world["coop"], {"group": inner.pk, "parent": elsewhere.pk})
        with pytest.raises(DomainError, match="not a group of CIT"):
            effect.check(None, world["coop"], {"group": elsewhere.pk,
                                               "parent": world["coop"].pk})
        # Decided by the cooperative, not by a group.
        with pytest.raises(DomainError, match="decision of its cooperative"):
            effect.check(None, world["open_group"], {"group": inner.pk,
                                                     "parent": world["coop"].pk})
        with pytest.raises(DomainError):
            services.move_group(group=world["open_group"], new_parent=innermost)
        assert list(Body.objects.order_by("pk").values_list(
            "pk", "path", "depth", "parent_id")) == before

    def test_the_form_gives_json_params(self, world):
        form = effects.MoveGroupForm({"group": str(world["open_group"].pk),
                                      "parent": str(world["closed_group"].pk)},
                                     body=world["coop"])
        assert form.is_valid(), form.errors
        assert form.cleaned_data == {"group": world["open_group"].pk,
                                     "parent": world["closed_group"].pk}
        assert not effects.MoveGroupForm({"group": "999999", "parent": "1"},
                                         body=world["coop"]).is_valid()


# Dissolving ----------------------------------------------------------------------------

class TestDissolve:
    def test_dissolved_stays_readable_and_takes_nobody(self, world, make_person):
        effect = registry.decision_effects()["cooperatives.dissolve"]
        group = world["open_group"]
        services.post_progress_update(actor=world["member"], body=group, text="Last meeting")
        params = effect.check(world["member"], group, {})
        assert params == {"body": group.pk}
        effect.apply(group, params, None)
        group.refresh_from_db()
        assert group.status == BodyStatus.DISSOLVED
        events = [(e.from_status, e.to_status) for e in BodyEvent.objects.filter(body=group)]
        assert events == [("", "active"), ("active", "dissolved")]
        page = client_for(None).get("/bodies/accueil/").content.decode()
        assert "This body is dissolved." in page and "Last meeting" in page
        assert 'action="/bodies/accueil/join/"' not in page
        newcomer = make_person("Newcomer")
        services.join_body(person=newcomer, body=world["coop"])
        page_refused(client_for(newcomer).post("/bodies/accueil/join/"), 409, "dissolved")
        refused(api_client(newcomer).post("/api/bodies/accueil/join", {}), 409,
                contains="dissolved")
        with pytest.raises(Conflict, match="dissolved"):
            services.post_progress_update(actor=world["member"], body=group, text="More")
        with pytest.raises(Conflict, match="dissolved"):
            services.create_body(actor=world["member"], kind=Kind.GROUP, name="Sub",
                                 parent=group)
        with pytest.raises(Conflict, match="dissolved"):
            services.update_body(actor=world["coordinator"], body=group, place="x")
        assert not Membership.objects.filter(person=newcomer, body=group).exists()
        assert client_for(None).get("/api/bodies/accueil").json()["status"] == "dissolved"

    def test_the_parent_dissolves_a_child_not_a_stranger(self, world):
        effect = registry.decision_effects()["cooperatives.dissolve"]
        assert effect.check(None, world["coop"], {"body": world["closed_group"].pk}) == {
            "body": world["closed_group"].pk}
        with pytest.raises(DomainError, match="its own decision or its parent"):
            effect.check(None, world["open_group"], {"body": world["closed_group"].pk})
        with pytest.raises(Conflict, match="still holds Accueil, Caisse") as found:
            effect.check(None, world["coop"], {})
        assert found.value.field == "body"


# Colleges --------------------------------------------------------------------------------

class TestColleges:
    def test_105_percent_is_refused_with_the_sum_and_nothing_written(self, world):
        client = client_for(world["operator"])
        ids = [c.pk for c in world["colleges"]]  # Salariés 40, Usagers 35, Soutiens 25
        before = colleges_of(world["scic"])
        response = client.post("/bodies/scic/colleges/", college_post([
            (ids[0], "Salariés", 45), (ids[1], "Usagers", 35), (ids[2], "Soutiens", 25)]))
        text = page_refused(response, 400, "The weights add up to 105 %: they must add up "
                            "to 100 %.")
        assert "college_weight" not in text and "constraint" not in text
        assert colleges_of(world["scic"]) == before
        response = client.post("/bodies/scic/colleges/", college_post([
            (ids[0], "Salariés", 60), (ids[1], "Usagers", 20), (ids[2], "Soutiens", 20)]))
        page_refused(response, 400, "“Salariés” weighs 60 %: a college weighs from 10 % "
                     "to 50 %.")
        assert colleges_of(world["scic"]) == before

    def test_in_french(self, world):
        world["operator"].language = "fr"
        world["operator"].save(update_fields=["language"])
        ids = [c.pk for c in world["colleges"]]
        response = client_for(world["operator"], "fr").post(
            "/bodies/scic/colleges/", college_post([
                (ids[0], "Salariés", 45), (ids[1], "Usagers", 35), (ids[2], "Soutiens", 25)]))
        assert response.status_code == 400

    def test_100_percent_saved_as_one_set(self, world):
        client = client_for(world["operator"])
        assert client.get("/bodies/scic/colleges/").status_code == 200
        ids = [c.pk for c in world["colleges"]]
        # Rename (swapping two names), change weights, remove an empty one, add one.
        response = client.post("/bodies/scic/colleges/", college_post([
            (ids[0], "Usagers", 40), (ids[1], "Salariés", 40), (ids[2], "Soutiens", 25),
            (None, "Collectivités", 20), (None, "", "")], deleted=(2,)))
        assert response.status_code == 302, response.content.decode()[-3000:]
        assert colleges_of(world["scic"]) == [("Collectivités", 20), ("Salariés", 40),
                                              ("Usagers", 40)]
        assert set(College.objects.filter(cooperative=world["scic"])
                   .values_list("pk", flat=True)) >= {ids[0], ids[1]}

    def test_a_college_with_members_is_not_removed(self, world, make_person):
        person = make_person("Worker")
        services.join_body(person=person, body=world["scic"], college=world["colleges"][2])
        ids = [c.pk for c in world["colleges"]]
        before = colleges_of(world["scic"])
        answer = api_client(world["operator"]).put("/api/bodies/scic/colleges", {"colleges": [
            {"id": ids[0], "name": "Salariés", "weight_percent": 50},
            {"id": ids[1], "name": "Usagers", "weight_percent": 50}]})
        refused(answer, 409, field="colleges", contains="“Soutiens” still has 1 member")
        assert colleges_of(world["scic"]) == before

    def test_api_as_a_set(self, world):
        api = api_client(world["operator"])
        refused(api.put("/api/bodies/scic/colleges", {"colleges": [
            {"name": "A", "weight_percent": 50}, {"name": "B", "weight_percent": 55}]}),
            400, field="colleges", contains="“B” weighs 55 %")
        refused(api_client(world["coordinator"]).put("/api/bodies/scic/colleges",
                                                     {"colleges": []}), 403)
        refused(api.put("/api/bodies/accueil/colleges", {"colleges": []}), 404,
                contains="Only a cooperative")
        ids = [c.pk for c in world["colleges"]]
        saved = api.put("/api/bodies/scic/colleges", {"colleges": [
            {"id": ids[0], "name": "Salariés", "weight_percent": 50},
            {"id": ids[1], "name": "Usagers", "weight_percent": 30},
            {"name": "Amis", "weight_percent": 20}]})
        assert saved.status_code == 200, saved.content
        assert [(c["name"], c["weight_percent"]) for c in saved.json()] == [
            ("Amis", 20), ("Salariés", 50), ("Usagers", 30)]

    def test_adding_one_college_never_passes_100(self, world):
        with pytest.raises(DomainError, match="add up to 110 %"):
            services.add_college(actor=world["operator"], cooperative=world["scic"],
                                 name="Extra", weight_percent=10)


# Roles and college changes with history -------------------------------------------------

class TestRolesAndColleges:
    def test_role_change_with_history(self, world):
        page_refused(client_for(world["member"]).get("/bodies/cit/roles/"), 403)
        client = client_for(world["coordinator"])
        assert client.get("/bodies/cit/roles/").status_code == 200
        response = client.post("/bodies/cit/roles/", {"change": "role",
                                                      "person": world["member"].pk,
                                                      "role": "steward"})
        assert response.status_code == 302
        membership = Membership.objects.get(body=world["coop"], person=world["member"],
                                            status=Status.ACTIVE)
        assert membership.role == Role.STEWARD
        page = client.get("/bodies/cit/roles/").content.decode()
        assert "member → steward" in page and "by Coordinator" in page
        history = api_client(world["coordinator"]).get("/api/bodies/cit/roles").json()
        assert history[0]["note"] == "member → steward" and history[0]["by"] == "Coordinator"
        # A stranger to the body is not found; the last coordinator stays.
        page_refused(client.post("/bodies/cit/roles/", {
            "change": "role", "person": world["outsider"].pk, "role": "member"}), 404)
        page_refused(client.post("/bodies/cit/roles/", {
            "change": "role", "person": world["coordinator"].pk, "role": "member"}), 409,
            "at least one coordinator")

    def test_role_api(self, world):
        refused(api_client(world["member"]).put("/api/bodies/cit/roles", {
            "person_id": world["member"].pk, "role": "coordinator"}), 403)
        answer = api_client(world["coordinator"]).put("/api/bodies/cit/roles", {
            "person_id": world["member"].pk, "role": "coordinator"})
        assert answer.status_code == 200 and answer.json()["role"] == "coordinator"

    def test_moving_between_colleges_keeps_history(self, world, make_person):
        person = make_person("Worker")
        services.join_body(person=person, body=world["scic"], college=world["colleges"][0])
        client = client_for(world["operator"])
        response = client.post("/bodies/scic/roles/", {
            "change": "college", "person": person.pk, "college": world["colleges"][1].pk})
        assert response.status_code == 302
        event = MembershipEvent.objects.get(kind="college_changed")
        assert (event.note, event.actor) == ("Salariés → Usagers", world["operator"])
        assert "Salariés → Usagers" in client.get("/bodies/scic/roles/").content.decode()
        answer = api_client(world["operator"]).put("/api/bodies/scic/member-college", {
            "person_id": person.pk, "college_id": world["colleges"][2].pk})
        assert answer.status_code == 200 and answer.json()["college"] == "Soutiens"
        other = services.create_body(actor=world["operator"], kind=Kind.COOPERATIVE,
                                     name="Other SCIC", legal_form="scic")
        foreign = services.add_college(actor=world["operator"], cooperative=other,
                                       name="X", weight_percent=50)
        refused(api_client(world["operator"]).put("/api/bodies/scic/member-college", {
            "person_id": person.pk, "college_id": foreign.pk}), 404)
        assert MembershipEvent.objects.filter(kind="college_changed").count() == 2

    def test_roles_page_queries_do_not_grow(self, world, make_person,
                                            django_assert_max_num_queries):
        client = client_for(world["operator"])
        client.get("/bodies/scic/roles/")
        for i in range(6):
            person = make_person(f"P{i}")
            services.join_body(person=person, body=world["scic"],
                               college=world["colleges"][i % 3])
            services.change_member_college(actor=world["operator"], body=world["scic"],
                                           person=person,
                                           college=world["colleges"][(i + 1) % 3])
        with django_assert_max_num_queries(16):
            assert client.get("/bodies/scic/roles/").status_code == 200


# Requests: declined with a reason --------------------------------------------------------

class TestDecline:
    def test_the_reason_is_asked_and_shown(self, world, make_person):
        candidate = make_person("Candidate")
        services.join_body(person=candidate, body=world["coop"])
        request = services.join_body(person=candidate, body=world["closed_group"])
        coordinator = client_for(world["coordinator"])
        page = coordinator.get("/bodies/caisse/requests/").content.decode()
        assert 'name="reason"' in page
        page_refused(coordinator.post(f"/memberships/{request.pk}/decline/"), 400,
                     "Give the person a reason")
        assert Membership.objects.get(pk=request.pk).status == Status.PENDING
        response = coordinator.post(f"/memberships/{request.pk}/decline/",
                                    {"reason": "Full for now"})
        assert response.status_code == 302
        shown = client_for(candidate).get("/bodies/caisse/").content.decode()
        assert "Your last request to join was declined." in shown
        assert "Full for now" in shown


# Leaving asks first ---------------------------------------------------------------------

class TestLeaveConfirmation:
    def test_leave_asks_then_leaves(self, world):
        client = client_for(world["member"])
        page = client.get("/bodies/accueil/").content.decode()
        assert 'data-confirm="Leave Accueil?"' in page
        asked = client.post("/bodies/accueil/leave/")
        assert asked.status_code == 200
        assert "Leave Accueil?" in asked.content.decode()
        assert Membership.objects.filter(body=world["open_group"], person=world["member"],
                                         status=Status.ACTIVE).exists()
        done = client.post("/bodies/accueil/leave/", {"confirmed": "yes"})
        assert done.status_code == 302
        assert not Membership.objects.filter(body=world["open_group"], person=world["member"],
                                             status=Status.ACTIVE).exists()


# A SCOP's capital and employees -----------------------------------------------------------

class TestScop:
    def partners(self, world, make_person, count):
        people = [make_person(f"Partner {i}") for i in range(count)]
        for person in people:
            services.join_body(person=person, body=world["other"])
        return people

    def test_warnings_when_the_electorate_breaks_the_shares(self, world, make_person):
        scop, actor = world["other"], world["other_coordinator"]
        people = self.partners(world, make_person, 3)
        # 4 members (the coordinator too), nobody an employee.
        assert queries.scop_share_warnings(scop) == [
            "Employee members have 0% of the votes: the law asks for at least 65% in a "
            "SCOP."]
        for person in [actor, *people[:2]]:
            services.set_member_capital(actor=actor, body=scop, person=person,
                                        capital_cents=10_000, is_employee=True)
        services.set_member_capital(actor=actor, body=scop, person=people[2],
                                    capital_cents=40_000, is_employee=False)
        # 3 of 4 employees (75 %), but they hold 300 € of 700 € (42.9 %: one decimal, so
        # that a share just under the law's never reads as reaching it).
        assert queries.scop_share_warnings(scop) == [
            "Employee members hold 42.9% of the capital: the law asks for at least 51% in "
            "a SCOP."]
        services.set_member_capital(actor=actor, body=scop, person=people[2],
                                    capital_cents=20_000, is_employee=False)
        assert queries.scop_share_warnings(scop) == []
        assert queries.scop_share_warnings(world["coop"]) == []  # not a SCOP
        event = MembershipEvent.objects.filter(kind="capital_changed").last()
        assert event.note == "400.00 €, not an employee → 200.00 €, not an employee"

    def test_capital_page_and_api(self, world, make_person):
        scop, actor = world["other"], world["other_coordinator"]
        (partner,) = self.partners(world, make_person, 1)
        page_refused(client_for(partner).get("/bodies/other/capital/"), 403)
        client = client_for(actor)
        assert "at least 65%" in client.get("/bodies/other/capital/").content.decode()
        response = client.post("/bodies/other/capital/", {"person": partner.pk,
                                                          "capital": "250,50",
                                                          "is_employee": "on"})
        assert response.status_code == 302
        membership = Membership.objects.get(body=scop, person=partner, status="active")
        assert (membership.capital_cents, membership.is_employee) == (25_050, True)
        page_refused(client.post("/bodies/other/capital/", {
            "person": partner.pk, "capital": "-3"}), 400, "zero or more")
        assert Membership.objects.get(pk=membership.pk).capital_cents == 25_050
        api = api_client(actor)
        answer = api.put("/api/bodies/other/capital", {"person_id": partner.pk,
                                                       "capital": "100", "is_employee": True})
        assert answer.status_code == 200, answer.content
        data = answer.json()
        assert data["capital"] == "100.00" and data["members"] == 2
        assert data["warnings"] == ["Employee members have 50% of the votes: the law asks "
                                    "for at least 65% in a SCOP."]
        refused(api_client(partner).get("/api/bodies/other/capital"), 403)
        refused(api.put("/api/bodies/other/capital", {"person_id": partner.pk,
                                                      "capital": "abc",
                                                      "is_employee": True}),
                400, field="capital")
        shown = client_for(None).get("/bodies/other/").content.decode()
        assert "Employee members have 50% of the votes" in shown

    def test_capital_page_queries_do_not_grow(self, world, make_person,
                                              django_assert_max_num_queries):
        self.partners(world, make_person, 8)
        client = client_for(world["other_coordinator"])
        with django_assert_max_num_queries(12):
            assert client.get("/bodies/other/capital/").status_code == 200


# The demo -----------------------------------------------------------------------------------

def test_the_demo_has_a_founded_group_and_a_scop(db):
    from autogestion.cooperatives import demo

    world = demo.load_demo()
    assert {"admin", "people", "cooperative", "scop", "founded_group"} <= set(world)
    group = world["founded_group"]
    assert Membership.objects.get(body=group, role=Role.COORDINATOR).person == \
        world["people"][3]
    assert ProgressUpdate.objects.filter(body=world["cooperative"],
                                         text__startswith="New group founded").exists() or \
        ProgressUpdate.objects.filter(body=world["cooperative"],
                                      text__contains="Jardin partagé").exists()
    scop = world["scop"]
    assert scop.legal_form == "scop"
    assert queries.scop_share_warnings(scop) == []
    shares = queries.scop_shares_of(scop)
    assert (shares.members, shares.employees, shares.capital_cents) == (8, 6, 420_000)


def test_the_generic_change_page_asks_with_our_forms(world):
    """The decisions app's page /bodies/<slug>/changes/<kind>/ shows each effect's form."""
    client = client_for(world["member"])
    for kind, field in (("cooperatives.move_group", 'name="parent"'),
                        ("cooperatives.dissolve", 'name="body"')):
        response = client.get(f"/bodies/cit/changes/{kind}/")
        assert response.status_code == 200, response.content[:300]
        assert field in response.content.decode()
    page = client.get("/bodies/cit/").content.decode()
    assert 'href="/bodies/cit/changes/cooperatives.dissolve/"' in page


def test_a_founder_whose_name_ends_with_a_full_stop_gets_one(world):
    """"by Inès P." ends the sentence: not "by Inès P.."."""
    from autogestion.cooperatives.founding import found_body

    world["member"].display_name = "Inès P."
    world["member"].save(update_fields=["display_name"])
    found_body(actor=world["member"], parent=world["coop"], kind="group", name="Jardin",
               slug="jardin")
    news = ProgressUpdate.objects.filter(body=world["coop"]).first()
    assert news.text.startswith("New group founded: “Jardin”, by Inès P.")
    assert ".." not in news.text
