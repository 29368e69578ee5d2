"""Review probes: bad input answers 4xx with a message (never a 500) and writes
nothing; ids of other bodies' things are refused."""

from datetime import date

import pytest
from django.test import Client

from autogestion.cooperatives import services as bodies
from autogestion.work import services
from autogestion.work.daily import services as daily
from autogestion.work.models import Assignment, DailyPlan, Rotation, Skill, Task
from tests.support import http

from .conftest import NEXT_MONDAY

pytestmark = pytest.mark.django_db

JSON = "application/json"
HUGE = 2**63
TOMORROW = date(2026, 3, 11)


def client_for(person):
    """tests/support's client, answering 500 instead of raising: the review looks for
    server errors."""
    client = http.client_for(person)
    client.raise_request_exception = False
    return client


@pytest.fixture
def elsewhere(farm, world):
    """A post, a rotation and a plan of the other cooperative."""
    boss = world["other_coordinator"]
    post = services.create_post(actor=boss, body=world["other"], name="Secret post")
    services.declare_skill(actor=boss, post_id=post.pk, level="capable")
    rotation = services.propose_rotation(actor=boss, body=world["other"],
                                         first_day=NEXT_MONDAY)
    plan = daily.prepare_daily_plan(actor=boss, body=world["other"], day=TOMORROW)
    task = daily.add_task(actor=boss, plan_id=plan.pk, title="Secret task", people=[boss])
    return {"post": post, "rotation": rotation, "plan": plan, "task": task}


@pytest.fixture
def mine(farm):
    rotation = services.propose_rotation(actor=farm["coordinator"], body=farm["coop"],
                                         first_day=NEXT_MONDAY)
    plan = daily.prepare_daily_plan(actor=farm["coordinator"], body=farm["coop"],
                                    day=TOMORROW)
    task = daily.add_task(actor=farm["coordinator"], plan_id=plan.pk, title="Mine")
    return {"rotation": rotation, "plan": plan, "task": task}


def api(client, method, url, data=None):
    return getattr(client, method)(f"/api{url}", data=data, content_type=JSON)


