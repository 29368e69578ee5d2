"""The pages and the API ask the economy the same questions and get the same answers:
the same accounts with the same balances and margins (a locked account can pay and
receive nothing on both), the same statement lines, the same offers for a search (each
word), the same fund movements in the same order, the same payment requests, and the
same status for each refusal, role by role (economy/access.py answers both)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from autogestion.cooperatives import services as bodies
from autogestion.core import clock
from autogestion.economy import services
from autogestion.economy.models import Payment
from tests.support.http import api_client, client_for, page_refused, refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def caisse(world, oseille, make_person):
    """The closed group's account, and a member of the closed group who is not its
    steward."""
    closed = world["closed_group"]
    insider = make_person("Insider")
    bodies.join_body(person=insider, body=world["coop"])
    asked = bodies.join_body(person=insider, body=closed, message="hello")
    bodies.accept_membership_request(actor=world["coordinator"], membership_id=asked.pk)
    account = services.open_body_account(actor=world["coordinator"], currency=oseille,
                                         body=closed)
    return {"account": account, "insider": insider}


def _api_accounts(person) -> dict:
    answer = api_client(person).get("/api/me/accounts")
    assert answer.status_code == 200
    return {a["id"]: (a["balance"]["minor"], a["margin_to_pay"]["minor"],
                      (a["margin_to_receive"] or {}).get("minor"), a["status"])
            for a in answer.json()}


def _page_accounts(person) -> dict:
    answer = client_for(person).get("/bodies/cit/economy/")
    assert answer.status_code == 200
    return {row.account.pk: (row.account.balance, row.margin_to_pay, row.margin_to_receive,
                             row.account.status)
            for row in answer.context["page"].mine}


def test_balances_and_margins_are_the_same(world, accounts):
    member, coordinator = accounts
    services.pay(actor=world["member"], payer_id=member.pk, payee_id=coordinator.pk,
                 amount=2_500)
    services.set_limits(actor=world["coordinator"], account_id=coordinator.pk,
                        debit_limit=10_000, credit_ceiling=5_000)
    for person in (world["member"], world["coordinator"]):
        assert _page_accounts(person) == _api_accounts(person)
    assert _api_accounts(world["member"])[member.pk] == (-2_500, 7_500, None, "active")
    assert _api_accounts(world["coordinator"])[coordinator.pk] == (2_500, 12_500, 2_500,
                                                                   "active")


def test_a_locked_account_has_no_margin_on_the_page_either(world, accounts):
    member, coordinator = accounts
    services.set_limits(actor=world["coordinator"], account_id=member.pk,
                        debit_limit=10_000, credit_ceiling=8_000)
    services.set_account_status(actor=world["coordinator"], account_id=member.pk,
                                status="locked")
    page, api = _page_accounts(world["member"]), _api_accounts(world["member"])
    assert page == api
    assert page[member.pk] == (0, 0, 0, "locked")


def test_statements_list_the_same_lines(world, accounts, frozen_clock_days):
    member, coordinator = accounts
    for day, amount in ((date(2026, 11, 2), 100), (date(2026, 11, 10), 200),
                        (date(2026, 11, 20), 300)):
        frozen_clock_days(day)
        services.pay(actor=world["member"], payer_id=member.pk, payee_id=coordinator.pk,
                     amount=amount)
    for query in ({}, {"from": "2026-11-05"}, {"from": "2026-11-05", "to": "2026-11-10"}):
        page = client_for(world["member"]).get(f"/accounts/{member.pk}/statement/", query)
        api = api_client(world["member"]).get(f"/api/accounts/{member.pk}/entries", query)
        assert page.status_code == api.status_code == 200
        page_lines = [(line.entry.pk, line.entry.amount, line.entry.balance_after)
                      for line in page.context["statement"].lines]
        api_lines = [(e["id"], e["amount"]["minor"], e["balance_after"]["minor"])
                     for e in reversed(api.json()["items"])]
        assert page_lines == api_lines, query
    assert len(page_lines) == 1


@pytest.fixture
def frozen_clock_days():
    def freeze(day):
        clock.freeze(datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo("Europe/Paris")))

    yield freeze
    clock.freeze(None)


def test_offer_search_is_the_same_and_matches_each_word(world):
    def publish(title, description=""):
        return services.publish_offer(actor=world["member"], cooperative=world["coop"],
                                      kind="offer", title=title, description=description,
                                      category="food", expires_on=date(2027, 1, 20),
                                      price_euros=500).pk

    both = publish("Paniers bio", "légumes de saison")
    phrase = publish("Légumes bio")
    publish("Paniers de fruits")
    for q, expected in (("légumes bio", {both, phrase}), ("paniers légumes", {both}),
                        ("bio", {both, phrase}), ("", None)):
        page = client_for(world["member"]).get("/bodies/cit/offers/", {"q": q})
        api = api_client(world["member"]).get("/api/bodies/cit/offers", {"q": q})
        assert page.status_code == api.status_code == 200
        page_ids = [row.offer.pk for row in page.context["rows"]]
        assert page_ids == [o["id"] for o in api.json()["items"]], q
        if expected is not None:
            assert set(page_ids) == expected, q
    # Who may withdraw each: its author and the stewards, on both edges.
    for person in (world["member"], world["coordinator"]):
        page = client_for(person).get("/bodies/cit/offers/").context["rows"]
        api = api_client(person).get("/api/bodies/cit/offers").json()["items"]
        assert {r.offer.pk: r.can_withdraw for r in page} == {
            o["id"]: o["can_withdraw"] for o in api}
        assert all(r.can_withdraw for r in page)


def test_fund_movements_in_the_same_order(world):
    for day, amount in ((date(2026, 11, 20), 1_000), (date(2026, 10, 1), 2_000),
                        (date(2026, 11, 5), 3_000)):
        services.record_fund_movement(actor=world["coordinator"], body=world["coop"], amount=amount,
                                      category="donation", description=f"d{amount}",
                                      happened_on=day)
    page = client_for(world["member"]).get("/bodies/cit/fund/")
    api = api_client(world["member"]).get("/api/bodies/cit/fund")
    assert page.status_code == api.status_code == 200
    page_ids = [m.pk for m in page.context["page"].movements]
    assert page_ids == [m["id"] for m in api.json()["movements"]]
    # Newest first by the day they happened, not by recording.
    assert [m["amount"]["minor"] for m in api.json()["movements"]] == [1_000, 3_000, 2_000]


def test_payment_request_lists_are_the_same(world, accounts):
    member, coordinator = accounts
    asked = [services.request_payment(actor=world["coordinator"], seller_id=coordinator.pk,
                                      buyer_id=member.pk, amount=n * 100).pk
             for n in (1, 2, 3)]
    services.decline_request(actor=world["member"], request_id=asked[1])
    mine = services.request_payment(actor=world["member"], seller_id=member.pk,
                                    buyer_id=coordinator.pk, amount=50).pk
    page = client_for(world["member"]).get("/bodies/cit/economy/").context["page"]
    api = api_client(world["member"])
    asked_of_me = api.get("/api/me/payment-requests", {"role": "buyer", "status": "pending"})
    asked_by_me = api.get("/api/me/payment-requests", {"role": "seller", "status": "pending"})
    assert [r.pk for r in page.requests_in] == [r["id"] for r in asked_of_me.json()["items"]]
    assert [r.pk for r in page.requests_in] == [asked[2], asked[0]]
    assert [r.pk for r in page.requests_out] == [r["id"] for r in asked_by_me.json()["items"]]
    assert [r.pk for r in page.requests_out] == [mine]


# Refusals: the same status on both edges, role by role ---------------------------------

ROLES = ("outsider", "other_coordinator", "member", "insider", "coordinator")


def _person(world, caisse, role):
    return caisse["insider"] if role == "insider" else world[role]


@pytest.fixture
def held(world, oseille, accounts, caisse):
    """What the closed group holds: its account, a payment from it to the member, a
    request of it to the member, and an offer published for it."""
    member, _coordinator = accounts
    payment = services.pay(actor=world["coordinator"], payer_id=caisse["account"].pk,
                           payee_id=member.pk, amount=500)
    request = services.request_payment(actor=world["coordinator"],
                                       seller_id=caisse["account"].pk, buyer_id=member.pk,
                                       amount=300)
    offer = services.publish_offer(actor=world["coordinator"], cooperative=world["coop"],
                                   kind="offer", title="Secret", category="tools",
                                   expires_on=date(2027, 1, 31), price_euros=500,
                                   on_behalf_of=world["closed_group"])
    return {"account": caisse["account"].pk, "payment": payment.pk, "request": request.pk,
            "offer": offer.pk, "member_account": member.pk}


# (page method, page url, page data, API method, API url, API body), with the expected
# status for outsider, other coordinator, member of the cooperative, member of the closed
# group who is not its steward. A page that answers (200 or 302) counts as the API's 2xx.
ASKED = {
    "statement": ("get", "/accounts/{account}/statement/", None,
                  "get", "/api/accounts/{account}", None, (404, 404, 404, 403)),
    "entries": ("get", "/accounts/{account}/statement/", None,
                "get", "/api/accounts/{account}/entries", None, (404, 404, 404, 403)),
    "limits": ("post", "/accounts/{account}/limits/", {"debit_limit": "10"},
               "put", "/api/accounts/{account}/limits", {"debit_limit": "10"},
               (404, 404, 404, 403)),
    "status": ("post", "/accounts/{account}/status/", {"status": "locked"},
               "put", "/api/accounts/{account}/status", {"status": "locked"},
               (404, 404, 404, 403)),
    # The member of the cooperative was paid: the payee reverses (an answer).
    "reverse": ("post", "/payments/{payment}/reverse/", {},
                "post", "/api/payments/{payment}/reverse", {}, (404, 404, 200, 403)),
    "accept": ("post", "/payment-requests/{request}/accept/", {},
               "post", "/api/payment-requests/{request}/accept", {}, (404, 404, 200, 403)),
    "withdraw": ("post", "/offers/{offer}/withdraw/", {},
                 "post", "/api/offers/{offer}/withdraw", {}, (404, 404, 403, 403)),
    "currencies of a group": ("post", "/bodies/caisse/economy/pay/", {},
                              "get", "/api/bodies/caisse/currencies", None,
                              (404, 404, 404, 404)),
}


def _page_status(response) -> int:
    return 200 if response.status_code in (200, 302) else response.status_code


@pytest.mark.parametrize("question", ASKED)
@pytest.mark.parametrize("role", ROLES[:4])
def test_refusals_have_the_same_status(question, role, world, caisse, held):
    page_method, page_url, page_data, api_method, api_url, api_data, expected = \
        ASKED[question]
    person = _person(world, caisse, role)
    status = expected[ROLES.index(role)]
    if status == 200:
        pytest.skip("an answer, not a refusal: the first edge would change the state")
    page = getattr(client_for(person), page_method)(page_url.format(**held),
                                                    *([page_data] if page_data else []))
    api = getattr(api_client(person), api_method)(api_url.format(**held),
                                                  *([api_data] if api_data else []))
    assert (_page_status(page), api.status_code) == (status, status), (role, question)


def test_strangers_may_not_pay_from_the_closed_groups_account(world, caisse, held):
    body = {"payer_id": held["account"], "payee_id": held["member_account"], "amount": "1"}
    before = Payment.objects.count()
    for role, status in (("outsider", 404), ("other_coordinator", 404), ("member", 404),
                         ("insider", 403)):
        person = _person(world, caisse, role)
        for url in ("/api/payments", "/api/payments/across"):
            refused(api_client(person).post(url, body, headers={"Idempotency-Key": "k"}),
                    status)
        refused(api_client(person).post("/api/payment-requests",
                                        {"seller_id": held["account"],
                                         "buyer_id": held["member_account"], "amount": "1"}),
                status)
    assert Payment.objects.count() == before


def test_a_group_names_its_cooperative(world, oseille):
    body = refused(api_client(world["coordinator"]).get("/api/bodies/accueil/currencies"), 404)
    assert "CIT (cit)" in body["detail"]
    page_refused(client_for(world["coordinator"]).post("/bodies/accueil/economy/pay/"), 404)
    # Its economy and offers pages (GET) lead to its cooperative's; the API lists the
    # cooperative's offers for the group too.
    assert client_for(world["member"]).get("/bodies/accueil/offers/")["Location"] \
        == "/bodies/cit/offers/"
    assert api_client(world["member"]).get("/api/bodies/accueil/offers").status_code == 200


def test_a_date_out_of_the_years_is_refused_on_both_edges(world):
    """The year limits of core.inputs, for the page's form as for the API."""
    page = client_for(world["coordinator"]).post("/bodies/cit/fund/", {
        "direction": "income", "amount": "10", "category": "donation", "description": "x",
        "happened_on": "1800-01-01"})
    page_refused(page, 400, "1900")
    refused(api_client(world["coordinator"]).post("/api/bodies/cit/fund/movements", {
        "amount": "10", "category": "donation", "description": "x",
        "happened_on": "1800-01-01"}), 400, field="happened_on", contains="1900")
