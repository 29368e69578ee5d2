"""Currencies, accounts and the ledger of payments (mutual credit, R9), payment
requests, the common fund (R8), and offers and needs (R10). Amounts are integers in
minor units; invariants are database constraints as well as rules."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from autogestion.cooperatives.models import Body
from autogestion.core.history import StatusEvent

from .rules import AccountStatus


class AccountStatusChoice(models.TextChoices):
    ACTIVE = AccountStatus.ACTIVE, _("active")
    LOCKED = AccountStatus.LOCKED, _("locked")
    CLOSED = AccountStatus.CLOSED, _("closed")


class CurrencyKind(models.TextChoices):
    EURO = "euro", _("euro")
    MUTUAL_CREDIT = "mutual_credit", _("social currency (mutual credit)")


class Currency(models.Model):
    cooperative = models.ForeignKey(Body, verbose_name=_("cooperative"),
                                    on_delete=models.PROTECT, related_name="currencies")
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    symbol = models.CharField(_("symbol"), max_length=8)
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=2)
    kind = models.CharField(_("kind"), max_length=20, choices=CurrencyKind.choices)
    euro_rate = models.DecimalField(_("worth in euros"), max_digits=12, decimal_places=6,
                                    default=1)
    default_debit_limit = models.BigIntegerField(_("default debit limit (minor units)"),
                                                 default=0)
    # The maximum balance of a new account (None: no maximum).
    default_credit_ceiling = models.BigIntegerField(
        _("default maximum balance (minor units)"), null=True, blank=True)
    # A payment request in this currency is accepted by itself after this many days
    # unless the buyer declines, when the seller sets no delay of their own.
    auto_accept_days = models.PositiveSmallIntegerField(
        _("automatic acceptance of payment requests (days)"), null=True, blank=True)
    # The CIC's ECO: euros convert into it, never back.
    euros_convert_in_only = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")
        constraints = [
            models.CheckConstraint(condition=Q(decimals__lte=4), name="currency_decimals_0_4"),
            models.CheckConstraint(condition=Q(euro_rate__gt=0), name="currency_rate_positive"),
            models.CheckConstraint(condition=Q(default_debit_limit__gte=0),
                                   name="currency_default_limit_positive"),
            models.CheckConstraint(condition=Q(default_credit_ceiling__isnull=True)
                                   | Q(default_credit_ceiling__gt=0),
                                   name="currency_default_ceiling_positive"),
            models.CheckConstraint(condition=Q(auto_accept_days__isnull=True)
                                   | Q(auto_accept_days__gte=1, auto_accept_days__lte=60),
                                   name="currency_auto_accept_1_60_days"),
            models.CheckConstraint(condition=Q(kind__in=CurrencyKind.values),
                                   name="currency_kind_known"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.symbol})"


class CurrencyChangeKind(models.TextChoices):
    VALUE = "value", _("euro value")
    LIMITS = "limits", _("default limits")


class CurrencyChange(models.Model):
    """A change of a currency's euro value or default limits, made by an adopted decision
    of its cooperative (economy/effects.py), never by hand: what it was, what it became,
    and which decision changed it."""

    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("what changed"), max_length=10,
                            choices=CurrencyChangeKind.choices)
    # Fields and values as the API answers them ({"euro_rate": "1"}).
    before = models.JSONField(_("before"))
    after = models.JSONField(_("after"))
    # The decision (and its proposal) of the decisions app, by number: the register keeps
    # them for ever.
    decision_id = models.PositiveBigIntegerField(_("decision"))
    proposal_id = models.PositiveBigIntegerField(_("proposal"), null=True, blank=True)
    at = models.DateTimeField(_("applied at"))

    class Meta:
        verbose_name = _("change of a currency")
        verbose_name_plural = _("changes of currencies")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["currency", "at"])]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CurrencyChangeKind.values),
                                   name="currency_change_kind_known"),
            models.CheckConstraint(condition=Q(decision_id__gt=0),
                                   name="currency_change_has_decision"),
        ]

    def __str__(self) -> str:
        return f"{self.currency_id} {self.kind} by decision {self.decision_id}"


class AccountKind(models.TextChoices):
    MEMBER = "member", _("member")
    GROUP = "group", _("group")
    PROJECT = "project", _("project")
    COOPERATIVE = "cooperative", _("cooperative")
    CLEARING = "clearing", _("clearing account of another network")


class Account(models.Model):
    """An account in one currency. Its balance is the sum of its entries, moved only by
    payments; it stays within its limits (CHECK constraints)."""

    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="accounts")
    kind = models.CharField(_("kind"), max_length=20, choices=AccountKind.choices)
    name = models.CharField(_("name"), max_length=120)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.PROTECT, related_name="money_accounts")
    body = models.ForeignKey(Body, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="money_accounts")
    # For a clearing account: the other network's currency it stands for.
    counterpart = models.ForeignKey(Currency, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    balance = models.BigIntegerField(_("balance"), default=0)
    debit_limit = models.BigIntegerField(_("debit limit"), default=0)
    credit_ceiling = models.BigIntegerField(_("maximum balance"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, default=AccountStatus.ACTIVE,
                              choices=AccountStatusChoice.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.CheckConstraint(condition=Q(debit_limit__gte=0), name="account_limit_positive"),
            models.CheckConstraint(condition=Q(balance__gte=-F("debit_limit")),
                                   name="account_within_debit_limit"),
            models.CheckConstraint(condition=Q(credit_ceiling__isnull=True)
                                   | Q(balance__lte=F("credit_ceiling")),
                                   name="account_within_credit_ceiling"),
            models.UniqueConstraint(fields=["currency", "person"],
                                    condition=Q(person__isnull=False),
                                    name="account_one_per_person_and_currency"),
            models.UniqueConstraint(fields=["currency", "body", "kind"],
                                    condition=Q(body__isnull=False),
                                    name="account_one_per_body_kind_and_currency"),
            models.UniqueConstraint(fields=["currency", "counterpart"],
                                    condition=Q(counterpart__isnull=False),
                                    name="account_one_clearing_per_counterpart"),
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.currency.code}]"


class AccountEvent(StatusEvent):
    """A change of an account's status (opened, locked, opened again, closed)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        verbose_name = _("account event")
        verbose_name_plural = _("account events")


