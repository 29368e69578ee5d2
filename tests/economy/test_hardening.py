"""Issue #11 (hardening) in the economy: a retry racing its first request is answered as
a replay, amounts are read only as a person types them in French or English, and a
payment cites only an offer of the account it pays (or a need of the account paying)."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from autogestion.cooperatives import services as bodies
from autogestion.core import clock
from autogestion.core.errors import DomainError
from autogestion.core.inputs import parse_amount
from autogestion.economy import services
from autogestion.economy.models import Account, Entry, Offer, Payment, PaymentRequest
from tests.support.http import client_for

JSON = "application/json"
PAY_PAGE = "/bodies/cit/economy/pay/"


def api_pay(client, payer, payee, amount="1.00", key="key-1", **extra):
    return client.post("/api/payments", {"payer_id": payer.pk, "payee_id": payee.pk,
                                         "amount": amount} | extra,
                       content_type=JSON, headers={"Idempotency-Key": key})


def page_pay(client, payer, payee, amount="1,00", key="key-1", follow=False, **extra):
    return client.post(PAY_PAGE, {"payer": payer.pk, "payee": payee.pk, "amount": amount,
                                  "description": "Légumes", "idempotency_key": key} | extra,
                       follow=follow)


def rows() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (Payment, Entry, PaymentRequest)}


# A retry with the same idempotency key -------------------------------------------------

@pytest.mark.django_db
class TestReplay:
    def test_the_service_tells_a_replay_from_a_creation(self, world, accounts):
        member, coordinator = accounts
        first = services.pay_once(actor=world["member"], payer_id=member.pk,
                                  payee_id=coordinator.pk, amount=150, idempotency_key="k")
        again = services.pay_once(actor=world["member"], payer_id=member.pk,
                                  payee_id=coordinator.pk, amount=150, idempotency_key="k")
        assert (first.replayed, again.replayed) == (False, True)
        assert again.payment.pk == first.payment.pk and Payment.objects.count() == 1

    def test_the_same_key_for_another_description_is_refused(self, world, accounts):
        member, coordinator = accounts
        services.pay(actor=world["member"], payer_id=member.pk, payee_id=coordinator.pk,
                     amount=150, description="Pain", idempotency_key="k")
        with pytest.raises(DomainError, match="used for another payment") as refused:
            services.pay(actor=world["member"], payer_id=member.pk, payee_id=coordinator.pk,
                         amount=150, description="Vin", idempotency_key="k")
        assert refused.value.status == 409 and refused.value.field == "idempotency_key"

    def test_the_page_says_a_double_submit_paid_once(self, world, accounts):
        member, coordinator = accounts
        client = client_for(world["member"])
        first = page_pay(client, member, coordinator, "7", follow=True)
        again = page_pay(client, member, coordinator, "7", follow=True)
        assert "Paid 7.00\u00a0Os to Coordinator." in first.content.decode()
        assert "Already paid: 7.00\u00a0Os to Coordinator; nothing more was paid." \
            in again.content.decode()
        assert Payment.objects.count() == 1


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        # Inside a transaction the statistics views keep their first answer: refresh.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                       "current_database() AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


def race(accounts, requests) -> list:
    """Runs each request in its own thread (its own connection) while this connection
    holds both accounts locked, so that every request has read what it needs and waits
    at the ledger's statement; then lets them all go at once."""
    answers: list = [None] * len(requests)
    failures: list[BaseException] = []

    def run(n: int) -> None:
        try:
            answers[n] = requests[n]()
        except BaseException as error:  # reported in the test's thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(requests))]
    with transaction.atomic():
        list(Account.objects.select_for_update().filter(pk__in=[a.pk for a in accounts]))
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30
        while _waiting_on_locks() < len(requests):
            assert time.monotonic() < deadline and not failures, failures
            time.sleep(0.02)
    for thread in threads:
        thread.join(timeout=60)
    assert failures == [] and not any(t.is_alive() for t in threads)
    return answers


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
class TestRacingRetries:
    def test_api_answers_201_to_the_first_and_200_to_the_racing_retry(self, world,
                                                                         accounts):
        member, coordinator = accounts
        clients = [client_for(world["member"]) for _ in range(2)]
        answers = race(accounts, [lambda c=c: api_pay(c, member, coordinator, "2.50", "race")
                                  for c in clients])
        assert sorted(a.status_code for a in answers) == [200, 201]
        payment = Payment.objects.get()
        assert [a.json()["id"] for a in answers] == [payment.pk, payment.pk]
        assert Entry.objects.count() == 2
        assert Account.objects.get(pk=member.pk).balance == -250

    def test_a_racing_retry_with_another_amount_is_refused(self, world, accounts):
        member, coordinator = accounts
        clients = [client_for(world["member"]) for _ in range(2)]
        answers = race(accounts, [
            lambda: api_pay(clients[0], member, coordinator, "2.50", "race"),
            lambda: api_pay(clients[1], member, coordinator, "3.00", "race")])
        assert sorted(a.status_code for a in answers) == [201, 409]
        refused = next(a for a in answers if a.status_code == 409).json()
        assert refused["field"] == "Idempotency-Key"
        assert Payment.objects.count() == 1

    def test_the_page_pays_once_and_says_so_to_the_racing_submit(self, world, accounts):
        member, coordinator = accounts
        clients = [client_for(world["member"]) for _ in range(2)]
        answers = race(accounts, [lambda c=c: page_pay(c, member, coordinator, "4", "race",
                                                       follow=True) for c in clients])
        pages = sorted(a.content.decode() for a in answers)
        assert [a.redirect_chain[0][1] for a in answers] == [302, 302]
        assert sum("Paid 4.00\u00a0Os to Coordinator." in p for p in pages) == 1
        assert sum("Already paid: 4.00\u00a0Os to Coordinator" in p for p in pages) == 1
        assert Payment.objects.count() == 1


