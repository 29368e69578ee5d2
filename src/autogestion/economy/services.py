"""Every write of money. A payment is final and moves two balances and writes two
entries atomically; on PostgreSQL in ONE statement that checks both limits (the fast
path the ledger benchmark measures), elsewhere inside one locked transaction."""

import re
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import psycopg
from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from autogestion.cooperatives.models import Body
from autogestion.cooperatives.rules import Kind
from autogestion.cooperatives.selectors import (
    active_membership_sql,
    is_active_member,
    stewards_and_coordinators,
)
from autogestion.core import clock, history
from autogestion.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from autogestion.core.formats import amount_text
from autogestion.notifications.models import Kind as NotificationKind
from autogestion.notifications.services import notify

from . import permissions, rules
from .models import (
    INCOME,
    Account,
    AccountEvent,
    AccountKind,
    AccountStatusChoice,
    Currency,
    CurrencyChange,
    CurrencyChangeKind,
    CurrencyKind,
    Entry,
    Fund,
    FundCategory,
    FundMovement,
    Offer,
    OfferCategory,
    Payment,
    PaymentRequest,
    PaymentRequestEvent,
    RequestStatus,
)
from .rules import AccountStatus, Refusal


def _money(minor: int, currency: Currency | None) -> str:
    """An amount in a refusal, in the reader's language ("12,50 Os"); euros without a
    currency."""
    if currency is None:
        return amount_text(minor, 2, "€")
    return amount_text(minor, currency.decimals, currency.symbol)


def refusal_message(refusal: Refusal, currency: Currency | None = None) -> DomainError:
    """The words (and 4xx status) for a money rule's refusal: one wording for the pages,
    the API and the services."""
    code, details = refusal.code, refusal.details
    if code == "beyond_debit_limit":
        return Conflict(_("Refused: this payment would take the paying account below its "
                          "debit limit. It can pay at most %(margin)s now.")
                        % {"margin": _money(details["margin"], currency)}, field="amount")
    if code == "beyond_credit_ceiling":
        return Conflict(_("Refused: this payment would take the receiving account above its "
                          "maximum balance. It can receive at most %(margin)s now.")
                        % {"margin": _money(details["margin"], currency)}, field="amount")
    texts = {
        "amount_not_positive": _("The amount must be more than zero."),
        "amount_too_large": _("This amount is too large."),
        "same_account": _("An account does not pay itself."),
        "account_not_active": _("The %(role)s account is %(status)s: no payment now.")
        % {"role": _("paying") if details.get("role") == "payer" else _("receiving"),
           "status": AccountStatusChoice(details["status"]).label
           if details.get("status") else ""},
        "bad_debit_limit": _("A debit limit is zero or more."),
        "bad_credit_ceiling": _("A maximum balance is zero or more."),
        "limit_below_balance": _("The account is already below that limit: choose a larger "
                                 "one."),
        "ceiling_below_balance": _("The account is already above that maximum."),
        "bad_rate": _("The euro value must be a positive number, such as 1 or 0.5."),
        "rate_too_precise": _("The euro value has at most 6 decimals and is below a "
                              "million."),
        "bad_default_ceiling": _("A default maximum balance is more than zero; leave it "
                                 "empty for no maximum."),
        "bad_auto_accept": _("Automatic acceptance comes after 1 to 60 days; leave it "
                             "empty for none."),
        "no_price": _("Give a price in euros, in social currency, or both."),
        "bad_price": _("A price is zero or more."),
    }
    if code == "fund_too_low":
        return Conflict(_("Refused: the fund holds too little for this expense; %(available)s "
                          "available.") % {"available": _money(details["available"], None)},
                        field="amount")
    fields = {"limit_below_balance": "debit_limit", "bad_debit_limit": "debit_limit",
              "ceiling_below_balance": "credit_ceiling", "bad_credit_ceiling": "credit_ceiling",
              "bad_rate": "euro_rate", "rate_too_precise": "euro_rate",
              "bad_default_ceiling": "default_credit_ceiling",
              "bad_auto_accept": "auto_accept_days", "no_price": "price", "bad_price": "price"}
    field = "amount" if "amount" in code else fields.get(code)
    return DomainError(texts.get(code, code), field=field)


# Currencies and accounts ------------------------------------------------------------

CODE_PATTERN = re.compile(r"^[-a-zA-Z0-9_]+$")


@transaction.atomic
def create_currency(*, actor, cooperative: Body, code: str, name: str, symbol: str,
                    kind: str = CurrencyKind.MUTUAL_CREDIT, decimals: int = 2,
                    euro_rate: str = "1", default_debit_limit: int = 0,
                    default_credit_ceiling: int | None = None,
                    auto_accept_days: int | None = None,
                    euros_convert_in_only: bool = False) -> Currency:
    """A cooperative's coordinators (and stewards) create a currency: its code, name and
    symbol, decimals (0 to 4), what one unit is worth in euros, the limits a new account
    gets (in minor units) and how many days a payment request waits before it accepts
    itself. Its euro value and default limits change afterwards only by a decision of
    the cooperative (economy/effects.py)."""
    if cooperative.kind != Kind.COOPERATIVE:
        raise DomainError(_("Currencies belong to a cooperative."))
    if not permissions.can_steward(actor, cooperative):
        raise PermissionDenied(_("Only coordinators or stewards of %(body)s create its "
                                 "currencies.") % {"body": cooperative.name})
    if kind not in CurrencyKind.values:
        raise DomainError(_("Unknown kind of currency."), field="kind")
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 4:
        raise DomainError(_("A currency has 0 to 4 decimals."), field="decimals")
    code, name, symbol = ((value or "").strip() for value in (code, name, symbol))
    for field, value, longest, refusal in (
            ("code", code, 20, _("Give a code of 1 to %(n)s characters.")),
            ("name", name, 60, _("Give a name of 1 to %(n)s characters.")),
            ("symbol", symbol, 8, _("Give a symbol of 1 to %(n)s characters."))):
        if not value or len(value) > longest:
            # One sentence per field: the field's name is a word of the sentence, not a
            # code glued into it.
            raise DomainError(refusal % {"n": longest}, field=field)
    if not CODE_PATTERN.match(code):
        raise DomainError(_("A code is made of letters without accents, digits, “-” and "
                            "“_”, such as “oseille”."), field="code")
    try:
        rate = rules.currency_rate(euro_rate)
        rules.check_default_limits(default_debit_limit, default_credit_ceiling)
        rules.check_auto_accept_days(auto_accept_days)
    except Refusal as refusal:
        raise _default_refusal(refusal) from None
    if Currency.objects.filter(code__iexact=code).exists():
        raise Conflict(_("The code “%(code)s” is taken: choose another.") % {"code": code},
                       field="code")
    try:
        with transaction.atomic():
            return Currency.objects.create(
                cooperative=cooperative, code=code, name=name, symbol=symbol,
                decimals=decimals, kind=kind, euro_rate=rate,
                default_debit_limit=default_debit_limit,
                default_credit_ceiling=default_credit_ceiling,
                auto_accept_days=auto_accept_days,
                euros_convert_in_only=euros_convert_in_only)
    except IntegrityError:
        # The same code, created meanwhile by another request.
        raise Conflict(_("The code “%(code)s” is taken: choose another.") % {"code": code},
                       field="code") from None


