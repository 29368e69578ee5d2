"""Status with history (core.history): a payment request and an account change status
only through one transition each, which writes an event; the creation writes the first
one; the API shows them. Payments across networks are idempotent like simple ones. A
person's export holds their accounts, payments, requests, offers, fund movements and
the status changes they made."""

from datetime import date, timedelta

import pytest

from autogestion.core.errors import Conflict
from autogestion.economy import personal_data, services
from autogestion.economy.models import AccountEvent, Payment, PaymentRequestEvent
from tests.support.http import api_client, refused

pytestmark = pytest.mark.django_db


def _moves(events) -> list[tuple[str, str]]:
    return [(e.from_status, e.to_status) for e in events]


def test_a_request_keeps_its_history(world, accounts):
    member, coordinator = accounts
    asked = services.request_payment(actor=world["coordinator"], seller_id=coordinator.pk,
                                     buyer_id=member.pk, amount=100)
    assert _moves(asked.events.all()) == [("", "pending")]
    services.accept_request(actor=world["member"], request_id=asked.pk)
    events = list(asked.events.order_by("at", "pk"))
    assert _moves(events) == [("", "pending"), ("pending", "accepted")]
    assert [e.actor for e in events] == [world["coordinator"], world["member"]]
    with pytest.raises(Conflict):
        services.decline_request(actor=world["member"], request_id=asked.pk)
    assert PaymentRequestEvent.objects.filter(request=asked).count() == 2


def test_declined_cancelled_and_automatic_acceptance_are_events(world, accounts):
    member, coordinator = accounts
    declined, cancelled, automatic = (
        services.request_payment(actor=world["coordinator"], seller_id=coordinator.pk,
                                 buyer_id=member.pk, amount=100, **extra)
        for extra in ({}, {}, {"auto_accept_after": timedelta(hours=1)}))
    services.decline_request(actor=world["member"], request_id=declined.pk)
    services.decline_request(actor=world["coordinator"], request_id=cancelled.pk)
    services.accept_due_requests(now=automatic.auto_accept_at)
    assert _moves(declined.events.all())[-1] == ("pending", "declined")
    assert _moves(cancelled.events.all())[-1] == ("pending", "cancelled")
    last = automatic.events.order_by("at", "pk").last()
    assert (last.to_status, last.actor, last.reason) == ("accepted", None, "automatic")


def test_an_account_keeps_its_history_and_the_api_shows_it(world, accounts):
    member, _coordinator = accounts
    assert _moves(member.events.all()) == [("", "active")]
    api = api_client(world["coordinator"])
    locked = api.put(f"/api/accounts/{member.pk}/status", {"status": "locked"})
    assert locked.status_code == 200
    again = api.put(f"/api/accounts/{member.pk}/status", {"status": "locked"})
    assert again.status_code == 200  # PUT: the same status changes nothing
    opened = api.put(f"/api/accounts/{member.pk}/status", {"status": "active"})
    events = opened.json()["events"]
    assert [(e["from_status"], e["to_status"]) for e in events] == [
        ("", "active"), ("active", "locked"), ("locked", "active")]
    assert events[1]["actor"] == world["coordinator"].public_name
    assert AccountEvent.objects.filter(account=member).count() == 3
    mine = api_client(world["member"]).get(f"/api/accounts/{member.pk}").json()
    assert len(mine["events"]) == 3


def test_the_api_shows_a_requests_events(world, accounts):
    member, coordinator = accounts
    asked = api_client(world["coordinator"]).post(
        "/api/payment-requests", {"seller_id": coordinator.pk, "buyer_id": member.pk,
                                  "amount": "1"})
    assert asked.status_code == 201
    assert [e["to_status"] for e in asked.json()["events"]] == ["pending"]
    declined = api_client(world["member"]).post(
        f"/api/payment-requests/{asked.json()['id']}/decline")
    assert [e["to_status"] for e in declined.json()["events"]] == ["pending", "declined"]


# Idempotency ---------------------------------------------------------------------------

@pytest.fixture
def across(world, accounts):
    eco = services.create_currency(actor=world["other_coordinator"], cooperative=world["other"],
                                   code="eco", name="ECO", symbol="ECO", euro_rate="0.5",
                                   default_debit_limit=5_000)
    return accounts[0], services.account_of(world["other_coordinator"], eco)


def test_paying_across_networks_is_idempotent(world, across):
    member, payee = across
    api = api_client(world["member"])
    body = {"payer_id": member.pk, "payee_id": payee.pk, "amount": "10", "description": "Miel"}
    key = {"Idempotency-Key": "miel-1"}
    refused(api.post("/api/payments/across", body), 400, field="Idempotency-Key")
    first = api.post("/api/payments/across", body, headers=key)
    assert first.status_code == 201
    count = Payment.objects.count()
    retried = api.post("/api/payments/across", body, headers=key)
    assert retried.status_code == 200
    assert retried.json() == first.json()
    for changed in ({"description": "Cire"}, {"amount": "11"}):
        refused(api.post("/api/payments/across", body | changed, headers=key), 409,
                field="Idempotency-Key")
    assert Payment.objects.count() == count


def test_the_service_compares_the_whole_payment(world, accounts):
    member, coordinator = accounts
    first = services.pay_once(actor=world["member"], payer_id=member.pk,
                              payee_id=coordinator.pk, amount=100, description="Pain",
                              idempotency_key="pain")
    again = services.pay_once(actor=world["member"], payer_id=member.pk,
                              payee_id=coordinator.pk, amount=100, description="Pain",
                              idempotency_key="pain")
    assert again.replayed and again.payment.pk == first.payment.pk
    with pytest.raises(Conflict):
        services.pay_once(actor=world["member"], payer_id=member.pk, payee_id=coordinator.pk,
                          amount=100, description="Brioche", idempotency_key="pain")


# Personal data -------------------------------------------------------------------------

def test_the_export_holds_everything_pointing_to_the_person(world, accounts):
    member, coordinator = accounts
    paid = services.pay(actor=world["coordinator"], payer_id=coordinator.pk,
                        payee_id=member.pk, amount=100)
    asked = services.request_payment(actor=world["member"], seller_id=member.pk,
                                     buyer_id=coordinator.pk, amount=50)
    services.decline_request(actor=world["coordinator"], request_id=asked.pk)
    offer = services.publish_offer(actor=world["member"], cooperative=world["coop"],
                                   kind="need", title="Vélo", category="transport",
                                   expires_on=date(2027, 1, 10))
    movement = services.record_fund_movement(actor=world["coordinator"], body=world["coop"],
                                             amount=100, category="donation",
                                             description="don", happened_on=date(2026, 11, 1))
    mine = personal_data.export(world["member"])
    assert [a["id"] for a in mine["account"]] == [member.pk]
    assert [p["id"] for p in mine["payment"]] == [paid.pk]  # paid to their account
    assert {e["payment_id"] for e in mine["entry"]} == {paid.pk}
    assert [r["id"] for r in mine["paymentrequest"]] == [asked.pk]
    assert [o["id"] for o in mine["offer"]] == [offer.pk]
    assert [e["to_status"] for e in mine["accountevent"]] == ["active"]
    assert mine["fundmovement"] == []
    theirs = personal_data.export(world["coordinator"])
    assert [m["id"] for m in theirs["fundmovement"]] == [movement.pk]
    assert [e["to_status"] for e in theirs["paymentrequestevent"]] == ["declined"]
    assert [p["id"] for p in theirs["payment"]] == [paid.pk]
