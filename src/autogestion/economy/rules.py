"""Pure rules of money (DOMAIN.md R8, R9, R10): amounts are integers in minor units
(cents, or a currency's own smallest unit); Decimal appears only at the edges.

Mutual credit: every account starts at zero, a payment moves units from one account to
another, so the sum of all balances of a currency stays exactly zero. Each account may
go down to minus its debit limit and up to its credit ceiling; a payment that would
cross either is refused whole.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from autogestion.core.refusal import Refusal

MAX_AMOUNT = 10**15  # minor units: far beyond any cooperative, well within a bigint
# Amounts typed by people are read by autogestion.core.inputs.parse_amount.


class AccountStatus(enum.StrEnum):
    ACTIVE = "active"
    LOCKED = "locked"
    CLOSED = "closed"


@dataclass(frozen=True)
class AccountView:
    """What the rules need to know of an account."""

    id: int
    balance: int
    debit_limit: int            # how far below zero it may go (>= 0)
    credit_ceiling: int | None  # how far above zero it may go (None: no ceiling)
    status: AccountStatus = AccountStatus.ACTIVE


def format_amount(minor: int, decimals: int) -> str:
    sign = "-" if minor < 0 else ""
    value = Decimal(abs(minor)).scaleb(-decimals)
    return f"{sign}{value:.{decimals}f}"


def margin_to_pay(account: AccountView) -> int:
    return account.balance + account.debit_limit


def margin_to_receive(account: AccountView) -> int | None:
    if account.credit_ceiling is None:
        return None
    return account.credit_ceiling - account.balance


def margins(account: AccountView) -> tuple[int, int | None]:
    """What the account can pay and receive now, never below zero; nothing for an
    account that is not active (locked or closed); no ceiling: None to receive. The
    pages and the API show these."""
    if account.status != AccountStatus.ACTIVE:
        return 0, 0
    to_receive = margin_to_receive(account)
    return max(0, margin_to_pay(account)), None if to_receive is None else max(0, to_receive)


def check_payment(payer: AccountView, payee: AccountView, amount: int) -> tuple[int, int]:
    """The two balances after the payment, or a refusal that names the margin left."""
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise Refusal("amount_not_positive")
    if amount > MAX_AMOUNT:
        raise Refusal("amount_too_large")
    if payer.id == payee.id:
        raise Refusal("same_account")
    for account, role in ((payer, "payer"), (payee, "payee")):
        if account.status != AccountStatus.ACTIVE:
            raise Refusal("account_not_active", role=role, status=account.status)
    if payer.balance - amount < -payer.debit_limit:
        raise Refusal("beyond_debit_limit", margin=max(0, margin_to_pay(payer)))
    if payee.credit_ceiling is not None and payee.balance + amount > payee.credit_ceiling:
        raise Refusal("beyond_credit_ceiling", margin=max(0, margin_to_receive(payee)))
    return payer.balance - amount, payee.balance + amount


def check_limits(debit_limit: int, credit_ceiling: int | None, balance: int) -> None:
    """A new limit may not put an account beyond it already."""
    if debit_limit < 0 or debit_limit > MAX_AMOUNT:
        raise Refusal("bad_debit_limit")
    if credit_ceiling is not None and (credit_ceiling < 0 or credit_ceiling > MAX_AMOUNT):
        raise Refusal("bad_credit_ceiling")
    if balance < -debit_limit:
        raise Refusal("limit_below_balance")
    if credit_ceiling is not None and balance > credit_ceiling:
        raise Refusal("ceiling_below_balance")


# A currency's own settings (its cooperative's, changed by decision) --------------------

AUTO_ACCEPT_DAYS = (1, 60)  # as a payment request's own delay (1 hour to 60 days)
RATE_DECIMALS = 6           # what Currency.euro_rate holds
RATE_BELOW = 10**6


def check_default_limits(debit_limit: int, credit_ceiling: int | None) -> None:
    """The limits a new account gets: a debit limit of zero or more, and a maximum
    balance above zero (None: no maximum) that leaves room for what it may owe."""
    if isinstance(debit_limit, bool) or not isinstance(debit_limit, int) \
            or not 0 <= debit_limit <= MAX_AMOUNT:
        raise Refusal("bad_debit_limit")
    if credit_ceiling is not None and (isinstance(credit_ceiling, bool)
                                       or not isinstance(credit_ceiling, int)
                                       or not 0 < credit_ceiling <= MAX_AMOUNT):
        raise Refusal("bad_default_ceiling")


def check_auto_accept_days(days: int | None) -> None:
    if days is not None and (isinstance(days, bool) or not isinstance(days, int)
                             or not AUTO_ACCEPT_DAYS[0] <= days <= AUTO_ACCEPT_DAYS[1]):
        raise Refusal("bad_auto_accept")


def currency_rate(text: str | Decimal) -> Decimal:
    """A euro value as Currency.euro_rate holds it: more than zero, below a million, at
    most 6 decimals ("0,5" is read as "0.5")."""
    try:
        value = Decimal(str(text).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise Refusal("bad_rate") from None
    if not value.is_finite() or value <= 0:
        raise Refusal("bad_rate")
    if value >= RATE_BELOW or value != value.quantize(Decimal(1).scaleb(-RATE_DECIMALS)):
        raise Refusal("rate_too_precise")
    return value


def rate_text(value: Decimal) -> str:
    """"0.5", "1", "1.25": the euro value as the pages and the API write it."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# Conversion between currencies ("réseau de réseaux") ----------------------------------

def euro_rate(text: str | Decimal) -> Fraction:
    """How many euros one unit is worth (1 Oseille = 1 €)."""
    try:
        value = Fraction(Decimal(str(text)))
    except (InvalidOperation, ValueError):
        raise Refusal("bad_rate") from None
    if value <= 0:
        raise Refusal("bad_rate")
    return value


def convert(amount: int, source_decimals: int, source_rate: Fraction, target_decimals: int,
            target_rate: Fraction) -> int:
    """Minor units of one currency → minor units of another, through their euro values,
    rounded half to even to the target's smallest unit."""
    euros = Fraction(amount, 10**source_decimals) * source_rate
    return _round_half_even(euros / target_rate * 10**target_decimals)


def _round_half_even(value: Fraction) -> int:
    floor = value.numerator // value.denominator
    rest = value - floor
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and floor % 2 == 1):
        return floor + 1
    return floor


# Prices of offers: euros, social currency, or both -------------------------------------

@dataclass(frozen=True)
class Price:
    euros: int | None = None       # cents
    units: int | None = None       # minor units of the social currency

    def check(self) -> None:
        if self.euros is None and self.units is None:
            raise Refusal("no_price")
        for part in (self.euros, self.units):
            if part is not None and (part < 0 or part > MAX_AMOUNT):
                raise Refusal("bad_price")


# The common fund (R8) -----------------------------------------------------------------

def check_expense(balance: int, amount: int, overdraft: int) -> int:
    """The fund's balance after an expense; it may not go below minus the overdraft the
    body allows (zero by default)."""
    if amount <= 0:
        raise Refusal("amount_not_positive")
    if balance - amount < -overdraft:
        raise Refusal("fund_too_low", available=max(0, balance + overdraft))
    return balance - amount
