"""The pages and the API asked the same questions give the same answers: a body's
proposals in the same order, a proposal's rounds, counts and result, the register with
its filters, and the same status for each refusal, role by role."""

import re
from datetime import timedelta

import pytest

from autogestion.cooperatives import services as bodies
from autogestion.core import clock
from autogestion.decisions import services
from autogestion.decisions.models import Proposal
from tests.support.http import api_client, client_for

pytestmark = pytest.mark.django_db

ROLES = ("outsider", "member", "coordinator", "operator", "other_coordinator")
PROPOSAL_LINK = re.compile(r'href="/proposals/(\d+)/"')


def propose(world, body="coop", title="Buy a van", decision_class="executive", **kwargs):
    author = world["coordinator"] if body == "closed_group" else world["member"]
    return services.create_proposal(actor=author, body=world[body], title=title,
                                    text=f"{title}: the text.", decision_class=decision_class,
                                    **kwargs)


def current_round(proposal):
    return proposal.rounds.get(closed_at__isnull=True)


def linked_proposals(response) -> list[int]:
    """The proposals a page links to, in the order it shows them (each once)."""
    seen: list[int] = []
    for found in PROPOSAL_LINK.findall(response.content.decode()):
        if int(found) not in seen:
            seen.append(int(found))
    return seen


class TestReading:
    def test_a_bodys_proposals_in_the_same_order(self, world):
        made = [propose(world, title=f"Proposal {n}") for n in range(4)]
        services.withdraw_proposal(actor=world["coordinator"], proposal_id=made[1].pk)
        propose(world, body="open_group", title="Elsewhere")
        for person in (None, world["member"], world["outsider"]):
            page = client_for(person).get("/bodies/cit/proposals/")
            api = api_client(person).get("/api/bodies/cit/proposals")
            assert (page.status_code, api.status_code) == (200, 200)
            assert linked_proposals(page) == [p["id"] for p in api.json()] \
                == [p.pk for p in reversed(made)]

    def test_a_closed_bodys_proposals_are_hidden_alike(self, world):
        propose(world, body="closed_group", title="Secret budget")
        for person, status in ((None, 404), (world["outsider"], 404), (world["member"], 404),
                               (world["coordinator"], 200), (world["operator"], 200)):
            page = client_for(person).get("/bodies/caisse/proposals/")
            api = api_client(person).get("/api/bodies/caisse/proposals")
            assert (page.status_code, api.status_code) == (status, status)

    def test_a_proposals_rounds_positions_and_result(self, world, make_person):
        proposal = propose(world, decision_class="orientation")  # consensus
        voters = [world["member"], world["coordinator"]]
        for name in ("Ada", "Bea"):
            person = make_person(name)
            bodies.join_body(person=person, body=world["coop"])
            voters.append(person)
        round_ = current_round(proposal)
        for person, stance, extra in (
                (voters[0], "agree", {}),
                (voters[1], "reservations", {"note": "Costly"}),
                (voters[2], "veto", {"reason": "Too soon", "counter_proposal": "Next year"})):
            services.take_position(person=person, round_id=round_.pk, stance=stance, **extra)

        def both():
            page = client_for(world["member"]).get(f"/proposals/{proposal.pk}/")
            api = api_client(world["member"]).get(f"/api/proposals/{proposal.pk}")
            assert (page.status_code, api.status_code) == (200, 200)
            return page.context["page"], api.json()

        page, api = both()
        assert [r.number for r in page.rounds] == [r["number"] for r in api["rounds"]] == [1]
        assert page.counts == api["counts"] == {"agree": 1, "reservations": 1,
                                                "veto": 1}
        assert page.eligible_count == api["eligible_count"] == 4
        assert page.not_positioned_count == api["not_positioned_count"] == 1
        assert [p.public_name for p in page.not_positioned] == api["not_positioned"] \
            == ["Bea"]
        assert [(p.person.public_name, p.stance) for p in page.positions] \
            == [(p["person"], p["stance"]) for p in api["positions"]]
        assert page.my_position.stance == api["my_position"]["stance"] == "agree"

        services.close_round(actor=world["coordinator"], round_id=round_.pk)
        services.open_next_round(actor=world["member"], proposal_id=proposal.pk,
                                 text="Revised text.")
        services.take_position(person=voters[3], round_id=current_round(proposal).pk,
                               stance="agree")
        page, api = both()
        assert [r.number for r in page.rounds] == [r["number"] for r in api["rounds"]] \
            == [1, 2]
        first = page.rounds[0]
        assert (first.outcome, first.eligible, first.result) \
            == (api["rounds"][0]["outcome"], api["rounds"][0]["eligible"],
                api["rounds"][0]["result"]) == ("postponed", 4, first.result)
        assert first.result["participants"] == 3
        assert page.counts == api["counts"] == {"agree": 1}
        assert page.current.number == api["current_round"] == 2
        # The star debate belongs to round 1, now an earlier round on the page.
        assert [g.number for g in page.all_star_groups] \
            == [g["number"] for g in api["star_groups"]] == [1]
        assert page.star_groups == [] and [g.number for g in page.earlier[0].star_groups] \
            == [1]
        assert [(e.from_status, e.to_status) for e in page.events] \
            == [(e["from_status"], e["to_status"]) for e in api["events"]]

    def test_the_register_and_its_filters(self, world, make_person):
        def decided(title, body="coop", objection=False, days_ago=0):
            clock.freeze(clock.now() - timedelta(days=days_ago))
            try:
                proposal = propose(world, body=body, title=title)
                round_ = current_round(proposal)
                author = world["coordinator"]
                if objection:
                    services.take_position(person=author, round_id=round_.pk,
                                           stance="objection", reason="Too dear")
                else:
                    services.take_position(person=author, round_id=round_.pk,
                                           stance="fully_agree")
                services.close_round(actor=world["coordinator"], round_id=round_.pk)
            finally:
                clock.freeze(None)

        decided("Paint the door", days_ago=40)
        decided("Buy a van", objection=True, days_ago=20)
        decided("Open on Sundays", days_ago=2)
        decided("Welcome desk hours", body="open_group", days_ago=1)
        decided("Secret budget", body="closed_group")
        today = clock.today()
        queries = ("", "q=van", "outcome=adopted", "body=accueil", "method=consent",
                   f"from={(today - timedelta(days=30)).isoformat()}",
                   f"to={(today - timedelta(days=10)).isoformat()}", "body=caisse")
        for person in (None, world["member"], world["coordinator"]):
            for query in queries:
                page = client_for(person).get(f"/decisions/?{query}")
                api = api_client(person).get(f"/api/decisions?{query}")
                assert (page.status_code, api.status_code) == (200, 200), query
                assert linked_proposals(page) \
                    == [d["proposal_id"] for d in api.json()["items"]], (person, query)
        coordinator_sees = api_client(world["coordinator"]).get("/api/decisions").json()
        assert coordinator_sees["count"] == 5
        assert api_client(None).get("/api/decisions").json()["count"] == 4

    @pytest.mark.parametrize("query", ["from=yesterday", "to=2026-02-30", "from=0001-01-01",
                                       "method=sortition", "outcome=maybe"])
    def test_the_register_refuses_a_wrong_filter_alike(self, world, query):
        """The page read years the API refuses, and any method or outcome (listing
        nothing) where the API said which ones exist."""
        page = client_for(None).get(f"/decisions/?{query}")
        api = api_client(None).get(f"/api/decisions?{query}")
        assert (page.status_code, api.status_code) == (400, 400)
        assert api.json()["detail"] in page.content.decode().replace("&quot;", '"') \
            .replace("&#x27;", "'")


