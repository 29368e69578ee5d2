"""The permission matrix: every page and API endpoint of bodies and membership, for
anonymous, non-member, member, coordinator, coordinator of another cooperative and
operator. Each gets what they should and nothing more.

The closed group "Caisse" is coordinated by the coordinator; the member (of the CIT and
its open group) is not in it: to them, as to any stranger, what it holds answers 404,
as if it did not exist (R2); who sees a body but may not do the action gets 403."""

import pytest

from autogestion.cooperatives.models import ProgressUpdate
from tests.support.http import api_client, client_for, page_refused, refused

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "member", "coordinator", "other_coordinator", "operator"]


@pytest.fixture
def clients(world):
    return {role: client_for(None if role == "anonymous" else world[role]) for role in ROLES}


def statuses(clients, method, url, **kwargs):
    return {role: getattr(clients[role], method)(url, **kwargs).status_code for role in ROLES}


def expect(**by_role):
    return {role: by_role[role] for role in ROLES}


LOGIN = 302  # pages send anonymous visitors to the log-in page


@pytest.mark.parametrize(("url", "expected"), [
    ("/", expect(anonymous=200, outsider=200, member=200, coordinator=200,
                 other_coordinator=200, operator=200)),
    ("/newcomers/", expect(anonymous=200, outsider=200, member=200, coordinator=200,
                           other_coordinator=200, operator=200)),
    ("/bodies/", expect(anonymous=200, outsider=200, member=200, coordinator=200,
                        other_coordinator=200, operator=200)),
    ("/bodies/cit/", expect(anonymous=200, outsider=200, member=200, coordinator=200,
                            other_coordinator=200, operator=200)),
    ("/bodies/caisse/", expect(anonymous=200, outsider=200, member=200, coordinator=200,
                               other_coordinator=200, operator=200)),
    ("/bodies/cit/members/", expect(anonymous=LOGIN, outsider=403, member=200,
                                    coordinator=200, other_coordinator=403, operator=200)),
    ("/bodies/accueil/members/", expect(anonymous=LOGIN, outsider=403, member=200,
                                        coordinator=200, other_coordinator=403,
                                        operator=200)),
    ("/bodies/caisse/members/", expect(anonymous=LOGIN, outsider=404, member=404,
                                       coordinator=200, other_coordinator=404, operator=200)),
    ("/bodies/caisse/requests/", expect(anonymous=LOGIN, outsider=404, member=404,
                                        coordinator=200, other_coordinator=404, operator=200)),
    ("/bodies/caisse/edit/", expect(anonymous=LOGIN, outsider=404, member=404,
                                    coordinator=200, other_coordinator=404, operator=200)),
    ("/bodies/cit/requests/", expect(anonymous=LOGIN, outsider=403, member=403,
                                     coordinator=200, other_coordinator=403, operator=200)),
    ("/bodies/cit/edit/", expect(anonymous=LOGIN, outsider=403, member=403, coordinator=200,
                                 other_coordinator=403, operator=200)),
    ("/profile/", expect(anonymous=LOGIN, outsider=200, member=200, coordinator=200,
                         other_coordinator=200, operator=200)),
    ("/profile/export.json", expect(anonymous=LOGIN, outsider=200, member=200,
                                    coordinator=200, other_coordinator=200, operator=200)),
    ("/admin/", expect(anonymous=LOGIN, outsider=LOGIN, member=LOGIN, coordinator=LOGIN,
                       other_coordinator=LOGIN, operator=200)),
    ("/healthz", expect(anonymous=200, outsider=200, member=200, coordinator=200,
                        other_coordinator=200, operator=200)),
    ("/bodies/nowhere/", expect(anonymous=404, outsider=404, member=404, coordinator=404,
                                other_coordinator=404, operator=404)),
])
def test_pages(clients, url, expected):
    assert statuses(clients, "get", url) == expected


@pytest.mark.parametrize(("url", "expected"), [
    ("/api/bodies", expect(anonymous=200, outsider=200, member=200, coordinator=200,
                           other_coordinator=200, operator=200)),
    ("/api/bodies/caisse", expect(anonymous=200, outsider=200, member=200, coordinator=200,
                                  other_coordinator=200, operator=200)),
    ("/api/bodies/cit/members", expect(anonymous=403, outsider=403, member=200,
                                       coordinator=200, other_coordinator=403, operator=200)),
    ("/api/bodies/caisse/members", expect(anonymous=404, outsider=404, member=404,
                                          coordinator=200, other_coordinator=404,
                                          operator=200)),
    ("/api/bodies/caisse/requests", expect(anonymous=401, outsider=404, member=404,
                                           coordinator=200, other_coordinator=404,
                                           operator=200)),
    ("/api/bodies/cit/requests", expect(anonymous=401, outsider=403, member=403,
                                        coordinator=200, other_coordinator=403, operator=200)),
    ("/api/me", expect(anonymous=401, outsider=200, member=200, coordinator=200,
                       other_coordinator=200, operator=200)),
    ("/api/me/export", expect(anonymous=401, outsider=200, member=200, coordinator=200,
                              other_coordinator=200, operator=200)),
    ("/api/bodies/nowhere", expect(anonymous=404, outsider=404, member=404, coordinator=404,
                                   other_coordinator=404, operator=404)),
])
def test_api_reads(clients, url, expected):
    assert statuses(clients, "get", url) == expected


