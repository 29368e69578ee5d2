"""Pages and API answer the same questions the same way: which bodies are listed and in
which order, what a body shows and its member count, who is in the directory and whose
e-mail is shown, which requests wait, and the same status for each refusal, for every
role (issue #12). Each test asks both edges and compares what they show."""

import re
from html import unescape

import pytest

from autogestion.cooperatives import services
from autogestion.cooperatives.models import Body
from tests.support.http import api_client, client_for

pytestmark = pytest.mark.django_db

SIGNED_IN = ["outsider", "member", "coordinator", "other_coordinator", "operator"]
ROLES = ["anonymous", *SIGNED_IN]
BODIES = ["reseau", "cit", "accueil", "caisse", "other", "scic"]


def person(world, role):
    return None if role == "anonymous" else world[role]


@pytest.fixture
def richer(world, make_person):
    """A member of the closed group who does not coordinate it, a request waiting in it,
    and progress posted: every question has something to answer."""
    closed, coordinator = world["closed_group"], world["coordinator"]
    joined = services.join_body(person=world["member"], body=closed)
    services.accept_membership_request(actor=coordinator, membership_id=joined.pk)
    for name in ("Zoé", "Adam"):
        newcomer = make_person(name)
        services.join_body(person=newcomer, body=world["coop"])
        services.join_body(person=newcomer, body=closed, message=f"{name} here")
    services.post_progress_update(actor=coordinator, body=closed, text="Counted the till")
    services.post_progress_update(actor=world["member"], body=world["coop"], text="We met")
    return world


def page_tree(html: str) -> list[tuple[str, int | None]]:
    """(slug, member count shown or None) for each body of the list page, in order."""
    tree = re.search(r'<ul class="tree"[^>]*>(.*?)</ul>', html, re.S).group(1)
    rows = []
    for item in tree.split("<li")[1:]:
        slug = re.search(r'href="/bodies/([^/]+)/"', item).group(1)
        count = re.search(r"(\d+) members?\b", item)
        rows.append((slug, int(count.group(1)) if count else None))
    return rows


def page_member_count(html: str) -> int | None:
    found = re.search(r"<dt>Members</dt><dd>(\d+)", html)
    return int(found.group(1)) if found else None


def directory_rows(html: str) -> list[tuple[str, str | None]]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r'<tr><th scope="row">(.*?)</tr>', body, re.S):
        name = unescape(row.split("</th>", 1)[0])
        email = re.search(r'href="mailto:([^"]+)"', row)
        rows.append((name, unescape(email.group(1)) if email else None))
    return rows


