"""Currencies, accounts, payments, payment requests, clearing between networks, offers
and needs, and the common fund through the API (DOMAIN.md R8, R9, R10).

Each endpoint parses its input, checks that the caller may see what it names, calls one
service of `services.py` and shapes the answer. Refusals come from the services as
DomainError subclasses, which core/api.py turns into 400/403/404/409 with the message
and the field; the API renames a service's argument to the request's field.

Amounts. Every amount sent is a string in the currency's own units, as a person writes
it: "12.50" (or "12,50", "1 000,50") in a currency of 2 decimals; it is read by
`core.inputs.parse_amount` with that currency's decimals, so "abc", "1e3", "0", "-1" or
"1.234" (for 2 decimals) are refused with 400 and `field` naming the amount. A JSON integer (12) is
read as 12 units, not 12 minor units; a JSON number with decimals is refused (422): write
it as a string, which a float would round. Every amount answered is an object
`{"minor": 1250, "value": "12.50"}`: the exact integer in the smallest unit, and the
same written in units.

Balances are never public: an account, its statement and its limits are seen by its
holder and by the stewards of its currency; the members of the body holding it know
it exists (403); to anyone else it does not exist (404). The pages answer the same
(economy/access.py). Every endpoint needs a signed-in caller (401 otherwise).

A body that is not a cooperative has no currencies (404, naming its cooperative); its
offers are those of its cooperative, as on the pages.

Datetimes are answered in the platform's time zone with their offset; dates given as
`from`/`to` are days of that zone (YYYY-MM-DD, included).
"""

from datetime import date, datetime, timedelta
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Header, Path, Query, Router, Schema, Status
from pydantic import StrictInt

from autogestion.cooperatives.access import get_body_for
from autogestion.cooperatives.models import Body
from autogestion.core import clock, history
from autogestion.core.api_schemas import (
    CalendarDay,
    Input,
    Integer,
    Money,
    StatusEventOut,
    refusals,
    text_up_to,
)
from autogestion.core.api_types import MAX_ID, Id, Text
from autogestion.core.errors import DomainError
from autogestion.core.inputs import check_year, parse_amount, parse_day
from autogestion.decisions.models import Decision

from . import access, permissions, queries, rules, services
from .models import (
    Account,
    AccountKind,
    Currency,
    CurrencyKind,
    Entry,
    FundMovement,
    Offer,
    OfferCategory,
    Payment,
    PaymentRequest,
    RequestStatus,
)
from .rules import Refusal

router = Router(tags=["economy"])

MAX_PAGE = 200
DEFAULT_PAGE = 50
MAX_OFFSET = 10**9
EURO_DECIMALS = 2
# Longer than any amount the ledger holds (10**15 minor units), spaces included.
MAX_AMOUNT_TEXT = 24
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY = 80  # Payment.idempotency_key



# An amount in the currency's units: "12.50" (preferred), or a whole number of units.
AmountIn = Annotated[str | StrictInt, Field(description="In the currency's units, as a "
                                                        "string: \"12.50\".")]


# Schemas -----------------------------------------------------------------------------

class CurrencyOut(Schema):
    id: int
    code: str
    name: str
    symbol: str
    kind: str
    decimals: int
    euro_rate: str = Field(description="What one unit is worth in euros.")
    default_debit_limit: Money = Field(description="How far below zero a new account "
                                                   "may go.")
    default_credit_ceiling: Money | None = Field(description="The maximum balance of a new "
                                                             "account (null: none).")
    auto_accept_days: int | None = Field(description="A payment request accepts itself "
                                                     "after this many days unless the buyer "
                                                     "declines, when the seller sets no "
                                                     "delay (null: never).")
    euros_convert_in_only: bool
    cooperative: str


class CurrencyChangeOut(Schema):
    kind: str = Field(description="value (euro_rate) or limits (default limits).")
    before: dict[str, str | None]
    after: dict[str, str | None]
    decision_id: int = Field(description="The adopted decision that made the change.")
    proposal_id: int | None
    at: datetime


class CurrencyDetailOut(CurrencyOut):
    changes: list[CurrencyChangeOut] = Field(description="Its changes by decision, newest "
                                                         "first.")
    propose_value_change: str = Field(description="The page that proposes a change of its "
                                                  "euro value (a decision of class "
                                                  "statutes).")
    propose_limits_change: str = Field(description="The page that proposes other default "
                                                   "limits (a decision of class executive).")


class CurrencyIn(Input):
    code: str = Field(pattern=r"^[-a-zA-Z0-9_]+$", min_length=1, max_length=20)
    name: Text = Field(min_length=1, max_length=60)
    symbol: Text = Field(min_length=1, max_length=8)
    kind: Text = CurrencyKind.MUTUAL_CREDIT
    decimals: Integer = Field(2, ge=0, le=4)
    # What Currency.euro_rate holds (12 digits, 6 decimals): more would fail in the database.
    euro_rate: Text = Field("1", pattern=r"^[0-9]{1,6}([.,][0-9]{1,6})?$",
                            description="Euros for one unit: \"1\", \"0.5\"; at most 6 "
                                        "digits before and after the point.")
    default_debit_limit: AmountIn = Field("0", description="In the new currency's units.")
    default_credit_ceiling: AmountIn | None = Field(
        None, description="In the new currency's units, more than zero; null: no maximum.")
    auto_accept_days: Integer | None = Field(None, ge=0, le=10**6, description=(
        "Payment requests accept themselves after this many days (1 to 60) unless the "
        "buyer declines; null: never."))
    euros_convert_in_only: bool = Field(False, strict=True)


