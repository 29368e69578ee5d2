"""The ledger against the database: payments and their refusals, invariants,
idempotency, reversals, requests, clearing between networks, the fund, offers."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from autogestion.cooperatives import services as bodies
from autogestion.cooperatives.models import LegalForm
from autogestion.core.errors import Conflict, DomainError, PermissionDenied
from autogestion.economy import services
from autogestion.economy.models import Account, Entry, Payment

pytestmark = pytest.mark.django_db


def balances(currency):
    return Account.objects.filter(currency=currency).aggregate(s=Sum("balance"))["s"] or 0


def assert_ledger_holds(currency):
    assert balances(currency) == 0
    for account in Account.objects.filter(currency=currency):
        entries = Entry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or 0
        assert account.balance == entries
        assert account.balance >= -account.debit_limit


class TestPayments:
    def test_pay_moves_both_and_writes_two_entries(self, world, oseille, accounts):
        member, coordinator = accounts
        payment = services.pay(actor=world["member"], payer_id=member.pk,
                               payee_id=coordinator.pk, amount=2500, description="Légumes")
        member.refresh_from_db()
        coordinator.refresh_from_db()
        assert (member.balance, coordinator.balance) == (-2500, 2500)
        assert Entry.objects.filter(payment_id=payment.pk).count() == 2
        assert_ledger_holds(oseille)

    def test_beyond_the_limit_nothing_moves_and_the_margin_is_said(self, world, oseille,
                                                                    accounts):
        member, coordinator = accounts
        with pytest.raises(Conflict, match="at most 100.00\u00a0Os"):
            services.pay(actor=world["member"], payer_id=member.pk, payee_id=coordinator.pk,
                         amount=10_001)
        assert not Payment.objects.exists() and not Entry.objects.exists()
        assert_ledger_holds(oseille)

    def test_credit_ceiling(self, world, oseille, accounts):
        member, coordinator = accounts
        services.set_limits(actor=world["coordinator"], account_id=coordinator.pk,
                            debit_limit=10_000, credit_ceiling=1000)
        with pytest.raises(Conflict, match="receive at most 10.00\u00a0Os"):
            services.pay(actor=world["member"], payer_id=member.pk, payee_id=coordinator.pk,
                         amount=1001)

    def test_only_from_ones_own_account(self, world, accounts):
        member, coordinator = accounts
        with pytest.raises(PermissionDenied):
            services.pay(actor=world["coordinator"], payer_id=member.pk,
                         payee_id=coordinator.pk, amount=1)
        for amount in (0, -5):
            with pytest.raises(DomainError, match="more than zero"):
                services.pay(actor=world["member"], payer_id=member.pk,
                             payee_id=coordinator.pk, amount=amount)

    def test_idempotency_key_never_pays_twice(self, world, oseille, accounts):
        member, coordinator = accounts
        first = services.pay(actor=world["member"], payer_id=member.pk,
                             payee_id=coordinator.pk, amount=100, idempotency_key="abc")
        again = services.pay(actor=world["member"], payer_id=member.pk,
                             payee_id=coordinator.pk, amount=100, idempotency_key="abc")
        assert again.pk == first.pk and Payment.objects.count() == 1
        with pytest.raises(Conflict, match="another payment"):
            services.pay(actor=world["member"], payer_id=member.pk, payee_id=coordinator.pk,
                         amount=200, idempotency_key="abc")

    def test_reversal_is_a_new_payment(self, world, oseille, accounts):
        member, coordinator = accounts
        payment = services.pay(actor=world["member"], payer_id=member.pk,
                               payee_id=coordinator.pk, amount=700)
        reversal = services.reverse_payment(actor=world["coordinator"], payment_id=payment.pk,
                                            reason="double")
        assert reversal.reverses_id == payment.pk and Payment.objects.count() == 2
        with pytest.raises(Conflict, match="already reversed"):
            services.reverse_payment(actor=world["coordinator"], payment_id=payment.pk)
        assert_ledger_holds(oseille)

    def test_locked_account(self, world, accounts):
        member, coordinator = accounts
        services.set_account_status(actor=world["coordinator"], account_id=member.pk,
                                    status="locked")
        with pytest.raises(DomainError, match="locked"):
            services.pay(actor=world["member"], payer_id=member.pk, payee_id=coordinator.pk,
                         amount=1)

    def test_database_refuses_a_balance_beyond_the_limit(self, accounts):
        member, _coordinator = accounts
        with pytest.raises(IntegrityError), transaction.atomic():
            Account.objects.filter(pk=member.pk).update(balance=-10_001)


class TestRequests:
    def test_accept_decline_and_automatic(self, world, oseille, accounts):
        member, coordinator = accounts
        request = services.request_payment(actor=world["coordinator"], seller_id=coordinator.pk,
                                           buyer_id=member.pk, amount=300)
        with pytest.raises(PermissionDenied):
            services.accept_request(actor=world["coordinator"], request_id=request.pk)
        services.accept_request(actor=world["member"], request_id=request.pk)
        with pytest.raises(Conflict):
            services.decline_request(actor=world["member"], request_id=request.pk)
        later = services.request_payment(actor=world["coordinator"], seller_id=coordinator.pk,
                                         buyer_id=member.pk, amount=200,
                                         auto_accept_after=timedelta(days=2))
        assert services.accept_due_requests(timezone.now() + timedelta(days=1)) == 0
        from autogestion.core import clock

        clock.freeze(timezone.now() + timedelta(days=3))
        try:
            assert services.accept_due_requests() == 1
        finally:
            clock.freeze(None)
        later.refresh_from_db()
        assert later.status == "accepted" and later.payment is not None
        assert_ledger_holds(oseille)


class TestClearing:
    def test_between_two_cooperatives_each_keeps_its_zero_sum(self, world, oseille, accounts,
                                                             operator, make_person):
        other = world["other"]
        eco = services.create_currency(actor=world["other_coordinator"], cooperative=other,
                                       code="eco", name="ECO", symbol="ECO", euro_rate="0.5")
        payee = services.account_of(world["other_coordinator"], eco)
        member, _coordinator = accounts
        first, second = services.pay_across(actor=world["member"], payer_id=member.pk,
                                            payee_id=payee.pk, amount=1000)
        assert first.amount == 1000 and second.amount == 2000  # 10 € = 20 ECO
        assert second.clearing_of_id == first.pk
        assert_ledger_holds(oseille)
        assert_ledger_holds(eco)


class TestFund:
    def test_income_expense_with_decision_and_the_floor(self, world):
        from autogestion.decisions import services as decisions

        coordinator, coop = world["coordinator"], world["coop"]
        services.record_fund_movement(actor=coordinator, body=coop, amount=10_000,
                                      category="contribution", description="Cotisations",
                                      happened_on=date(2026, 11, 1))
        with pytest.raises(DomainError, match="names the decision"):
            services.record_fund_movement(actor=coordinator, body=coop, amount=-500,
                                          category="purchase", description="Perceuse",
                                          happened_on=date(2026, 11, 2))
        proposal = decisions.create_proposal(actor=world["member"], body=coop, title="Drill",
                                             text="Buy it", decision_class="executive")
        decisions.take_position(person=world["member"], round_id=proposal.rounds.get().pk,
                                stance="fully_agree")
        decisions.close_round(actor=coordinator, round_id=proposal.rounds.get().pk)
        decision = proposal.decisions.get()
        movement = services.record_fund_movement(
            actor=coordinator, body=coop, amount=-4_000, category="purchase",
            description="Perceuse", happened_on=date(2026, 11, 2), decision=decision)
        assert movement.balance_after == 6_000
        with pytest.raises(Conflict, match="60.00"):
            services.record_fund_movement(actor=coordinator, body=coop, amount=-7_000,
                                          category="purchase", description="Scie",
                                          happened_on=date(2026, 11, 3), decision=decision)
        with pytest.raises(PermissionDenied):
            services.record_fund_movement(actor=world["member"], body=coop, amount=100,
                                          category="donation", description="x",
                                          happened_on=date(2026, 11, 3))


class TestOffers:
    def test_publish_with_price_and_refusals(self, world, oseille):
        in_ten_days = timezone.now().date() + timedelta(days=10)
        offer = services.publish_offer(actor=world["member"], cooperative=world["coop"],
                                       kind="offer", title="Paniers de légumes",
                                       category="food", expires_on=in_ten_days,
                                       price_euros=500, price_units=500, currency=oseille)
        assert offer.price_units == 500
        with pytest.raises(DomainError, match="price"):
            services.publish_offer(actor=world["member"], cooperative=world["coop"],
                                   kind="offer", title="x", category="food",
                                   expires_on=in_ten_days)
        with pytest.raises(PermissionDenied):
            services.publish_offer(actor=world["outsider"], cooperative=world["coop"],
                                   kind="need", title="x", category="food",
                                   expires_on=in_ten_days)
        scic = bodies.create_body(actor=world["operator"], kind="cooperative", name="Z",
                                  legal_form=LegalForm.SCOP)
        assert scic.pk


@pytest.mark.postgres
def test_postgresql_refuses_unbalanced_or_changed_entries(world, oseille, accounts):
    member, coordinator = accounts
    payment = services.pay(actor=world["member"], payer_id=member.pk, payee_id=coordinator.pk,
                           amount=100)
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(payment_id=payment.pk, account=member, amount=5,
                             balance_after=0, created_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(payment_id=payment.pk).update(amount=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(payment_id=payment.pk).delete()
    assert Entry.objects.filter(payment_id=payment.pk).count() == 2