class Payment(models.Model):
    """A final movement of units between two accounts of one currency. A correction is
    a new payment (a reversal) that references the original."""

    # Every index on this append-only table is paid by every payment. Statements read the
    # entries (indexed by account and time), not the payments, so the links to the
    # currency, the accounts and the author carry no index of their own; the export
    # reads a cooperative's payments whole.
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="payments",
                                 db_index=False)
    payer = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="payments_out",
                              db_index=False)
    payee = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="payments_in",
                              db_index=False)
    amount = models.BigIntegerField(_("amount"))
    description = models.CharField(_("description"), max_length=255, blank=True)
    # Most payments have no offer and clear nothing: those two columns are indexed only
    # where they are set (partial indexes below).
    offer = models.ForeignKey("Offer", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="payments", db_index=False)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by")
    # Pairs of payments across two currencies (clearing between networks).
    clearing_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="cleared_by", db_index=False)
    # Looked up with its idempotency key, through the partial unique index below.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   db_index=False)
    idempotency_key = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["offer"], condition=Q(offer__isnull=False),
                         name="payment_offer_set"),
            models.Index(fields=["clearing_of"], condition=Q(clearing_of__isnull=False),
                         name="payment_clearing_of_set"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=~Q(payer=F("payee")), name="payment_two_accounts"),
            models.UniqueConstraint(fields=["created_by", "idempotency_key"],
                                    condition=~Q(idempotency_key=""),
                                    name="payment_idempotent"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency.code}: {self.payer_id} → {self.payee_id}"


class Entry(models.Model):
    """Double entry: each payment writes two entries that sum to zero."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="entries")
    # Indexed by (account, created_at) below, which serves lookups by account alone too.
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries",
                                db_index=False)
    amount = models.BigIntegerField()
    balance_after = models.BigIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["account", "created_at"])]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="entry_not_zero")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount:+}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("waiting for the buyer")
    ACCEPTED = "accepted", _("accepted and paid")
    DECLINED = "declined", _("declined")
    CANCELLED = "cancelled", _("cancelled")


class PaymentRequest(models.Model):
    """A seller asks a buyer to pay; the buyer accepts (the payment happens) or declines.
    It may accept itself after a delay."""

    seller = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="requests_out")
    buyer = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="requests_in")
    amount = models.BigIntegerField(_("amount"))
    description = models.CharField(_("description"), max_length=255, blank=True)
    offer = models.ForeignKey("Offer", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    status = models.CharField(max_length=12, choices=RequestStatus.choices,
                              default=RequestStatus.PENDING)
    auto_accept_at = models.DateTimeField(_("accepted automatically at"), null=True,
                                          blank=True)
    payment = models.OneToOneField(Payment, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="request")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="request_amount_positive"),
            models.CheckConstraint(condition=~Q(status=RequestStatus.ACCEPTED)
                                   | Q(payment__isnull=False),
                                   name="request_accepted_is_paid"),
        ]

    def __str__(self) -> str:
        return f"request {self.pk}"


class PaymentRequestEvent(StatusEvent):
    """A change of a payment request's status (sent, accepted, declined, cancelled)."""

    request = models.ForeignKey(PaymentRequest, on_delete=models.CASCADE,
                                related_name="events")

    class Meta(StatusEvent.Meta):
        verbose_name = _("payment request event")
        verbose_name_plural = _("payment request events")


