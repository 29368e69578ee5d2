"""The access matrix: every address of the site and every operation of the API, for every
role, generated from the URL resolver and the OpenAPI document. A new address or
operation fails `test_every_address_is_mapped` / `test_every_operation_is_mapped` until
someone fills its parameters and writes what each role gets: nothing is left uncovered
because nobody wrote its test.

The roles: anonymous; an outsider (signed in, member of nothing); a coordinator of
another cooperative ("other"); an active member of the closed group "Caisse"; its
coordinator; an operator. Addresses are filled with what the closed group holds
(matrix_support.py), so each case asks "what does this role get from what a closed
group keeps to itself?". The rule the site follows, and the tables below say:

- a stranger (anonymous, outsider, other) asking for anything the closed group holds
  gets 404, as if nothing were there; anonymous is sent to the log-in page first where
  the page or operation is for signed-in people only (the API answers 401);
- what belongs to the cooperative around it (its economy, its teach/learn lists) is
  refused with 403 to strangers: the cooperative is open, what it holds is not hidden;
- nothing a stranger gets shows the closed group's secrets (its description, place, or
  the titles of what it holds), and nothing a stranger sends changes anything;
- the open group's public pages (R2) are readable by anonymous.

Where the site answers otherwise, the case is an xfail(strict=True) naming what it
answers: the owner fixes it and removes the line (strict: the fix makes it fail).
"""

import json

import pytest
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from tests.security import matrix_support as ms
from tests.security import openapi
from tests.support.clock import travel

ROLES = ms.ROLES
STRANGERS = ms.STRANGERS


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker, tmp_path_factory):
    """One world for the module, in a transaction rolled back at its end; each case
    runs in a savepoint of its own (the `db` fixture)."""
    storages = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path_factory.mktemp("media")}}}
    with django_db_blocker.unblock(), travel(), translation.override("en"), \
            override_settings(STORAGES=storages):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield ms.build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# --- What each role gets from each page --------------------------------------------------
# A row: the answers to GET of anonymous, outsider, other, member, coordinator, operator,
# then to POST (an empty form) of anonymous and outsider. "login": 302 to the log-in page
# coming back here; "302:/path": a redirect there; a number: that status.

PUBLIC = ("200 200 200 200 200 200", "200 200")
# R2: what an open body publishes to everyone; a closed one's answers 404 to strangers.
R2_VIEW = ("404 404 404 200 200 200", "404 404")
R2_FEED = ("404 404 404 200 200 200", "405 405")  # GET only (feeds, resource pages)
MEMBERS = ("login 404 404 200 200 200", "login 404")
COORDINATORS = ("login 404 404 403 200 200", "login 404")
ACTION = ("login 405 405 405 405 405", "login 404")  # POST only
OWN = "login 200 200 200 200 200"  # one's own pages
# The cooperative around the closed group is open: its members' pages say 403.
COOP_MEMBERS = ("login 403 403 200 200 200", "login 403")
COOP_ACTION = ("login 405 405 405 405 405", "login 403")

