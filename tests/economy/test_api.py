"""The economy API through the test client (DOMAIN.md R8, R9, R10): who may see and
move what, amounts read in the currency's units and refused with the field to fix, the
idempotency key of payments, refusals beyond the limits that move nothing, payment
requests, clearing between networks, offers and needs, the common fund, and bounded
query counts on the lists.

The clock is frozen on Tuesday 10 March 2026, noon in Paris.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Sum

from autogestion.core import clock
from autogestion.economy import services
from autogestion.economy.models import (
    Account,
    Currency,
    Entry,
    Fund,
    FundMovement,
    Offer,
    Payment,
    PaymentRequest,
)
from tests.support.http import client_for, refused

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
JSON = "application/json"
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=PARIS)
PEOPLE = ("outsider", "member", "coordinator", "operator", "other_coordinator")


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.freeze(NOW)
    yield clock.freeze
    clock.freeze(None)


@pytest.fixture
def clients(world):
    return {name: client_for(world[name]) for name in PEOPLE} | {"anonymous": client_for(None)}


_keys = iter(range(1, 10**6))


def pay(client, payer, payee, amount="1.00", key=None, **extra):
    """POST /api/payments with an idempotency key (a fresh one unless given)."""
    key = key if key is not None else f"key-{next(_keys)}"
    data = {"payer_id": getattr(payer, "pk", payer), "payee_id": getattr(payee, "pk", payee),
            "amount": amount} | extra
    return client.post("/api/payments", data, content_type=JSON,
                       headers={"Idempotency-Key": key} if key else {})


def post(client, url, data=None, key=None):
    return client.post(url, data if data is not None else {}, content_type=JSON,
                       headers={"Idempotency-Key": key} if key else {})


def put(client, url, data):
    return client.put(url, data, content_type=JSON)


def rows() -> dict[str, int]:
    models = (Currency, Account, Payment, Entry, PaymentRequest, Offer, Fund, FundMovement)
    return {m.__name__: m.objects.count() for m in models}


def balances() -> dict[int, int]:
    return dict(Account.objects.values_list("pk", "balance"))


def assert_zero_sum(currency):
    assert (Account.objects.filter(currency=currency).aggregate(s=Sum("balance"))["s"]
            or 0) == 0
    for account in Account.objects.filter(currency=currency):
        total = Entry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or 0
        assert account.balance == total


@pytest.fixture
def eco(world):
    """The other cooperative's social currency, worth half a euro."""
    return services.create_currency(actor=world["other_coordinator"],
                                    cooperative=world["other"], code="eco", name="ECO",
                                    symbol="ECO", euro_rate="0.5", default_debit_limit=5_000)


# Who may see and do what -------------------------------------------------------------

READ_MATRIX = {
    # url → expected status for anonymous, outsider, member, coordinator,
    # other_coordinator, operator
    "/api/bodies/cit/currencies": (401, 403, 200, 200, 403, 200),
    # A group has no currencies: 404 naming its cooperative, for those who see it.
    "/api/bodies/caisse/currencies": (401, 404, 404, 404, 404, 404),
    "/api/bodies/nowhere/currencies": (401, 404, 404, 404, 404, 404),
    "/api/bodies/cit/offers": (401, 403, 200, 200, 403, 200),
    "/api/bodies/cit/fund": (401, 403, 200, 200, 403, 200),
    "/api/bodies/caisse/fund": (401, 404, 404, 200, 404, 200),
    "/api/bodies/accueil/fund": (401, 403, 200, 200, 403, 200),
    "/api/me/accounts": (401, 200, 200, 200, 200, 200),
    "/api/me/payment-requests": (401, 200, 200, 200, 200, 200),
    "/api/accounts/{member}": (401, 404, 200, 200, 404, 200),
    "/api/accounts/{member}/entries": (401, 404, 200, 200, 404, 200),
    "/api/accounts/{coordinator}": (401, 404, 404, 200, 404, 200),
    "/api/accounts/999999": (401, 404, 404, 404, 404, 404),
    "/api/payments/{payment}": (401, 404, 200, 200, 404, 200),
}
WHO = ("anonymous", "outsider", "member", "coordinator", "other_coordinator", "operator")


@pytest.mark.parametrize("template", READ_MATRIX)
def test_read_permission_matrix(template, clients, world, accounts):
    member, coordinator = accounts
    payment = services.pay(actor=world["member"], payer_id=member.pk,
                           payee_id=coordinator.pk, amount=100)
    url = template.format(member=member.pk, coordinator=coordinator.pk, payment=payment.pk)
    got = {who: clients[who].get(url).status_code for who in WHO}
    assert got == dict(zip(WHO, READ_MATRIX[template], strict=True))