# Amounts as a person types them ----------------------------------------------------------

BAD_AMOUNTS = [
    ("1e3", "Type an amount such as 12.50."),
    ("1_000", "Type an amount such as 12.50."),
    ("١٢٣", "Type an amount such as 12.50."),          # Arabic-Indic digits
    ("１２３", "Type an amount such as 12.50."),        # full-width digits
    ("NaN", "Type an amount such as 12.50."),
    ("Infinity", "Type an amount such as 12.50."),
    ("1,000.50", "Type an amount such as 12.50."),     # English thousands commas
    ("12 50", "Type an amount such as 12.50."),        # a space that groups nothing
    ("+5", "Type an amount such as 12.50."),
    ("12.345", "Type at most 2 decimals, such as 12.50."),
    ("1,000", "Type at most 2 decimals, such as 12.50."),
    ("-5", "The amount must be more than zero."),
    ("0", "The amount must be more than zero."),
    ("1" * 30, "This amount is too large: type at most 10 000 000 000 000."),
]
GOOD_AMOUNTS = [("12", 1200), ("12,50", 1250), ("12.5", 1250), (" 12 ", 1200),
                ("1 000,50", 100050), ("1\u00a0000,50", 100050), ("1\u202f000,50", 100050),
                ("0012,05", 1205)]


class TestParseAmount:
    @pytest.mark.parametrize(("text", "message"), BAD_AMOUNTS + [
        ("", "Type an amount such as 12.50.")])
    def test_refused_with_what_to_type(self, text, message):
        with pytest.raises(DomainError) as refused:
            parse_amount(text, 2, "amount")
        assert (str(refused.value.message), refused.value.field) == (message, "amount")

    @pytest.mark.parametrize(("text", "minor"), GOOD_AMOUNTS)
    def test_what_people_type(self, text, minor):
        assert parse_amount(text, 2, "amount") == minor

    def test_the_currencys_decimals_and_the_sign(self):
        assert parse_amount("7", 0, "amount") == 7
        with pytest.raises(DomainError, match=r"^Type a whole number, such as 12\.$"):
            parse_amount("7.5", 0, "amount")
        with pytest.raises(DomainError, match="at most 1 decimal, such as 12.5"):
            parse_amount("7.55", 1, "amount")
        assert parse_amount("-45,50", 2, "amount", signed=True) == -4550
        assert parse_amount("0", 2, "amount", zero=True) == 0
        with pytest.raises(DomainError, match="zero or more, such as 12.50"):
            parse_amount("-1", 2, "amount", zero=True)
        with pytest.raises(DomainError, match="Type an amount such as 12.50"):
            parse_amount("--1", 2, "amount", signed=True)

    def test_the_example_follows_the_language(self):
        from django.utils import translation

        with translation.override("fr"), pytest.raises(DomainError) as refused:
            parse_amount("1e3", 2, "amount")
        assert "12,50" in str(refused.value.message)