class AccountOut(Schema):
    id: int
    currency: str
    currency_name: str
    symbol: str
    decimals: int
    kind: str
    name: str
    holder: str = Field(description="person, or the body's short name.")
    status: str
    balance: Money
    debit_limit: Money = Field(description="How far below zero it may go.")
    credit_ceiling: Money | None = Field(description="How far above zero it may go.")
    margin_to_pay: Money = Field(description="What it can pay now.")
    margin_to_receive: Money | None = Field(description="What it can receive now (no "
                                                        "ceiling: null).")
    created_at: datetime
    events: list[StatusEventOut] = Field(description="Its status history, oldest first.")


class OpenAccountIn(Input):
    currency: Text = Field(max_length=20, description="The currency's code.")


class BodyAccountIn(Input):
    currency: Text = Field(max_length=20, description="The currency's code.")
    kind: Text = AccountKind.GROUP


class LimitsIn(Input):
    debit_limit: AmountIn = Field(description="In units; zero or more.")
    credit_ceiling: AmountIn | None = Field(None, description="In units; null: no ceiling.")


class StatusIn(Input):
    status: Text = Field(description="active, locked or closed.")


class EntryOut(Schema):
    id: int
    payment_id: int
    amount: Money = Field(description="Positive in, negative out.")
    balance_after: Money
    description: str
    counterparty: str
    counterparty_account_id: int
    reverses_id: int | None
    created_at: datetime


class EntryPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[EntryOut]


class StatementQuery(Schema):
    date_from: Text = Field("", alias="from", description="YYYY-MM-DD, included.")
    date_to: Text = Field("", alias="to", description="YYYY-MM-DD, included.")
    limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class PaymentOut(Schema):
    id: int
    currency: str
    payer_id: int
    payer: str
    payee_id: int
    payee: str
    amount: Money
    description: str
    offer_id: int | None
    reverses_id: int | None
    clearing_of_id: int | None
    created_at: datetime


class PaymentIn(Input):
    payer_id: Id
    payee_id: Id
    amount: AmountIn
    description: Text = Field("", max_length=255)
    offer_id: Id | None = None


class ReverseIn(Input):
    reason: Text = Field("", max_length=200)


class AcrossIn(Input):
    payer_id: Id
    payee_id: Id
    amount: AmountIn = Field(description="In the payer's currency, in its units.")
    description: Text = Field("", max_length=255)


class AcrossOut(Schema):
    paid: PaymentOut = Field(description="In the payer's currency, to the clearing account "
                                         "of the other network.")
    received: PaymentOut = Field(description="In the payee's currency, from the clearing "
                                             "account of the payer's network.")


class RequestIn(Input):
    seller_id: Id
    buyer_id: Id
    amount: AmountIn
    description: Text = Field("", max_length=255)
    offer_id: Id | None = None
    auto_accept_hours: Integer | None = Field(None, ge=0, le=10**6, description=(
        "Accepted by itself after this many hours (1 to 1440) unless the buyer declines."))


class RequestOut(Schema):
    id: int
    currency: str
    seller_id: int
    seller: str
    buyer_id: int
    buyer: str
    amount: Money
    description: str
    offer_id: int | None
    status: str
    auto_accept_at: datetime | None
    payment_id: int | None
    created_at: datetime
    answered_at: datetime | None
    role: str | None = Field(description="buyer or seller: the caller's side, if any.")
    events: list[StatusEventOut] = Field(description="Its status history, oldest first.")


class RequestPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RequestOut]


class RequestQuery(Schema):
    status: Text = ""
    role: Text = Field("", description="buyer or seller.")
    limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class OfferOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    category: str
    place: str
    expires_on: date
    price_euros: Money | None
    price_units: Money | None
    currency: str | None
    author: str | None
    on_behalf_of: str | None
    created_at: datetime
    can_withdraw: bool


class OfferPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[OfferOut]


class OfferQuery(Schema):
    q: Text = Field("", max_length=200, description="Words in the title or description.")
    category: Text = ""
    place: Text = Field("", max_length=150)
    kind: Text = Field("", description="offer or need.")
    limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class OfferIn(Input):
    kind: Text = Field(description="offer or need.")
    title: Text = Field(max_length=150)
    description: Text = Field("", max_length=5000)
    category: Text
    place: Text = Field("", max_length=150)
    expires_on: CalendarDay
    price_euros: AmountIn | None = Field(None, description="In euros: \"5.00\"; \"0\": free.")
    price_units: AmountIn | None = Field(None, description="In the social currency's units.")
    currency: text_up_to(20) | None = Field(None, description="Code of the social "
                                                              "currency of price_units.")
    on_behalf_of: text_up_to(80) | None = Field(None, description="Short name of the "
                                                                  "group or project.")