def _default_refusal(refusal: Refusal) -> DomainError:
    """A refusal of a currency's settings, naming the currency's field."""
    error = refusal_message(refusal)
    if error.field == "debit_limit":
        error.field = "default_debit_limit"
    return error


def currency_settings(currency: Currency) -> dict:
    """The settings a decision may change, as the API writes them (the change log keeps
    them before and after)."""
    return {"euro_rate": rules.rate_text(currency.euro_rate),
            "default_debit_limit": rules.format_amount(currency.default_debit_limit,
                                                       currency.decimals),
            "default_credit_ceiling": None if currency.default_credit_ceiling is None
            else rules.format_amount(currency.default_credit_ceiling, currency.decimals)}


@transaction.atomic
def apply_currency_change(*, currency_id: int, kind: str, decision,
                          euro_rate: Decimal | None = None,
                          default_debit_limit: int | None = None,
                          default_credit_ceiling: int | None = None) -> CurrencyChange:
    """Changes a currency's euro value (kind "value") or its default limits (kind
    "limits", in minor units; the ceiling None: no maximum) and writes the change with
    the decision that made it. Called only by the effects of economy/effects.py when the
    cooperative adopts the decision: nobody calls it by hand."""
    currency = Currency.objects.select_for_update().filter(pk=currency_id).first()
    if currency is None:
        raise NotFound(_("There is no such currency."))
    before = currency_settings(currency)
    if kind == CurrencyChangeKind.VALUE:
        try:
            currency.euro_rate = rules.currency_rate(euro_rate)
        except Refusal as refusal:
            raise refusal_message(refusal) from None
        fields = ["euro_rate"]
    elif kind == CurrencyChangeKind.LIMITS:
        try:
            rules.check_default_limits(default_debit_limit, default_credit_ceiling)
        except Refusal as refusal:
            raise _default_refusal(refusal) from None
        currency.default_debit_limit = default_debit_limit
        currency.default_credit_ceiling = default_credit_ceiling
        fields = ["default_debit_limit", "default_credit_ceiling"]
    else:
        raise DomainError(_("Unknown change of a currency."))
    if getattr(decision, "pk", None) is None:
        raise DomainError(_("A currency changes only by an adopted decision."))
    currency.save(update_fields=fields)
    after = currency_settings(currency)
    return CurrencyChange.objects.create(
        currency=currency, kind=kind,
        before={key: before[key] for key in fields},
        after={key: after[key] for key in fields},
        decision_id=decision.pk, proposal_id=getattr(decision, "proposal_id", None),
        at=clock.now())


def account_of(person, currency: Currency) -> Account:
    """A member's account in a currency, opened at zero on first use."""
    if not is_active_member(person, currency.cooperative):
        raise PermissionDenied(_("Only members of %(body)s hold its currency.")
                               % {"body": currency.cooperative.name})
    try:
        with transaction.atomic():
            account, created = Account.objects.get_or_create(
                currency=currency, person=person,
                defaults={"kind": AccountKind.MEMBER, "name": person.public_name,
                          "debit_limit": currency.default_debit_limit,
                          "credit_ceiling": currency.default_credit_ceiling})
            if created:
                _opened(account, person)
    except IntegrityError:
        account = Account.objects.get(currency=currency, person=person)
    return account


@transaction.atomic
def open_body_account(*, actor, currency: Currency, body: Body,
                      kind: str = AccountKind.GROUP) -> Account:
    if not permissions.can_steward(actor, body):
        raise PermissionDenied(_("Only coordinators of %(body)s open its accounts.")
                               % {"body": body.name})
    if kind not in {AccountKind.GROUP, AccountKind.PROJECT, AccountKind.COOPERATIVE}:
        raise DomainError(_("Unknown kind of account."), field="kind")
    if not body.path.startswith(currency.cooperative.path):
        raise DomainError(_("This body is not part of %(body)s.")
                          % {"body": currency.cooperative.name}, field="body")
    account, created = Account.objects.get_or_create(
        currency=currency, body=body, kind=kind,
        defaults={"name": body.name, "debit_limit": currency.default_debit_limit,
                  "credit_ceiling": currency.default_credit_ceiling})
    if created:
        _opened(account, actor)
    return account


def _opened(account: Account, actor) -> None:
    """The first event of a new account (active)."""
    history.record(account, event_model=AccountEvent, subject="account",
                   actor=actor if getattr(actor, "pk", None) else None)