# Refusals, role by role -----------------------------------------------------------------
# Each action is asked of the page and of the API on two twin proposals (a success
# changes what the second would see): a page's success redirects (302), the API's answers
# 200 or 201; a refusal is the same status on both.

DEADLINE = "2026-12-20T18:00"


def _postponed(world, body):
    """A consensus vetoed in `body`: its star debate's first group, spokesperson the
    coordinator (the first to have taken a position)."""
    proposal = propose(world, body=body, title="Statutes", decision_class="orientation")
    round_ = current_round(proposal)
    vetoer = world["coordinator"]
    if body != "closed_group":  # the member is not in the closed group
        services.take_position(person=world["coordinator"], round_id=round_.pk,
                               stance="agree")
        vetoer = world["member"]
    services.take_position(person=vetoer, round_id=round_.pk, stance="veto", reason="No",
                           counter_proposal="Later")
    services.close_round(actor=world["coordinator"], round_id=round_.pk)
    return round_.star_debate.groups.order_by("number").first()


ACTIONS = {
    # name: (what to make, page request, API request)
    "read": (None, ("get", "/proposals/{id}/", None), ("get", "/api/proposals/{id}", None)),
    "position": (None, ("post", "/proposals/{id}/position/", {"stance": "fully_agree"}),
                 ("post", "/api/proposals/{id}/position", {"stance": "fully_agree"})),
    "comment": (None, ("post", "/proposals/{id}/comment/", {"text": "Good idea"}),
                ("post", "/api/proposals/{id}/comments", {"text": "Good idea"})),
    "close": (None, ("post", "/proposals/{id}/manage/", {"action": "close", "confirmed": "yes"}),
              ("post", "/api/proposals/{id}/close", None)),
    "extend": (None, ("post", "/proposals/{id}/manage/",
                      {"action": "extend", "deadline": DEADLINE}),
               ("post", "/api/proposals/{id}/extend", {"deadline": DEADLINE})),
    "withdraw": (None, ("post", "/proposals/{id}/manage/",
                        {"action": "withdraw", "confirmed": "yes"}),
                 ("post", "/api/proposals/{id}/withdraw", None)),
    "revise": (None, ("post", "/proposals/{id}/manage/", {"action": "revise", "text": "New"}),
               ("post", "/api/proposals/{id}/revise", {"text": "New"})),
    "summary": ("star_group", ("post", "/star-groups/{id}/summary/", {"summary": "We agree"}),
                ("post", "/api/star-groups/{id}/summary", {"summary": "We agree"})),
    "propose": ("body", ("post", "/bodies/{id}/proposals/new/",
                         {"title": "T", "text": "x", "decision_class": "executive"}),
                ("post", "/api/bodies/{id}/proposals",
                 {"title": "T", "text": "x", "decision_class": "executive"})),
    "policy": ("body", ("post", "/bodies/{id}/changes/decisions.policy/",
                        {"method_executive": "consensus", "method_statutes": "consensus",
                         "method_orientation": "consensus", "method_exclusion": "consensus",
                         "method_legal_act": "majority", "star_group_size": "6",
                         "quorum_percent": "50", "threshold_percent": "50",
                         "min_seniority_days": "0", "min_participation_consent": "0",
                         "min_participation_consensus": "0", "max_proxies": "1"}),
               ("post", "/api/bodies/{id}/decision-policy",
                {"policy": {"executive": "consensus"}})),
}
GROUP_SLUGS = {"coop": "cit", "closed_group": "caisse", "open_group": "accueil"}


