"""Money rules, with no database: amounts, limits, the effect of a payment, conversion."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autogestion.economy import rules
from autogestion.economy.rules import AccountStatus, AccountView, Refusal


def code_of(fn, *args, **kwargs) -> str:
    with pytest.raises(Refusal) as caught:
        fn(*args, **kwargs)
    return caught.value.code


class TestAmounts:
    # Typed amounts are read by core.inputs.parse_amount: tests/economy/test_hardening.py.
    def test_format(self):
        assert rules.format_amount(-1250, 2) == "-12.50"
        assert rules.format_amount(7, 0) == "7"


def account(id, balance=0, limit=100, ceiling=None, status=AccountStatus.ACTIVE):
    return AccountView(id=id, balance=balance, debit_limit=limit, credit_ceiling=ceiling,
                       status=status)


class TestPayments:
    def test_limits_with_the_margin(self):
        refusal = pytest.raises(Refusal)
        with refusal as caught:
            rules.check_payment(account(1, balance=-60), account(2), 50)
        assert caught.value.code == "beyond_debit_limit" and caught.value.details["margin"] == 40
        with pytest.raises(Refusal) as caught:
            rules.check_payment(account(1), account(2, balance=90, ceiling=100), 20)
        assert caught.value.code == "beyond_credit_ceiling"
        assert caught.value.details["margin"] == 10

    def test_locked_and_same_account(self):
        assert code_of(rules.check_payment, account(1, status=AccountStatus.LOCKED), account(2),
                       1) == "account_not_active"
        assert code_of(rules.check_payment, account(1), account(1), 1) == "same_account"

    @given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9), st.integers(1, 300)),
                    max_size=200),
           st.integers(0, 500), st.one_of(st.none(), st.integers(0, 500)))
    def test_any_sequence_keeps_zero_sum_and_limits(self, payments, limit, ceiling):
        balances = [0] * 10
        for payer, payee, amount in payments:
            before = list(balances)
            try:
                new_payer, new_payee = rules.check_payment(
                    account(payer, balances[payer], limit, ceiling),
                    account(payee, balances[payee], limit, ceiling), amount)
            except Refusal:
                assert balances == before  # a refused payment changes nothing
                continue
            balances[payer], balances[payee] = new_payer, new_payee
            assert sum(balances) == 0
            assert all(b >= -limit for b in balances)
            assert ceiling is None or all(b <= ceiling for b in balances)


class TestConversion:
    def test_rates(self):
        one = Fraction(1)
        assert rules.convert(1000, 2, one, 2, Fraction(1, 2)) == 2000
        assert rules.convert(1, 2, Fraction(1, 3), 2, one) == 0  # 0.333 cent rounds down
        assert rules.convert(5, 0, one, 2, one) == 500
        assert code_of(rules.euro_rate, "0") == "bad_rate"

    def test_half_to_even(self):
        assert rules._round_half_even(Fraction(5, 2)) == 2
        assert rules._round_half_even(Fraction(7, 2)) == 4


class TestFund:
    def test_overdraft(self):
        assert rules.check_expense(100, 150, 50) == -50
        assert code_of(rules.check_expense, 100, 151, 50) == "fund_too_low"