def page_status(response) -> int:
    """A page sending anonymous visitors to log in counts as the API's 401."""
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return 401
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_bodies_listed_in_the_same_order_with_the_same_counts(richer, role):
    world = richer
    page = client_for(person(world, role)).get("/bodies/")
    api = api_client(person(world, role)).get("/api/bodies")
    assert page.status_code == api.status_code == 200
    listed = page_tree(page.content.decode())
    assert listed == [(b["slug"], b["member_count"]) for b in api.json()]
    assert sorted(slug for slug, _count in listed) == sorted(BODIES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("slug", BODIES)
def test_a_body_shows_the_same_details(richer, role, slug):
    world = richer
    page = client_for(person(world, role)).get(f"/bodies/{slug}/")
    api = api_client(person(world, role)).get(f"/api/bodies/{slug}")
    assert page.status_code == api.status_code == 200
    html, data = page.content.decode(), api.json()
    assert page_member_count(html) == data["member_count"]
    progress = [u["text"] for u in data["progress_updates"]]
    shown = ("Counted the till", "We met", "New group founded: “Accueil”",
             "New group founded: “Caisse”")
    assert [text for text in shown if text in html] == [
        text for text in shown if any(update.startswith(text) for update in progress)]
    description = Body.objects.get(slug=slug).description
    if description:
        assert (description in html) == (data["description"] == description)
    if slug == "caisse" and role in ("anonymous", "outsider", "other_coordinator"):
        # A stranger: the closed group's existence, nothing of what it holds.
        assert data["description"] is None and description not in html
    children = re.findall(r'<a class="card[^"]*" href="/bodies/([^/]+)/"', html)
    assert children == [c["slug"] for c in data["children"]]
    child_counts = [int(n) for n in re.findall(
        r'<p class="small muted">[^<·]*· (\d+) members?', html)]
    assert child_counts == [c["member_count"] for c in data["children"]
                            if c["member_count"] is not None]


@pytest.mark.parametrize("role", SIGNED_IN)
@pytest.mark.parametrize("slug", ["cit", "accueil", "caisse", "other"])
def test_the_directory_lists_the_same_people_and_emails(richer, role, slug):
    world = richer
    page = client_for(world[role]).get(f"/bodies/{slug}/members/")
    api = api_client(world[role]).get(f"/api/bodies/{slug}/members")
    assert page.status_code == api.status_code
    if api.status_code != 200:
        return
    assert directory_rows(page.content.decode()) == [
        (row["name"], row["email"]) for row in api.json()]


@pytest.mark.parametrize("role", SIGNED_IN)
@pytest.mark.parametrize("slug", ["cit", "caisse"])
def test_the_same_requests_wait(richer, role, slug):
    world = richer
    page = client_for(world[role]).get(f"/bodies/{slug}/requests/")
    api = api_client(world[role]).get(f"/api/bodies/{slug}/requests")
    assert page.status_code == api.status_code
    if api.status_code == 200:
        ids = [int(i) for i in re.findall(r'action="/memberships/(\d+)/accept/"',
                                          page.content.decode())]
        assert ids == [r["id"] for r in api.json()]
        assert [r["message"] for r in api.json()] == (
            ["Zoé here", "Adam here"] if slug == "caisse" else [])


def _refusals(world, role, request_id):
    """(what is asked, page answer, API answer) for each question a refusal may answer.
    Accepting and declining are asked only of those who are refused them."""
    page, api = client_for(person(world, role)), api_client(person(world, role))
    for slug in ("cit", "caisse"):
        yield (f"directory of {slug}", page.get(f"/bodies/{slug}/members/"),
               api.get(f"/api/bodies/{slug}/members"))
        yield (f"requests of {slug}", page.get(f"/bodies/{slug}/requests/"),
               api.get(f"/api/bodies/{slug}/requests"))
        yield (f"progress of {slug}", page.post(f"/bodies/{slug}/progress/", {"text": ""}),
               api.post(f"/api/bodies/{slug}/progress", {"text": ""}))
    yield ("request that does not exist", page.post("/memberships/999999/accept/"),
           api.post("/api/memberships/999999/accept"))
    if role in ("coordinator", "operator"):
        return
    for verb in ("accept", "decline"):
        yield (f"{verb} a request", page.post(f"/memberships/{request_id}/{verb}/"),
               api.post(f"/api/memberships/{request_id}/{verb}"))


# The API's answers, in the order of _refusals: directory, requests, progress (an empty
# text) of the open cooperative "cit", then of the closed group "caisse"; a request that
# does not exist; accepting and declining a request waiting in "caisse".
EXPECTED = {
    # Pages send anonymous visitors to log in (401 here); the member directory is read
    # by anyone through the API, so it answers as R2 says (403 open, 404 closed).
    "anonymous": [403, 401, 401, 404, 401, 401, 401, 401, 401],
    "outsider": [403, 403, 403, 404, 404, 404, 404, 404, 404],
    "other_coordinator": [403, 403, 403, 404, 404, 404, 404, 404, 404],
    # In the closed group, not coordinating it: sees it, is refused its coordinators' acts.
    "member": [200, 403, 400, 200, 403, 400, 404, 403, 403],
    "coordinator": [200, 200, 400, 200, 200, 400, 404],
    "operator": [200, 200, 400, 200, 200, 400, 404],
}


@pytest.mark.parametrize("role", ROLES)
def test_the_same_status_for_each_refusal(richer, role):
    world = richer
    request_id = world["closed_group"].memberships.filter(status="pending").first().pk
    answers = list(_refusals(world, role, request_id))
    assert [api.status_code for _question, _page, api in answers] == EXPECTED[role]
    for question, page, api in answers:
        expected = 401 if role == "anonymous" else api.status_code
        assert page_status(page) == expected, (question, page.status_code, api.content[:200])
        if page.status_code == api.status_code == 403:
            assert api.json()["detail"] in unescape(page.content.decode()), question
    assert world["closed_group"].memberships.filter(status="pending").count() == 2