# The common fund --------------------------------------------------------------------

class Fund(models.Model):
    """A body's treasury in euros (caisse commune)."""

    body = models.OneToOneField(Body, on_delete=models.PROTECT, related_name="fund")
    overdraft = models.BigIntegerField(_("overdraft allowed (cents)"), default=0)
    balance = models.BigIntegerField(_("balance (cents)"), default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(overdraft__gte=0), name="fund_overdraft_positive"),
            models.CheckConstraint(condition=Q(balance__gte=-F("overdraft")),
                                   name="fund_within_overdraft"),
        ]

    def __str__(self) -> str:
        return f"fund of {self.body}"


class FundCategory(models.TextChoices):
    CONTRIBUTION = "contribution", _("contribution")
    SALE = "sale", _("sale")
    SUBSIDY = "subsidy", _("subsidy")
    DONATION = "donation", _("donation")
    PURCHASE = "purchase", _("purchase")
    RENT = "rent", _("rent")
    SERVICES = "services", _("services")
    OTHER = "other", _("other")


INCOME = {FundCategory.CONTRIBUTION, FundCategory.SALE, FundCategory.SUBSIDY,
          FundCategory.DONATION, FundCategory.OTHER}


class FundMovement(models.Model):
    """Income (positive) or expense (negative) of the fund; every expense names the
    decision that allowed it."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="movements")
    amount = models.BigIntegerField(_("amount (cents)"))
    category = models.CharField(_("category"), max_length=20, choices=FundCategory.choices)
    description = models.CharField(_("description"), max_length=255)
    decision = models.ForeignKey("decisions.Decision", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="fund_movements",
                                 verbose_name=_("decision"))
    balance_after = models.BigIntegerField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    happened_on = models.DateField(_("date"))
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["happened_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="fund_movement_not_zero"),
            models.CheckConstraint(condition=Q(amount__gt=0) | Q(decision__isnull=False),
                                   name="fund_expense_has_decision"),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+} {self.description}"


# Offers and needs ---------------------------------------------------------------------

class OfferCategory(models.TextChoices):
    FOOD = "food", _("food")
    ENERGY = "energy", _("energy")
    HOUSING = "housing", _("housing")
    HEALTH = "health", _("health")
    EDUCATION = "education", _("education")
    TRANSPORT = "transport", _("transport")
    TOOLS = "tools", _("tools")
    SERVICES = "services", _("services")
    OTHER = "other", _("other")


class Offer(models.Model):
    """An offer or a need, published by a member, a group or a project."""

    class Kind(models.TextChoices):
        OFFER = "offer", _("offer")
        NEED = "need", _("need")

    cooperative = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="offers")
    kind = models.CharField(_("offer or need"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=OfferCategory.choices)
    place = models.CharField(_("place"), max_length=150, blank=True)
    expires_on = models.DateField(_("until"))
    price_euros = models.BigIntegerField(_("price in euros (cents)"), null=True, blank=True)
    price_units = models.BigIntegerField(_("price in social currency (minor units)"), null=True,
                                         blank=True)
    currency = models.ForeignKey(Currency, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="offers")
    # Published for a group or a project rather than oneself.
    on_behalf_of = models.ForeignKey(Body, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["cooperative", "expires_on", "category"])]
        constraints = [
            models.CheckConstraint(condition=Q(price_euros__isnull=True) | Q(price_euros__gte=0),
                                   name="offer_price_euros_positive"),
            models.CheckConstraint(condition=Q(price_units__isnull=True) | Q(price_units__gte=0),
                                   name="offer_price_units_positive"),
            models.CheckConstraint(condition=Q(price_units__isnull=True)
                                   | Q(currency__isnull=False),
                                   name="offer_units_have_currency"),
        ]

    def __str__(self) -> str:
        return self.title
