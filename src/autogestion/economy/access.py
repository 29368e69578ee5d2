"""The economy's objects for a caller, for pages and the API alike (core.access, R2).

One rule for both edges:
- a body's economy (its currencies, offers, fund) is for the members of the body: a
  closed body is 404 to strangers, an open one (a cooperative) 403 to non-members;
- an account, a payment, a payment request are seen by those who hold or run the
  accounts, the members of the body holding them and the stewards of the currency:
  to anyone else they do not exist (404); seen but not allowed is 403 saying who may;
- an offer is seen by the members of its cooperative (404 to others).
"""

from django.utils.translation import gettext as _

from autogestion.cooperatives.access import get_body_for
from autogestion.cooperatives.models import Body
from autogestion.cooperatives.permissions import is_member
from autogestion.cooperatives.rules import Kind
from autogestion.core import access
from autogestion.core.errors import DomainError, NotFound

from . import permissions
from .models import Account, Currency, Offer, Payment, PaymentRequest


def _members_only() -> str:
    return _("The economy of %(body)s is visible to its members only.")


def get_economy_body_for(user, slug: str) -> Body:
    """Any body whose economy (its fund) `user` asks for: 404 when `user` may not see
    the body, 403 when they are not a member of it."""
    return get_body_for(user, slug, may=permissions.can_see_economy,
                        refusal=_members_only())


get_fund_for = get_economy_body_for


def get_cooperative_for(user, slug: str, *, group_to_cooperative: bool = False) -> Body:
    """The cooperative whose currencies, accounts and offers `user` asks for. A body
    that is not a cooperative is 404 with a message naming the cooperative to ask;
    with `group_to_cooperative`, a group or project stands for its cooperative (as the
    pages redirect there)."""
    body = get_body_for(user, slug)
    if body.kind != Kind.COOPERATIVE:
        cooperative = body.enclosing_cooperative()
        if cooperative is None:
            raise NotFound(_("%(body)s is not a cooperative: currencies, accounts and "
                             "offers belong to a cooperative.") % {"body": body.name})
        if not group_to_cooperative:
            raise NotFound(_("%(body)s is not a cooperative: ask the economy of "
                             "%(cooperative)s (%(slug)s).")
                           % {"body": body.name, "cooperative": cooperative.name,
                              "slug": cooperative.slug})
        body = cooperative
    return access.check(user, body, may_see=_anyone, may=permissions.can_see_economy,
                        refusal=_members_only() % {"body": body.name})


def _anyone(user, obj) -> bool:
    return True


def get_currency_for(user, currency_id) -> Currency:
    """A currency and its changes: as its cooperative's economy (404 when the cooperative
    is hidden from `user`, 403 to non-members of an open one)."""
    currency = (Currency.objects.select_related("cooperative")
                .prefetch_related("changes").filter(pk=currency_id).first()
                if str(currency_id).isdigit() else None)
    if currency is None:
        raise NotFound(_("There is no such currency."))
    get_cooperative_for(user, currency.cooperative.slug)
    return currency


# Accounts, payments, requests ----------------------------------------------------------

def may_see_account(user, account: Account) -> bool:
    """Knows the account exists: its holder, those who run it, the members of the body
    holding it, the stewards of its currency."""
    return bool(permissions.can_see_account(user, account)
                or (account.body_id is not None and is_member(user, account.body)))


def _no_account() -> str:
    return _("There is no such account.")


def accounts():
    return Account.objects.select_related("currency__cooperative", "body", "person")


def get_account_for(user, account_id, *, may=None, refusal: str | None = None) -> Account:
    """An account `user` may know of (404 otherwise); with `may`, 403 with `refusal`
    when they may not do the action."""
    return access.get_for(user, accounts(), may_see=may_see_account, may=may,
                          refusal=refusal, hidden=_no_account(), pk=account_id)


def get_statement_for(user, account_id) -> Account:
    """Its balance and statement: the holder, those who run it, the currency's stewards."""
    return get_account_for(user, account_id, may=permissions.can_see_account,
                           refusal=_("A statement is for the holder of the account and the "
                                     "stewards of the currency."))