PAGES = {
    "home": PUBLIC, "newcomers": PUBLIC, "healthz": PUBLIC, "robots.txt": PUBLIC,
    # The installable, offline-readable site: the same for everyone (offline_pages lists
    # one's own pages, none for anonymous); GET only.
    "manifest": ("200 200 200 200 200 200", "405 405"),
    "service_worker": ("200 200 200 200 200 200", "405 405"),
    "offline": ("200 200 200 200 200 200", "405 405"),
    "offline_not_sent": ("200 200 200 200 200 200", "405 405"),
    "offline_pages": ("200 200 200 200 200 200", "405 405"),
    "favicon.ico": (" ".join(["301:/static/autogestion/favicon.svg"] * 6),
                    "301:/static/autogestion/favicon.svg 301:/static/autogestion/favicon.svg"),
    # cooperatives
    "body_list": PUBLIC,
    "body_detail": PUBLIC,  # the closed group's existence is public, its details are not
    "body_join": (ACTION[0], "login 400"),  # anyone signed in may ask; {} lacks the message
    "body_leave": (ACTION[0], "login 409"),  # not a member: nothing to leave
    "body_edit": COORDINATORS,
    "body_progress": ACTION,
    "body_directory": MEMBERS,
    "body_requests": COORDINATORS,
    "membership_accept": ACTION, "membership_decline": ACTION,
    # Only operators found top-level bodies; any member founds a group inside.
    "body_create": ("login 403 403 403 403 200", "login 403"),
    "body_found": MEMBERS, "body_roles": COORDINATORS,
    # The SCIC's colleges and the SCOP's capital: the cooperative's coordinators.
    "body_colleges": ("login 403 403 403 200 200", "login 403"),
    "body_capital": ("login 403 403 403 200 200", "login 403"),
    # accounts
    "profile": (OWN, "login 400"),
    "profile_export": (OWN, "login 200"),
    "token_create": (ACTION[0], "login 400"),
    "token_revoke": ACTION,  # another person's token
    "set_language": ("405 405 405 405 405 405", "400 400"),
    "body_invitations": COORDINATORS, "invitation_revoke": ACTION,
    # The invitation's token is the credential: whoever holds it sees what it opens.
    "invitation_detail": ("200 200 200 200 200 200", "login 400"),
    "account_email": (OWN, "login 302:/accounts/email/"),
    "account_change_password": (OWN, "login 200"),
    "mfa_index": (OWN, "login 405"),
    # notifications: one's own; another person's notification is not found
    "notification_list": (OWN, "login 405"),
    "notification_open": ("login 404 404 302:/notifications/ 404 404", "login 405"),
    "notification_read_all": (ACTION[0], "login 302:/notifications/"),
    "notification_settings": (OWN, "login 302:/notifications/settings/"),
    "push_subscription_remove": ACTION,
    # assemblies
    "body_meetings": R2_VIEW, "body_calendar": R2_FEED, "occurrence_detail": R2_VIEW,
    "occurrence_calendar": R2_FEED, "occurrence_program": R2_VIEW,
    "series_create": COORDINATORS, "occurrence_minutes": COORDINATORS,
    "agenda_add": ACTION, "occurrence_manage": ACTION, "agenda_item_action": ACTION,
    "session_signup": ACTION, "session_leave": ACTION,
    # The member's secret feed address is the credential: whoever holds it reads it.
    "member_calendar": ("200 200 200 200 200 200", "405 405"),
    "calendar_reset": (ACTION[0], "login 302:/profile/"),  # the outsider's own address
    # decisions
    "decision_register": PUBLIC, "body_proposals": R2_VIEW, "proposal_detail": R2_VIEW,
    "proposal_not_positioned": R2_VIEW,
    "proposal_create": ("login 404 404 200 200 403", "login 404"),  # operators do not propose
    # The rules are read by whoever sees the body; they change only by decision (R16).
    "body_policy": (R2_VIEW[0], "405 405"),
    "body_propose_change": ("login 404 404 200 200 403", "login 404"),
    "proposal_proxy": ACTION,
    # The proxy is in the open cooperative: strangers are refused, not kept in the dark.
    "proxy_revoke": ("login 405 405 405 405 405", "login 403"),
    # One's proxies for the body's general meetings: its members' (a group holds no legal
    # votes: the page says so).
    "body_meeting_proxies": ("login 404 404 200 200 403", "login 404"),
    "meeting_proxy_revoke": ("login 405 405 405 405 405", "login 403"),
    "proposal_position": ACTION, "proposal_comment": ACTION, "proposal_manage": ACTION,
    "star_summary": ACTION,
    # facilitation
    "room": R2_VIEW, "room_state": R2_VIEW, "room_stats": R2_VIEW, "body_speech": R2_VIEW,
    "room_open": ACTION, "room_act": ACTION, "room_gesture": ACTION, "room_manage": ACTION,
    "self_description": (OWN, "login 302:/profile/self-description/"),
    # economy
    "economy_home": ("login 302:/bodies/cit/economy/ 302:/bodies/other/economy/ "
                     "302:/bodies/cit/economy/ 302:/bodies/cit/economy/ "
                     "302:/bodies/cit/economy/", "login 302:/bodies/cit/economy/"),
    "economy": COOP_MEMBERS, "offers": COOP_MEMBERS, "economy_across": COOP_MEMBERS,
    "currency_create": ("login 403 403 403 200 200", "login 403"),
    "currency_detail": ("login 403 403 200 200 200", "login 405"),
    "economy_pay": COOP_ACTION, "economy_request": COOP_ACTION,
    "economy_open_account": COOP_ACTION,
    "fund": MEMBERS, "fund_overdraft": ACTION,
    "account_statement": COORDINATORS,  # the closed group's account: its stewards
    "account_limits": ACTION, "account_status": ACTION, "payment_reverse": ACTION,
    "payment_request_accept": ACTION, "payment_request_decline": ACTION,
    "offer_withdraw": ACTION,
    # commons
    "resource_list": ("200 200 200 200 200 200", "405 405"),
    "resource_detail": R2_FEED, "resource_calendar": R2_FEED, "resource_photo": R2_FEED,
    "body_resources": R2_FEED,
    "resource_edit": COORDINATORS, "resource_create": COORDINATORS,
    "resource_book": ACTION, "resource_photo_add": ACTION, "resource_photo_remove": ACTION,
    "my_bookings": (OWN, "login 405"),
    "booking_approve": ACTION, "booking_decline": ACTION, "booking_cancel": ACTION,
    # work
    "work_index": (OWN, "login 200"),
    "work_home": MEMBERS, "work_skills": MEMBERS, "work_unavailability": MEMBERS,
    "work_rotations": MEMBERS, "work_rotation": MEMBERS,
    "work_post_edit": COORDINATORS, "work_confirm": COORDINATORS,
    "work_post_create": ACTION, "work_skill_confirm": ACTION,
    "work_unavailability_withdraw": ACTION, "work_assign": ACTION, "work_reassign": ACTION,
    "work_unassign": ACTION, "work_publish": ACTION, "work_discard": ACTION,
    "work_learning": COOP_MEMBERS, "work_training_schedule": COOP_ACTION,
    "work_knowledge_remove": COOP_ACTION, "work_training_cancel": COOP_ACTION,
    # the daily plan
    "daily_plans": MEMBERS, "daily_week": MEMBERS, "daily_plan": MEMBERS,
    "daily_plan_edit": MEMBERS,
    "daily_plan_prepare": ACTION, "daily_plan_publish": ACTION, "daily_plan_note": ACTION,
    "daily_task_add": ACTION, "daily_task_update": ACTION, "daily_task_remove": ACTION,
    "daily_task_move": ACTION,
}
# Pages whose answer may show what the closed group holds to whoever asks.
CAPABILITY_PAGES = {"member_calendar"}
# What an outsider's POST may change: their own things.
OWN_CHANGES = {"calendar_reset": {"assemblies_calendarfeedtoken"},
               "notification_read_all": {"notifications_notification"}}