# Which status an account may go to from each: a closed account may be opened again.
ACCOUNT_MOVES = {
    AccountStatus.ACTIVE: {AccountStatus.LOCKED, AccountStatus.CLOSED},
    AccountStatus.LOCKED: {AccountStatus.ACTIVE, AccountStatus.CLOSED},
    AccountStatus.CLOSED: {AccountStatus.ACTIVE},
}


def _account_transition(account: Account, to: str, *, actor, reason: str = ""):
    """The one way an account's status changes, with its event."""
    return history.transition(
        account, to, allowed=ACCOUNT_MOVES, event_model=AccountEvent, subject="account",
        actor=actor, reason=reason,
        refusal=_("The account is %(status)s: open it again first.")
        % {"status": AccountStatusChoice(account.status).label})


@transaction.atomic
def set_limits(*, actor, account_id: int, debit_limit: int,
               credit_ceiling: int | None = None) -> Account:
    account = (Account.objects.select_for_update(of=("self",))
               .select_related("currency__cooperative").filter(pk=account_id).first())
    if account is None:
        raise NotFound(_("There is no such account."))
    if not permissions.can_steward(actor, account.currency.cooperative):
        raise PermissionDenied(_("Only the stewards of the currency set its limits."))
    try:
        rules.check_limits(debit_limit, credit_ceiling, account.balance)
    except Refusal as refusal:
        raise refusal_message(refusal, account.currency) from None
    account.debit_limit, account.credit_ceiling = debit_limit, credit_ceiling
    account.save(update_fields=["debit_limit", "credit_ceiling"])
    return account


@transaction.atomic
def set_account_status(*, actor, account_id: int, status: str) -> Account:
    account = (Account.objects.select_for_update(of=("self",))
               .select_related("currency__cooperative").filter(pk=account_id).first())
    if account is None:
        raise NotFound(_("There is no such account."))
    if not permissions.can_steward(actor, account.currency.cooperative):
        raise PermissionDenied(_("Only the stewards of the currency lock or close accounts."))
    if status not in AccountStatus.__members__.values():
        raise DomainError(_("Unknown status: active, locked or closed."), field="status")
    if status == AccountStatus.CLOSED and account.balance != 0:
        raise Conflict(_("An account closes at a zero balance."))
    if status != account.status:  # PUT is idempotent: the same status changes nothing
        _account_transition(account, status, actor=actor)
    return account


# Payments ---------------------------------------------------------------------------

MOVE_SQL = """
WITH locked AS (
    -- Both rows, locked in a fixed order: two payments crossing the same accounts
    -- queue instead of deadlocking.
    SELECT id, balance, debit_limit, credit_ceiling, status, currency_id, person_id
      FROM economy_account WHERE id IN (%(payer)s, %(payee)s) ORDER BY id FOR UPDATE
), member AS (
    SELECT 1 FROM economy_currency c WHERE c.id = %(currency)s AND {active_member}
), ok AS (
    SELECT count(*) = 2
           AND bool_and(currency_id = %(currency)s AND status = 'active')
           AND bool_and(CASE WHEN id = %(payer)s
                             THEN balance - %(amount)s::bigint >= -debit_limit
                                  AND (NOT %(own)s::boolean OR (person_id = %(actor)s
                                                        AND EXISTS (SELECT 1 FROM member)))
                             ELSE credit_ceiling IS NULL
                                  OR balance + %(amount)s::bigint <= credit_ceiling END) AS good
      FROM locked
), moved AS (
    -- Nothing moves unless both accounts allow it: the statement is whole on its own.
    UPDATE economy_account AS a
       SET balance = a.balance + d.delta
      FROM (VALUES (%(payer)s::bigint, -%(amount)s::bigint),
                   (%(payee)s::bigint, %(amount)s::bigint)) AS d(id, delta), ok
     WHERE a.id = d.id AND ok.good
 RETURNING a.id, a.balance, d.delta
), paid AS (
    INSERT INTO economy_payment (currency_id, payer_id, payee_id, amount, description,
                                 offer_id, reverses_id, clearing_of_id, created_by_id,
                                 idempotency_key, created_at)
    SELECT %(currency)s::bigint, %(payer)s::bigint, %(payee)s::bigint, %(amount)s::bigint,
           %(description)s::varchar, %(offer)s::bigint, %(reverses)s::bigint,
           %(clearing_of)s::bigint, %(created_by)s::bigint, %(key)s::varchar,
           %(now)s::timestamptz
      FROM ok WHERE ok.good
 RETURNING id
)
INSERT INTO economy_entry (payment_id, account_id, amount, balance_after, created_at)
SELECT paid.id, moved.id, moved.delta, moved.balance, %(now)s::timestamptz FROM paid, moved
RETURNING payment_id
""".replace("{active_member}", active_membership_sql("c.cooperative_id", "%(actor)s"))


def _ledger_cursor():
    """A cursor that binds parameters on the server, so that PostgreSQL parses and plans
    the ledger's one statement once per connection (psycopg prepares a query from its
    fifth use) instead of on every payment: planning the statement costs about as much
    as running it. Wrapped as Django wraps its own cursors, so the statement is counted
    and its errors are Django's."""
    connection.ensure_connection()
    return connection._prepare_cursor(psycopg.Cursor(connection.connection))


def _is_check_violation(exc: IntegrityError) -> bool:
    return getattr(exc.__cause__, "sqlstate", "") == "23514"


class _Refused(Exception):
    """The one statement moved nothing: find out why, after rolling back."""