def test_balances_never_leak_in_a_refusal(clients, accounts):
    member, _coordinator = accounts
    for who in ("outsider", "other_coordinator", "anonymous"):
        for url in (f"/api/accounts/{member.pk}", f"/api/accounts/{member.pk}/entries"):
            answer = clients[who].get(url)
            assert answer.status_code == (401 if who == "anonymous" else 404)
            assert "balance" not in answer.content.decode()


def test_ids_too_large_for_the_database_are_refused_as_input(clients):
    answer = clients["member"].get(f"/api/accounts/{2**70}")
    assert answer.status_code == 422


WRITE_WHO = ("anonymous", "outsider", "member", "other_coordinator", "coordinator", "operator")


def test_currency_creation_matrix(clients, world):
    expected = (401, 403, 403, 403, 201, 201)
    for n, (who, status) in enumerate(zip(WRITE_WHO, expected, strict=True)):
        answer = post(clients[who], "/api/bodies/cit/currencies",
                      {"code": f"os{n}", "name": "Oseille", "symbol": "Os",
                       "default_debit_limit": "100"})
        assert answer.status_code == status, (who, answer.content)
    created = clients["member"].get("/api/bodies/cit/currencies").json()
    assert [c["code"] for c in created] == ["os4", "os5"]
    assert created[0]["default_debit_limit"] == {"minor": 10_000, "value": "100.00"}
    assert created[0]["euro_rate"] == "1" and created[0]["cooperative"] == "cit"
    refused(post(clients["coordinator"], "/api/bodies/cit/currencies",
                 {"code": "os4", "name": "Again", "symbol": "A"}), 409, field="code",
                     contains="taken")
    refused(post(clients["coordinator"], "/api/bodies/cit/currencies",
                 {"code": "x", "name": "X", "symbol": "X", "default_debit_limit": "-5"}),
            400, field="default_debit_limit", contains="zero or more")
    refused(post(clients["coordinator"], "/api/bodies/accueil/currencies",
                 {"code": "grp", "name": "X", "symbol": "X"}), 400, field=None,
            contains="belong to a cooperative")
    refused(post(clients["coordinator"], "/api/bodies/cit/currencies",
                 {"code": "bad code!", "name": "X", "symbol": "X"}), 422, contains="code")
    for field, value in (("euro_rate", "10000000"), ("euro_rate", "0.1234567"),
                         ("code", "x" * 21), ("name", "n" * 61), ("symbol", "s" * 9)):
        data = {"code": "long", "name": "X", "symbol": "X"} | {field: value}
        refused(post(clients["coordinator"], "/api/bodies/cit/currencies", data), 422, field=None,
                contains=field)
    refused(post(clients["coordinator"], "/api/bodies/cit/currencies",
                 {"code": "half", "name": "X", "symbol": "X", "euro_rate": "0"}), 400,
            field=None, contains="positive")
    made = post(clients["coordinator"], "/api/bodies/cit/currencies",
                {"code": "half", "name": "Half", "symbol": "H", "euro_rate": "0,5",
                 "decimals": 0, "default_debit_limit": "30"})
    assert made.status_code == 201, made.content
    assert (made.json()["euro_rate"], made.json()["default_debit_limit"]) == (
        "0.5", {"minor": 30, "value": "30"})


def test_limits_and_status_matrix(clients, world, accounts):
    member, _coordinator = accounts
    url = f"/api/accounts/{member.pk}"
    expected = (401, 404, 403, 404, 200, 200)
    for who, status in zip(WRITE_WHO, expected, strict=True):
        assert put(clients[who], f"{url}/limits",
                   {"debit_limit": "50", "credit_ceiling": None}).status_code == status, who
        assert put(clients[who], f"{url}/status",
                   {"status": "active"}).status_code == status, who
    answer = put(clients["coordinator"], f"{url}/limits",
                 {"debit_limit": "20.50", "credit_ceiling": "300"}).json()
    assert answer["debit_limit"] == {"minor": 2050, "value": "20.50"}
    assert answer["credit_ceiling"] == {"minor": 30_000, "value": "300.00"}
    assert answer["margin_to_pay"]["value"] == "20.50"
    assert answer["margin_to_receive"]["value"] == "300.00"


def test_fund_movement_matrix(clients):
    expected = (401, 403, 403, 403, 201, 201)
    for who, status in zip(WRITE_WHO, expected, strict=True):
        answer = post(clients[who], "/api/bodies/cit/fund/movements",
                      {"amount": "10.00", "category": "donation", "description": "Gift",
                       "happened_on": "2026-03-01"})
        assert answer.status_code == status, (who, answer.content)
    assert post(clients["outsider"], "/api/bodies/caisse/fund/movements",
                {"amount": "1", "category": "donation", "description": "x",
                 "happened_on": "2026-03-01"}).status_code == 404


