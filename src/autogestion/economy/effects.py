"""The changes of a social currency that its cooperative makes only by decision (R9,
R16, core/effects.py): its euro value, and the default limits of its new accounts.

Nobody changes them in one click, coordinator or operator: a member proposes the change
(decisions.services.propose_change, or the page /bodies/<slug>/changes/<kind>/ with the
forms below), the cooperative decides it by the method its policy gives the class, and
when the proposal is adopted the decisions app calls `apply`, which changes the currency
and writes a CurrencyChange naming the decision, in the transaction of the decision.

Classes of decision (DOMAIN.md R5, R16):
- the euro value (`economy.currency_value`) is of class "statutes": it is a founding
  term of the currency (the CIT's "1 Oseille = 1 €"), it changes at once what every
  balance and every price is worth in euros and what the cooperative owes or is owed
  through clearing with other networks (R9, R18): a fundamental decision, consensus
  by default;
- the default limits (`economy.currency_limits`) are of class "executive": the day-to-day
  management of credit, for the accounts opened from then on, changing no balance and
  no existing account: consent by default.

Parameters (JSON, as the economy API writes amounts): `currency` is the currency's
code; `euro_rate` a decimal string ("0.5"); the limits are strings in the currency's
units ("100.00"), `default_credit_ceiling` null or empty for no maximum. `check` returns
them in that same form, so checking them again gives them back unchanged.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autogestion.cooperatives.rules import Kind
from autogestion.core.effects import Effect, Params
from autogestion.core.errors import DomainError
from autogestion.core.formats import amount_text, number_text
from autogestion.core.inputs import parse_amount
from autogestion.core.refusal import Refusal

from . import rules, services
from .models import Currency, CurrencyChangeKind, CurrencyKind

VALUE = "economy.currency_value"
LIMITS = "economy.currency_limits"


def _currency_of(body, params: Params) -> Currency:
    if body is None or body.kind != Kind.COOPERATIVE:
        raise DomainError(_("Only a cooperative decides on its currencies."))
    code = params.get("currency")
    currency = None
    if isinstance(code, str) and code.strip():
        currency = Currency.objects.filter(cooperative=body, code=code.strip()).first()
    if currency is None:
        raise DomainError(_("Choose a currency of %(body)s.") % {"body": body.name},
                          field="currency")
    if currency.kind != CurrencyKind.MUTUAL_CREDIT:
        raise DomainError(_("Only a social currency is changed by decision."),
                          field="currency")
    return currency


def _only(params: Params, allowed: set[str]) -> None:
    if not isinstance(params, dict):
        raise DomainError(_("The change is described by its parameters."))
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise DomainError(_("Unknown parameter: %(names)s.") % {"names": ", ".join(unknown)},
                          field=unknown[0])


# The euro value ----------------------------------------------------------------------

def _rate(params: Params) -> Decimal:
    raw = params.get("euro_rate")
    if isinstance(raw, bool) or not isinstance(raw, str | int) or not str(raw).strip():
        raise DomainError(_("Give the new euro value, such as 1 or 0.5."), field="euro_rate")
    try:
        return rules.currency_rate(str(raw))
    except Refusal as refusal:
        raise services.refusal_message(refusal) from None


def check_value(actor, body, params: Params) -> Params:
    _only(params, {"currency", "euro_rate"})
    currency = _currency_of(body, params)
    rate = _rate(params)
    if actor is not None and rate == currency.euro_rate:
        raise DomainError(_("%(currency)s is already worth %(rate)s €: propose another "
                            "value.") % {"currency": currency.name,
                                         "rate": _number_words(rules.rate_text(rate))},
                          field="euro_rate")
    return {"currency": currency.code, "euro_rate": rules.rate_text(rate)}


def apply_value(body, params: Params, decision) -> None:
    params = check_value(None, body, params)
    services.apply_currency_change(
        currency_id=_currency_of(body, params).pk, kind=CurrencyChangeKind.VALUE,
        decision=decision, euro_rate=_rate(params))


def describe_value(body, params: Params) -> str:
    currency = Currency.objects.filter(cooperative=body, code=params.get("currency")).first()
    name, symbol = (currency.name, currency.symbol) if currency else (params.get("currency"),
                                                                      params.get("currency"))
    return _("The euro value of %(currency)s becomes %(rate)s € for 1 %(symbol)s; every "
             "balance, price and clearing with other networks follows it.") % {
        "currency": name, "rate": _number_words(params.get("euro_rate")), "symbol": symbol}


def title_value(body, params: Params) -> str:
    currency = Currency.objects.filter(cooperative=body, code=params.get("currency")).first()
    return _("Euro value of %(currency)s: %(rate)s €") % {
        "currency": currency.name if currency else params.get("currency"),
        "rate": _number_words(params.get("euro_rate"))}


def _number_words(value) -> str:
    """A number the params keep as text ("0.5"), written in the reader's language
    ("0,5"); left as it is when it is not one."""
    try:
        return number_text(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


def _amount_words(value, currency: Currency | None, symbol: str, sign: int = 1) -> str:
    """An amount the params keep as text ("250.00"), written in the reader's language
    ("250,00 Os"; `sign` -1: "-250,00 Os")."""
    try:
        number = Decimal(str(value)) * sign
    except (InvalidOperation, ValueError):
        return f"{value} {symbol}"
    decimals = currency.decimals if currency else max(-number.as_tuple().exponent, 0)
    return amount_text(int(number.scaleb(decimals)), decimals, symbol)


# The default limits --------------------------------------------------------------------

def _limit(params: Params, name: str, currency: Currency, *, optional: bool) -> int | None:
    raw = params.get(name)
    if optional and (raw is None or (isinstance(raw, str) and not raw.strip())):
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise DomainError(_("Give an amount in %(currency)s, such as 100.")
                          % {"currency": currency.name}, field=name)
    refusal = ("bad_default_ceiling" if optional else "bad_debit_limit")
    return parse_amount(str(raw), currency.decimals, name, zero=not optional,
                        below=services.refusal_message(Refusal(refusal)).message)


def _limits(params: Params, currency: Currency) -> tuple[int, int | None]:
    debit = _limit(params, "default_debit_limit", currency, optional=False)
    ceiling = _limit(params, "default_credit_ceiling", currency, optional=True)
    try:
        rules.check_default_limits(debit, ceiling)
    except Refusal as refusal:
        raise services.refusal_message(refusal) from None
    return debit, ceiling


def check_limits(actor, body, params: Params) -> Params:
    _only(params, {"currency", "default_debit_limit", "default_credit_ceiling"})
    currency = _currency_of(body, params)
    debit, ceiling = _limits(params, currency)
    if actor is not None and (debit, ceiling) == (currency.default_debit_limit,
                                                  currency.default_credit_ceiling):
        raise DomainError(_("These are already the default limits of %(currency)s: propose "
                            "others.") % {"currency": currency.name},
                          field="default_debit_limit")
    return {"currency": currency.code,
            "default_debit_limit": rules.format_amount(debit, currency.decimals),
            "default_credit_ceiling": None if ceiling is None
            else rules.format_amount(ceiling, currency.decimals)}


def apply_limits(body, params: Params, decision) -> None:
    params = check_limits(None, body, params)
    currency = _currency_of(body, params)
    debit, ceiling = _limits(params, currency)
    services.apply_currency_change(
        currency_id=currency.pk, kind=CurrencyChangeKind.LIMITS, decision=decision,
        default_debit_limit=debit, default_credit_ceiling=ceiling)


def describe_limits(body, params: Params) -> str:
    currency = Currency.objects.filter(cooperative=body, code=params.get("currency")).first()
    symbol = currency.symbol if currency else params.get("currency")
    values = {"currency": currency.name if currency else params.get("currency"),
              "limit": _amount_words(params.get("default_debit_limit"), currency, symbol,
                                     sign=-1)}
    if params.get("default_credit_ceiling") is None:
        return _("A new account in %(currency)s may go down to %(limit)s, with no "
                 "maximum balance. Existing accounts keep their limits.") % values
    return _("A new account in %(currency)s may go down to %(limit)s and up to "
             "%(ceiling)s. Existing accounts keep their limits.") % {
        **values, "ceiling": _amount_words(params.get("default_credit_ceiling"), currency,
                                           symbol)}


def title_limits(body, params: Params) -> str:
    currency = Currency.objects.filter(cooperative=body, code=params.get("currency")).first()
    return _("Default limits of %(currency)s") % {
        "currency": currency.name if currency else params.get("currency")}


# Forms of the page /bodies/<slug>/changes/<kind>/ --------------------------------------

class _CurrencyChangeForm(forms.Form):
    """Asks for the parameters; its cleaned_data are the params (checked again by the
    effect when the proposal is made)."""

    currency = forms.ChoiceField(label=gettext_lazy("Currency"))

    def __init__(self, data=None, *args, body, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.body = body
        self.currencies = {c.code: c for c in Currency.objects.filter(
            cooperative=body, kind=CurrencyKind.MUTUAL_CREDIT).order_by("name", "pk")}
        self.fields["currency"].choices = [(code, str(c)) for code, c in
                                           self.currencies.items()]

    def _checked(self, check) -> Params:
        data = super().clean()
        if self.errors:
            return data
        try:
            return check(None, self.body, {name: data.get(name) for name in self.fields})
        except DomainError as error:
            self.add_error(error.field if error.field in self.fields else None,
                           error.message)
            return data


class CurrencyValueForm(_CurrencyChangeForm):
    euro_rate = forms.CharField(
        label=gettext_lazy("New value of one unit, in euros"), max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))

    def clean(self):
        return self._checked(check_value)


class CurrencyLimitsForm(_CurrencyChangeForm):
    default_debit_limit = forms.CharField(
        label=gettext_lazy("Debit limit of a new account"), max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    default_credit_ceiling = forms.CharField(
        label=gettext_lazy("Maximum balance of a new account (empty: none)"),
        max_length=30, required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))

    def clean(self):
        return self._checked(check_limits)


EFFECTS = [
    Effect(kind=VALUE, decision_class="statutes", check=check_value, apply=apply_value,
           describe=describe_value, title=title_value,
           form="autogestion.economy.effects.CurrencyValueForm"),
    Effect(kind=LIMITS, decision_class="executive", check=check_limits, apply=apply_limits,
           describe=describe_limits, title=title_limits,
           form="autogestion.economy.effects.CurrencyLimitsForm"),
]
