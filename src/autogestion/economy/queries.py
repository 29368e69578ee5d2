"""Reads for the economy pages, each with a fixed number of queries whatever the number
of accounts, entries, offers or fund movements. Amounts stay integers in minor units;
the `*_text` fields are formatted for display in the reader's language ("12,50 Os" in
French, core/formats.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Q, QuerySet, Sum
from django.urls import NoReverseMatch, reverse
from django.utils.formats import get_format

from autogestion.cooperatives.models import Body
from autogestion.core import clock
from autogestion.core.formats import amount_text, number_text

from . import permissions, rules
from .models import (
    Account,
    AccountKind,
    Currency,
    CurrencyKind,
    Entry,
    Fund,
    FundMovement,
    Offer,
    Payment,
    PaymentRequest,
    RequestStatus,
)

STATEMENT_ROWS = 500      # rows shown in the page; the CSV has them all
OFFER_ROWS = 200
FUND_ROWS = 500
SEARCH_WORDS = 10         # words of an offer search that count


def money(minor: int | None, currency: Currency | None) -> str:
    """An amount for people, in the active language: "1 200,50 Os" (no currency: euros)."""
    if minor is None:
        return ""
    if currency is None:
        return euros(minor)
    return amount_text(minor, currency.decimals, currency.symbol)


def euros(cents: int | None) -> str:
    return "" if cents is None else amount_text(cents, 2, "€")


def input_amount(minor: int, decimals: int) -> str:
    """An amount for machines (a CSV's number column): '1200.50', whatever the language."""
    return rules.format_amount(minor, decimals)


def field_amount(minor: int, decimals: int) -> str:
    """An amount as a form field shows it, with the reader's decimal mark ('1200,50' in
    French). Not grouped: core.inputs reads either mark back, but not an English comma
    between thousands."""
    return rules.format_amount(minor, decimals).replace(".", get_format("DECIMAL_SEPARATOR"))


def rate_words(rate) -> str:
    """A currency's euro value for people: '0,5' in French, '1.25' in English."""
    return number_text(Decimal(rules.rate_text(rate)))


# A currency and its changes by decision ------------------------------------------------

CHANGE_KINDS = {"value": "economy.currency_value", "limits": "economy.currency_limits"}


def propose_change_url(currency: Currency, which: str) -> str:
    """The decisions app's page that proposes a change of the currency (its kinds are
    economy/effects.py's): /bodies/<slug>/changes/<kind>/?currency=<code>."""
    slug, kind = currency.cooperative.slug, CHANGE_KINDS[which]
    try:
        path = reverse("body_propose_change", args=[slug, kind])
    except NoReverseMatch:
        path = f"/bodies/{slug}/changes/{kind}/"
    return f"{path}?{urlencode({'currency': currency.code})}"


def describe_currency(currency: Currency) -> Currency:
    """The texts a currency's card and page show."""
    currency.rate_text = rate_words(currency.euro_rate)
    currency.default_limit_text = money(currency.default_debit_limit, currency)
    currency.default_ceiling_text = money(currency.default_credit_ceiling, currency)
    return currency


# The economy page of a cooperative ---------------------------------------------------

@dataclass
class AccountRow:
    account: Account
    currency: Currency
    balance_text: str
    limit_text: str
    ceiling_text: str
    margin_text: str
    limit_input: str
    ceiling_input: str
    mine: bool = False
    margin_to_pay: int = 0
    margin_to_receive: int | None = None


def margins(account: Account) -> tuple[int, int | None]:
    """What the account can pay and receive now (rules.margins): pages and API."""
    return rules.margins(rules.AccountView(
        id=account.pk, balance=account.balance, debit_limit=account.debit_limit,
        credit_ceiling=account.credit_ceiling, status=rules.AccountStatus(account.status)))


def _row(account: Account, currency: Currency, mine: bool = False) -> AccountRow:
    to_pay, to_receive = margins(account)
    return AccountRow(account=account, currency=currency,
                      balance_text=money(account.balance, currency),
                      limit_text=money(account.debit_limit, currency),
                      ceiling_text=money(account.credit_ceiling, currency)
                      if account.credit_ceiling is not None else "",
                      margin_text=money(to_pay, currency),
                      margin_to_pay=to_pay, margin_to_receive=to_receive,
                      limit_input=field_amount(account.debit_limit, currency.decimals),
                      ceiling_input=field_amount(account.credit_ceiling, currency.decimals)
                      if account.credit_ceiling is not None else "", mine=mine)


@dataclass
class EconomyPage:
    cooperative: Body
    currencies: list[Currency]
    accounts: list[AccountRow]                 # every account of the cooperative's currencies
    mine: list[AccountRow]                     # the ones the person may pay from
    without_account: list[Currency]            # currencies the person holds no account in
    requests_in: list[PaymentRequest] = field(default_factory=list)
    requests_out: list[PaymentRequest] = field(default_factory=list)

    def by_id(self) -> dict[int, AccountRow]:
        return {row.account.pk: row for row in self.accounts}


def economy_page(cooperative: Body, user) -> EconomyPage:
    """Five queries: currencies, accounts, the person's memberships (cached), requests
    in, requests out."""
    currencies = list(Currency.objects.filter(cooperative=cooperative).order_by("name", "pk"))
    by_currency = {c.pk: c for c in currencies}
    for currency in currencies:
        describe_currency(currency)
    accounts = list(Account.objects.filter(currency__in=currencies)
                    .exclude(kind=AccountKind.CLEARING)
                    .select_related("person", "body")
                    .order_by("currency_id", "kind", "name", "pk"))
    rows = []
    for account in accounts:
        account.currency = by_currency[account.currency_id]
        rows.append(_row(account, account.currency,
                         mine=permissions.can_pay_from(user, account)))
    mine = [row for row in rows if row.mine]
    mine.sort(key=lambda r: (r.account.person_id is None, r.currency.name, r.account.name))
    held = {row.account.currency_id for row in mine if row.account.person_id is not None}
    page = EconomyPage(cooperative=cooperative, currencies=currencies, accounts=rows,
                       mine=mine,
                       without_account=[c for c in currencies if c.pk not in held])
    mine_ids = [row.account.pk for row in mine]
    if mine_ids:
        related = ("buyer", "seller", "offer")
        page.requests_in = list(PaymentRequest.objects.filter(
            buyer_id__in=mine_ids, status=RequestStatus.PENDING).select_related(*related))
        page.requests_out = list(PaymentRequest.objects.filter(
            seller_id__in=mine_ids, status=RequestStatus.PENDING).select_related(*related))
        for request in (*page.requests_in, *page.requests_out):
            currency = by_currency.get(request.buyer.currency_id)
            request.amount_text = money(request.amount, currency)
    return page


def payee_of_offer(offer: Offer) -> Account | None:
    """The account a "pay for this" pays: the group's or project's when published on
    its behalf, otherwise the author's, in the offer's currency."""
    if offer.currency_id is None:
        return None
    if offer.on_behalf_of_id is not None:
        return (Account.objects.filter(currency_id=offer.currency_id, body_id=offer.on_behalf_of_id)
                .exclude(kind=AccountKind.CLEARING).order_by("pk").first())
    if offer.author_id is None:
        return None
    return Account.objects.filter(currency_id=offer.currency_id,
                                  person_id=offer.author_id).first()


# Statements ----------------------------------------------------------------------------

@dataclass
class StatementLine:
    entry: Entry
    counterpart: Account
    amount_text: str
    balance_text: str
    reversible: bool


@dataclass
class Statement:
    account: Account
    lines: list[StatementLine]
    opening: int
    opening_text: str
    closing_text: str
    truncated: bool


def _day_start(day: date) -> datetime:
    """The first moment of a local day (core.clock's zone)."""
    return datetime.combine(day, time(), clock.zone())


def statement_entries(account: Account, date_from: date | None, date_to: date | None):
    """The account's entries in a period of local days (both included), oldest first,
    with the payment and both accounts joined (the counterpart is the other one). The
    page and the API read this (the API newest first)."""
    entries = Entry.objects.filter(account=account).select_related(
        "payment__payer", "payment__payee", "payment__reversed_by")
    if date_from is not None:
        entries = entries.filter(created_at__gte=_day_start(date_from))
    if date_to is not None:
        entries = entries.filter(created_at__lt=_day_start(date_to + timedelta(days=1)))
    return entries.order_by("created_at", "pk")


def counterpart_of(entry: Entry) -> Account:
    payment = entry.payment
    return payment.payee if entry.amount < 0 else payment.payer


def statement(account: Account, date_from: date | None, date_to: date | None,
              user) -> Statement:
    """Three queries: the balance before the period, the entries (capped), and the
    person's memberships for the reversal buttons."""
    currency = account.currency
    before = None
    if date_from is not None:
        before = (Entry.objects.filter(account=account, created_at__lt=_day_start(date_from))
                  .order_by("-created_at", "-pk").values_list("balance_after", flat=True)
                  .first())
    opening = before or 0
    entries = list(statement_entries(account, date_from, date_to)[:STATEMENT_ROWS + 1])
    truncated = len(entries) > STATEMENT_ROWS
    entries = entries[:STATEMENT_ROWS]
    may_reverse = permissions.can_pay_from(user, account) or permissions.can_steward(
        user, currency.cooperative)
    lines = []
    for entry in entries:
        payment = entry.payment
        already = getattr(payment, "reversed_by", None) is not None
        lines.append(StatementLine(
            entry=entry, counterpart=counterpart_of(entry),
            amount_text=money(entry.amount, currency),
            balance_text=money(entry.balance_after, currency),
            reversible=may_reverse and entry.amount > 0 and not already
            and payment.reverses_id is None))
    closing = entries[-1].balance_after if entries else opening
    return Statement(account=account, lines=lines, opening=opening,
                     opening_text=money(opening, currency),
                     closing_text=money(closing, currency), truncated=truncated)


# Offers and needs ----------------------------------------------------------------------

@dataclass
class OfferRow:
    offer: Offer
    price_text: str
    payee_id: int | None   # the account "pay for this" pays, when there is one
    can_withdraw: bool = False  # set by the page for its viewer (permissions)


def search_offers(cooperative: Body, *, text: str = "", category: str = "", place: str = "",
                  kind: str = "") -> QuerySet[Offer]:
    """The cooperative's offers and needs that have not expired, newest first: each
    word of `text` (the first ten) is in the title or the description, `place` in the
    place; `category` and `kind` filter. The page and the API search with this."""
    found = Offer.objects.filter(cooperative=cooperative, expires_on__gte=clock.today()) \
        .select_related("author", "on_behalf_of", "currency", "cooperative")
    for word in (text or "").split()[:SEARCH_WORDS]:
        found = found.filter(Q(title__icontains=word) | Q(description__icontains=word))
    if (place or "").strip():
        found = found.filter(place__icontains=place.strip())
    if category:
        found = found.filter(category=category)
    if kind:
        found = found.filter(kind=kind)
    return found.order_by("-created_at", "-pk")


def offers(cooperative: Body, *, text: str = "", category: str = "",
           place: str = "", kind: str = "") -> tuple[list[OfferRow], bool]:
    """Offers and needs that have not expired, filtered (search_offers); two queries
    (the offers, and the accounts their "pay for this" buttons pay)."""
    found = search_offers(cooperative, text=text, category=category, place=place, kind=kind)
    listed = list(found[:OFFER_ROWS + 1])
    truncated = len(listed) > OFFER_ROWS
    listed = listed[:OFFER_ROWS]
    payable = [o for o in listed if o.kind == Offer.Kind.OFFER and o.price_units is not None
               and o.currency_id is not None]
    people, bodies = {}, {}
    if payable:
        currency_ids = {o.currency_id for o in payable}
        person_ids = {o.author_id for o in payable if o.on_behalf_of_id is None and o.author_id}
        body_ids = {o.on_behalf_of_id for o in payable if o.on_behalf_of_id is not None}
        for pk, currency_id, person_id, body_id in Account.objects.filter(
                Q(person_id__in=person_ids) | Q(body_id__in=body_ids),
                currency_id__in=currency_ids).exclude(kind=AccountKind.CLEARING) \
                .order_by("-pk").values_list("pk", "currency_id", "person_id", "body_id"):
            if person_id is not None:
                people[(currency_id, person_id)] = pk
            else:
                bodies[(currency_id, body_id)] = pk
    rows = []
    for offer in listed:
        parts = []
        if offer.price_euros is not None:
            parts.append(euros(offer.price_euros))
        if offer.price_units is not None:
            parts.append(money(offer.price_units, offer.currency))
        payee = None
        if offer in payable:
            payee = (bodies.get((offer.currency_id, offer.on_behalf_of_id))
                     if offer.on_behalf_of_id is not None
                     else people.get((offer.currency_id, offer.author_id)))
        rows.append(OfferRow(offer=offer, price_text=" + ".join(parts), payee_id=payee))
    return rows, truncated


def social_currencies(cooperative: Body) -> list[Currency]:
    return list(Currency.objects.filter(cooperative=cooperative,
                                        kind=CurrencyKind.MUTUAL_CREDIT).order_by("name"))


# The common fund -----------------------------------------------------------------------

@dataclass
class CategoryTotal:
    category: str
    label: str
    total: int
    text: str


@dataclass
class FundPage:
    body: Body
    fund: Fund | None
    balance_text: str
    overdraft_text: str
    movements: list[FundMovement]
    truncated: bool
    income: list[CategoryTotal]
    expenses: list[CategoryTotal]
    income_text: str
    expenses_text: str
    years: list[int]
    year: int | None = None
    opening: int = 0
    closing: int = 0
    opening_text: str = ""
    closing_text: str = ""


def _totals(movements, labels) -> tuple[list[CategoryTotal], list[CategoryTotal]]:
    income, expenses = [], []
    rows = movements.values("category").annotate(
        plus=Sum("amount", filter=Q(amount__gt=0)),
        minus=Sum("amount", filter=Q(amount__lt=0))).order_by("category")
    for row in rows:
        label = labels.get(row["category"], row["category"])
        if row["plus"]:
            income.append(CategoryTotal(row["category"], label, row["plus"],
                                        euros(row["plus"])))
        if row["minus"]:
            expenses.append(CategoryTotal(row["category"], label, -row["minus"],
                                          euros(-row["minus"])))
    return income, expenses


def fund_page(body: Body, year: int | None = None) -> FundPage:
    """Five queries at most: the fund, the years, the totals per category, the
    movements (capped) and, for a year, the balance before it."""
    from .models import FundCategory

    labels = dict(FundCategory.choices)
    fund = Fund.objects.filter(body=body).first()
    if fund is None:
        return FundPage(body=body, fund=None, balance_text=euros(0), overdraft_text=euros(0),
                        movements=[], truncated=False, income=[], expenses=[],
                        income_text=euros(0), expenses_text=euros(0), years=[], year=year,
                        opening_text=euros(0), closing_text=euros(0))
    everything = FundMovement.objects.filter(fund=fund)
    years = sorted({d.year for d in everything.dates("happened_on", "year")}, reverse=True)
    chosen = everything
    if year is not None:
        chosen = everything.filter(happened_on__year=year)
    income, expenses = _totals(chosen, labels)
    movements = list(ordered_movements(chosen).select_related("decision")[:FUND_ROWS + 1])
    truncated = len(movements) > FUND_ROWS
    movements = movements[:FUND_ROWS]
    for movement in movements:
        movement.amount_text = euros(movement.amount)
        movement.balance_text = euros(movement.balance_after)
    total_in = sum(t.total for t in income)
    total_out = sum(t.total for t in expenses)
    page = FundPage(body=body, fund=fund, balance_text=euros(fund.balance),
                    overdraft_text=euros(fund.overdraft), movements=movements,
                    truncated=truncated, income=income, expenses=expenses,
                    income_text=euros(total_in), expenses_text=euros(total_out), years=years,
                    year=year)
    if year is not None:
        page.opening = everything.filter(happened_on__year__lt=year).aggregate(
            s=Sum("amount"))["s"] or 0
        page.closing = page.opening + total_in - total_out
        page.opening_text, page.closing_text = euros(page.opening), euros(page.closing)
    return page


def ordered_movements(movements: QuerySet[FundMovement]) -> QuerySet[FundMovement]:
    """Fund movements newest first by the day they happened (then by recording): the
    page and the API list them in this order."""
    return movements.select_related("recorded_by").order_by("-happened_on", "-created_at",
                                                            "-pk")


def fund_movements(body: Body) -> tuple[Fund | None, QuerySet[FundMovement]]:
    """The body's fund (None before its first movement) and its movements, ordered."""
    fund = Fund.objects.filter(body=body).first()
    found = FundMovement.objects.filter(fund=fund) if fund else FundMovement.objects.none()
    return fund, ordered_movements(found)


# Accounts and requests of a person -----------------------------------------------------

def accounts_run_by(user) -> Q:
    """The person's own accounts and those of the bodies they coordinate or steward (by
    role, not by an operator's reach)."""
    return Q(person=user) | Q(body_id__in=permissions.stewarded_body_ids(user),
                              person__isnull=True)


def my_accounts(user) -> QuerySet[Account]:
    return (Account.objects.filter(accounts_run_by(user))
            .select_related("currency__cooperative", "body", "person")
            .order_by("currency__code", "person_id", "name", "pk"))


def my_requests(user, *, role: str = "", status: str = "") -> QuerySet[PaymentRequest]:
    """Requests to (role buyer) and from (role seller) the accounts the person runs,
    newest first."""
    mine = Account.objects.filter(accounts_run_by(user)).values("pk")
    sides = {"buyer": Q(buyer__in=mine), "seller": Q(seller__in=mine)}
    found = PaymentRequest.objects.filter(
        sides[role] if role else sides["buyer"] | sides["seller"])
    if status:
        found = found.filter(status=status)
    return (found.select_related("seller__currency", "seller__body", "buyer__body")
            .order_by("-created_at", "-pk"))


def payments_shaped() -> QuerySet[Payment]:
    return Payment.objects.select_related("currency", "payer", "payee")


def adopted_decisions(body: Body, limit: int = 200):
    from autogestion.decisions.models import Decision

    return list(Decision.objects.filter(body=body, outcome="adopted")
                .order_by("-decided_at", "-pk")[:limit])