def _move(*, currency: Currency, payer_id: int, payee_id: int, amount: int, actor,
          description: str = "", offer=None, reverses=None, clearing_of=None,
          key: str = "") -> Payment:
    now = clock.now()
    if connection.vendor == "postgresql":
        params = {"currency": currency.pk, "payer": payer_id, "payee": payee_id,
                  "amount": amount, "description": description[:255], "own": False,
                  "actor": getattr(actor, "pk", None),
                  "offer": getattr(offer, "pk", None), "reverses": getattr(reverses, "pk", None),
                  "clearing_of": getattr(clearing_of, "pk", None),
                  "created_by": getattr(actor, "pk", None), "key": key, "now": now}
        try:
            with transaction.atomic(), _ledger_cursor() as cursor:
                cursor.execute(MOVE_SQL, params)
                rows = cursor.fetchall()
        except IntegrityError as exc:
            # A CHECK on the balances caught a race the statement's own test missed:
            # the whole statement was undone; it is a refusal like any other.
            if _is_check_violation(exc):
                raise _Refused from None
            raise
        if len(rows) != 2:
            raise _Refused
        return Payment(pk=rows[0][0], currency=currency, payer_id=payer_id, payee_id=payee_id,
                       amount=amount, description=description[:255], created_at=now,
                       idempotency_key=key, created_by=actor if actor and actor.pk else None,
                       offer=offer, reverses=reverses, clearing_of=clearing_of)
    accounts = {a.pk: a for a in Account.objects.select_for_update()
                .filter(pk__in=sorted({payer_id, payee_id}), currency=currency)}
    payer, payee = accounts.get(payer_id), accounts.get(payee_id)
    if payer is None or payee is None:
        raise _Refused
    try:
        new_payer, new_payee = rules.check_payment(_view(payer), _view(payee), amount)
    except Refusal:
        raise _Refused from None
    Account.objects.filter(pk=payer.pk).update(balance=F("balance") - amount)
    Account.objects.filter(pk=payee.pk).update(balance=F("balance") + amount)
    payment = Payment.objects.create(
        currency=currency, payer=payer, payee=payee, amount=amount,
        description=description[:255], offer=offer, reverses=reverses,
        clearing_of=clearing_of, created_by=actor if actor and actor.pk else None,
        idempotency_key=key, created_at=now)
    Entry.objects.bulk_create([
        Entry(payment=payment, account=payer, amount=-amount, balance_after=new_payer,
              created_at=now),
        Entry(payment=payment, account=payee, amount=amount, balance_after=new_payee,
              created_at=now)])
    return payment


def _view(account: Account) -> rules.AccountView:
    return rules.AccountView(id=account.pk, balance=account.balance,
                             debit_limit=account.debit_limit,
                             credit_ceiling=account.credit_ceiling,
                             status=AccountStatus(account.status))


def _why_refused(currency: Currency, payer_id: int, payee_id: int, amount: int,
                opened: Account | None = None) -> DomainError:
    """Why a payment moved nothing. `opened`: an account opened for it, whose opening
    was rolled back with it (a clearing account), judged as it was opened."""
    accounts = {a.pk: a for a in Account.objects.filter(pk__in=[payer_id, payee_id],
                                                         currency=currency)}
    if opened is not None and opened.pk not in accounts:
        accounts[opened.pk] = opened
    if payer_id not in accounts or payee_id not in accounts:
        return DomainError(_("Both accounts must hold %(currency)s.")
                           % {"currency": currency.name}, field="payee")
    try:
        rules.check_payment(_view(accounts[payer_id]), _view(accounts[payee_id]), amount)
    except Refusal as refusal:
        return refusal_message(refusal, currency)
    return Conflict(_("The balances changed meanwhile: try again."))


def _key(raw: str) -> str:
    key = (raw or "").strip()
    if len(key) > 80:
        raise DomainError(_("An idempotency key has at most 80 characters."),
                          field="idempotency_key")
    return key


def _fast_pay(*, actor, payer_id: int, payee_id: int, amount: int, description: str,
              offer, key: str, currency_id: int) -> Payment | None:
    """The common case on PostgreSQL in one statement and no transaction of its own: a
    member pays from their own account. The statement itself checks ownership,
    membership, both limits and the currency; None when it refused (the full path then
    says why), or when the idempotency key was already used (the full path returns the
    first payment)."""
    now = clock.now()
    params = {"currency": currency_id, "payer": payer_id, "payee": payee_id,
              "amount": amount, "description": description[:255], "own": True,
              "actor": actor.pk, "offer": getattr(offer, "pk", None), "reverses": None,
              "clearing_of": None, "created_by": actor.pk, "key": key, "now": now}
    try:
        with transaction.atomic() if connection.in_atomic_block else nullcontext(), \
                _ledger_cursor() as cursor:
            cursor.execute(MOVE_SQL, params)
            rows = cursor.fetchall()
    except IntegrityError:
        return None
    if len(rows) != 2:
        return None
    # Built from column values only (no related objects through their descriptors): this
    # is the one Python object of the hot path.
    return Payment(pk=rows[0][0], currency_id=currency_id, payer_id=payer_id,
                   payee_id=payee_id, amount=amount, description=description[:255],
                   created_at=now, idempotency_key=key, created_by_id=actor.pk,
                   offer_id=params["offer"])


@dataclass(frozen=True)
class Paid:
    """A payment, and whether this request made it or only found it: `replayed` when a
    request with the same idempotency key made it first (a retry, a double click)."""

    payment: Payment
    replayed: bool = False


def pay(*, actor, payer_id: int, payee_id: int, amount: int, description: str = "",
        offer=None, idempotency_key: str = "", reverses=None,
        currency_id: int | None = None) -> Payment:
    """Pay from an account one may pay from; see `pay_once`."""
    return pay_once(actor=actor, payer_id=payer_id, payee_id=payee_id, amount=amount,
                    description=description, offer=offer, idempotency_key=idempotency_key,
                    reverses=reverses, currency_id=currency_id).payment