@pytest.mark.django_db
class TestAmountsThroughApiAndPage:
    @pytest.mark.parametrize(("text", "message"), BAD_AMOUNTS + [
        ("", "Type an amount such as 12.50.")])
    def test_api_refuses(self, world, accounts, text, message):
        member, coordinator = accounts
        before = rows()
        answer = api_pay(client_for(world["member"]), member, coordinator, text)
        assert answer.status_code == 400, answer.content
        assert (answer.json()["detail"], answer.json()["field"]) == (message, "amount")
        assert rows() == before

    @pytest.mark.parametrize(("text", "message"), BAD_AMOUNTS + [
        ("", "This field is required.")])
    def test_page_refuses(self, world, accounts, text, message):
        member, coordinator = accounts
        before = rows()
        answer = page_pay(client_for(world["member"]), member, coordinator, text)
        assert answer.status_code == 400
        assert message in answer.content.decode()
        assert rows() == before

    @pytest.mark.parametrize(("text", "minor"), GOOD_AMOUNTS)
    def test_api_and_page_accept(self, world, accounts, text, minor):
        member, coordinator = accounts
        services.set_limits(actor=world["coordinator"], account_id=member.pk,
                            debit_limit=1_000_000)
        answer = api_pay(client_for(world["member"]), member, coordinator, text, "api")
        assert answer.status_code == 201 and answer.json()["amount"]["minor"] == minor
        page = page_pay(client_for(world["member"]), member, coordinator, text, "page")
        assert page.status_code == 302
        assert list(Payment.objects.order_by("pk").values_list("amount", flat=True)) \
            == [minor, minor]

    def test_limits_and_fund_movements_read_the_same_way(self, world, accounts):
        member, _ = accounts
        coordinator = client_for(world["coordinator"])
        answer = coordinator.put(f"/api/accounts/{member.pk}/limits",
                                 {"debit_limit": "1e3"}, content_type=JSON)
        assert answer.status_code == 400 and answer.json()["field"] == "debit_limit"
        assert answer.json()["detail"] == "Type an amount such as 12.50."
        answer = coordinator.post("/api/bodies/cit/fund/movements", {
            "amount": "-1e3", "category": "donation", "description": "Don",
            "happened_on": "2026-01-05"}, content_type=JSON)
        assert answer.status_code == 400 and answer.json()["field"] == "amount"
        page = coordinator.post(f"/accounts/{member.pk}/limits/",
                                {"debit_limit": "١٠", "credit_ceiling": ""})
        assert page.status_code == 400
        assert "Type an amount" in page.content.decode()
        assert Account.objects.get(pk=member.pk).debit_limit == 10_000

    def test_a_euro_rate_in_other_digits_is_refused(self, world):
        answer = client_for(world["coordinator"]).post("/api/bodies/cit/currencies", {
            "code": "arabic", "name": "Arabic", "symbol": "A", "euro_rate": "١"},
            content_type=JSON)
        assert answer.status_code == 422


# A payment cites an offer of the account it pays -------------------------------------------

@pytest.fixture
def third(world, make_person):
    person = make_person("Third")
    bodies.join_body(person=person, body=world["coop"])
    return person