# Accounts ----------------------------------------------------------------------------

def test_my_accounts_with_balances_limits_and_margins(clients, world, oseille, accounts):
    member, coordinator = accounts
    services.pay(actor=world["member"], payer_id=member.pk, payee_id=coordinator.pk,
                 amount=2_550)
    mine = clients["member"].get("/api/me/accounts").json()
    assert len(mine) == 1
    account = mine[0]
    assert account["id"] == member.pk and account["currency"] == "oseille"
    assert account["holder"] == "person" and account["status"] == "active"
    assert account["balance"] == {"minor": -2_550, "value": "-25.50"}
    assert account["debit_limit"] == {"minor": 10_000, "value": "100.00"}
    assert account["credit_ceiling"] is None and account["margin_to_receive"] is None
    assert account["margin_to_pay"] == {"minor": 7_450, "value": "74.50"}
    assert clients["outsider"].get("/api/me/accounts").json() == []


def test_coordinators_see_the_accounts_of_their_bodies(clients, world, oseille):
    answer = post(clients["coordinator"], "/api/bodies/accueil/accounts",
                  {"currency": "oseille", "kind": "group"})
    assert answer.status_code == 201, answer.content
    assert answer.json()["holder"] == "accueil"
    assert [a["holder"] for a in clients["coordinator"].get("/api/me/accounts").json()] \
        == ["accueil"]
    assert clients["member"].get("/api/me/accounts").json() == []
    refused(post(clients["member"], "/api/bodies/accueil/accounts",
                 {"currency": "oseille"}), 403)
    refused(post(clients["coordinator"], "/api/bodies/accueil/accounts",
                 {"currency": "nope"}), 400, field="currency")


