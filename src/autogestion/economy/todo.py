"""What waits for a person in the economy ("À faire", core/todo.py): the payment requests
sent to the accounts they run (their own, and those of the bodies they coordinate or
steward), to accept and pay or to decline; the one that accepts itself soonest first."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autogestion.core.formats import amount_text
from autogestion.core.todo import (
    LIMIT,
    OfflinePage,
    Section,
    TodoItem,
    moment_text,
    urgency_of,
)

from . import queries
from .models import Account, RequestStatus

PAYMENTS = Section("payments", gettext_lazy("Payments asked of me"), 20)
SECTIONS = [PAYMENTS]


def items(person, today) -> list[TodoItem]:
    """One query."""
    requests = (queries.my_requests(person, role="buyer", status=RequestStatus.PENDING)
                .select_related("seller__currency__cooperative", "buyer")
                .order_by("auto_accept_at", "created_at", "pk")[:LIMIT])
    found = []
    for request in requests:
        currency = request.seller.currency
        amount = amount_text(request.amount, currency.decimals, currency.symbol)
        title = _("%(seller)s asks for %(amount)s") % {"amount": amount,
                                                       "seller": request.seller.name}
        parts = [request.description] if request.description else []
        if request.buyer.person_id is None:
            parts.append(_("to pay from: %(name)s") % {"name": request.buyer.name})
        if request.auto_accept_at:
            parts.append(_("accepted by itself: %(when)s, unless declined") % {
                "when": moment_text(request.auto_accept_at, today)})
        found.append(TodoItem(
            section=PAYMENTS, title=title,
            url=reverse("economy", args=[currency.cooperative.slug]) + "#requests-in",
            action=_("Pay or decline"), detail=" · ".join(parts),
            when=request.auto_accept_at, urgency=urgency_of(request.auto_accept_at)))
    return found


def offline_pages(person, today) -> list[OfflinePage]:
    """The economy page of each cooperative the person holds an account in (their
    balances), and the menu's "Economy", which leads to one of them. One query."""
    cooperatives = (Account.objects.filter(person=person)
                    .values_list("currency__cooperative__slug", "currency__cooperative__name")
                    .distinct().order_by("currency__cooperative__name"))
    pages = [OfflinePage(_("My balances — %(body)s") % {"body": name},
                         reverse("economy", args=[slug])) for slug, name in cooperatives]
    if pages:
        pages.append(OfflinePage(_("Economy"), reverse("economy_home"), shown=False))
    return pages
