"""A person's data in the economy (GDPR art. 15 and 20): their accounts, the payments
in and out of them and those they made, their payment requests, offers and needs, the
fund movements they recorded, and the status changes they made (core.personal_data)."""

from django.db.models import Q

from autogestion.core.personal_data import plain, rows_of

from .models import (
    Account,
    AccountEvent,
    Entry,
    FundMovement,
    Offer,
    Payment,
    PaymentRequest,
    PaymentRequestEvent,
)


def _rows(queryset) -> list[dict]:
    fields = [f for f in queryset.model._meta.concrete_fields]
    return [{("id" if f.primary_key else f.attname): plain(getattr(row, f.attname))
             for f in fields} for row in queryset.order_by("pk")]


def export(person) -> dict:
    own = Account.objects.filter(person=person).values("pk")
    return {
        "account": rows_of(Account.objects.all(), person, "person"),
        # Payments made by the person, or in or out of their own accounts.
        "payment": _rows(Payment.objects.filter(
            Q(created_by=person) | Q(payer__in=own) | Q(payee__in=own))),
        "entry": _rows(Entry.objects.filter(account__in=own)),
        "paymentrequest": _rows(PaymentRequest.objects.filter(
            Q(created_by=person) | Q(seller__in=own) | Q(buyer__in=own))),
        "offer": rows_of(Offer.objects.all(), person, "author"),
        "fundmovement": rows_of(FundMovement.objects.all(), person, "recorded_by"),
        "accountevent": _rows(AccountEvent.objects.filter(
            Q(actor=person) | Q(account__in=own))),
        "paymentrequestevent": rows_of(PaymentRequestEvent.objects.all(), person, "actor"),
    }