def pay_once(*, actor, payer_id: int, payee_id: int, amount: int, description: str = "",
             offer=None, idempotency_key: str = "", reverses=None,
             currency_id: int | None = None) -> Paid:
    """Pay from an account one may pay from. Nothing moves unless everything holds. A
    retried request with the same idempotency key pays nothing more and finds the first
    payment (replayed), even when both arrive at once. Callers that know the currency
    pass `currency_id` and get the one-statement path."""
    key = _key(idempotency_key)
    if offer is not None:
        check_offer(offer, seller_id=payee_id, buyer_id=payer_id)
    if (connection.vendor == "postgresql" and currency_id is not None and reverses is None
            and actor is not None and actor.is_authenticated
            and isinstance(amount, int) and not isinstance(amount, bool)
            and 0 < amount <= rules.MAX_AMOUNT and payer_id != payee_id):
        paid = _fast_pay(actor=actor, payer_id=payer_id, payee_id=payee_id, amount=amount,
                         description=description, offer=offer, key=key,
                         currency_id=currency_id)
        if paid is not None:
            return Paid(paid)
    payer = Account.objects.select_related("currency__cooperative", "body").filter(
        pk=payer_id).first()
    if payer is None:
        raise NotFound(_("There is no such account."))
    if not permissions.can_pay_from(actor, payer):
        raise PermissionDenied(_("You may only pay from your own accounts."))
    if payer.person_id is not None and not is_active_member(payer.person_id,
                                                            payer.currency.cooperative):
        raise PermissionDenied(_("Only members of %(body)s pay in its currency.")
                               % {"body": payer.currency.cooperative.name})
    same = _what_is_paid(payer_id, payee_id, amount, description, offer)
    if key and (earlier := _earlier_payment(actor, key, same)) is not None:
        return Paid(earlier, replayed=True)
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise refusal_message(Refusal("amount_not_positive"), payer.currency)
    if amount > rules.MAX_AMOUNT:
        raise refusal_message(Refusal("amount_too_large"), payer.currency)
    if payer_id == payee_id:
        raise refusal_message(Refusal("same_account"), payer.currency)
    for attempt in range(3):
        try:
            with transaction.atomic():
                return Paid(_move(currency=payer.currency, payer_id=payer_id,
                                  payee_id=payee_id, amount=amount, actor=actor,
                                  description=description, offer=offer, reverses=reverses,
                                  key=key))
        except _Refused:
            raise _why_refused(payer.currency, payer_id, payee_id, amount) from None
        except IntegrityError:
            # The same key, committed meanwhile by a concurrent request: the unique
            # constraint on (created_by, idempotency_key) stopped this one.
            if key and (earlier := _earlier_payment(actor, key, same)) is not None:
                return Paid(earlier, replayed=True)
            raise
        except OperationalError:
            # A deadlock between two payments crossing the same accounts: try again.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _what_is_paid(payer_id: int, payee_id: int, amount: int, description: str,
                  offer) -> tuple:
    """What makes two payments "the same" for an idempotency key: payer, payee, amount,
    description and offer (pages, API and services compare exactly this)."""
    return (payer_id, payee_id, amount, (description or "")[:255],
            getattr(offer, "pk", offer))


def _earlier_payment(actor, key: str, same: tuple, *, payee_of=None) -> Payment | None:
    """The payment already made with this key, if it was the same payment; another
    payment under the same key is refused (409). `payee_of(payment)`: the payee to
    compare, for a payment across networks whose first leg pays a clearing account."""
    earlier = Payment.objects.filter(created_by=actor, idempotency_key=key).first()
    if earlier is None:
        return None
    payee_id = payee_of(earlier) if payee_of else earlier.payee_id
    if _what_is_paid(earlier.payer_id, payee_id, earlier.amount, earlier.description,
                     earlier.offer_id) != same:
        raise Conflict(_("This idempotency key was used for another payment."),
                       field="idempotency_key")
    return earlier


def check_offer(offer: Offer, *, seller_id: int, buyer_id: int) -> None:
    """A payment (or a request) cites an offer of the account paid, or a need of the
    account paying: paying for an offer pays the one who published it, the member or
    the group or project it was published for."""
    accounts = {a.pk: a for a in Account.objects.select_related("currency")
                .filter(pk__in=[seller_id, buyer_id])}
    seller, buyer = accounts.get(seller_id), accounts.get(buyer_id)
    if seller is None or buyer is None:
        return  # the payment itself says which account does not exist
    if offer.cooperative_id != seller.currency.cooperative_id:
        raise DomainError(_("This offer is not one of %(body)s.")
                          % {"body": offer.cooperative.name}, field="offer")
    if offer.kind == Offer.Kind.NEED:
        if not _published_by(offer, buyer):
            raise DomainError(_("A payment for a need comes from the account of the one "
                                "who published it: pay from that account, or leave the "
                                "need out."), field="offer")
    elif not _published_by(offer, seller):
        raise DomainError(_("A payment for an offer goes to the account of the one who "
                            "published it: pay that account, or leave the offer out."),
                          field="offer")


def _published_by(offer: Offer, account: Account) -> bool:
    if offer.on_behalf_of_id is not None:
        return account.person_id is None and account.body_id == offer.on_behalf_of_id
    return account.person_id is not None and account.person_id == offer.author_id


@transaction.atomic
def reverse_payment(*, actor, payment_id: int, reason: str = "") -> Payment:
    """Payments are final: a correction is a new payment back, referencing the first.
    The receiver (or a steward) reverses it."""
    original = Payment.objects.select_related("payee__body", "currency__cooperative").filter(
        pk=payment_id).first()
    if original is None:
        raise NotFound(_("There is no such payment."))
    if not (permissions.can_pay_from(actor, original.payee)
            or permissions.can_steward(actor, original.currency.cooperative)):
        raise PermissionDenied(_("The receiver of a payment, or a steward, reverses it."))
    if Payment.objects.filter(reverses=original).exists():
        raise Conflict(_("This payment was already reversed."))
    if original.reverses_id is not None:
        raise Conflict(_("This payment is itself a reversal: make a new payment instead."))
    try:
        with transaction.atomic():
            return _move(currency=original.currency, payer_id=original.payee_id,
                         payee_id=original.payer_id, amount=original.amount, actor=actor,
                         description=(_("Reversal: %(reason)s") % {"reason": reason})[:255],
                         reverses=original)
    except _Refused:
        raise _why_refused(original.currency, original.payee_id, original.payer_id,
                           original.amount) from None