# (page, method, role) -> what the site does instead, as a strict xfail; the owner fixes
# it, then removes it. Empty since #12: pages and API answer alike.
PAGE_XFAILS: dict = {}

PAGE_LIST = ms.pages()


def _expected(page_name: str, method: str, role: str) -> str:
    get_row, post_row = PAGES[page_name]
    if method == "GET":
        return get_row.split()[ROLES.index(role)]
    return post_row.split()[("anonymous", "outsider").index(role)]


def _check_answer(response, expected: str, url: str) -> None:
    if expected == "login":
        assert (response.status_code, response.get("Location")) == (
            302, redirect_to_login(url)["Location"])
    elif ":" in expected:
        status, location = expected.split(":", 1)
        assert (response.status_code, response.get("Location")) == (int(status), location)
    else:
        assert response.status_code == int(expected), ms.content_of(response)[:300]


def _page_cases(methods_roles):
    for page in PAGE_LIST:
        for method, role in methods_roles:
            reason = PAGE_XFAILS.get((page.name, method, role))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(page, role, id=f"{page.name}-{role}", marks=marks)


def _require_mapping(page, matrix) -> None:
    if page.name not in PAGES:
        pytest.fail(f"{page.route} ({page.name}) is not in PAGES: write what each role gets")
    if unfilled := page.unfilled(matrix.closed):
        pytest.fail(f"{page.route}: no value for {unfilled}: add one to matrix_support.py")


