"""Exports of a cooperative's books, for accountants and independent checks.

`beancount(cooperative)` writes the whole ledger of a cooperative as a Beancount file
(https://beancount.github.io/docs/), which `bean-check` accepts and whose balances
equal ours:

- each currency of the cooperative is a commodity (its code, uppercased), and each of
  its accounts a Beancount account `Assets:<Currency>:<Kind>:<id>-<name>`, opened for
  that commodity only. A mutual-credit balance is what the holder holds, negative when
  they owe the network: the same sign as ours, and Beancount allows any sign;
- each payment is one transaction dated from its creation (in the site's time zone)
  with its two postings, the payer's `-amount` and the payee's `+amount`; its metadata
  names the payment, the payment it reverses, or the payment of the other network it
  clears, and the two halves of a clearing share the link `^clearing-<first id>`;
- the common fund (in euros) of the cooperative and of each of its groups is the
  account `Assets:Common-Fund:<id>-<name>`, against `Income:Common-Fund:...:<category>`
  and `Expenses:Common-Fund:...:<category>`, one transaction per movement;
- at the end, one `balance` assertion per account states our balance, the day after
  the last dated line, with a tolerance of zero (`~ 0`; Beancount would otherwise let
  one unit of the last decimal pass): `bean-check` fails if a single cent differs.

Everything is read in one transaction (a REPEATABLE READ snapshot on PostgreSQL) so
that payments made meanwhile do not break the assertions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.text import slugify

from autogestion.cooperatives.models import Body

from . import rules
from .models import Account, AccountKind, Currency, Fund, FundMovement, Payment

FUND_COMMODITY = "EUR"
FUND_COMPONENT = "Common-Fund"
_COMMODITY = re.compile(r"[A-Z]([A-Z0-9'._-]{0,22}[A-Z0-9])?")
_KIND = {AccountKind.MEMBER: "Member", AccountKind.GROUP: "Group",
         AccountKind.PROJECT: "Project", AccountKind.COOPERATIVE: "Cooperative",
         AccountKind.CLEARING: "Clearing"}


def component(text: str, fallback: str = "X") -> str:
    """Text → a valid component of a Beancount account name: ASCII letters, digits
    and hyphens, starting with a capital letter or a digit."""
    slug = slugify(text).replace("_", "-").strip("-")
    slug = re.sub(r"-{2,}", "-", slug)
    if not slug:
        return fallback
    return slug[0].upper() + slug[1:]


def commodity(code: str, taken: set[str], pk: int) -> str:
    """A currency's code → a valid Beancount commodity not in `taken`."""
    name = re.sub(r"[^A-Z0-9'._-]", "-", code.upper())
    name = re.sub(r"^[^A-Z]+", "", name)
    name = re.sub(r"[^A-Z0-9]+$", "", name)[:24]
    if not name or not _COMMODITY.fullmatch(name) or name in taken:
        name = f"{(name or 'C')[:16].rstrip(chr(39) + '._-')}-{pk}"
    return name


def quote(text: str) -> str:
    """A Beancount string literal, on one line."""
    text = " ".join(str(text).split())
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _day(moment) -> date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def _number(minor: int, decimals: int) -> str:
    return rules.format_amount(minor, decimals)


def account_name(account: Account, currency_component: str) -> str:
    kind = _KIND.get(account.kind, component(account.kind))
    return (f"Assets:{currency_component}:{kind}:"
            f"{account.pk}-{component(account.name, '')}".rstrip("-"))


def beancount(cooperative: Body) -> str:
    """The whole ledger of `cooperative` as the text of a Beancount file."""
    return "".join(beancount_lines(cooperative))


def beancount_lines(cooperative: Body) -> Iterator[str]:
    """The Beancount file, a line (or a transaction) at a time, read in one snapshot."""
    nested = connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and not nested:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield from _lines(cooperative)