# Payment requests -------------------------------------------------------------------

@transaction.atomic
def request_payment(*, actor, seller_id: int, buyer_id: int, amount: int,
                    description: str = "", offer=None,
                    auto_accept_after: timedelta | None = None) -> PaymentRequest:
    seller = (Account.objects.select_related("currency__cooperative", "body")
              .filter(pk=seller_id).first())
    buyer = Account.objects.select_related("person", "body").filter(pk=buyer_id).first()
    if seller is None or buyer is None:
        raise NotFound(_("There is no such account."))
    if not permissions.can_pay_from(actor, seller):
        raise PermissionDenied(_("You may only ask payment for your own accounts."))
    if buyer.currency_id != seller.currency_id:
        raise DomainError(_("Both accounts must hold %(currency)s.")
                          % {"currency": seller.currency.name}, field="buyer")
    if amount <= 0 or amount > rules.MAX_AMOUNT:
        raise DomainError(_("The amount must be more than zero."), field="amount")
    if seller.pk == buyer.pk:
        raise DomainError(_("An account does not pay itself."), field="buyer")
    if offer is not None:
        check_offer(offer, seller_id=seller.pk, buyer_id=buyer.pk)
    now = clock.now()
    if auto_accept_after is None and seller.currency.auto_accept_days:
        # The currency's own delay, when the seller sets none.
        auto_accept_after = timedelta(days=seller.currency.auto_accept_days)
    if auto_accept_after is not None and not timedelta(hours=1) <= auto_accept_after \
            <= timedelta(days=60):
        raise DomainError(_("Automatic acceptance comes 1 hour to 60 days later."),
                          field="auto_accept_after")
    created = PaymentRequest.objects.create(
        seller=seller, buyer=buyer, amount=amount, description=description[:255],
        offer=offer, created_by=actor, created_at=now,
        auto_accept_at=now + auto_accept_after if auto_accept_after else None)
    history.record(created, event_model=PaymentRequestEvent, subject="request", actor=actor)
    _tell_buyer(created, actor)
    return created


def _tell_buyer(request: PaymentRequest, actor) -> None:
    """Those who answer for the buyer's account (its holder; for a body's account, the
    body's coordinators and stewards) are told, in their own language with the amount
    written their way, and led to the page where they accept or decline. The asker is
    not told of their own request."""
    buyer, seller = request.buyer, request.seller
    if buyer.person_id is not None:
        people = [buyer.person]
    elif buyer.body_id is not None:
        people = [m.person for m in stewards_and_coordinators(buyer.body)
                  .select_related("person")]
    else:
        people = []
    # Not the asker; not a closed account (its devices may still be registered).
    people = [p for p in people if p.pk != getattr(actor, "pk", None) and p.is_active]
    if not people:
        return
    currency = seller.currency
    url = reverse("economy", args=[currency.cooperative.slug]) + "#requests-in"
    by_language: dict[str, list] = {}
    for person in people:
        by_language.setdefault(person.language or settings.LANGUAGE_CODE, []).append(person)
    for language, alike in by_language.items():
        # notify() translates the title for each person, but the parameters are filled
        # in before: the amount is written in their language here.
        with translation.override(language):
            amount = amount_text(request.amount, currency.decimals, currency.symbol)
        params = {"seller": seller.name, "amount": amount,
                  "description": request.description}
        notify(alike, NotificationKind.PAYMENT_REQUEST,
               title=gettext_noop("%(seller)s asks you to pay %(amount)s"),
               body=gettext_noop("For: %(description)s") if request.description else "",
               params=params, url=url)


# A request is answered once: accepted (and paid), declined by the buyer, or cancelled
# by the seller.
REQUEST_MOVES = {RequestStatus.PENDING: {RequestStatus.ACCEPTED, RequestStatus.DECLINED,
                                         RequestStatus.CANCELLED}}


def _request_transition(request: PaymentRequest, to: str, *, actor, reason: str = "",
                        update_fields=()):
    """The one way a payment request's status changes, with its event."""
    return history.transition(
        request, to, allowed=REQUEST_MOVES, event_model=PaymentRequestEvent,
        subject="request", actor=actor if getattr(actor, "pk", None) else None,
        reason=reason, refusal=_("This request has already been answered."),
        update_fields=update_fields)


def _pending(request_id: int) -> PaymentRequest:
    found = (PaymentRequest.objects.select_for_update(of=("self",))
             .select_related("buyer__body", "seller__body", "buyer__currency")
             .filter(pk=request_id).first())
    if found is None:
        raise NotFound(_("There is no such payment request."))
    if found.status != RequestStatus.PENDING:
        raise Conflict(_("This request has already been answered."))
    return found


@transaction.atomic
def accept_request(*, actor, request_id: int, automatic: bool = False) -> PaymentRequest:
    request = _pending(request_id)
    if not automatic and not permissions.can_pay_from(actor, request.buyer):
        raise PermissionDenied(_("Only the buyer accepts a payment request."))
    try:
        with transaction.atomic():
            payment = _move(currency=request.buyer.currency, payer_id=request.buyer_id,
                            payee_id=request.seller_id, amount=request.amount,
                            actor=actor if not automatic else None,
                            description=request.description, offer=request.offer)
    except _Refused:
        raise _why_refused(request.buyer.currency, request.buyer_id, request.seller_id,
                           request.amount) from None
    request.payment, request.answered_at = payment, clock.now()
    _request_transition(request, RequestStatus.ACCEPTED, actor=None if automatic else actor,
                        reason="automatic" if automatic else "",
                        update_fields=("payment", "answered_at"))
    return request