def test_api_bad_input_never_500(farm, elsewhere, mine):
    coordinator = client_for(farm["coordinator"])
    member = client_for(farm["ana"])
    r, t, p = mine["rotation"], mine["task"], farm["milking"]
    other = elsewhere
    a = r.assignments.first()
    cases = [
        (member, "put", f"/posts/{p.pk}/skill", {"level": "capable", "person_id": HUGE}),
        (member, "put", f"/posts/{p.pk}/skill", {"level": "\x00"}),
        (member, "put", f"/posts/{other['post'].pk}/skill", {"level": "capable"}),
        (member, "put", f"/posts/{HUGE}/skill", {"level": "capable"}),
        (coordinator, "post", "/bodies/cit/posts", {"name": "X", "weekdays": "0"}),
        (coordinator, "post", "/bodies/cit/posts", {"name": "X", "weekdays": []}),
        (coordinator, "post", "/bodies/cit/posts", {"name": "", "holders": 0}),
        (coordinator, "post", "/bodies/cit/posts", {"name": "X", "weekdays": [HUGE]}),
        (coordinator, "patch", f"/posts/{p.pk}", {"weekdays": "8"}),
        (coordinator, "post", "/bodies/cit/unavailability",
         {"first_day": "9999-12-31", "last_day": "9999-12-31"}),
        (coordinator, "post", "/bodies/cit/unavailability",
         {"first_day": "0000-01-01", "last_day": "2026-03-20"}),
        (coordinator, "post", "/bodies/cit/rotations", {"first_day": "2200-12-31",
                                                        "period": "month"}),
        (coordinator, "post", "/bodies/cit/rotations", {"first_day": "9999-12-31"}),
        (coordinator, "post", "/bodies/cit/rotations", {"first_day": "2026-03-16",
                                                        "period": "year"}),
        (coordinator, "post", f"/rotations/{r.pk}/assignments",
         {"day": "2026-03-16", "post_id": other["post"].pk,
          "person_id": farm["ana"].pk}),
        (coordinator, "post", f"/rotations/{r.pk}/assignments",
         {"day": "2026-03-16", "post_id": p.pk, "person_id": farm["other_coordinator"].pk}),
        (coordinator, "post", f"/rotations/{r.pk}/assignments",
         {"day": "9999-12-31", "post_id": p.pk, "person_id": farm["dan"].pk}),
        (coordinator, "patch", f"/rotations/{r.pk}/assignments/"
         f"{other['rotation'].assignments.first().pk}", {"person_id": farm["ana"].pk}),
        (coordinator, "patch", f"/rotations/{r.pk}/assignments/{a.pk}",
         {"person_id": HUGE}),
        (coordinator, "delete", f"/rotations/{other['rotation'].pk}", None),
        (member, "post", "/bodies/cit/daily-plans", {"day": "9999-12-31"}),
        (member, "post", "/bodies/cit/daily-plans", {"day": "2026-02-30"}),
        (member, "get", "/bodies/cit/daily-plans/9999-12-31", None),
        (member, "get", "/bodies/cit/daily-summary?week=2200-12-31", None),
        (member, "get", "/bodies/cit/daily-summary?week=1900-01-01", None),
        (member, "post", "/bodies/cit/daily-plans/2026-03-11/tasks",
         {"title": "T", "starts_at": "25:00"}),
        (member, "post", "/bodies/cit/daily-plans/2026-03-11/tasks",
         {"title": "T", "starts_at": "12:00", "ends_at": "11:00"}),
        (member, "post", "/bodies/cit/daily-plans/2026-03-11/tasks",
         {"post_id": other["post"].pk}),
        (member, "post", "/bodies/cit/daily-plans/2026-03-11/tasks",
         {"title": "T", "people": [farm["other_coordinator"].pk, HUGE - 1]}),
        (member, "patch", f"/daily-tasks/{other['task'].pk}", {"title": "pwned"}),
        (member, "put", f"/daily-tasks/{other['task'].pk}/people", {"people": []}),
        (member, "delete", f"/daily-tasks/{other['task'].pk}", None),
        (member, "put", f"/daily-tasks/{t.pk}/people", {"people": [HUGE - 1]}),
        (member, "patch", f"/daily-tasks/{t.pk}", {"title": None, "note": "\x00"}),
        (member, "post", f"/daily-tasks/{t.pk}/move", {"step": HUGE}),
        (member, "post", "/bodies/cit/training-sessions",
         {"teacher_id": farm["ana"].pk, "learner_id": farm["cleo"].pk,
          "post_id": farm["milking"].pk, "starts_at": "9999-12-31T23:00:00-10:00",
          "ends_at": "9999-12-31T23:30:00-10:00"}),
        (member, "post", "/bodies/cit/training-sessions",
         {"teacher_id": farm["ana"].pk, "learner_id": farm["cleo"].pk,
          "post_id": farm["milking"].pk, "starts_at": "2026-03-12T10:00:00",
          "ends_at": "2026-03-12T11:00:00"}),
        (member, "post", "/bodies/cit/training-sessions",
         {"teacher_id": farm["ana"].pk, "learner_id": farm["cleo"].pk,
          "post_id": other["post"].pk, "starts_at": "2026-03-12T10:00:00+01:00",
          "ends_at": "2026-03-12T11:00:00+01:00"}),
        (member, "post", "/bodies/cit/knowledge", {"kind": "teach", "post_id": HUGE - 1}),
        (member, "post", "/bodies/cit/knowledge",
         {"kind": "teach", "post_id": other["post"].pk}),
        (member, "post", "/bodies/cit/knowledge", {"kind": "teach", "topic": "   "}),
        (member, "post", "/bodies/accueil/knowledge", {"kind": "teach", "topic": "x"}),
    ]
    counts = (Skill.objects.count(), Task.objects.count(), Assignment.objects.count(),
              Rotation.objects.count(), DailyPlan.objects.count())
    failures = []
    for client, method, url, data in cases:
        answer = api(client, method, url, data)
        if answer.status_code >= 500 or (method != "get" and answer.status_code < 400):
            failures.append((method, url, data, answer.status_code, answer.content[:300]))
    assert not failures, failures
    assert counts == (Skill.objects.count(), Task.objects.count(), Assignment.objects.count(),
                      Rotation.objects.count(), DailyPlan.objects.count())
    elsewhere["task"].refresh_from_db()
    assert elsewhere["task"].title == "Secret task"


