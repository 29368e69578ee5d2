"""Pages and API answer the same questions the same way (issue #12): a body's posts and
who can hold them, the skills, a rotation's assignments and gaps with their
explanations, the suggested teach/learn pairs, a day's plan and its tasks with their
people, and every refusal, with the same status for each role.

What a page shows is read from what it renders (its template context), so both sides
are compared as the person sees them, in order."""

from datetime import date

import pytest

from autogestion.work import services
from autogestion.work.daily import services as daily
from tests.support.http import api_client, client_for

from .conftest import NEXT_MONDAY

pytestmark = pytest.mark.django_db

ROLES = ("outsider", "member", "coordinator", "operator")
WEDNESDAY = date(2026, 3, 11)


def page(person, url):
    response = client_for(person).get(url)
    assert response.status_code == 200, response.status_code
    return response.context


def api(person, url):
    response = api_client(person).get(f"/api{url}")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def work(farm):
    """A published rotation of the farm and a proposal (with gaps), a
    closed group's post and rotation, teach/learn lists, and Wednesday's plan."""
    coordinator, coop = farm["coordinator"], farm["coop"]
    # Nobody can make cheese: the planner leaves it uncovered, with its reason.
    services.create_post(actor=coordinator, body=coop, name="Cheese", weekdays="1")
    rotation = services.propose_rotation(actor=coordinator, body=coop, first_day=NEXT_MONDAY)
    services.publish_rotation(actor=coordinator, rotation_id=rotation.pk)
    draft = services.propose_rotation(actor=coordinator, body=coop,
                                      first_day=NEXT_MONDAY.replace(day=23))
    hidden = services.create_post(actor=coordinator, body=farm["closed_group"], name="Till")
    for person, kind, topic in (("ana", "teach", "Bread"), ("ben", "teach", "Bread"),
                                ("dan", "learn", "bread"), ("member", "learn", "Bread")):
        services.add_knowledge(actor=farm[person], cooperative=coop, kind=kind, topic=topic)
    plan = daily.prepare_daily_plan(actor=farm["member"], body=coop, day=WEDNESDAY)
    daily.add_task(actor=farm["member"], plan_id=plan.pk, title="Fence",
                   people=[farm["dan"].pk, farm["ana"].pk])
    daily.add_task(actor=farm["member"], plan_id=plan.pk, title="Weeding",
                   people=[farm["cleo"].pk])
    return {**farm, "rotation": rotation, "draft": draft, "hidden": hidden, "plan": plan}


class TestSameAnswers:
    def test_posts_and_who_can_hold_them(self, work):
        shown = page(work["member"], "/bodies/cit/work/")["page"].posts
        answered = [p for p in api(work["member"], "/bodies/cit/posts") if p["active"]]
        assert [(r.post.pk, r.post.name, [s.person.public_name for s in r.capable],
                 [s.person.public_name for s in r.learning], r.at_risk) for r in shown] == [
            (p["id"], p["name"], p["capable"], p["learning"], p["at_risk"])
            for p in answered]
        assert len(shown) == 4

    def test_skills(self, work):
        shown = page(work["coordinator"], "/bodies/cit/work/skills/confirm/")["skills"]
        answered = api(work["coordinator"], "/bodies/cit/skills")
        assert {(s.pk, s.post_id, s.person_id, s.level, s.confirmed_at is not None)
                for s in shown} == {
            (s["id"], s["post_id"], s["person_id"], s["level"], s["confirmed"])
            for s in answered}
        assert len(answered) == 8

    def test_a_rotations_assignments_and_gaps(self, work):
        for rotation in (work["rotation"], work["draft"]):
            rendered = page(work["member"], f"/work/rotations/{rotation.pk}/")["page"]
            answered = api(work["member"], f"/rotations/{rotation.pk}")
            placed = [(d.day.isoformat(), c.post.pk, p.row.person_id, p.row.role, p.why)
                      for d in rendered.days for c in d.cells
                      for p in (*c.holders, *c.learners)]
            assert placed == [(a["day"], a["post_id"], a["person_id"], a["role"],
                               a["explanation"]) for a in answered["assignments"]]
            assert [(g.day.isoformat(), g.post.pk, g.missing, g.why) for g in rendered.gaps] \
                == [(g["day"], g["post_id"], g["missing"], g["explanation"])
                    for g in answered["gaps"]]
            assert placed and answered["gaps"]
        listed = page(work["member"], "/bodies/cit/work/rotations/")["rotations"]
        assert [r.pk for r in listed] == [r["id"] for r in api(work["member"],
                                                                "/bodies/cit/rotations")]

    def test_teach_learn_pairings(self, work):
        rendered = page(work["dan"], "/bodies/cit/learning/")["page"].suggestions
        answered = api(work["dan"], "/bodies/cit/pairings")
        assert [(s.teacher_id, s.learner_id, s.subject, s.label,
                 [i for i, _name in s.others]) for s in rendered] == [
            (p["teacher"]["id"], p["learner"]["id"], p["subject"], p["label"],
             [o["id"] for o in p["other_teachers"]]) for p in answered]
        assert {work["dan"].pk, work["member"].pk} <= {p["learner"]["id"] for p in answered}

    def test_a_days_plan_and_its_tasks(self, work):
        view = page(work["dan"], "/bodies/cit/daily/2026-03-11/")["view"]
        answered = api(work["dan"], "/bodies/cit/daily-plans/2026-03-11")
        assert [(row.task.pk, row.task.title, row.person_ids, row.mine)
                for row in view.tasks] == [
            (t["id"], t["title"], [p["id"] for p in t["people"]], t["mine"])
            for t in answered["tasks"]]
        assert [t["title"] for t in answered["tasks"]] == ["Fence", "Weeding"]
        assert (view.plan.status, view.plan.note) == (answered["status"], answered["note"])