@transaction.atomic
def decline_request(*, actor, request_id: int) -> PaymentRequest:
    request = _pending(request_id)
    if permissions.can_pay_from(actor, request.buyer):
        to = RequestStatus.DECLINED
    elif permissions.can_pay_from(actor, request.seller):
        to = RequestStatus.CANCELLED
    else:
        raise PermissionDenied(_("Only the buyer declines, or the seller cancels, a request."))
    request.answered_at = clock.now()
    _request_transition(request, to, actor=actor, update_fields=("answered_at",))
    return request


def accept_due_requests(now: datetime | None = None) -> int:
    """Requests set to accept themselves after a delay: the worker runs this. A request
    the buyer can no longer afford stays pending."""
    now = now or clock.now()
    accepted = 0
    for request_id in PaymentRequest.objects.filter(status=RequestStatus.PENDING,
                                                    auto_accept_at__lte=now) \
            .values_list("pk", flat=True):
        try:
            accept_request(actor=None, request_id=request_id, automatic=True)
            accepted += 1
        except DomainError:
            continue
    return accepted


# Between networks ("réseau de réseaux") ---------------------------------------------

def clearing_account(currency: Currency, counterpart: Currency) -> Account:
    """In `currency`, the account that stands for the network of `counterpart`. It may go
    as low as it needs: what it owes is what the other network is owed."""
    account, created = Account.objects.get_or_create(
        currency=currency, counterpart=counterpart,
        defaults={"kind": AccountKind.CLEARING, "name": f"{counterpart.name} (clearing)",
                  "debit_limit": rules.MAX_AMOUNT})
    if created:
        _opened(account, None)
    return account


@dataclass(frozen=True)
class PaidAcross:
    """Both legs of a payment across networks; `replayed` when an earlier request with
    the same idempotency key made them."""

    paid: Payment
    received: Payment
    replayed: bool = False


def pay_across(*, actor, payer_id: int, payee_id: int, amount: int, description: str = "",
               idempotency_key: str = "") -> tuple[Payment, Payment]:
    """See `pay_across_once`: the two legs."""
    done = pay_across_once(actor=actor, payer_id=payer_id, payee_id=payee_id, amount=amount,
                           description=description, idempotency_key=idempotency_key)
    return done.paid, done.received


def _received_of(first: Payment) -> Payment:
    return first.cleared_by.get()


def _across_payee(first: Payment) -> int:
    return _received_of(first).payee_id


@dataclass(frozen=True)
class AcrossPreview:
    """What a payment across networks would do, before it is made: the payer pays
    `amount` of `source`; the payee receives `converted` of `target`."""

    payer: Account
    payee: Account
    source: Currency
    target: Currency
    amount: int
    converted: int


def preview_across(*, actor, payer_id: int, payee_id: int, amount: int) -> AcrossPreview:
    """The refusals of `pay_across_once` that need no money to move (no such account,
    not the caller's, the same currency, not social currencies, an amount too small to
    convert), and what the payee would receive: the page asks its confirmation with it.
    Writes nothing."""
    payer = Account.objects.select_related("currency").filter(pk=payer_id).first()
    payee = Account.objects.select_related("currency").filter(pk=payee_id).first()
    if payer is None or payee is None:
        raise NotFound(_("There is no such account."))
    if not permissions.can_pay_from(actor, payer):
        raise PermissionDenied(_("You may only pay from your own accounts."))
    source, target = payer.currency, payee.currency
    if source.pk == target.pk:
        raise DomainError(_("Both accounts hold the same currency: make a simple payment."),
                          field="payee")
    if source.kind != CurrencyKind.MUTUAL_CREDIT or target.kind != CurrencyKind.MUTUAL_CREDIT:
        raise DomainError(_("Clearing runs between social currencies."), field="payee")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise refusal_message(Refusal("amount_not_positive"), source)
    converted = rules.convert(amount, source.decimals, rules.euro_rate(source.euro_rate),
                              target.decimals, rules.euro_rate(target.euro_rate))
    if converted <= 0:
        raise DomainError(_("This amount is too small to convert."), field="amount")
    return AcrossPreview(payer=payer, payee=payee, source=source, target=target,
                         amount=amount, converted=converted)


def pay_across_once(*, actor, payer_id: int, payee_id: int, amount: int,
                    description: str = "", idempotency_key: str = "") -> PaidAcross:
    """A member of one cooperative pays a member of another: the payer pays the clearing
    account of the other network in their own currency; the clearing account of the
    first network pays the payee in theirs, converted at the two euro values. Each
    currency keeps its zero sum. Both legs happen, or neither. With an idempotency key,
    a retry of the same payment (payer, payee, amount, description) pays nothing more
    and finds the first pair (replayed); another payment under the key is refused."""
    # The same refusals as the page's preview, before any money moves.
    preview = preview_across(actor=actor, payer_id=payer_id, payee_id=payee_id,
                             amount=amount)
    payer, payee = preview.payer, preview.payee
    source, target, converted = preview.source, preview.target, preview.converted
    key = _key(idempotency_key)
    same = _what_is_paid(payer.pk, payee.pk, amount, description, None)
    if key and (earlier := _earlier_payment(actor, key, same,
                                            payee_of=_across_payee)) is not None:
        return PaidAcross(earlier, _received_of(earlier), replayed=True)
    try:
        with transaction.atomic():
            # Opened with the payment, so that a refused payment leaves nothing behind.
            leg = "open"
            out_clearing = clearing_account(source, target)
            in_clearing = clearing_account(target, source)
            leg = "out"
            first = _move(currency=source, payer_id=payer.pk, payee_id=out_clearing.pk,
                          amount=amount, actor=actor, description=description, key=key)
            leg = "in"
            second = _move(currency=target, payer_id=in_clearing.pk, payee_id=payee.pk,
                           amount=converted, actor=actor, description=description,
                           clearing_of=first)
    except _Refused:
        if leg == "out":
            raise _why_refused(source, payer.pk, out_clearing.pk, amount,
                               opened=out_clearing) from None
        raise _why_refused(target, in_clearing.pk, payee.pk, converted,
                           opened=in_clearing) from None
    except IntegrityError:
        # The same key, committed meanwhile by a concurrent request.
        if key and (earlier := _earlier_payment(actor, key, same,
                                                payee_of=_across_payee)) is not None:
            return PaidAcross(earlier, _received_of(earlier), replayed=True)
        raise
    return PaidAcross(first, second)