def test_pages_bad_input_never_500(farm, elsewhere, mine):
    coordinator = client_for(farm["coordinator"])
    member = client_for(farm["ana"])
    r, t = mine["rotation"], mine["task"]
    other = elsewhere
    a = r.assignments.first()
    cases = [
        (member, "/bodies/cit/work/unavailability/",
         {"first_day": "9999-12-31", "last_day": "9999-12-31"}),
        (coordinator, "/bodies/cit/work/rotations/",
         {"first_day": "9999-12-31", "period": "month", "max_streak": 2}),
        (coordinator, "/bodies/cit/work/rotations/",
         {"first_day": "2200-12-31", "period": "month", "max_streak": 2}),
        (coordinator, f"/work/rotations/{r.pk}/assign/",
         {"day": "9999-12-31", "post": farm["milking"].pk, "person": farm["dan"].pk,
          "role": "holder"}),
        (coordinator, f"/work/rotations/{r.pk}/assignments/"
         f"{other['rotation'].assignments.first().pk}/reassign/",
         {"person": farm["ana"].pk}),
        (coordinator, f"/work/rotations/{r.pk}/assignments/"
         f"{other['rotation'].assignments.first().pk}/remove/", {}),
        (coordinator, f"/work/rotations/{r.pk}/assignments/{a.pk}/reassign/",
         {"person": HUGE}),
        (coordinator, f"/work/rotations/{other['rotation'].pk}/discard/", {}),
        (member, "/bodies/cit/daily/prepare/", {"day": "9999-12-31"}),
        (member, "/bodies/cit/daily/2026-03-11/tasks/",
         {"new-title": "T", "new-starts_at": "25:00"}),
        (member, "/bodies/cit/daily/2026-03-11/tasks/",
         {"new-title": "T", "new-post": other["post"].pk}),
        (member, "/bodies/cit/daily/2026-03-11/tasks/",
         {"new-title": "T", "new-people": [farm["other_coordinator"].pk]}),
        (member, f"/bodies/cit/daily/tasks/{other['task'].pk}/",
         {f"task-{other['task'].pk}-title": "pwned"}),
        (member, f"/bodies/cit/daily/tasks/{other['task'].pk}/remove/", {}),
        (member, f"/bodies/other/daily/tasks/{other['task'].pk}/remove/", {}),
        (member, f"/bodies/cit/daily/tasks/{t.pk}/move/", {"direction": "sideways"}),
        (member, f"/bodies/cit/daily/tasks/{t.pk}/", {f"task-{t.pk}-title": "a\x00b"}),
        (member, "/bodies/cit/daily/9999-12-31/note/", {"note": "x"}),
        (member, "/bodies/cit/learning/", {"kind": "teach", "post": HUGE}),
        (member, "/bodies/cit/learning/sessions/",
         {"pair": "1|2|post:1", "day": "9999-12-31", "starts": "10:00", "ends": "11:00"}),
        (member, "/work/skills/99999999999999999999/confirm/", {}),
        (member, f"/work/skills/{Skill.objects.filter(post=other['post']).get().pk}/confirm/",
         {}),
    ]
    counts = (Skill.objects.count(), Task.objects.count(), Assignment.objects.count(),
              Rotation.objects.count(), DailyPlan.objects.count())
    failures = []
    for client, url, data in cases:
        answer = client.post(url, data)
        if not 400 <= answer.status_code < 500:
            failures.append((url, data, answer.status_code))
    for url in ("/bodies/cit/daily/9999-12-31/", "/bodies/cit/daily/0000-01-01/",
                "/bodies/cit/daily/week/?week=9999-12-31",
                "/bodies/cit/daily/week/?week=2200-12-31",
                "/bodies/cit/daily/2200-12-31/edit/",
                f"/work/rotations/{other['rotation'].pk}/",
                "/work/rotations/99999999999999999999/"):
        answer = member.get(url)
        if answer.status_code >= 500:
            failures.append((url, None, answer.status_code))
    assert not failures, failures
    assert counts == (Skill.objects.count(), Task.objects.count(), Assignment.objects.count(),
                      Rotation.objects.count(), DailyPlan.objects.count())


def test_a_former_member_loses_the_work(farm):
    bodies.leave_body(person=farm["ana"], body=farm["coop"])
    assert client_for(farm["ana"]).get("/api/bodies/cit/posts").status_code == 403


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        answer = client.get(url)
    assert answer.status_code == 200, (url, answer.status_code)
    return len(captured)