def test_opening_my_account(clients, world, oseille):
    first = post(clients["member"], "/api/me/accounts", {"currency": "oseille"})
    assert first.status_code == 201, first.content
    again = post(clients["member"], "/api/me/accounts", {"currency": "oseille"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    refused(post(clients["outsider"], "/api/me/accounts", {"currency": "oseille"}), 403,
            field=None, contains="Only members")
    assert Account.objects.filter(currency=oseille).count() == 1


def test_statement_with_balance_after_and_dates(clients, world, oseille, accounts, frozen_clock):
    member, coordinator = accounts
    for day, amount in ((1, 100), (5, 250), (9, 1_000)):
        frozen_clock(datetime(2026, 3, day, 23, 30, tzinfo=PARIS))
        services.pay(actor=world["member"], payer_id=member.pk, payee_id=coordinator.pk,
                     amount=amount, description=f"day {day}")
    frozen_clock(NOW)
    page = clients["member"].get(f"/api/accounts/{member.pk}/entries").json()
    assert page["count"] == 3
    assert [e["balance_after"]["value"] for e in page["items"]] == ["-13.50", "-3.50", "-1.00"]
    assert page["items"][0]["amount"] == {"minor": -1_000, "value": "-10.00"}
    assert page["items"][0]["counterparty"] == "Coordinator"
    assert page["items"][0]["counterparty_account_id"] == coordinator.pk
    # Days of the platform's zone: 23:30 in Paris on the 5th is still the 5th.
    window = clients["member"].get(f"/api/accounts/{member.pk}/entries",
                                   {"from": "2026-03-05", "to": "2026-03-05"}).json()
    assert [e["description"] for e in window["items"]] == ["day 5"]
    theirs = clients["coordinator"].get(f"/api/accounts/{coordinator.pk}/entries",
                                        {"limit": 1, "offset": 1}).json()
    assert theirs["count"] == 3 and theirs["items"][0]["amount"]["value"] == "2.50"
    refused(clients["member"].get(f"/api/accounts/{member.pk}/entries", {"from": "5 mars"}),
            400, field="from", contains="YYYY-MM-DD")


def test_limits_refused_below_the_balance(clients, world, accounts):
    member, coordinator = accounts
    services.pay(actor=world["member"], payer_id=member.pk, payee_id=coordinator.pk,
                 amount=5_000)
    url = f"/api/accounts/{member.pk}/limits"
    # The service names no field for these two refusals (services._message).
    refused(put(clients["coordinator"], url, {"debit_limit": "40"}), 400, field=None,
            contains="already below")
    refused(put(clients["coordinator"], url, {"debit_limit": "-1"}), 400, field="debit_limit",
            contains="zero or more")
    refused(put(clients["coordinator"], url, {"debit_limit": "1.234"}), 400, field="debit_limit",
            contains="2 decimals")
    refused(put(clients["coordinator"], f"/api/accounts/{coordinator.pk}/limits",
                {"debit_limit": "0", "credit_ceiling": "10"}), 400, contains="already above")
    assert put(clients["coordinator"], url, {"debit_limit": "0"}).status_code == 400
    assert put(clients["coordinator"], url, {"debit_limit": "50"}).status_code == 200


def test_locked_account_pays_nothing(clients, world, accounts):
    member, coordinator = accounts
    answer = put(clients["coordinator"], f"/api/accounts/{member.pk}/status",
                 {"status": "locked"})
    assert answer.json()["status"] == "locked"
    assert answer.json()["margin_to_pay"]["minor"] == 0
    refused(pay(clients["member"], member, coordinator), 400, contains="locked")
    refused(put(clients["coordinator"], f"/api/accounts/{member.pk}/status",
                {"status": "asleep"}), 400, field="status")


# Payments ----------------------------------------------------------------------------

def test_payment_moves_both_balances(clients, world, oseille, accounts):
    member, coordinator = accounts
    answer = pay(clients["member"], member, coordinator, "12.50", description="Légumes")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["amount"] == {"minor": 1_250, "value": "12.50"}
    assert (body["payer_id"], body["payee_id"]) == (member.pk, coordinator.pk)
    assert (body["payer"], body["payee"], body["currency"]) == ("Member", "Coordinator",
                                                                 "oseille")
    assert body["description"] == "Légumes"
    assert body["created_at"] == "2026-03-10T12:00:00+01:00"
    assert balances() == {member.pk: -1_250, coordinator.pk: 1_250}
    assert_zero_sum(oseille)
    # A whole number of units, as a JSON integer, is units too.
    assert pay(clients["member"], member, coordinator, 3).json()["amount"]["minor"] == 300


def test_beyond_the_limit_409_with_the_margin_and_nothing_moves(clients, world, oseille,
                                                                 accounts):
    member, coordinator = accounts
    services.pay(actor=world["member"], payer_id=member.pk, payee_id=coordinator.pk,
                 amount=2_500)
    before, counts = balances(), rows()
    refused(pay(clients["member"], member, coordinator, "75.01"), 409, field="amount",
            contains="at most 75.00\u00a0Os")
    assert balances() == before and rows() == counts
    services.set_limits(actor=world["coordinator"], account_id=coordinator.pk,
                        debit_limit=10_000, credit_ceiling=3_000)
    refused(pay(clients["member"], member, coordinator, "5.01"), 409, field="amount",
            contains="receive at most 5.00\u00a0Os")
    assert balances() == before and rows() == counts
    assert pay(clients["member"], member, coordinator, "5").status_code == 201
    assert_zero_sum(oseille)


def test_the_same_request_twice_pays_once(clients, world, oseille, accounts):
    member, coordinator = accounts
    first = pay(clients["member"], member, coordinator, "4.00", key="abc-1",
                description="Pain")
    again = pay(clients["member"], member, coordinator, "4.00", key="abc-1",
                description="Pain")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Payment.objects.count() == 1 and Entry.objects.count() == 2
    assert balances() == {member.pk: -400, coordinator.pk: 400}
    # "4" and "4.00" are the same amount.
    assert pay(clients["member"], member, coordinator, "4", key="abc-1",
               description="Pain").status_code == 200
    counts = rows()
    for changed in ({"amount": "5.00"}, {"description": "Autre"}, {"payee": 999}):
        data = {"amount": "4.00", "description": "Pain", "payee": coordinator} | changed
        refused(pay(clients["member"], member, data["payee"], data["amount"], key="abc-1",
                    description=data["description"]), 409, field="Idempotency-Key",
                        contains="another")
    assert rows() == counts
    # Keys belong to the one who pays: another person's same key is another payment.
    assert pay(clients["coordinator"], coordinator, member, "1", key="abc-1").status_code == 201


def test_the_idempotency_key_is_required(clients, accounts):
    member, coordinator = accounts
    counts = rows()
    refused(pay(clients["member"], member, coordinator, key=""), 400, field="Idempotency-Key",
            contains="Idempotency-Key")
    refused(pay(clients["member"], member, coordinator, key="   "), 400, field="Idempotency-Key")
    refused(pay(clients["member"], member, coordinator, key="k" * 81), 400,
            field="Idempotency-Key", contains="80")
    assert rows() == counts


@pytest.mark.parametrize("amount,contains", [
    ("abc", "Type an amount such as 12.50."), ("-1", "more than zero"),
    ("1.234", "2 decimals"), (0, "more than zero"), ("0", "more than zero"),
    ("0.00", "more than zero"), ("", "Type an amount such as"), ("NaN", "Type an amount"),
    ("1e400", "Type an amount such as"), ("1" * 30, "too large"),
])
def test_bad_amounts_are_refused_naming_amount(clients, accounts, amount, contains):
    member, coordinator = accounts
    counts = rows()
    refused(pay(clients["member"], member, coordinator, amount), 400, field="amount",
            contains=contains)
    assert rows() == counts


def test_a_json_true_is_not_an_amount(clients, accounts):
    member, coordinator = accounts
    refused(pay(clients["member"], member, coordinator, True), 422, contains="amount")


def test_payer_not_mine_and_other_refusals(clients, world, oseille, accounts, eco):
    member, coordinator = accounts
    foreign = services.account_of(world["other_coordinator"], eco)
    counts = rows()
    # Another person's account is hidden (404), as GET /api/accounts/{id} answers.
    refused(pay(clients["member"], coordinator, member), 404, contains="no such account")
    refused(pay(clients["outsider"], member, coordinator), 404)
    refused(pay(clients["member"], 999_999, coordinator), 404)
    refused(pay(clients["member"], member, 999_999), 400, field="payee_id", contains="Oseille")
    refused(pay(clients["member"], member, foreign), 400, field="payee_id")
    refused(pay(clients["member"], member, member), 400, contains="does not pay itself")
    refused(pay(clients["member"], member, coordinator, offer_id=999_999), 400, field="offer_id")
    assert client_for(None).post("/api/payments", {}, content_type=JSON).status_code == 401
    assert rows() == counts


def test_stewards_pay_from_their_bodys_account(clients, world, oseille, accounts):
    member, _coordinator = accounts
    group = services.open_body_account(actor=world["coordinator"], currency=oseille,
                                       body=world["open_group"])
    assert pay(clients["coordinator"], group, member, "3").status_code == 201
    refused(pay(clients["member"], group, member, "3"), 403)


def test_payment_for_an_offer(clients, world, oseille, accounts):
    member, coordinator = accounts
    offer = services.publish_offer(actor=world["coordinator"], cooperative=world["coop"],
                                   kind="offer", title="Bread", category="food",
                                   expires_on=date(2026, 4, 1), price_units=300,
                                   currency=oseille)
    answer = pay(clients["member"], member, coordinator, "3", offer_id=offer.pk)
    assert answer.json()["offer_id"] == offer.pk


def test_reversal(clients, world, oseille, accounts):
    member, coordinator = accounts
    payment = pay(clients["member"], member, coordinator, "7").json()
    url = f"/api/payments/{payment['id']}/reverse"
    refused(post(clients["outsider"], url, {"reason": "x"}), 404)
    refused(post(clients["member"], url, {"reason": "x"}), 403, contains="receiver")
    answer = post(clients["coordinator"], url, {"reason": "double"})
    assert answer.status_code == 201, answer.content
    assert answer.json()["reverses_id"] == payment["id"]
    assert answer.json()["description"] == "Reversal: double"
    refused(post(clients["coordinator"], url, {"reason": "again"}), 409, contains="already")
    assert balances() == {member.pk: 0, coordinator.pk: 0}
    assert_zero_sum(oseille)


# Payment requests --------------------------------------------------------------------

def test_requests_accept_and_decline(clients, world, oseille, accounts):
    member, coordinator = accounts
    answer = post(clients["coordinator"], "/api/payment-requests",
                  {"seller_id": coordinator.pk, "buyer_id": member.pk, "amount": "8.00",
                   "description": "Confiture"})
    assert answer.status_code == 201, answer.content
    asked = answer.json()
    assert asked["status"] == "pending" and asked["role"] == "seller"
    assert asked["amount"] == {"minor": 800, "value": "8.00"}
    mine = clients["member"].get("/api/me/payment-requests").json()
    assert mine["count"] == 1 and mine["items"][0]["role"] == "buyer"
    assert clients["member"].get("/api/me/payment-requests",
                                 {"role": "seller"}).json()["count"] == 0
    assert clients["outsider"].get("/api/me/payment-requests").json()["count"] == 0
    url = f"/api/payment-requests/{asked['id']}"
    refused(post(clients["outsider"], f"{url}/accept"), 404)
    refused(post(clients["coordinator"], f"{url}/accept"), 403, contains="Only the buyer")
    accepted = post(clients["member"], f"{url}/accept")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted" and accepted.json()["payment_id"]
    assert balances() == {member.pk: -800, coordinator.pk: 800}
    refused(post(clients["member"], f"{url}/decline"), 409, contains="already been answered")

    second = post(clients["coordinator"], "/api/payment-requests",
                  {"seller_id": coordinator.pk, "buyer_id": member.pk, "amount": "1"}).json()
    declined = post(clients["member"], f"/api/payment-requests/{second['id']}/decline")
    assert declined.json()["status"] == "declined"
    third = post(clients["coordinator"], "/api/payment-requests",
                 {"seller_id": coordinator.pk, "buyer_id": member.pk, "amount": "1"}).json()
    cancelled = post(clients["coordinator"], f"/api/payment-requests/{third['id']}/decline")
    assert cancelled.json()["status"] == "cancelled"
    pending = clients["member"].get("/api/me/payment-requests", {"status": "declined"}).json()
    assert [r["id"] for r in pending["items"]] == [second["id"]]
    refused(clients["member"].get("/api/me/payment-requests", {"status": "paid"}), 400,
            field="status")
    assert balances() == {member.pk: -800, coordinator.pk: 800}


def test_request_beyond_the_limit_stays_pending(clients, world, oseille, accounts):
    member, coordinator = accounts
    asked = post(clients["coordinator"], "/api/payment-requests",
                 {"seller_id": coordinator.pk, "buyer_id": member.pk, "amount": "100.01",
                  "auto_accept_hours": 48}).json()
    assert asked["auto_accept_at"] == "2026-03-12T12:00:00+01:00"
    before, counts = balances(), rows()
    refused(post(clients["member"], f"/api/payment-requests/{asked['id']}/accept"), 409,
            field="amount", contains="at most 100.00\u00a0Os")
    assert balances() == before and rows() == counts
    assert PaymentRequest.objects.get(pk=asked["id"]).status == "pending"


def test_request_refusals(clients, world, accounts):
    member, coordinator = accounts
    url = "/api/payment-requests"
    counts = rows()
    refused(post(clients["member"], url, {"seller_id": coordinator.pk, "buyer_id": member.pk,
                                          "amount": "1"}), 404, contains="no such account")
    refused(post(clients["coordinator"], url, {"seller_id": coordinator.pk,
                                               "buyer_id": member.pk, "amount": "1.001"}),
            400, field="amount", contains="decimals")
    refused(post(clients["coordinator"], url, {"seller_id": coordinator.pk,
                                               "buyer_id": coordinator.pk, "amount": "1"}),
            400, field="buyer_id")
    refused(post(clients["coordinator"], url, {"seller_id": coordinator.pk,
                                               "buyer_id": member.pk, "amount": "1",
                                               "auto_accept_hours": 2000}),
            400, field="auto_accept_hours", contains="60 days")
    assert rows() == counts


# Between networks --------------------------------------------------------------------

def test_clearing_between_two_cooperatives(clients, world, oseille, accounts, eco):
    member, _coordinator = accounts
    payee = services.account_of(world["other_coordinator"], eco)
    answer = post(clients["member"], "/api/payments/across",
                  {"payer_id": member.pk, "payee_id": payee.pk, "amount": "10",
                   "description": "Miel"}, key="across-1")
    assert answer.status_code == 201, answer.content
    paid, received = answer.json()["paid"], answer.json()["received"]
    assert (paid["currency"], paid["amount"]["value"]) == ("oseille", "10.00")
    assert (received["currency"], received["amount"]["value"]) == ("eco", "20.00")
    assert received["clearing_of_id"] == paid["id"] and received["payee_id"] == payee.pk
    assert_zero_sum(oseille)
    assert_zero_sum(eco)
    counts = rows()
    refused(post(clients["member"], "/api/payments/across",
                 {"payer_id": payee.pk, "payee_id": member.pk, "amount": "1"},
                 key="across-2"), 404)
    refused(post(clients["member"], "/api/payments/across",
                 {"payer_id": member.pk, "payee_id": payee.pk, "amount": "abc"},
                 key="across-3"), 400, field="amount")
    refused(post(clients["member"], "/api/payments/across",
                 {"payer_id": member.pk, "payee_id": payee.pk, "amount": "95"},
                 key="across-4"), 409, field="amount", contains="at most 90.00\u00a0Os")
    assert rows() == counts


# Offers and needs --------------------------------------------------------------------

def offer(client, **fields):
    data = {"kind": "offer", "title": "Paniers de légumes", "category": "food",
            "expires_on": "2026-04-10", "price_euros": "5"} | fields
    return post(client, "/api/bodies/cit/offers", data)


def test_offers_publish_filter_withdraw(clients, world, oseille):
    first = offer(clients["member"], place="Marché Saint-Aubin", price_units="4.50",
                  currency="oseille", description="Bio, de saison")
    assert first.status_code == 201, first.content
    made = first.json()
    assert made["price_euros"] == {"minor": 500, "value": "5.00"}
    assert made["price_units"] == {"minor": 450, "value": "4.50"}
    assert made["currency"] == "oseille" and made["author"] == "Member"
    assert made["can_withdraw"] is True
    offer(clients["coordinator"], kind="need", title="Vélo cargo", category="transport",
          place="Minimes", price_euros=None)
    offer(clients["coordinator"], title="Perceuse", category="tools", price_euros="0",
          on_behalf_of="accueil")

    def titles(**query):
        answer = clients["member"].get("/api/bodies/cit/offers", query)
        assert answer.status_code == 200, answer.content
        return [o["title"] for o in answer.json()["items"]]

    assert titles() == ["Perceuse", "Vélo cargo", "Paniers de légumes"]
    assert titles(kind="need") == ["Vélo cargo"]
    assert titles(category="tools") == ["Perceuse"]
    assert titles(place="saint-aubin") == ["Paniers de légumes"]
    assert titles(q="bio") == ["Paniers de légumes"]
    assert titles(q="cargo vélo") == ["Vélo cargo"]
    assert titles(q="cargo", kind="offer") == []
    refused(clients["member"].get("/api/bodies/cit/offers", {"category": "magic"}), 400,
            field="category")
    refused(clients["member"].get("/api/bodies/cit/offers", {"kind": "gift"}), 400, field="kind")

    url = f"/api/offers/{made['id']}/withdraw"
    refused(post(clients["outsider"], url), 404)
    refused(post(clients["other_coordinator"], url), 404)
    vélo = Offer.objects.get(title="Vélo cargo")
    refused(post(clients["member"], f"/api/offers/{vélo.pk}/withdraw"), 403)
    withdrawn = post(clients["member"], url)
    assert withdrawn.status_code == 200 and withdrawn.json()["can_withdraw"] is False
    assert titles() == ["Perceuse", "Vélo cargo"]


def test_offer_refusals(clients, world, oseille, eco):
    counts = rows()
    refused(offer(clients["outsider"]), 403)
    refused(offer(clients["member"], price_euros=None), 400, contains="price")
    refused(offer(clients["member"], price_euros="-1"), 400, field="price_euros",
            contains="zero or more")
    refused(offer(clients["member"], price_euros="1.001"), 400, field="price_euros",
            contains="decimals")
    refused(offer(clients["member"], price_units="3"), 400, field="currency")
    refused(offer(clients["member"], price_units="3", currency="eco"), 400, field="currency")
    refused(offer(clients["member"], category="magic"), 400, field="category")
    refused(offer(clients["member"], expires_on="2026-03-01"), 400, field="expires_on")
    refused(offer(clients["member"], on_behalf_of="accueil"), 403)
    refused(offer(clients["member"], on_behalf_of="nowhere"), 400, field="on_behalf_of")
    assert rows() == counts


# The common fund ---------------------------------------------------------------------

@pytest.fixture
def adopted(world):
    from autogestion.decisions import services as decisions

    proposal = decisions.create_proposal(actor=world["member"], body=world["coop"],
                                         title="Drill", text="Buy it",
                                         decision_class="executive")
    decisions.take_position(person=world["member"], round_id=proposal.rounds.get().pk,
                            stance="fully_agree")
    decisions.close_round(actor=world["coordinator"], round_id=proposal.rounds.get().pk)
    return proposal.decisions.get()


def test_fund_income_expense_and_floor(clients, world, adopted):
    url = "/api/bodies/cit/fund/movements"
    coordinator = clients["coordinator"]
    income = post(coordinator, url, {"amount": "100", "category": "contribution",
                                     "description": "Cotisations",
                                     "happened_on": "2026-03-01"})
    assert income.status_code == 201, income.content
    assert income.json()["balance_after"]["value"] == "100.00"
    refused(post(coordinator, url, {"amount": "-40", "category": "purchase",
                                    "description": "Perceuse", "happened_on": "2026-03-02"}),
            400, field="decision_id", contains="names the decision")
    refused(post(coordinator, url, {"amount": "-40", "category": "purchase",
                                    "description": "Perceuse", "happened_on": "2026-03-02",
                                    "decision_id": 999_999}), 400, field="decision_id")
    expense = post(coordinator, url, {"amount": "-40", "category": "purchase",
                                      "description": "Perceuse", "happened_on": "2026-03-02",
                                      "decision_id": adopted.pk})
    assert expense.status_code == 201, expense.content
    assert expense.json()["amount"] == {"minor": -4_000, "value": "-40.00"}
    counts = rows()
    refused(post(coordinator, url, {"amount": "-60.01", "category": "purchase",
                                    "description": "Scie", "happened_on": "2026-03-03",
                                    "decision_id": adopted.pk}), 409, field="amount",
                                        contains="60.00")
    for amount, contains in (("0", "not be zero"), ("abc", "Type an amount such as"),
                             ("-1.001", "decimals")):
        refused(post(coordinator, url, {"amount": amount, "category": "donation",
                                        "description": "x", "happened_on": "2026-03-03"}),
                400, field="amount", contains=contains)
    assert rows() == counts
    fund = clients["member"].get("/api/bodies/cit/fund").json()
    assert fund["balance"]["value"] == "60.00" and fund["available"]["value"] == "60.00"
    assert fund["count"] == 2 and fund["can_record"] is False
    assert [(m["amount"]["value"], m["balance_after"]["value"], m["decision_id"])
            for m in fund["movements"]] == [("-40.00", "60.00", adopted.pk),
                                            ("100.00", "100.00", None)]
    assert clients["coordinator"].get("/api/bodies/cit/fund").json()["can_record"] is True
    overdraft = put(coordinator, "/api/bodies/cit/fund", {"overdraft": "20"})
    assert overdraft.status_code == 200 and overdraft.json()["available"]["value"] == "80.00"
    refused(put(clients["member"], "/api/bodies/cit/fund", {"overdraft": "20"}), 403)
    refused(put(coordinator, "/api/bodies/cit/fund", {"overdraft": "-1"}), 400, field="overdraft")


def test_an_empty_fund_reads_zero_and_writes_nothing(clients):
    counts = rows()
    fund = clients["member"].get("/api/bodies/accueil/fund").json()
    assert fund["balance"] == {"minor": 0, "value": "0.00"} and fund["movements"] == []
    assert rows() == counts


# Query counts ------------------------------------------------------------------------

def _grow(world, oseille, make_person, n):
    """n more people paying the member, asking for payment, offering; and fund income."""
    from autogestion.cooperatives import services as bodies

    member = services.account_of(world["member"], oseille)
    coordinator = services.account_of(world["coordinator"], oseille)
    group = services.open_body_account(actor=world["coordinator"], currency=oseille,
                                       body=world["open_group"])
    for i in range(n):
        person = make_person(f"Payer {Account.objects.count()}-{i}")
        bodies.join_body(person=person, body=world["coop"])
        account = services.account_of(person, oseille)
        services.pay(actor=person, payer_id=account.pk, payee_id=member.pk, amount=10)
        services.pay(actor=world["member"], payer_id=member.pk, payee_id=coordinator.pk,
                     amount=5)
        services.request_payment(actor=world["member"], seller_id=member.pk,
                                 buyer_id=account.pk, amount=3)
        services.request_payment(actor=person, seller_id=account.pk, buyer_id=member.pk,
                                 amount=3)
        services.publish_offer(actor=person, cooperative=world["coop"], kind="offer",
                               title=f"Offer {i}", category="food",
                               expires_on=date(2026, 4, 1), price_units=100,
                               currency=oseille, on_behalf_of=None)
        services.record_fund_movement(actor=world["coordinator"], body=world["coop"],
                                      amount=100, category="donation", description="Gift",
                                      happened_on=date(2026, 3, 1) + timedelta(days=i))
        services.create_currency(actor=world["coordinator"], cooperative=world["coop"],
                                 code=f"c{Currency.objects.count()}", name="C", symbol="C")
    return member, group


def test_list_query_counts_are_bounded(clients, world, oseille, make_person,
                                       django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    member, _group = _grow(world, oseille, make_person, 2)
    urls = {
        "member": ["/api/me/accounts", f"/api/accounts/{member.pk}/entries",
                   "/api/me/payment-requests", "/api/bodies/cit/offers",
                   "/api/bodies/cit/fund", "/api/bodies/cit/currencies"],
        "coordinator": ["/api/me/accounts", "/api/me/payment-requests",
                        f"/api/accounts/{member.pk}/entries", "/api/bodies/cit/offers"],
    }

    def measure():
        counts = {}
        for who, paths in urls.items():
            for path in paths:
                with CaptureQueriesContext(connection) as captured:
                    answer = clients[who].get(path)
                assert answer.status_code == 200, (path, answer.content)
                counts[(who, path)] = len(captured)
        return counts

    small = measure()
    _grow(world, oseille, make_person, 5)
    large = measure()
    assert large == small
    for path in urls["member"]:
        with django_assert_max_num_queries(8):
            clients["member"].get(path)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_pay_once(world, oseille, accounts):
    """Eight copies of one request at the same moment, each on its own connection: one
    payment, and every answer names it."""
    import threading

    from django.db import connection

    member, coordinator = accounts
    clients = [client_for(world["member"]) for _ in range(8)]
    barrier = threading.Barrier(len(clients))
    answers = []

    def send(client):
        try:
            barrier.wait()
            answers.append(pay(client, member, coordinator, "2.00", key="same-click"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # One click made the payment; the seven retries were told it is already made.
    assert sorted(a.status_code for a in answers) == [200] * 7 + [201], \
        [a.content for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert Payment.objects.count() == 1
    assert balances() == {member.pk: -200, coordinator.pk: 200}