class MovementOut(Schema):
    id: int
    amount: Money = Field(description="Income positive, expense negative (euros).")
    category: str
    description: str
    decision_id: int | None
    balance_after: Money
    recorded_by: str | None
    happened_on: date
    created_at: datetime


class FundOut(Schema):
    body: str
    balance: Money
    overdraft: Money = Field(description="How far below zero the body allows the fund.")
    available: Money = Field(description="What the fund can spend now.")
    count: int = Field(description="Number of movements.")
    limit: int
    offset: int
    movements: list[MovementOut] = Field(description="Newest first by the day they "
                                                     "happened, then by recording.")
    can_record: bool


class FundQuery(Schema):
    limit: int = Field(100, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class MovementIn(Input):
    amount: Text = Field(max_length=MAX_AMOUNT_TEXT + 1, description=(
        "In euros; income positive (\"120.00\"), expense negative (\"-45.50\")."))
    category: Text
    description: Text = Field(max_length=255)
    happened_on: CalendarDay
    decision_id: Id | None = Field(None, description="The adopted decision of the body "
                                                     "that allowed an expense.")


class OverdraftIn(Input):
    overdraft: AmountIn = Field(description="In euros; zero or more.")


# Reading the input -------------------------------------------------------------------

def _renamed(exc: DomainError, fields: dict[str | None, str]) -> DomainError:
    """The service names its own arguments; the answer names the request's fields."""
    if exc.field in fields:
        exc.field = fields[exc.field]
    return exc


def _amount(value: str | int, decimals: int, field: str, *,
            negative: Refusal | DomainError | None = None, signed: bool = False) -> int:
    """Minor units of an amount written in units. With `negative`, zero is allowed and a
    negative number is refused with that message. `signed`: "-12.50" is -1250."""
    if isinstance(negative, Refusal):
        negative = services.refusal_message(negative)
    return parse_amount(value, decimals, field, zero=negative is not None or signed,
                        signed=signed, below=negative.message if negative else None)


def _choice(value: str, choices, field: str) -> str:
    if value and value not in choices:
        raise DomainError(_("Choose one of: %(values)s.")
                          % {"values": ", ".join(choices)}, field=field)
    return value


def _key(value: str | None) -> str:
    key = (value or "").strip()
    if not key:
        raise DomainError(_("Send the header %(header)s: a key of your choosing, the same "
                            "when you retry the same payment, so that it is never paid "
                            "twice.") % {"header": IDEMPOTENCY_HEADER},
                          field=IDEMPOTENCY_HEADER)
    if len(key) > MAX_KEY:
        raise DomainError(_("The header %(header)s has at most %(max)s characters.")
                          % {"header": IDEMPOTENCY_HEADER, "max": MAX_KEY},
                          field=IDEMPOTENCY_HEADER)
    return key


def _currency(code: str, field: str = "currency") -> Currency:
    currency = Currency.objects.select_related("cooperative").filter(code=code).first()
    if currency is None:
        raise DomainError(_("There is no currency with the code “%(code)s”.")
                          % {"code": code[:20]}, field=field)
    return currency


# Shaping the answers -----------------------------------------------------------------

def _money(minor: int, decimals: int) -> dict:
    return {"minor": minor, "value": rules.format_amount(minor, decimals)}


def _optional_money(minor: int | None, decimals: int) -> dict | None:
    return None if minor is None else _money(minor, decimals)


def _currency_out(c: Currency) -> dict:
    return {"id": c.pk, "code": c.code, "name": c.name, "symbol": c.symbol, "kind": c.kind,
            "decimals": c.decimals, "euro_rate": _rate(c.euro_rate),
            "default_debit_limit": _money(c.default_debit_limit, c.decimals),
            "default_credit_ceiling": _optional_money(c.default_credit_ceiling, c.decimals),
            "auto_accept_days": c.auto_accept_days,
            "euros_convert_in_only": c.euros_convert_in_only,
            "cooperative": c.cooperative.slug}


def _currency_detail_out(c: Currency) -> dict:
    return {**_currency_out(c),
            "changes": [{"kind": change.kind, "before": change.before, "after": change.after,
                         "decision_id": change.decision_id,
                         "proposal_id": change.proposal_id, "at": clock.local(change.at)}
                        for change in c.changes.all()],
            "propose_value_change": queries.propose_change_url(c, "value"),
            "propose_limits_change": queries.propose_change_url(c, "limits")}


def _rate(value) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _with_events(queryset):
    return queryset.prefetch_related("events__actor")


def _account_out(a: Account) -> dict:
    c = a.currency
    to_pay, to_receive = queries.margins(a)
    return {"id": a.pk, "currency": c.code, "currency_name": c.name, "symbol": c.symbol,
            "decimals": c.decimals, "kind": a.kind, "name": a.name,
            "holder": "person" if a.person_id else (a.body.slug if a.body_id else a.kind),
            "status": a.status, "balance": _money(a.balance, c.decimals),
            "debit_limit": _money(a.debit_limit, c.decimals),
            "credit_ceiling": _optional_money(a.credit_ceiling, c.decimals),
            "margin_to_pay": _money(to_pay, c.decimals),
            "margin_to_receive": _optional_money(to_receive, c.decimals),
            "created_at": clock.local(a.created_at),
            "events": [history.event_out(e) for e in a.events.all()]}


def _payment_out(p: Payment) -> dict:
    return {"id": p.pk, "currency": p.currency.code, "payer_id": p.payer_id,
            "payer": p.payer.name, "payee_id": p.payee_id, "payee": p.payee.name,
            "amount": _money(p.amount, p.currency.decimals), "description": p.description,
            "offer_id": p.offer_id, "reverses_id": p.reverses_id,
            "clearing_of_id": p.clearing_of_id, "created_at": clock.local(p.created_at)}


def _entry_out(e: Entry, decimals: int) -> dict:
    p = e.payment
    other = p.payee if e.account_id == p.payer_id else p.payer
    return {"id": e.pk, "payment_id": p.pk, "amount": _money(e.amount, decimals),
            "balance_after": _money(e.balance_after, decimals), "description": p.description,
            "counterparty": other.name, "counterparty_account_id": other.pk,
            "reverses_id": p.reverses_id, "created_at": clock.local(e.created_at)}


def _request_out(user, r: PaymentRequest) -> dict:
    currency = r.seller.currency
    role = ("buyer" if permissions.can_pay_from(user, r.buyer)
            else "seller" if permissions.can_pay_from(user, r.seller) else None)
    return {"id": r.pk, "currency": currency.code, "seller_id": r.seller_id,
            "seller": r.seller.name, "buyer_id": r.buyer_id, "buyer": r.buyer.name,
            "amount": _money(r.amount, currency.decimals), "description": r.description,
            "offer_id": r.offer_id, "status": r.status,
            "auto_accept_at": clock.local(r.auto_accept_at), "payment_id": r.payment_id,
            "created_at": clock.local(r.created_at),
            "answered_at": clock.local(r.answered_at), "role": role,
            "events": [history.event_out(e) for e in r.events.all()]}


def _offer_out(user, o: Offer) -> dict:
    units = None
    if o.price_units is not None and o.currency is not None:
        units = _money(o.price_units, o.currency.decimals)
    return {"id": o.pk, "kind": o.kind, "title": o.title, "description": o.description,
            "category": o.category, "place": o.place, "expires_on": o.expires_on,
            "price_euros": _optional_money(o.price_euros, EURO_DECIMALS),
            "price_units": units, "currency": o.currency.code if o.currency_id else None,
            "author": o.author.public_name if o.author_id and o.author else None,
            "on_behalf_of": o.on_behalf_of.slug if o.on_behalf_of_id and o.on_behalf_of
            else None,
            "created_at": clock.local(o.created_at),
            "can_withdraw": o.expires_on >= clock.today()
            and bool(permissions.can_withdraw_offer(user, o))}


def _movement_out(m: FundMovement) -> dict:
    return {"id": m.pk, "amount": _money(m.amount, EURO_DECIMALS), "category": m.category,
            "description": m.description, "decision_id": m.decision_id,
            "balance_after": _money(m.balance_after, EURO_DECIMALS),
            "recorded_by": m.recorded_by.public_name if m.recorded_by else None,
            "happened_on": m.happened_on, "created_at": clock.local(m.created_at)}


def _fund_out(request, body: Body, limit: int = 100, offset: int = 0) -> dict:
    fund, found = queries.fund_movements(body)
    balance, overdraft = (fund.balance, fund.overdraft) if fund else (0, 0)
    count = found.count() if fund else 0
    movements = [_movement_out(m) for m in found[offset:offset + limit]] if fund else []
    return {"body": body.slug, "balance": _money(balance, EURO_DECIMALS),
            "overdraft": _money(overdraft, EURO_DECIMALS),
            "available": _money(max(0, balance + overdraft), EURO_DECIMALS),
            "count": count, "limit": limit, "offset": offset, "movements": movements,
            "can_record": bool(permissions.can_steward(request.user, body))}


# Currencies ----------------------------------------------------------------------------

@router.get("/bodies/{slug}/currencies",
            response={200: list[CurrencyOut], **refusals(403, 404)})
def list_currencies(request, slug: str):
    """The currencies of a cooperative, for its members. A group or project has none:
    404 naming its cooperative."""
    cooperative = access.get_cooperative_for(request.user, slug)
    return [_currency_out(c) for c in cooperative.currencies.select_related("cooperative")
            .order_by("code")]


@router.post("/bodies/{slug}/currencies",
             response={201: CurrencyOut, **refusals(400, 403, 404, 409)})
def create_currency(request, slug: str, payload: CurrencyIn):
    """Coordinators and stewards of the cooperative create a currency, as the page
    /bodies/{slug}/currencies/new/ does. `euro_rate`: what one unit is worth in euros
    (1 Oseille = 1 €); `default_debit_limit` and `default_credit_ceiling` in the new
    currency's units: how far below zero a new account may go, and its maximum balance
    (null: none); `auto_accept_days`: payment requests accept themselves after that
    many days (1 to 60; null: never). Refused with nothing written: a code taken (409),
    a value of zero or less, decimals out of 0 to 4, a negative limit, a maximum of zero
    (400).

    A currency's euro value and default limits are then changed only by a decision of
    the cooperative (the effects `economy.currency_value` and `economy.currency_limits`,
    proposed on /bodies/{slug}/changes/<kind>/): there is no endpoint that changes
    them."""
    body = get_body_for(request.user, slug)
    decimals = payload.decimals
    limit = _amount(payload.default_debit_limit, decimals, "default_debit_limit",
                    negative=Refusal("bad_debit_limit"))
    ceiling = None
    if payload.default_credit_ceiling is not None:
        ceiling = _amount(payload.default_credit_ceiling, decimals, "default_credit_ceiling",
                          negative=Refusal("bad_default_ceiling"))
        if ceiling == 0:
            raise services.refusal_message(Refusal("bad_default_ceiling"))
    currency = services.create_currency(
        actor=request.user, cooperative=body, code=payload.code, name=payload.name,
        symbol=payload.symbol, kind=payload.kind, decimals=decimals,
        euro_rate=payload.euro_rate.replace(",", "."), default_debit_limit=limit,
        default_credit_ceiling=ceiling, auto_accept_days=payload.auto_accept_days,
        euros_convert_in_only=payload.euros_convert_in_only)
    return Status(201, _currency_out(currency))


@router.get("/currencies/{currency_id}", response={200: CurrencyDetailOut,
                                                   **refusals(403, 404)})
def get_currency(request, currency_id: int = Path(..., ge=1, le=MAX_ID)):
    """A currency, for the members of its cooperative (403 to others; 404 when its
    cooperative is hidden from the caller), with its changes by decision: each names the
    adopted decision that made it, with the values before and after. Its euro value and
    default limits change only by decision: this address answers GET only."""
    currency = access.get_currency_for(request.user, currency_id)
    return _currency_detail_out(currency)


# Accounts ------------------------------------------------------------------------------

def _account(account_id: int) -> Account:
    return _with_events(access.accounts()).get(pk=account_id)


@router.get("/me/accounts", response=list[AccountOut])
def my_accounts(request):
    """My own accounts, and those of the bodies I coordinate or steward, with balances,
    limits and what each can still pay and receive."""
    return [_account_out(a) for a in _with_events(queries.my_accounts(request.user))]


@router.post("/me/accounts", response={200: AccountOut, 201: AccountOut, **refusals(400, 403)})
def open_my_account(request, payload: OpenAccountIn):
    """Open my account in a currency of a cooperative I am a member of (201), or get it
    if it is open already (200). Others pay me by its id."""
    currency = _currency(payload.currency)
    existed = Account.objects.filter(currency=currency, person=request.user).exists()
    account = services.account_of(request.user, currency)
    return Status(200 if existed else 201, _account_out(_account(account.pk)))


@router.post("/bodies/{slug}/accounts", response={201: AccountOut, **refusals(400, 403, 404)})
def open_body_account(request, slug: str, payload: BodyAccountIn):
    """Coordinators open an account of their group, project or cooperative."""
    body = get_body_for(request.user, slug)
    account = services.open_body_account(actor=request.user, currency=_currency(
        payload.currency), body=body, kind=payload.kind)
    return Status(201, _account_out(_account(account.pk)))


@router.get("/accounts/{account_id}", response={200: AccountOut, **refusals(403, 404)})
def get_account(request, account_id: int = Path(..., ge=1, le=MAX_ID)):
    """An account: its holder and the stewards of its currency see it; the members of
    the body holding it are refused (403); to others it does not exist (404)."""
    account = access.get_statement_for(request.user, account_id)
    return _account_out(_account(account.pk))


@router.get("/accounts/{account_id}/entries",
            response={200: EntryPage, **refusals(400, 403, 404)})
def account_entries(request, filters: Query[StatementQuery],
                    account_id: int = Path(..., ge=1, le=MAX_ID)):
    """The statement: each entry with the balance after it, newest first; `from` and `to`
    are days (YYYY-MM-DD, included) of the platform's time zone."""
    account = access.get_statement_for(request.user, account_id)
    start = parse_day(filters.date_from, "from", optional=True)
    end = parse_day(filters.date_to, "to", optional=True)
    found = queries.statement_entries(account, start, end)
    items = found.order_by("-created_at", "-pk")[filters.offset:filters.offset + filters.limit]
    decimals = account.currency.decimals
    return {"count": found.count(), "limit": filters.limit, "offset": filters.offset,
            "items": [_entry_out(e, decimals) for e in items]}


@router.put("/accounts/{account_id}/limits",
            response={200: AccountOut, **refusals(400, 403, 404, 409)})
def put_limits(request, payload: LimitsIn, account_id: int = Path(..., ge=1, le=MAX_ID)):
    """The stewards of the currency set how far below zero the account may go and its
    maximum balance (null: none), in the currency's units. A limit the balance already
    crosses is refused."""
    account = access.get_account_to_steward(
        request.user, account_id, _("Only the stewards of the currency set its limits."))
    decimals = account.currency.decimals
    debit = _amount(payload.debit_limit, decimals, "debit_limit",
                    negative=Refusal("bad_debit_limit"))
    ceiling = None
    if payload.credit_ceiling is not None:
        ceiling = _amount(payload.credit_ceiling, decimals, "credit_ceiling",
                          negative=Refusal("bad_credit_ceiling"))
    try:
        services.set_limits(actor=request.user, account_id=account.pk, debit_limit=debit,
                            credit_ceiling=ceiling)
    except DomainError as exc:
        raise _renamed(exc, {"amount": "debit_limit"}) from None
    return _account_out(_account(account.pk))


@router.put("/accounts/{account_id}/status",
            response={200: AccountOut, **refusals(400, 403, 404, 409)})
def put_status(request, payload: StatusIn, account_id: int = Path(..., ge=1, le=MAX_ID)):
    """The stewards lock an account (no payment in or out), open it again, or close it
    (at a zero balance). Each change is kept in `events`; asking for the status it
    already has is 409."""
    account = access.get_account_to_steward(
        request.user, account_id, _("Only the stewards of the currency lock or close "
                                    "accounts."))
    services.set_account_status(actor=request.user, account_id=account.pk,
                                status=payload.status)
    return _account_out(_account(account.pk))


# Payments ------------------------------------------------------------------------------

def _pay_refusal() -> str:
    return _("You may only pay from your own accounts.")


def _key_header(description: str):
    return Header(None, alias=IDEMPOTENCY_HEADER, description=description)


@router.post("/payments",
             response={200: PaymentOut, 201: PaymentOut, **refusals(400, 403, 404, 409)})
def pay(request, payload: PaymentIn,
        idempotency_key: str | None = _key_header("Required; at most 80 characters. The "
                                                  "same key retries the same payment.")):
    """Pay from one of my accounts (or of a body I coordinate) to another account of the
    same currency. `amount` is a string in the currency's units ("12.50" for 12.50 Os);
    an integer is read as whole units. Nothing moves unless both limits hold: beyond
    them, 409 says what can still be paid.

    The header `Idempotency-Key` is required (400 without it): a retried request with the
    same key pays nothing more and answers the first payment (200 instead of 201, the
    same body); the same key with another payer, payee, amount, description or offer is
    refused (409). The page's pay form does the same with its hidden key."""
    key = _key(idempotency_key)
    payer = access.get_account_to_pay_from(request.user, payload.payer_id, _pay_refusal())
    amount = _amount(payload.amount, payer.currency.decimals, "amount")
    offer = access.offer_cited(payer.currency.cooperative_id, payload.offer_id)
    try:
        paid = services.pay_once(actor=request.user, payer_id=payer.pk,
                                 payee_id=payload.payee_id, amount=amount,
                                 description=payload.description, offer=offer,
                                 idempotency_key=key, currency_id=payer.currency_id)
    except DomainError as exc:
        raise _renamed(exc, {"payee": "payee_id", "offer": "offer_id",
                             "idempotency_key": IDEMPOTENCY_HEADER}) from None
    return Status(200 if paid.replayed else 201,
                  _payment_out(queries.payments_shaped().get(pk=paid.payment.pk)))


@router.post("/payments/across",
             response={200: AcrossOut, 201: AcrossOut, **refusals(400, 403, 404, 409)})
def pay_across(request, payload: AcrossIn,
               idempotency_key: str | None = _key_header(
                   "Required; at most 80 characters. The same key retries the same "
                   "payment.")):
    """Pay an account of another cooperative's social currency ("réseau de réseaux"):
    `amount` (in the payer's currency's units) goes to the clearing account of the other
    network, and the clearing account of mine pays the payee the same euro value in
    their currency. Answers both payments.

    Idempotent as POST /payments: the header `Idempotency-Key` is required (400 without
    it); a retry with the same key pays nothing more and answers the first pair (200
    instead of 201); the same key with another payer, payee, amount or description is
    refused (409)."""
    key = _key(idempotency_key)
    payer = access.get_account_to_pay_from(request.user, payload.payer_id, _pay_refusal())
    amount = _amount(payload.amount, payer.currency.decimals, "amount")
    try:
        done = services.pay_across_once(actor=request.user, payer_id=payer.pk,
                                        payee_id=payload.payee_id, amount=amount,
                                        description=payload.description,
                                        idempotency_key=key)
    except DomainError as exc:
        raise _renamed(exc, {"payee": "payee_id",
                             "idempotency_key": IDEMPOTENCY_HEADER}) from None
    found = {p.pk: p for p in queries.payments_shaped().filter(
        pk__in=[done.paid.pk, done.received.pk])}
    return Status(200 if done.replayed else 201,
                  {"paid": _payment_out(found[done.paid.pk]),
                   "received": _payment_out(found[done.received.pk])})


@router.get("/payments/{payment_id}", response={200: PaymentOut, **refusals(403, 404)})
def get_payment(request, payment_id: int = Path(..., ge=1, le=MAX_ID)):
    """A payment, for the holders of its two accounts and the stewards of its currency
    (403 to the other members of a body holding one of them; 404 to others)."""
    access.get_payment_for(request.user, payment_id)
    return _payment_out(queries.payments_shaped().get(pk=payment_id))


@router.post("/payments/{payment_id}/reverse",
             response={201: PaymentOut, **refusals(400, 403, 404, 409)})
def reverse(request, payload: ReverseIn, payment_id: int = Path(..., ge=1, le=MAX_ID)):
    """Payments are final: the receiver (or a steward) pays it back with a new payment
    that references it. A payment is reversed once (409 after), so a retry never pays
    back twice."""
    access.get_payment_for(request.user, payment_id)
    reversal = services.reverse_payment(actor=request.user, payment_id=payment_id,
                                        reason=payload.reason)
    return Status(201, _payment_out(queries.payments_shaped().get(pk=reversal.pk)))


# Payment requests ----------------------------------------------------------------------

def _request(request_id: int) -> PaymentRequest:
    return _with_events(access.requests()).get(pk=request_id)


@router.post("/payment-requests", response={201: RequestOut, **refusals(400, 403, 404, 409)})
def request_payment(request, payload: RequestIn):
    """The seller asks the buyer to pay `amount` (in the currency's units). With
    `auto_accept_hours`, the request is accepted by itself after that delay unless the
    buyer declines; the buyer can still not pay beyond its limit."""
    seller = access.get_account_to_pay_from(
        request.user, payload.seller_id, _("You may only ask payment for your own accounts."))
    amount = _amount(payload.amount, seller.currency.decimals, "amount")
    offer = access.offer_cited(seller.currency.cooperative_id, payload.offer_id)
    delay = (timedelta(hours=payload.auto_accept_hours)
             if payload.auto_accept_hours is not None else None)
    try:
        created = services.request_payment(
            actor=request.user, seller_id=seller.pk, buyer_id=payload.buyer_id,
            amount=amount, description=payload.description, offer=offer,
            auto_accept_after=delay)
    except DomainError as exc:
        raise _renamed(exc, {"buyer": "buyer_id", "offer": "offer_id",
                             "auto_accept_after": "auto_accept_hours"}) from None
    return Status(201, _request_out(request.user, _request(created.pk)))


@router.get("/me/payment-requests", response={200: RequestPage, **refusals(400)})
def my_requests(request, filters: Query[RequestQuery]):
    """Requests to and from my accounts (and those of the bodies I coordinate), newest
    first; `status` (pending, accepted, declined, cancelled) and `role` (buyer: asked of
    me; seller: asked by me) filter them."""
    status = _choice(filters.status, RequestStatus.values, "status")
    role = _choice(filters.role, ("buyer", "seller"), "role")
    found = queries.my_requests(request.user, role=role, status=status)
    items = _with_events(found)[filters.offset:filters.offset + filters.limit]
    return {"count": found.count(), "limit": filters.limit, "offset": filters.offset,
            "items": [_request_out(request.user, r) for r in items]}


@router.post("/payment-requests/{request_id}/accept",
             response={200: RequestOut, **refusals(400, 403, 404, 409)})
def accept_request(request, request_id: int = Path(..., ge=1, le=MAX_ID)):
    """The buyer accepts: the payment happens now, within the limits (409 beyond them,
    and the request stays pending)."""
    access.get_request_for(request.user, request_id)
    services.accept_request(actor=request.user, request_id=request_id)
    return _request_out(request.user, _request(request_id))


@router.post("/payment-requests/{request_id}/decline",
             response={200: RequestOut, **refusals(403, 404, 409)})
def decline_request(request, request_id: int = Path(..., ge=1, le=MAX_ID)):
    """The buyer declines (status declined), or the seller cancels (status cancelled)."""
    access.get_request_for(request.user, request_id)
    services.decline_request(actor=request.user, request_id=request_id)
    return _request_out(request.user, _request(request_id))


# Offers and needs ----------------------------------------------------------------------

def _offer(offer_id: int) -> Offer:
    return Offer.objects.select_related("currency", "author", "on_behalf_of",
                                        "cooperative").get(pk=offer_id)


@router.get("/bodies/{slug}/offers", response={200: OfferPage, **refusals(400, 403, 404)})
def list_offers(request, slug: str, filters: Query[OfferQuery]):
    """Current offers and needs of the cooperative (a group's: its cooperative's), newest
    first, for its members: each word of `q` is in the title or the description, `place`
    in the place; `category` and `kind` (offer or need) filter. The page searches the
    same way."""
    cooperative = access.get_cooperative_for(request.user, slug, group_to_cooperative=True)
    found = queries.search_offers(
        cooperative, text=filters.q, place=filters.place,
        category=_choice(filters.category, OfferCategory.values, "category"),
        kind=_choice(filters.kind, Offer.Kind.values, "kind"))
    items = found[filters.offset:filters.offset + filters.limit]
    return {"count": found.count(), "limit": filters.limit, "offset": filters.offset,
            "items": [_offer_out(request.user, o) for o in items]}


@router.post("/bodies/{slug}/offers", response={201: OfferOut, **refusals(400, 403, 404, 409)})
def publish_offer(request, slug: str, payload: OfferIn):
    """A member publishes an offer or a need of the cooperative (a group's: its
    cooperative's) until `expires_on` (within the coming year). An offer has a price in
    euros (`price_euros`, "5.00"), in social currency (`price_units` in the units of
    `currency`), or both; "0" is free."""
    cooperative = access.get_cooperative_for(request.user, slug, group_to_cooperative=True)
    euros = None
    if payload.price_euros is not None:
        euros = _amount(payload.price_euros, EURO_DECIMALS, "price_euros",
                        negative=Refusal("bad_price"))
    currency = _currency(payload.currency) if payload.currency else None
    units = None
    if payload.price_units is not None:
        if currency is None:
            raise DomainError(_("Choose a social currency of %(body)s for the price.")
                              % {"body": cooperative.name}, field="currency")
        units = _amount(payload.price_units, currency.decimals, "price_units",
                        negative=Refusal("bad_price"))
    on_behalf_of = None
    if payload.on_behalf_of:
        on_behalf_of = Body.objects.filter(slug=payload.on_behalf_of).first()
        if on_behalf_of is None:
            raise DomainError(_("There is no body with the short name “%(slug)s”.")
                              % {"slug": payload.on_behalf_of}, field="on_behalf_of")
    offer = services.publish_offer(
        actor=request.user, cooperative=cooperative, kind=payload.kind, title=payload.title,
        category=payload.category, expires_on=check_year(payload.expires_on, "expires_on"),
        description=payload.description, place=payload.place, price_euros=euros,
        price_units=units, currency=currency, on_behalf_of=on_behalf_of)
    return Status(201, _offer_out(request.user, _offer(offer.pk)))


@router.post("/offers/{offer_id}/withdraw", response={200: OfferOut, **refusals(403, 404)})
def withdraw_offer(request, offer_id: int = Path(..., ge=1, le=MAX_ID)):
    """Its author (or a coordinator) withdraws an offer or a need: it is no longer
    listed."""
    access.get_offer_for(request.user, offer_id)
    services.withdraw_offer(actor=request.user, offer_id=offer_id)
    return _offer_out(request.user, _offer(offer_id))


# The common fund -----------------------------------------------------------------------

@router.get("/bodies/{slug}/fund", response={200: FundOut, **refusals(403, 404)})
def get_fund(request, slug: str, filters: Query[FundQuery]):
    """The body's common fund in euros, for its members: balance, overdraft allowed and
    movements (newest first by the day they happened, as on the page) with the balance
    after each and the decision that allowed each expense."""
    body = access.get_fund_for(request.user, slug)
    return _fund_out(request, body, filters.limit, filters.offset)


@router.post("/bodies/{slug}/fund/movements",
             response={201: MovementOut, **refusals(400, 403, 404, 409)})
def record_movement(request, slug: str, payload: MovementIn):
    """Coordinators and stewards record income (`amount` positive, in euros: "120.00") or
    an expense (negative: "-45.50"), which names the adopted decision of the body that
    allowed it (`decision_id`). The fund does not go below minus its overdraft."""
    body = get_body_for(request.user, slug)
    amount = _amount(payload.amount, EURO_DECIMALS, "amount", signed=True)
    decision = None
    if payload.decision_id is not None:
        decision = Decision.objects.filter(pk=payload.decision_id).first()
        if decision is None:
            raise DomainError(_("There is no decision with this number."),
                              field="decision_id")
    try:
        movement = services.record_fund_movement(
            actor=request.user, body=body, amount=amount, category=payload.category,
            description=payload.description,
            happened_on=check_year(payload.happened_on, "happened_on"), decision=decision)
    except DomainError as exc:
        raise _renamed(exc, {"decision": "decision_id"}) from None
    return Status(201, _movement_out(FundMovement.objects.select_related("recorded_by")
                                     .get(pk=movement.pk)))


@router.put("/bodies/{slug}/fund", response={200: FundOut, **refusals(400, 403, 404, 409)})
def put_overdraft(request, slug: str, payload: OverdraftIn):
    """Coordinators and stewards set how far below zero the fund may go (euros)."""
    body = get_body_for(request.user, slug)
    overdraft = _amount(payload.overdraft, EURO_DECIMALS, "overdraft", negative=DomainError(
        _("The overdraft is zero or more, and not below the current balance.")))
    services.set_overdraft(actor=request.user, body=body, overdraft=overdraft)
    return _fund_out(request, body)