def test_closed_body_shows_only_that_it_exists(clients):
    for role in ("anonymous", "outsider", "member", "other_coordinator"):
        page = clients[role].get("/bodies/caisse/").content.decode()
        assert "Caisse" in page
        assert "Secret treasury" not in page and "Hidden place" not in page
        data = clients[role].get("/api/bodies/caisse").json()
        assert data["description"] is None and data["place"] is None
        assert data["member_count"] is None and data["progress_updates"] == []
    for role in ("coordinator", "operator"):
        page = clients[role].get("/bodies/caisse/").content.decode()
        assert "Secret treasury" in page and "Hidden place" in page


def test_open_body_is_public(clients):
    page = clients["anonymous"].get("/bodies/accueil/").content.decode()
    assert "Welcome desk" in page and "Local" in page
    data = clients["anonymous"].get("/api/bodies/accueil").json()
    assert data["description"] == "Welcome desk" and data["member_count"] == 2


def test_personal_data_only_for_self_and_coordinators(clients, world):
    member_email, coordinator_email = world["member"].email, world["coordinator"].email
    as_member = clients["member"].get("/bodies/cit/members/").content.decode()
    assert member_email in as_member and coordinator_email not in as_member
    as_coordinator = clients["coordinator"].get("/bodies/cit/members/").content.decode()
    assert member_email in as_coordinator and coordinator_email in as_coordinator
    rows = {r["name"]: r for r in clients["member"].get("/api/bodies/cit/members").json()}
    assert rows["Member"]["email"] == member_email
    assert rows["Coordinator"]["email"] is None
    # Nothing personal on public pages.
    for url in ("/", "/bodies/", "/bodies/cit/", "/api/bodies", "/api/bodies/cit"):
        text = clients["anonymous"].get(url).content.decode()
        assert member_email not in text and coordinator_email not in text


def test_writes_need_the_right_person(clients, world):
    assert clients["anonymous"].post("/bodies/cit/join/").status_code == LOGIN
    assert clients["anonymous"].post("/api/bodies/cit/join", {},
                                     content_type="application/json").status_code == 401
    assert clients["outsider"].post("/bodies/cit/progress/", {"text": "hi"}).status_code == 403
    assert clients["outsider"].post("/api/bodies/cit/progress", {"text": "hi"},
                                    content_type="application/json").status_code == 403
    assert clients["member"].post("/bodies/cit/edit/", {"name": "Mine"}).status_code == 403
    assert clients["other_coordinator"].post(
        "/bodies/cit/edit/", {"name": "Theirs"}).status_code == 403
    world["coop"].refresh_from_db()
    assert world["coop"].name == "CIT"


def test_strangers_writing_to_a_closed_body_get_404_and_change_nothing(clients, world):
    """Asked before the form is read: an empty progress form gets 404, not 400."""
    for role in ("outsider", "member", "other_coordinator"):
        client = clients[role]
        page_refused(client.post("/bodies/caisse/progress/", {}), 404)
        page_refused(client.post("/bodies/caisse/progress/", {"text": "hi"}), 404)
        page_refused(client.post("/bodies/caisse/edit/", {"name": "Theirs"}), 404)
        refused(api_client(world[role]).post("/api/bodies/caisse/progress", {"text": "hi"}),
                404, contains="There is no body with the short name “caisse”.")
    # Who sees an open body but may not post is told who may (the form is not read).
    page_refused(clients["outsider"].post("/bodies/cit/progress/", {}), 403,
                 "Only members of CIT post its progress.")
    assert not ProgressUpdate.objects.filter(body=world["closed_group"]).exists()
    world["closed_group"].refresh_from_db()
    assert world["closed_group"].name == "Caisse"


def test_a_closed_body_answers_404_as_one_that_does_not_exist(clients, world):
    """The same status and the same words: a stranger cannot tell them apart."""
    hidden = api_client(world["outsider"]).get("/api/bodies/caisse/members").json()
    absent = api_client(world["outsider"]).get("/api/bodies/nowhere/members").json()
    assert hidden["detail"].replace("caisse", "nowhere") == absent["detail"]