def _stewards_currency(user, account: Account) -> bool:
    return bool(permissions.can_steward(user, account.currency.cooperative))


def get_account_to_steward(user, account_id, refusal: str) -> Account:
    """Limits and status: the stewards of the account's currency."""
    return get_account_for(user, account_id, may=_stewards_currency, refusal=refusal)


def get_account_to_pay_from(user, account_id, refusal: str) -> Account:
    """The account paid from (or asked payment for): one `user` may pay from."""
    return get_account_for(user, account_id, may=permissions.can_pay_from, refusal=refusal)


def may_read_payment(user, payment: Payment) -> bool:
    return bool(permissions.can_pay_from(user, payment.payer)
                or permissions.can_pay_from(user, payment.payee)
                or permissions.can_steward(user, payment.currency.cooperative))


def _may_see_payment(user, payment: Payment) -> bool:
    return (may_see_account(user, payment.payer) or may_see_account(user, payment.payee)
            or may_read_payment(user, payment))


def get_payment_for(user, payment_id) -> Payment:
    """A payment: those who know of one of its accounts know of it (404 otherwise); the
    holders of its two accounts and the stewards of its currency read it (403)."""
    return access.get_for(
        user, Payment.objects.select_related("currency__cooperative", "payer__body",
                                             "payee__body", "payer__currency",
                                             "payee__currency"),
        may_see=_may_see_payment, may=may_read_payment,
        refusal=_("A payment is for the holders of its two accounts and the stewards of "
                  "the currency."),
        hidden=_("There is no such payment."), pk=payment_id)


def may_read_request(user, found: PaymentRequest) -> bool:
    return bool(permissions.can_pay_from(user, found.buyer)
                or permissions.can_pay_from(user, found.seller)
                or permissions.can_steward(user, found.seller.currency.cooperative))


def _may_see_request(user, found: PaymentRequest) -> bool:
    return (may_see_account(user, found.buyer) or may_see_account(user, found.seller)
            or may_read_request(user, found))


def requests():
    return PaymentRequest.objects.select_related(
        "seller__currency__cooperative", "seller__body", "buyer__body", "buyer__currency")


def get_request_for(user, request_id) -> PaymentRequest:
    """A payment request: as a payment (404 to strangers, 403 to those who only know
    of one of its accounts)."""
    return access.get_for(
        user, requests(), may_see=_may_see_request, may=may_read_request,
        refusal=_("A payment request is for its buyer, its seller and the stewards of the "
                  "currency."),
        hidden=_("There is no such payment request."), pk=request_id)


# Offers --------------------------------------------------------------------------------

def _may_see_offer(user, offer: Offer) -> bool:
    return bool(permissions.can_see_economy(user, offer.cooperative))


def get_offer_for(user, offer_id) -> Offer:
    """An offer or a need: the members of its cooperative (404 to others)."""
    return access.get_for(user, Offer.objects.select_related("cooperative", "currency",
                                                             "author", "on_behalf_of"),
                          may_see=_may_see_offer, hidden=_("There is no such offer."),
                          pk=offer_id)


def offer_cited(cooperative_id: int, offer_id, field: str = "offer_id") -> Offer | None:
    """The offer a payment or a request cites, one of the cooperative's (400 otherwise:
    it is part of the input)."""
    if offer_id in (None, ""):
        return None
    offer = Offer.objects.filter(pk=offer_id, cooperative_id=cooperative_id).first() \
        if str(offer_id).isdigit() else None
    if offer is None:
        raise DomainError(_("There is no such offer."), field=field)
    return offer


def get_cooperative_to_steward(user, slug: str, refusal: str) -> Body:
    """A cooperative whose economy `user` sets up (its currencies): its coordinators and
    stewards (and operators)."""
    cooperative = get_cooperative_for(user, slug)
    return access.check(user, cooperative, may_see=lambda _user, _found: True,
                        may=permissions.can_steward,
                        refusal=refusal % {"body": cooperative.name})