def _target(world, kind, body):
    if kind == "body":
        return GROUP_SLUGS[body]
    if kind == "star_group":
        return _postponed(world, body).pk
    return propose(world, body=body).pk


def _ask(person, request, target, api):
    verb, url, data = request
    url = url.format(id=target)
    if api:
        return getattr(api_client(person), verb)(url, data)
    client = client_for(person)
    return client.get(url) if verb == "get" else client.post(url, data or {})


# A success: the page's status and the API's; any other answer must be the same on both.
SUCCESS = {"read": (200, 200), "comment": (302, 201), "propose": (302, 201),
           "policy": (302, 201)}


@pytest.mark.parametrize("body", ["coop", "closed_group"])
@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_role_gets_the_same_answer(world, action, body):
    kind, page_request, api_request = ACTIONS[action]
    answers = {}
    for role in ROLES:
        person = world[role]
        page = _ask(person, page_request, _target(world, kind, body), api=False)
        api = _ask(person, api_request, _target(world, kind, body), api=True)
        answers[role] = (page.status_code, api.status_code)
    success = SUCCESS.get(action, (302, 200))
    assert all(answer == success or answer[0] == answer[1] for answer in answers.values()), \
        answers
    assert all(status >= 400 or answer == success
               for answer in answers.values() for status in answer), answers


def test_no_open_round_is_a_conflict_on_both(world):
    """Closing, extending or taking a position once the round is closed: 409 on both
    (the page said 400)."""
    proposal = propose(world)
    services.withdraw_proposal(actor=world["coordinator"], proposal_id=proposal.pk)
    coordinator = world["coordinator"]
    for page_data, api_url, api_data in (
            ({"action": "close"}, "close", None),
            ({"action": "extend", "deadline": DEADLINE}, "extend", {"deadline": DEADLINE})):
        page = client_for(coordinator).post(f"/proposals/{proposal.pk}/manage/", page_data)
        api = api_client(coordinator).post(f"/api/proposals/{proposal.pk}/{api_url}", api_data)
        assert (page.status_code, api.status_code) == (409, 409)
    page = client_for(world["member"]).post(f"/proposals/{proposal.pk}/position/",
                                            {"stance": "fully_agree"})
    api = api_client(world["member"]).post(f"/api/proposals/{proposal.pk}/position",
                                           {"stance": "fully_agree"})
    assert (page.status_code, api.status_code) == (409, 409)
    assert Proposal.objects.get(pk=proposal.pk).status == "withdrawn"