def test_every_address_is_mapped(matrix):
    unfilled = {page.route: page.unfilled(matrix.closed) for page in PAGE_LIST
                if page.unfilled(matrix.closed)}
    assert not unfilled, ("parameters this suite cannot fill (add them to the world in "
                          f"matrix_support.py): {unfilled}")
    names = [page.name for page in PAGE_LIST]
    assert len(names) == len(set(names)), "two addresses share a name"
    assert sorted(set(names) - set(PAGES)) == [], "addresses without a row in PAGES"
    assert sorted(set(PAGES) - set(names)) == [], "rows of PAGES for no address"


@pytest.mark.parametrize(("page", "role"), list(_page_cases([("GET", r) for r in ROLES])))
def test_get_page(page, role, matrix, db):
    _require_mapping(page, matrix)
    url = page.url(matrix.closed)
    response = matrix.client(role).get(url)
    _check_answer(response, _expected(page.name, "GET", role), url)
    if role in STRANGERS and page.name not in CAPABILITY_PAGES:
        assert ms.shows_a_secret(ms.content_of(response)) == []


@pytest.mark.parametrize(("page", "role"),
                         list(_page_cases([("POST", r) for r in ("anonymous", "outsider")])))
def test_post_page_changes_nothing(page, role, matrix, db):
    _require_mapping(page, matrix)
    url = page.url(matrix.closed)
    with ms.written_tables() as written:
        response = matrix.client(role).post(url, {})
    _check_answer(response, _expected(page.name, "POST", role), url)
    assert ms.shows_a_secret(ms.content_of(response)) == []
    assert ms.changed_tables(matrix.baseline, written, OWN_CHANGES.get(page.name, ())) == []


R2_PAGES = [page for page in PAGE_LIST if PAGES.get(page.name) in (R2_VIEW, R2_FEED)]


@pytest.mark.parametrize("page", R2_PAGES, ids=lambda page: page.name)
def test_open_group_page_is_public(page, matrix, db):
    """R2: an open group's meetings, agendas, proposals, rooms and resources are
    readable without an account."""
    response = matrix.client("anonymous").get(page.url(matrix.open))
    assert response.status_code == 200


# --- What each role gets from each operation of the API -------------------------------
# A row: the status for anonymous, outsider, other, member, coordinator, operator. Bodies
# of writes pass the schema (matrix_support.API_BODIES) so that they reach the checks.

API_PUBLIC = "200 200 200 200 200 200"
API_R2_READ = "404 404 404 200 200 200"
API_MEMBERS_READ = "401 404 404 200 200 200"
API_OWN_READ = "401 200 200 200 200 200"
API_COOP_READ = "401 403 403 200 200 200"
API_COORDINATORS = "401 404 404 403 200 200"  # a write the body's coordinators make
API_MEMBERS_CREATE = "401 404 404 201 201 201"
API_COORDINATORS_CREATE = "401 404 404 403 201 201"

