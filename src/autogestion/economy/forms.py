"""Forms of the economy pages. Amounts are typed as text ("12,50") and parsed with the
currency's decimals by core.inputs.parse_amount, as the API does; the services check
everything else."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from autogestion.core import clock, inputs
from autogestion.core.errors import DomainError

from .models import CurrencyKind, FundCategory, Offer, OfferCategory
from .rules import AccountStatus


def parse_amount(text: str, decimals: int, *, allow_zero: bool = False) -> int:
    """Minor units, or a ValidationError that says what to write."""
    try:
        return inputs.parse_amount(text, decimals, "amount", zero=allow_zero)
    except DomainError as error:
        raise ValidationError(error.message) from None


def checked_day(day, field: str):
    """A date typed in a form, within the years core.inputs allows (as the API)."""
    try:
        return inputs.check_year(day, field)
    except DomainError as error:
        raise ValidationError(error.message) from None


def new_key() -> str:
    return uuid.uuid4().hex


def _account_choices(rows) -> list:
    """Accounts grouped by currency, each named with its holder."""
    groups: dict[str, list] = {}
    for row in rows:
        if row.account.status == AccountStatus.CLOSED:
            continue
        groups.setdefault(str(row.currency), []).append((str(row.account.pk), row.account.name))
    if len(groups) == 1:
        return [("", "—"), *next(iter(groups.values()))]
    return [("", "—"), *[(name, choices) for name, choices in groups.items()]]


class _TwoAccountsForm(forms.Form):
    """Common to paying and requesting a payment: one of my accounts, another account of
    the cooperative, an amount in the first account's currency."""

    mine_field = "payer"
    other_field = "payee"

    amount = forms.CharField(label=_("Amount"), max_length=30,
                             widget=forms.TextInput(attrs={"inputmode": "decimal",
                                                           "autocomplete": "off"}))
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    offer = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, mine, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = {row.account.pk: row for row in accounts}
        self.mine_rows = {row.account.pk: row for row in mine}
        self.fields[self.mine_field].choices = [
            (str(row.account.pk), f"{row.account.name} — {row.currency.symbol} "
                                  f"({row.balance_text})") for row in mine]
        self.fields[self.other_field].choices = _account_choices(accounts)

    def clean(self):
        data = super().clean()
        mine, other = data.get(self.mine_field), data.get(self.other_field)
        row = self.mine_rows.get(int(mine)) if mine else None
        if mine and row is None:
            self.add_error(self.mine_field, _("Choose one of your accounts."))
        if other and int(other) not in self.rows:
            self.add_error(self.other_field, _("Choose an account of this cooperative."))
        if row is not None and "amount" in data:
            try:
                data["amount_minor"] = parse_amount(data["amount"], row.currency.decimals)
            except ValidationError as error:
                self.add_error("amount", error)
        return data

    def account(self, name: str):
        value = self.cleaned_data.get(name)
        row = self.rows.get(int(value)) if value else None
        return row.account if row else None


class PayForm(_TwoAccountsForm):
    payer = forms.ChoiceField(label=_("From my account"))
    payee = forms.ChoiceField(label=_("Pay to"))
    # A new key each time the form is shown: a second submit of the same form (a double
    # click, a reload) finds the first payment instead of paying again.
    idempotency_key = forms.CharField(max_length=80, widget=forms.HiddenInput)

    field_order = ["payer", "payee", "amount", "description", "offer", "idempotency_key"]


class RequestForm(_TwoAccountsForm):
    mine_field, other_field = "seller", "buyer"

    seller = forms.ChoiceField(label=_("To my account"))
    buyer = forms.ChoiceField(label=_("Asked of"))
    auto_accept_days = forms.IntegerField(
        label=_("Accepted automatically after (days, optional)"), required=False,
        min_value=1, max_value=60, widget=forms.TextInput(attrs={"inputmode": "numeric"}))

    field_order = ["seller", "buyer", "amount", "description", "auto_accept_days", "offer"]


class LimitsForm(forms.Form):
    debit_limit = forms.CharField(label=_("Debit limit"), max_length=30)
    credit_ceiling = forms.CharField(label=_("Maximum balance (empty: none)"), max_length=30,
                                     required=False)

    def __init__(self, *args, decimals: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.decimals = decimals

    def clean_debit_limit(self):
        return parse_amount(self.cleaned_data["debit_limit"], self.decimals, allow_zero=True)

    def clean_credit_ceiling(self):
        raw = self.cleaned_data.get("credit_ceiling", "")
        if not raw.strip():
            return None
        return parse_amount(raw, self.decimals, allow_zero=True)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[
        (AccountStatus.ACTIVE.value, _("active")), (AccountStatus.LOCKED.value, _("locked")),
        (AccountStatus.CLOSED.value, _("closed"))])