def publish(author, world, oseille, kind="offer", on_behalf_of=None) -> Offer:
    return services.publish_offer(
        actor=author, cooperative=world["coop"], kind=kind, title=f"A {kind}",
        category="food", expires_on=timezone.localdate(clock.now()) + timedelta(days=30),
        price_units=500 if kind == "offer" else None, currency=oseille,
        on_behalf_of=on_behalf_of)


OFFER_MESSAGE = ("A payment for an offer goes to the account of the one who published it: "
                 "pay that account, or leave the offer out.")
NEED_MESSAGE = ("A payment for a need comes from the account of the one who published it: "
                "pay from that account, or leave the need out.")


@pytest.mark.django_db
class TestOfferOfThePayee:
    def test_service(self, world, oseille, accounts, third):
        member, coordinator = accounts
        mine = publish(world["coordinator"], world, oseille)
        theirs = publish(third, world, oseille)
        paid = services.pay(actor=world["member"], payer_id=member.pk,
                            payee_id=coordinator.pk, amount=500, offer=mine)
        assert paid.offer_id == mine.pk
        before = rows()
        with pytest.raises(DomainError) as refused:
            services.pay(actor=world["member"], payer_id=member.pk, payee_id=coordinator.pk,
                         amount=500, offer=theirs)
        assert (str(refused.value.message), refused.value.field) == (OFFER_MESSAGE, "offer")
        with pytest.raises(DomainError, match="goes to the account"):
            services.request_payment(actor=world["coordinator"], seller_id=coordinator.pk,
                                     buyer_id=member.pk, amount=500, offer=theirs)
        assert rows() == before

    def test_a_need_is_paid_by_the_one_who_published_it(self, world, oseille, accounts,
                                                        third):
        member, coordinator = accounts
        need = publish(world["member"], world, oseille, kind="need")
        services.pay(actor=world["member"], payer_id=member.pk, payee_id=coordinator.pk,
                     amount=300, offer=need)
        with pytest.raises(DomainError) as refused:
            services.pay(actor=world["coordinator"], payer_id=coordinator.pk,
                         payee_id=member.pk, amount=300, offer=need)
        assert str(refused.value.message) == NEED_MESSAGE
        assert Payment.objects.count() == 1

    def test_an_offer_for_a_group_is_paid_to_the_groups_account(self, world, oseille,
                                                                accounts):
        member, coordinator = accounts
        group = services.open_body_account(actor=world["coordinator"], currency=oseille,
                                           body=world["open_group"])
        offer = publish(world["coordinator"], world, oseille, on_behalf_of=world["open_group"])
        with pytest.raises(DomainError, match="goes to the account"):
            services.pay(actor=world["member"], payer_id=member.pk, payee_id=coordinator.pk,
                         amount=500, offer=offer)
        services.pay(actor=world["member"], payer_id=member.pk, payee_id=group.pk,
                     amount=500, offer=offer)
        assert Payment.objects.get().payee_id == group.pk

    def test_api(self, world, oseille, accounts, third):
        member, coordinator = accounts
        theirs = publish(third, world, oseille)
        client = client_for(world["member"])
        before = rows()
        answer = api_pay(client, member, coordinator, "5", offer_id=theirs.pk)
        assert answer.status_code == 400
        assert (answer.json()["detail"], answer.json()["field"]) == (OFFER_MESSAGE, "offer_id")
        answer = client_for(world["coordinator"]).post("/api/payment-requests", {
            "seller_id": coordinator.pk, "buyer_id": member.pk, "amount": "5",
            "offer_id": theirs.pk}, content_type=JSON)
        assert answer.status_code == 400 and answer.json()["field"] == "offer_id"
        assert rows() == before
        mine = publish(world["coordinator"], world, oseille)
        assert api_pay(client, member, coordinator, "5", "k2",
                       offer_id=mine.pk).status_code == 201

    def test_page(self, world, oseille, accounts, third):
        member, coordinator = accounts
        theirs = publish(third, world, oseille)
        answer = page_pay(client_for(world["member"]), member, coordinator, "5",
                          offer=theirs.pk)
        assert answer.status_code == 400
        assert OFFER_MESSAGE in answer.content.decode()
        assert not Payment.objects.exists()