# The common fund --------------------------------------------------------------------

def fund_of(body: Body) -> Fund:
    fund, _created = Fund.objects.get_or_create(body=body)
    return fund


@transaction.atomic
def record_fund_movement(*, actor, body: Body, amount: int, category: str, description: str,
                         happened_on: date, decision=None) -> FundMovement:
    """Income is positive, an expense negative; an expense names the adopted decision of
    the body that allowed it, and the fund stays above minus its overdraft."""
    if not permissions.can_steward(actor, body):
        raise PermissionDenied(_("Only coordinators or stewards of %(body)s keep its fund.")
                               % {"body": body.name})
    if category not in FundCategory.values:
        raise DomainError(_("Unknown category."), field="category")
    description = (description or "").strip()
    if not description:
        raise DomainError(_("Describe the movement."), field="description")
    if amount == 0 or abs(amount) > rules.MAX_AMOUNT:
        raise DomainError(_("The amount must not be zero."), field="amount")
    if amount > 0 and category not in INCOME:
        raise DomainError(_("This category is an expense: record it as one."),
                          field="category")
    if amount < 0 and category in INCOME - {FundCategory.OTHER}:
        raise DomainError(_("This category is an income: record it as one."),
                          field="category")
    if amount < 0:
        if decision is None:
            raise DomainError(_("An expense names the decision that allowed it."),
                              field="decision")
        if decision.body_id != body.pk or decision.outcome != "adopted":
            raise DomainError(_("The decision must be an adopted decision of %(body)s.")
                              % {"body": body.name}, field="decision")
    fund = Fund.objects.select_for_update().get(pk=fund_of(body).pk)
    if amount < 0:
        try:
            rules.check_expense(fund.balance, -amount, fund.overdraft)
        except Refusal as refusal:
            raise refusal_message(refusal) from None
    fund.balance += amount
    fund.save(update_fields=["balance"])
    return FundMovement.objects.create(
        fund=fund, amount=amount, category=category, description=description[:255],
        decision=decision, balance_after=fund.balance, recorded_by=actor,
        happened_on=happened_on, created_at=clock.now())


@transaction.atomic
def set_overdraft(*, actor, body: Body, overdraft: int) -> Fund:
    if not permissions.can_steward(actor, body):
        raise PermissionDenied(_("Only coordinators or stewards of %(body)s keep its fund.")
                               % {"body": body.name})
    fund = Fund.objects.select_for_update().get(pk=fund_of(body).pk)
    if overdraft < 0 or fund.balance < -overdraft:
        raise DomainError(_("The overdraft is zero or more, and not below the current "
                            "balance."), field="overdraft")
    fund.overdraft = overdraft
    fund.save(update_fields=["overdraft"])
    return fund


# Offers and needs -------------------------------------------------------------------

@transaction.atomic
def publish_offer(*, actor, cooperative: Body, kind: str, title: str, category: str,
                  expires_on: date, description: str = "", place: str = "",
                  price_euros: int | None = None, price_units: int | None = None,
                  currency: Currency | None = None, on_behalf_of: Body | None = None) -> Offer:
    if not permissions.can_see_economy(actor, cooperative):
        raise PermissionDenied(_("Only members of %(body)s publish offers and needs there.")
                               % {"body": cooperative.name})
    if kind not in Offer.Kind.values:
        raise DomainError(_("Choose offer or need."), field="kind")
    if category not in OfferCategory.values:
        raise DomainError(_("Choose a category."), field="category")
    title = (title or "").strip()
    if not title or len(title) > 150:
        raise DomainError(_("Give a title of at most 150 characters."), field="title")
    today = clock.today()
    if expires_on <= today or expires_on > today + timedelta(days=366):
        raise DomainError(_("The end date falls within the coming year."), field="expires_on")
    if kind == Offer.Kind.OFFER:
        try:
            rules.Price(price_euros, price_units).check()
        except Refusal as refusal:
            raise refusal_message(refusal) from None
    if price_units is not None and (currency is None or currency.cooperative_id != cooperative.pk
                                    or currency.kind != CurrencyKind.MUTUAL_CREDIT):
        raise DomainError(_("Choose a social currency of %(body)s for the price.")
                          % {"body": cooperative.name}, field="currency")
    if on_behalf_of is not None and not on_behalf_of.path.startswith(cooperative.path):
        raise DomainError(_("Publish for a group or project of %(body)s only.")
                          % {"body": cooperative.name}, field="on_behalf_of")
    if on_behalf_of is not None and not permissions.can_steward(actor, on_behalf_of):
        raise PermissionDenied(_("Only coordinators publish for %(body)s.")
                               % {"body": on_behalf_of.name})
    return Offer.objects.create(
        cooperative=cooperative, kind=kind, title=title, description=description.strip(),
        category=category, place=place.strip()[:150], expires_on=expires_on,
        price_euros=price_euros, price_units=price_units,
        currency=currency if price_units is not None else None, author=actor,
        on_behalf_of=on_behalf_of)


@transaction.atomic
def withdraw_offer(*, actor, offer_id: int) -> None:
    offer = Offer.objects.filter(pk=offer_id).first()
    if offer is None:
        raise NotFound(_("There is no such offer."))
    if not permissions.can_withdraw_offer(actor, offer):
        raise PermissionDenied(_("Only its author withdraws an offer."))
    offer.expires_on = clock.today() - timedelta(days=1)
    offer.save(update_fields=["expires_on"])