class OfferForm(forms.Form):
    kind = forms.ChoiceField(label=_("Offer or need"), choices=Offer.Kind.choices,
                             widget=forms.RadioSelect, initial=Offer.Kind.OFFER)
    title = forms.CharField(label=_("Title"), max_length=150)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ChoiceField(label=_("Category"), choices=OfferCategory.choices)
    place = forms.CharField(label=_("Place"), max_length=150, required=False)
    expires_on = forms.DateField(label=_("Until"), widget=forms.DateInput(
        attrs={"type": "date"}, format="%Y-%m-%d"))
    price_euros = forms.CharField(label=_("Price in euros"), max_length=30, required=False)
    price_units = forms.CharField(label=_("Price in social currency"), max_length=30,
                                  required=False)
    currency = forms.ChoiceField(label=_("Social currency"), required=False)
    on_behalf_of = forms.ChoiceField(label=_("Published for"), required=False)

    def __init__(self, *args, currencies, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.currencies = {c.pk: c for c in currencies}
        self.bodies = {b.pk: b for b in bodies}
        self.fields["currency"].choices = [(str(c.pk), str(c)) for c in currencies]
        self.fields["on_behalf_of"].choices = [("", _("myself"))] + [
            (str(b.pk), b.name) for b in bodies]
        if not bodies:
            self.fields["on_behalf_of"].widget = forms.HiddenInput()

    def clean_expires_on(self):
        return checked_day(self.cleaned_data["expires_on"], "expires_on")

    def clean_price_euros(self):
        raw = self.cleaned_data.get("price_euros", "")
        return parse_amount(raw, 2, allow_zero=True) if raw.strip() else None

    def clean(self):
        data = super().clean()
        currency = self.currencies.get(int(data["currency"])) if data.get("currency") else None
        if data.get("currency") and currency is None:
            self.add_error("currency", _("Choose a social currency of this cooperative."))
        data["currency_obj"] = currency
        raw = data.get("price_units") or ""
        data["price_units_minor"] = None
        if raw.strip():
            if currency is None:
                self.add_error("currency", _("Choose the currency of the price."))
            else:
                try:
                    data["price_units_minor"] = parse_amount(raw, currency.decimals,
                                                             allow_zero=True)
                except ValidationError as error:
                    self.add_error("price_units", error)
        body = data.get("on_behalf_of")
        data["on_behalf_of_obj"] = self.bodies.get(int(body)) if body else None
        return data


class FundMovementForm(forms.Form):
    INCOME, EXPENSE = "income", "expense"

    direction = forms.ChoiceField(label=_("Income or expense"), widget=forms.RadioSelect,
                                  choices=[(INCOME, _("income")), (EXPENSE, _("expense"))],
                                  initial=INCOME)
    amount = forms.CharField(label=_("Amount in euros"), max_length=30)
    category = forms.ChoiceField(label=_("Category"), choices=FundCategory.choices)
    description = forms.CharField(label=_("Description"), max_length=255)
    happened_on = forms.DateField(label=_("Date"), widget=forms.DateInput(
        attrs={"type": "date"}, format="%Y-%m-%d"))
    decision = forms.ChoiceField(label=_("Decision that allowed the expense"), required=False)

    def __init__(self, *args, decisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.decisions = {d.pk: d for d in decisions}
        self.fields["decision"].choices = [("", "—")] + [
            (str(d.pk), f"{d.title} ({date_format(clock.local(d.decided_at), 'j F Y')})")
            for d in decisions]

    def clean_amount(self):
        return parse_amount(self.cleaned_data["amount"], 2)

    def clean_happened_on(self):
        return checked_day(self.cleaned_data["happened_on"], "happened_on")

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        data["decision_obj"] = self.decisions.get(int(decision)) if decision else None
        if decision and data["decision_obj"] is None:
            self.add_error("decision", _("Choose an adopted decision of this body."))
        if "amount" in data and data.get("direction") == self.EXPENSE:
            data["signed_amount"] = -data["amount"]
        elif "amount" in data:
            data["signed_amount"] = data["amount"]
        return data


class OverdraftForm(forms.Form):
    overdraft = forms.CharField(label=_("Overdraft allowed (euros)"), max_length=30)

    def clean_overdraft(self):
        return parse_amount(self.cleaned_data["overdraft"], 2, allow_zero=True)


class CurrencyForm(forms.Form):
    """A new currency, as POST /api/bodies/{slug}/currencies takes it: the amounts are
    typed in the new currency's units; the service checks the rest."""

    name = forms.CharField(label=_("Name"), max_length=60)
    symbol = forms.CharField(label=_("Symbol"), max_length=8)
    code = forms.CharField(label=_("Code (letters, digits, “-”, “_”)"), max_length=20,
                           widget=forms.TextInput(attrs={"autocapitalize": "none",
                                                         "autocomplete": "off"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=CurrencyKind.choices,
                             initial=CurrencyKind.MUTUAL_CREDIT)
    euro_rate = forms.CharField(label=_("Value of one unit, in euros"), max_length=20,
                                initial="1", widget=forms.TextInput(
                                    attrs={"inputmode": "decimal", "autocomplete": "off"}))
    decimals = forms.IntegerField(
        label=_("Decimals"), initial=2, min_value=0, max_value=4,
        error_messages={"min_value": _("A currency has 0 to 4 decimals."),
                        "max_value": _("A currency has 0 to 4 decimals."),
                        "invalid": _("A currency has 0 to 4 decimals.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    default_debit_limit = forms.CharField(
        label=_("Debit limit of a new account"), max_length=30, initial="0",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    default_credit_ceiling = forms.CharField(
        label=_("Maximum balance of a new account (empty: none)"), max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    auto_accept_days = forms.IntegerField(
        label=_("Payment requests accepted automatically after (days, empty: never)"),
        required=False, min_value=1, max_value=60,
        error_messages={"min_value": _("Automatic acceptance comes after 1 to 60 days; "
                                       "leave it empty for none."),
                        "max_value": _("Automatic acceptance comes after 1 to 60 days; "
                                       "leave it empty for none.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    euros_convert_in_only = forms.BooleanField(
        label=_("Euros convert into it, never back"), required=False)

    def clean(self):
        data = super().clean()
        decimals = data.get("decimals")
        if decimals is None:
            return data
        try:
            data["debit_limit_minor"] = inputs.parse_amount(
                data.get("default_debit_limit", ""), decimals, "default_debit_limit",
                zero=True, below=str(_("A debit limit is zero or more.")))
        except DomainError as error:
            if "default_debit_limit" in data:
                self.add_error("default_debit_limit", error.message)
        raw = data.get("default_credit_ceiling") or ""
        data["credit_ceiling_minor"] = None
        if raw.strip():
            try:
                data["credit_ceiling_minor"] = inputs.parse_amount(
                    raw, decimals, "default_credit_ceiling",
                    below=str(_("A default maximum balance is more than zero; leave it "
                                "empty for no maximum.")))
            except DomainError as error:
                self.add_error("default_credit_ceiling", error.message)
        return data


class ClearingForm(forms.Form):
    """Pay an account of another cooperative's social currency from one of mine (POST
    /api/payments/across): the payee is named by its account number, the amount is in
    the payer's currency."""

    payer = forms.ChoiceField(label=_("From my account"))
    payee = forms.IntegerField(label=_("Account number of the payee"), min_value=1,
                               max_value=2**63 - 1,
                               error_messages={"invalid": _("Type the account number, "
                                                            "such as 42."),
                                               "min_value": _("Type the account number, "
                                                              "such as 42."),
                                               "max_value": _("There is no such account.")},
                               widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                             "autocomplete": "off"}))
    amount = forms.CharField(label=_("Amount, in the currency of my account"), max_length=30,
                             widget=forms.TextInput(attrs={"inputmode": "decimal",
                                                           "autocomplete": "off"}))
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    idempotency_key = forms.CharField(max_length=80, widget=forms.HiddenInput)

    def __init__(self, *args, mine, **kwargs):
        super().__init__(*args, **kwargs)
        self.mine_rows = {row.account.pk: row for row in mine}
        self.fields["payer"].choices = [
            (str(row.account.pk), f"{row.account.name} — {row.currency.symbol} "
                                  f"({row.balance_text})") for row in mine]

    def clean(self):
        data = super().clean()
        payer = data.get("payer")
        row = self.mine_rows.get(int(payer)) if payer else None
        data["payer_account"] = row.account if row else None
        if row is not None and "amount" in data:
            try:
                data["amount_minor"] = parse_amount(data["amount"], row.currency.decimals)
            except ValidationError as error:
                self.add_error("amount", error)
        return data