OPERATIONS = {
    # cooperatives
    "GET /api/bodies": API_PUBLIC,
    "GET /api/bodies/{slug}": API_PUBLIC,
    "GET /api/bodies/{slug}/members": API_R2_READ,
    "POST /api/bodies/{slug}/progress": API_MEMBERS_CREATE,
    # Anyone signed in may ask; a group is joined after its cooperative (400).
    "POST /api/bodies/{slug}/join": "401 400 400 409 409 400",
    "POST /api/bodies/{slug}/leave": "401 409 409 200 409 409",
    "GET /api/bodies/{slug}/requests": "401 404 404 403 200 200",
    "POST /api/memberships/{membership_id}/accept": API_COORDINATORS,
    "POST /api/memberships/{membership_id}/decline": API_COORDINATORS,
    "POST /api/bodies": "401 403 403 403 403 201",  # operators found top-level bodies
    "POST /api/bodies/{slug}/children": API_MEMBERS_CREATE,
    "PATCH /api/bodies/{slug}": API_COORDINATORS,
    "GET /api/bodies/{slug}/roles": API_COORDINATORS,
    "PUT /api/bodies/{slug}/roles": API_COORDINATORS,
    "PUT /api/bodies/{slug}/colleges": "401 403 403 403 200 200",
    "GET /api/bodies/{slug}/capital": "401 403 403 403 200 200",
    "PUT /api/bodies/{slug}/capital": "401 403 403 403 200 200",
    # CIT has no colleges: the college named does not exist (404) for its coordinators.
    "PUT /api/bodies/{slug}/member-college": "401 403 403 403 404 404",
    # accounts
    "GET /api/me": API_OWN_READ, "PATCH /api/me": API_OWN_READ,
    "GET /api/me/memberships": API_OWN_READ, "GET /api/me/export": API_OWN_READ,
    "GET /api/me/tokens": API_OWN_READ, "POST /api/me/tokens": "401 201 201 201 201 201",
    "DELETE /api/me/tokens/{token_id}": "401 404 404 200 404 404",  # the member's token
    "GET /api/bodies/{slug}/invitations": "401 404 404 403 200 200",
    "POST /api/bodies/{slug}/invitations": API_COORDINATORS_CREATE,
    "POST /api/bodies/{slug}/invitations/{invitation_id}/revoke": "401 404 404 403 200 200",
    "GET /api/invitations/{token}": API_PUBLIC,
    # The member and the coordinator are in already (409); the others are not in the
    # cooperative around the group (400).
    "POST /api/invitations/{token}/accept": "401 400 400 409 409 400",
    # assemblies
    "GET /api/bodies/{slug}/series": API_R2_READ,
    "POST /api/bodies/{slug}/series": API_COORDINATORS_CREATE,
    "GET /api/series/{series_id}/occurrences": API_R2_READ,
    "GET /api/series/{series_id}/occurrences/{day}": API_R2_READ,
    "POST /api/series/{series_id}/occurrences/{day}/cancel": API_COORDINATORS,
    "POST /api/series/{series_id}/occurrences/{day}/move": API_COORDINATORS,
    "POST /api/series/{series_id}/occurrences/{day}/restore": API_COORDINATORS,
    "POST /api/series/{series_id}/occurrences/{day}/items": API_MEMBERS_CREATE,
    "POST /api/agenda-items/{item_id}/accept": API_COORDINATORS,
    "POST /api/agenda-items/{item_id}/discard": API_COORDINATORS,
    "POST /api/agenda-items/{item_id}/reopen": "401 404 404 403 409 409",  # still new
    "POST /api/agenda-items/{item_id}/delay": API_COORDINATORS,
    "POST /api/series/{series_id}/occurrences/{day}/order": API_COORDINATORS,
    "PUT /api/series/{series_id}/occurrences/{day}/order": API_COORDINATORS,
    # The agenda holds one item: it is already first (409).
    "POST /api/agenda-items/{item_id}/move": "401 404 404 403 409 409",
    "POST /api/series/{series_id}/occurrences/{day}/fix": "401 404 404 403 409 409",
    "POST /api/series/{series_id}/occurrences/{day}/sessions": API_COORDINATORS_CREATE,
    # 400 for insiders: the session takes no sign-up (it is the meeting's plenary).
    "POST /api/sessions/{session_id}/signup": "401 404 404 400 400 400",
    "POST /api/sessions/{session_id}/leave": "401 404 404 404 404 404",  # nobody signed up
    "PUT /api/series/{series_id}/occurrences/{day}/minutes": API_COORDINATORS,
    # 409 for coordinators: the meeting has not taken place.
    "POST /api/series/{series_id}/occurrences/{day}/minutes/publish":
        "401 404 404 403 409 409",
    "POST /api/series/{series_id}/occurrences/{day}/attendance": API_COORDINATORS,
    # decisions
    "GET /api/bodies/{slug}/proposals": API_R2_READ,
    "POST /api/bodies/{slug}/proposals": "401 404 404 201 201 403",  # members propose
    "GET /api/bodies/{slug}/decision-policy": API_R2_READ,
    "POST /api/bodies/{slug}/decision-policy": "401 404 404 201 201 403",
    "POST /api/bodies/{slug}/changes/{kind}": "401 404 404 201 201 403",
    # The matrix's proposals are consent ones: no proxy there (400) for members.
    "POST /api/proposals/{proposal_id}/proxies": "401 404 404 400 400 403",
    # The giver revokes, the holder declines; nobody else touches it.
    "POST /api/proxies/{proxy_id}/revoke": "401 403 403 200 200 403",
    # Proxies for a general meeting: members only; a group holds no legal votes (400).
    "GET /api/bodies/{slug}/meeting-proxies": "401 404 404 200 200 403",
    "POST /api/bodies/{slug}/meeting-proxies": "401 404 404 400 400 403",
    # The member gave it to the coordinator in the open cooperative.
    "POST /api/meeting-proxies/{meeting_proxy_id}/revoke": "401 403 403 200 200 403",
    "GET /api/proposals/{proposal_id}": API_R2_READ,
    "POST /api/proposals/{proposal_id}/position": "401 404 404 200 200 403",  # members only
    "POST /api/proposals/{proposal_id}/close": API_COORDINATORS,
    "POST /api/proposals/{proposal_id}/extend": API_COORDINATORS,
    "POST /api/proposals/{proposal_id}/revise": "401 404 404 403 409 409",  # round open
    "POST /api/proposals/{proposal_id}/withdraw": API_COORDINATORS,
    "POST /api/proposals/{proposal_id}/refer": API_COORDINATORS,
    "POST /api/proposals/{proposal_id}/comments": API_MEMBERS_CREATE,
    # The star group's spokesperson (the coordinator) writes its summary.
    "POST /api/star-groups/{group_id}/summary": API_COORDINATORS,
    "GET /api/decisions": API_PUBLIC,
    # facilitation
    "GET /api/rooms/{room_id}": API_R2_READ,
    "POST /api/meetings/{series_id}/{day}/room": API_COORDINATORS,
    "POST /api/rooms/{room_id}/act": "401 404 404 200 200 200",
    "POST /api/rooms/{room_id}/close": API_COORDINATORS,
    "POST /api/rooms/{room_id}/gestures": API_MEMBERS_CREATE,
    "POST /api/rooms/{room_id}/gestures/release": "401 404 404 200 200 200",
    "PUT /api/rooms/{room_id}/roles": API_COORDINATORS,
    "POST /api/rooms/{room_id}/item": API_COORDINATORS,
    "PUT /api/rooms/{room_id}/settings": "401 404 404 403 400 400",  # 1 s is too short
    # economy
    "GET /api/bodies/{slug}/currencies": API_COOP_READ,
    "POST /api/bodies/{slug}/currencies": "401 403 403 403 201 201",
    "GET /api/currencies/{currency_id}": API_COOP_READ,
    "GET /api/me/accounts": API_OWN_READ,
    "POST /api/me/accounts": "401 403 403 200 200 403",  # members of the cooperative
    "POST /api/bodies/{slug}/accounts": API_COORDINATORS_CREATE,
    # The closed group's account: its stewards.
    "GET /api/accounts/{account_id}": API_COORDINATORS,
    "GET /api/accounts/{account_id}/entries": API_COORDINATORS,
    "PUT /api/accounts/{account_id}/limits": API_COORDINATORS,
    "PUT /api/accounts/{account_id}/status": API_COORDINATORS,
    # From the closed group's account to the member's: its stewards pay.
    "POST /api/payments": "401 404 404 403 201 201",
    "POST /api/payments/across": "401 404 404 403 400 400",  # no pairing to pay across
    "GET /api/payments/{payment_id}": API_MEMBERS_READ,  # the member was paid
    "POST /api/payments/{payment_id}/reverse": API_MEMBERS_CREATE,  # the payee reverses
    "POST /api/payment-requests": "401 404 404 403 201 201",
    "GET /api/me/payment-requests": API_OWN_READ,
    "POST /api/payment-requests/{request_id}/accept": "401 404 404 200 403 403",  # the buyer
    "POST /api/payment-requests/{request_id}/decline": "401 404 404 200 200 200",
    "GET /api/bodies/{slug}/offers": API_MEMBERS_READ,
    "POST /api/bodies/{slug}/offers": API_MEMBERS_CREATE,
    "POST /api/offers/{offer_id}/withdraw": API_COORDINATORS,
    "GET /api/bodies/{slug}/fund": API_MEMBERS_READ,
    "PUT /api/bodies/{slug}/fund": API_COORDINATORS,
    "POST /api/bodies/{slug}/fund/movements": API_COORDINATORS_CREATE,
    # commons
    "GET /api/resources": API_PUBLIC,
    "POST /api/bodies/{slug}/resources": API_COORDINATORS_CREATE,
    "GET /api/resources/{resource_id}": API_R2_READ,
    "PATCH /api/resources/{resource_id}": API_COORDINATORS,
    "GET /api/resources/{resource_id}/bookings": API_R2_READ,
    # The operator is not in the resource's audience (the closed group's members).
    "POST /api/resources/{resource_id}/bookings": "401 404 404 201 201 403",
    "GET /api/bookings/{booking_id}": API_R2_READ,
    "POST /api/bookings/{booking_id}/approve": API_COORDINATORS,
    "POST /api/bookings/{booking_id}/decline": API_COORDINATORS,
    "POST /api/bookings/{booking_id}/cancel": "401 404 404 200 200 200",  # booker, steward
    "GET /api/me/bookings": API_OWN_READ,
    "GET /api/me/booking-requests": API_OWN_READ,
    # work
    "GET /api/bodies/{slug}/posts": API_MEMBERS_READ,
    "POST /api/bodies/{slug}/posts": API_COORDINATORS_CREATE,
    "PATCH /api/posts/{post_id}": API_COORDINATORS,
    "GET /api/bodies/{slug}/skills": API_MEMBERS_READ,
    "PUT /api/posts/{post_id}/skill": "401 404 404 200 200 403",  # one's own skill
    "DELETE /api/posts/{post_id}/skill": "401 404 404 204 204 404",  # the operator has none
    "POST /api/skills/{skill_id}/confirm": API_COORDINATORS,
    "GET /api/bodies/{slug}/unavailability": API_MEMBERS_READ,
    "POST /api/bodies/{slug}/unavailability": "401 404 404 201 201 403",
    "DELETE /api/unavailability/{unavailability_id}": "401 404 404 204 403 403",  # its own
    "GET /api/bodies/{slug}/rotations": API_MEMBERS_READ,
    "POST /api/bodies/{slug}/rotations": API_COORDINATORS_CREATE,
    "GET /api/rotations/{rotation_id}": API_MEMBERS_READ,
    "DELETE /api/rotations/{rotation_id}": "401 404 404 403 204 204",
    # 409/400 for coordinators: the planner's rules (the post is held that day...).
    "POST /api/rotations/{rotation_id}/assignments": "401 404 404 403 409 409",
    "PATCH /api/rotations/{rotation_id}/assignments/{assignment_id}":
        "401 404 404 403 400 400",
    "DELETE /api/rotations/{rotation_id}/assignments/{assignment_id}":
        "401 404 404 403 400 400",
    "POST /api/rotations/{rotation_id}/publish": API_COORDINATORS,
    "GET /api/bodies/{slug}/knowledge": API_COOP_READ,
    "POST /api/bodies/{slug}/knowledge": "401 403 403 201 201 403",
    "DELETE /api/knowledge/{knowledge_id}": "401 403 403 204 403 403",  # the member's line
    "GET /api/bodies/{slug}/pairings": API_COOP_READ,
    "GET /api/bodies/{slug}/training-sessions": API_COOP_READ,
    "POST /api/bodies/{slug}/training-sessions": "401 403 403 201 201 403",
    "DELETE /api/training-sessions/{session_id}": "401 403 403 204 204 403",  # its pair
    # the daily plan
    "GET /api/bodies/{slug}/daily-summary": API_MEMBERS_READ,
    "POST /api/bodies/{slug}/daily-plans": API_MEMBERS_CREATE,
    "GET /api/bodies/{slug}/daily-plans/{day}": API_MEMBERS_READ,
    "POST /api/bodies/{slug}/daily-plans/{day}/publish": "401 404 404 200 200 200",
    "PUT /api/bodies/{slug}/daily-plans/{day}/note": "401 404 404 200 200 200",
    "POST /api/bodies/{slug}/daily-plans/{day}/tasks": API_MEMBERS_CREATE,
    "PATCH /api/daily-tasks/{task_id}": "401 404 404 200 200 200",
    "DELETE /api/daily-tasks/{task_id}": "401 404 404 204 204 204",
    "PUT /api/daily-tasks/{task_id}/people": "401 404 404 200 200 200",
    "POST /api/daily-tasks/{task_id}/move": "401 404 404 200 200 200",
    # notifications: one's own; the member's notification and device are the member's
    "GET /api/notifications": API_OWN_READ,
    "GET /api/notifications/preferences": API_OWN_READ,
    "GET /api/notifications/push-key": API_OWN_READ,
    "GET /api/notifications/subscriptions": API_OWN_READ,
    "POST /api/notifications/read-all": "401 200 200 200 200 200",
    "POST /api/notifications/{notification_id}/read": "401 404 404 200 404 404",
    "PATCH /api/notifications/preferences": "401 200 200 200 200 200",
    "POST /api/notifications/subscriptions": "401 201 201 201 201 201",
    "DELETE /api/notifications/subscriptions/{subscription_id}": "401 404 404 204 404 404",
}
# What a stranger's write may change: their own things.
API_OWN_CHANGES = {"PATCH /api/me": {"accounts_user"},
                   "PATCH /api/notifications/preferences": {"notifications_pushpreference"},
                   "POST /api/notifications/subscriptions": {"notifications_pushsubscription"},
                   "POST /api/notifications/read-all": {"notifications_notification"}}