def test_query_counts_do_not_grow_with_people(farm, make_person):
    coop = farm["coop"]
    coordinator = client_for(farm["coordinator"])

    def grow(tag):
        people = []
        for n in range(3):
            person = make_person(f"Q{tag}{n}")
            bodies.join_body(person=person, body=coop)
            people.append(person)
            for post in (farm["milking"], farm["market"]):
                services.declare_skill(actor=person, post_id=post.pk,
                                       level=("capable", "learning", "teaching")[n])
            services.add_knowledge(actor=person, cooperative=coop,
                                   kind="learn" if n else "teach", topic=f"topic {tag}")
            services.declare_unavailability(actor=person, body=coop,
                                            first_day=date(2026, 3, 20),
                                            last_day=date(2026, 3, 21))
        services.create_post(actor=farm["coordinator"], body=coop, name=f"Post {tag}")
        return people

    def pages():
        Rotation.objects.filter(body=coop).delete()
        DailyPlan.objects.filter(body=coop).delete()
        rotation = services.propose_rotation(actor=farm["coordinator"], body=coop,
                                             first_day=date(2026, 3, 11))
        services.publish_rotation(actor=farm["coordinator"], rotation_id=rotation.pk)
        draft = services.propose_rotation(actor=farm["coordinator"], body=coop,
                                          first_day=date(2026, 3, 18))
        plan = daily.prepare_daily_plan(actor=farm["coordinator"], body=coop, day=TOMORROW)
        daily.publish_daily_plan(actor=farm["coordinator"], plan_id=plan.pk)
        urls = ["/work/", "/bodies/cit/work/", "/bodies/cit/work/skills/",
                "/bodies/cit/work/skills/confirm/", "/bodies/cit/work/unavailability/",
                "/bodies/cit/work/rotations/", f"/work/rotations/{rotation.pk}/",
                f"/work/rotations/{draft.pk}/", "/bodies/cit/learning/",
                "/bodies/cit/daily/", "/bodies/cit/daily/2026-03-11/",
                "/bodies/cit/daily/2026-03-11/edit/", "/bodies/cit/daily/week/?week=2026-03-11",
                "/api/bodies/cit/posts", "/api/bodies/cit/skills",
                "/api/bodies/cit/unavailability", f"/api/rotations/{rotation.pk}",
                f"/api/rotations/{draft.pk}", "/api/bodies/cit/pairings",
                "/api/bodies/cit/daily-plans/2026-03-11",
                "/api/bodies/cit/daily-summary?week=2026-03-11"]
        for url in urls:
            _queries(coordinator, url)
        return {n: (url, _queries(coordinator, url)) for n, url in enumerate(urls)}

    grow("a")
    before = pages()
    grow("b")
    after = pages()
    # One query may come and go: the names of able people without a place are read
    # only when there are some.
    assert [(before[n], after[n][1]) for n in before if after[n][1] > before[n][1] + 1] == []


def test_a_closed_groups_posts_stay_out_of_the_cooperatives_lists(farm):
    """R2: a closed group's posts and who teaches them are for its members, not for
    the cooperative's teach/learn lists."""
    closed, coordinator = farm["closed_group"], farm["coordinator"]
    secret = services.create_post(actor=coordinator, body=closed, name="Counting the till")
    services.declare_skill(actor=coordinator, post_id=secret.pk, level="teaching")
    services.add_knowledge(actor=farm["ana"], cooperative=farm["coop"], kind="learn",
                           topic="bread")
    member = client_for(farm["member"])
    page = member.get("/bodies/cit/learning/")
    assert page.status_code == 200
    assert b"Counting the till" not in page.content
    assert b"Counting the till" not in member.get("/api/bodies/cit/pairings").content
    answer = api(member, "post", "/bodies/cit/knowledge", {"kind": "learn",
                                                           "post_id": secret.pk})
    assert answer.status_code == 400
    assert answer.json()["field"] == "post"


def test_writes_need_the_csrf_token(farm):
    """A session is not enough for a write: pages and the API check the CSRF token."""
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(farm["coordinator"])
    answer = client.post("/api/bodies/cit/posts", {"name": "Forged"}, content_type=JSON)
    assert answer.status_code == 403
    answer = client.post("/bodies/cit/work/posts/", {"name": "Forged", "holders": 1,
                                                      "capable_needed": 1, "weekdays": ["1"]})
    assert answer.status_code == 403
    answer = client.put(f"/api/posts/{farm['milking'].pk}/skill", {"level": "capable"},
                        content_type=JSON)
    assert answer.status_code == 403
    assert not farm["coop"].posts.filter(name="Forged").exists()