def _lines(cooperative: Body) -> Iterator[str]:
    currencies = list(Currency.objects.filter(cooperative=cooperative).order_by("pk"))
    decimals = {c.pk: c.decimals for c in currencies}
    taken = {FUND_COMMODITY}
    commodities, roots = {}, {}
    for currency in currencies:
        commodities[currency.pk] = commodity(currency.code, taken, currency.pk)
        taken.add(commodities[currency.pk])
        root = component(currency.code, f"C{currency.pk}")
        if root in roots.values() or root == FUND_COMPONENT:
            root = f"{root}-{currency.pk}"
        roots[currency.pk] = root
    accounts = list(Account.objects.filter(currency__cooperative=cooperative)
                    .order_by("currency_id", "pk"))
    names = {a.pk: account_name(a, roots[a.currency_id]) for a in accounts}
    clearing = {a.pk for a in accounts if a.kind == AccountKind.CLEARING}
    funds = list(Fund.objects.filter(body__path__startswith=cooperative.path)
                 .select_related("body").order_by("body__path", "pk"))
    fund_names = {f.pk: _fund_account("Assets", f) for f in funds}
    payments = Payment.objects.filter(currency__cooperative=cooperative)
    movements = FundMovement.objects.filter(fund__in=funds)

    # Every account opens on the first day anything in the file happens; the balances
    # are asserted the day after the last one.
    paid = payments.aggregate(first=Min("created_at"), last=Max("created_at"))
    moved = movements.aggregate(first=Min("happened_on"), last=Max("happened_on"))
    days = [_day(a.created_at) for a in accounts]
    days += [_day(paid[k]) for k in ("first", "last") if paid[k] is not None]
    days += [moved[k] for k in ("first", "last") if moved[k] is not None]
    opened = min(days, default=timezone.localdate())
    closing = max(days, default=opened) + timedelta(days=1)

    yield f"; The ledger of {' '.join(cooperative.name.split())}, exported by Autogestion.\n"
    yield f"option \"title\" {quote(cooperative.name)}\n"
    yield f"option \"operating_currency\" \"{FUND_COMMODITY}\"\n\n"
    if funds:
        yield f"{opened} commodity {FUND_COMMODITY}\n  name: \"euro\"\n"
    for currency in currencies:
        yield (f"{opened} commodity {commodities[currency.pk]}\n"
               f"  name: {quote(currency.name)}\n"
               f"  code: {quote(currency.code)}\n")
    yield "\n"
    for account in accounts:
        yield (f"{opened} open {names[account.pk]} {commodities[account.currency_id]}\n"
               f"  id: {account.pk}\n"
               f"  holder: {quote(account.name)}\n")
    counterparts: dict[tuple[int, str, bool], str] = {}
    for fund_id, category, income in sorted(
            {(fund_id, category, amount > 0) for fund_id, category, amount
             in movements.order_by().values_list("fund_id", "category", "amount")}):
        fund = next(f for f in funds if f.pk == fund_id)
        name = _fund_account("Income" if income else "Expenses", fund, category)
        counterparts[(fund_id, category, income)] = name
    for fund in funds:
        yield (f"{opened} open {fund_names[fund.pk]} {FUND_COMMODITY}\n"
               f"  id: {fund.pk}\n"
               f"  body: {quote(fund.body.name)}\n")
    for name in sorted(set(counterparts.values())):
        yield f"{opened} open {name} {FUND_COMMODITY}\n"
    yield "\n"

    rows = (payments.order_by("created_at", "pk")
            .values_list("pk", "currency_id", "payer_id", "payee_id", "amount",
                         "description", "reverses_id", "clearing_of_id", "created_at"))
    for (pk, currency_id, payer, payee, amount, description, reverses, clearing_of,
         created_at) in rows.iterator(chunk_size=2000):
        number, code = _number(amount, decimals[currency_id]), commodities[currency_id]
        link = ""
        if clearing_of is not None:
            link = f" ^clearing-{clearing_of}"
        elif reverses is None and (payer in clearing or payee in clearing):
            link = f" ^clearing-{pk}"
        lines = [f"{_day(created_at)} * {quote(description or f'Payment {pk}')}{link}\n",
                 f"  payment: {pk}\n"]
        if reverses is not None:
            lines.append(f"  reverses: {reverses}\n")
        if clearing_of is not None:
            lines.append(f"  clearing_of: {clearing_of}\n")
        lines.append(f"  {names[payer]}  -{number} {code}\n")
        lines.append(f"  {names[payee]}  {number} {code}\n\n")
        yield "".join(lines)

    rows = (movements.order_by("happened_on", "pk")
            .values_list("pk", "fund_id", "amount", "category", "description", "happened_on"))
    for pk, fund_id, amount, category, description, happened_on in rows.iterator(
            chunk_size=2000):
        other = counterparts[(fund_id, category, amount > 0)]
        yield (f"{happened_on} * {quote(description or category)}\n"
               f"  movement: {pk}\n"
               f"  {fund_names[fund_id]}  {_number(amount, 2)} {FUND_COMMODITY}\n"
               f"  {other}  {_number(-amount, 2)} {FUND_COMMODITY}\n\n")

    for account in accounts:
        yield (f"{closing} balance {names[account.pk]}  "
               f"{_number(account.balance, decimals[account.currency_id])} ~ 0 "
               f"{commodities[account.currency_id]}\n")
    for fund in funds:
        yield (f"{closing} balance {fund_names[fund.pk]}  {_number(fund.balance, 2)} ~ 0 "
               f"{FUND_COMMODITY}\n")


def _fund_account(root: str, fund: Fund, category: str = "") -> str:
    name = f"{root}:{FUND_COMPONENT}:{fund.body_id}-{component(fund.body.name, '')}".rstrip("-")
    return f"{name}:{component(category, 'Other')}" if category else name