# (operation, role) -> what the API does instead (see PAGE_XFAILS).
API_XFAILS: dict = {}

OPERATION_LIST = openapi.operations()


def _operation_cases():
    for op in OPERATION_LIST:
        for role in ROLES:
            reason = API_XFAILS.get((op.key, role))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(op, role, id=f"{op.key}-{role}", marks=marks)


def test_every_operation_is_mapped(matrix):
    unfilled = {op.key: ms.api_unfilled(op, matrix.closed) for op in OPERATION_LIST
                if ms.api_unfilled(op, matrix.closed)}
    assert not unfilled, ("path parameters this suite cannot fill (add them to the world "
                          f"in matrix_support.py): {unfilled}")
    keys = {op.key for op in OPERATION_LIST}
    assert sorted(keys - set(OPERATIONS)) == [], "operations without a row in OPERATIONS"
    assert sorted(set(OPERATIONS) - keys) == [], "rows of OPERATIONS for no operation"


@pytest.mark.parametrize(("op", "role"), list(_operation_cases()))
def test_operation(op, role, matrix, db):
    if op.key not in OPERATIONS:
        pytest.fail(f"{op.key} is not in OPERATIONS: write what each role gets")
    if unfilled := ms.api_unfilled(op, matrix.closed):
        pytest.fail(f"{op.key}: no value for {unfilled}: add one to matrix_support.py")
    body = ms.api_body(op, matrix.closed)
    data = json.dumps(body) if body is not None else ""
    headers = {**matrix.api_headers(role), **{name: "matrix" for name in op.header_params}}
    with ms.written_tables() as written:
        response = matrix.client("anonymous").generic(
            op.method, ms.api_url(op, matrix.closed), data, content_type="application/json",
            headers=headers)
    expected = int(OPERATIONS[op.key].split()[ROLES.index(role)])
    assert response.status_code == expected, response.content[:300]
    if role in STRANGERS:
        assert ms.shows_a_secret(response.content) == []
        if op.method != "GET":
            allowed = API_OWN_CHANGES.get(op.key, ())
            assert ms.changed_tables(matrix.baseline, written, allowed) == []


_WRITES = [op for op in OPERATION_LIST if op.method != "GET"]


@pytest.mark.parametrize("op", _WRITES, ids=lambda op: op.key)
def test_anonymous_write_is_refused_before_the_body_is_read(op, matrix, db):
    """401 whatever the body: with {} a 422 would mean the input is checked (and its
    errors told) before the caller is known."""
    response = matrix.client("anonymous").generic(
        op.method, ms.api_url(op, matrix.closed), "{}", content_type="application/json",
        headers={name: "matrix" for name in op.header_params})
    assert response.status_code == 401


# The open group's meetings, proposals, rooms and resources, as R2 makes them public (the
# member directory is for members, whatever the body).
_R2_OPERATIONS = [op for op in OPERATION_LIST
                  if OPERATIONS.get(op.key) == API_R2_READ
                  and op.key != "GET /api/bodies/{slug}/members"]


@pytest.mark.parametrize("op", _R2_OPERATIONS, ids=lambda op: op.key)
def test_open_group_operation_is_public(op, matrix, db):
    response = matrix.client("anonymous").get(ms.api_url(op, matrix.open))
    assert response.status_code == 200