def page_status(person, method, url):
    return getattr(client_for(person), method)(url).status_code


def api_status(person, method, url):
    return getattr(api_client(person), method)(f"/api{url}").status_code


# (page method, page url, API method, API url, {role: the status both answer}); "{x}"
# are filled from the `work` fixture. Actions are only tried by roles they refuse.
REFUSALS = [
    ("get", "/bodies/cit/work/", "get", "/bodies/cit/posts",
     {"outsider": 403, "member": 200, "operator": 200}),
    ("get", "/bodies/caisse/work/", "get", "/bodies/caisse/posts",
     {"outsider": 404, "member": 404, "coordinator": 200, "operator": 200}),
    ("get", "/bodies/nowhere/work/rotations/", "get", "/bodies/nowhere/rotations",
     {"member": 404}),
    ("get", "/bodies/cit/work/rotations/", "get", "/bodies/cit/rotations",
     {"outsider": 403, "member": 200}),
    ("get", "/work/rotations/{rotation}/", "get", "/rotations/{rotation}",
     {"outsider": 403, "member": 200, "coordinator": 200}),
    ("get", "/work/rotations/987654/", "get", "/rotations/987654", {"member": 404}),
    ("post", "/work/rotations/{rotation}/publish/", "post", "/rotations/{rotation}/publish",
     {"outsider": 403, "member": 403, "coordinator": 409}),
    ("post", "/work/rotations/{draft}/discard/", "delete", "/rotations/{draft}",
     {"outsider": 403, "member": 403}),
    ("post", "/work/posts/{hidden}/", "patch", "/posts/{hidden}",
     {"outsider": 404, "member": 404}),
    ("post", "/work/posts/{milking}/", "patch", "/posts/{milking}",
     {"outsider": 403, "member": 403}),
    ("get", "/bodies/cit/learning/", "get", "/bodies/cit/pairings",
     {"outsider": 403, "member": 200, "operator": 200}),
    ("get", "/bodies/caisse/learning/", "get", "/bodies/caisse/pairings",
     {"outsider": 404, "member": 404}),
    ("get", "/bodies/reseau/learning/", "get", "/bodies/reseau/pairings",
     {"member": 404}),
    ("get", "/bodies/cit/daily/2026-03-11/", "get", "/bodies/cit/daily-plans/2026-03-11",
     {"outsider": 403, "member": 200, "operator": 200}),
    ("get", "/bodies/caisse/daily/2026-03-11/", "get",
     "/bodies/caisse/daily-plans/2026-03-11", {"outsider": 404, "member": 404}),
    ("post", "/bodies/cit/daily/2026-03-11/publish/", "post",
     "/bodies/cit/daily-plans/2026-03-11/publish", {"outsider": 403}),
    ("post", "/bodies/cit/daily/2026-03-12/publish/", "post",
     "/bodies/cit/daily-plans/2026-03-12/publish", {"member": 404}),
]


@pytest.mark.parametrize(("page_method", "page_url", "api_method", "api_url", "expected"),
                         REFUSALS, ids=[f"{r[0]} {r[1]}" for r in REFUSALS])
def test_same_status_for_each_role(work, page_method, page_url, api_method, api_url,
                                   expected):
    values = {"rotation": work["rotation"].pk, "draft": work["draft"].pk,
              "hidden": work["hidden"].pk, "milking": work["milking"].pk}
    page_url, api_url = page_url.format(**values), api_url.format(**values)
    for role, status in expected.items():
        person = work[role]
        assert (role, page_status(person, page_method, page_url),
                api_status(person, api_method, api_url)) == (role, status, status)
