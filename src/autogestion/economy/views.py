"""Pages of the economy: a cooperative's currencies, accounts and payments (R9), account
statements, offers and needs (R10), and a body's common fund (R8). Thin: find and check
with access.py (the API's own rules: 404 hidden, 403 seen but not allowed), call one
service, show the result or the refusal with its status.

Who sees what: economy pages are for the members of the body. A closed body answers
404 to the others, an open one 403. A group's economy and offers pages (GET) lead to
its cooperative's; its other addresses answer 404 as the API does."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from autogestion.cooperatives import queries as body_queries
from autogestion.cooperatives.access import find_body
from autogestion.cooperatives.models import Body
from autogestion.cooperatives.permissions import active_body_ids
from autogestion.cooperatives.rules import Kind
from autogestion.core import clock
from autogestion.core.confirm import needs_confirmation
from autogestion.core.csv_export import csv_response
from autogestion.core.errors import DomainError
from autogestion.core.formats import amount_text

from . import access, permissions, queries, services
from .forms import (
    ClearingForm,
    CurrencyForm,
    FundMovementForm,
    LimitsForm,
    OfferForm,
    OverdraftForm,
    PayForm,
    RequestForm,
    StatusForm,
    new_key,
)
from .models import AccountKind, Currency, CurrencyKind, FundCategory, Offer, OfferCategory


def _group_redirect(slug: str, name: str):
    """A group's economy or offers page leads to its cooperative's (GET)."""
    body = find_body(slug)
    if body.kind != Kind.GROUP:
        return None
    cooperative = body.enclosing_cooperative()
    if cooperative is None:
        raise Http404
    return redirect(name, slug=cooperative.slug)


def _refused(request, exc: DomainError, title: str):
    return render(request, "core/error.html", {"title": title, "message": exc.message},
                  status=exc.status)


# The economy page --------------------------------------------------------------------

@login_required
def economy_home(request):
    """The menu's "Economy": the home cooperative's page, or the first cooperative the
    person is a member of when it is not the home one."""
    cooperative = body_queries.home_cooperative(settings.AUTOGESTION_HOME_COOPERATIVE)
    if cooperative is None:
        raise Http404
    if not permissions.can_see_economy(request.user, cooperative):
        mine = Body.objects.cooperatives().filter(
            pk__in=active_body_ids(request.user)).order_by("pk").first()
        cooperative = mine or cooperative
    return redirect("economy", slug=cooperative.slug)


def _economy_context(request, cooperative, page=None, **extra) -> dict:
    page = page or queries.economy_page(cooperative, request.user)
    user = request.user
    context = {
        "body": cooperative, "page": page,
        "can_steward": permissions.can_steward(user, cooperative),
        "pay_form": None, "request_form": None, "prefill_offer": None,
        "statuses": StatusForm.base_fields["status"].choices,
    }
    if page.mine:
        context["pay_form"] = PayForm(mine=page.mine, accounts=page.accounts,
                                      initial={"idempotency_key": new_key()})
        context["request_form"] = RequestForm(mine=page.mine, accounts=page.accounts)
    context.update(extra)
    return context


def _prefill(request, cooperative, page, context) -> None:
    """?offer=<id>: "pay for this" fills the pay form with the offer's payee, price
    and link."""
    raw = request.GET.get("offer", "")
    if not raw.isdigit() or context["pay_form"] is None:
        return
    offer = Offer.objects.filter(pk=int(raw), cooperative=cooperative,
                                 kind=Offer.Kind.OFFER, expires_on__gte=clock.today()) \
        .select_related("currency").first()
    if offer is None or offer.price_units is None:
        return
    payee = queries.payee_of_offer(offer)
    context["prefill_offer"] = offer
    if payee is None:
        context["prefill_missing"] = True
        return
    payer = next((row.account.pk for row in page.mine
                  if row.account.currency_id == offer.currency_id
                  and row.account.person_id == request.user.pk), None)
    context["pay_form"] = PayForm(mine=page.mine, accounts=page.accounts, initial={
        "idempotency_key": new_key(), "payer": payer, "payee": payee.pk, "offer": offer.pk,
        "amount": queries.field_amount(offer.price_units, offer.currency.decimals),
        "description": offer.title})


@login_required
def economy(request, slug):
    if elsewhere := _group_redirect(slug, "economy"):
        return elsewhere
    cooperative = access.get_cooperative_for(request.user, slug)
    page = queries.economy_page(cooperative, request.user)
    context = _economy_context(request, cooperative, page)
    _prefill(request, cooperative, page, context)
    return render(request, "economy/economy.html", context)


def _economy_refusal(request, cooperative, page, status, error=None, **forms):
    context = _economy_context(request, cooperative, page, **forms)
    context["error"] = error or _("Check the form below.")
    return render(request, "economy/economy.html", context, status=status)


@login_required
@require_POST
def pay(request, slug):
    cooperative = access.get_cooperative_for(request.user, slug)
    page = queries.economy_page(cooperative, request.user)
    form = PayForm(request.POST, mine=page.mine, accounts=page.accounts)
    if not form.is_valid():
        return _economy_refusal(request, cooperative, page, 400, pay_form=form)
    data = form.cleaned_data
    try:
        paid = services.pay_once(
            actor=request.user, payer_id=form.account("payer").pk,
            payee_id=form.account("payee").pk, amount=data["amount_minor"],
            description=data["description"],
            offer=access.offer_cited(cooperative.pk, data["offer"], "offer"),
            idempotency_key=data["idempotency_key"],
            currency_id=form.account("payer").currency_id)
    except DomainError as exc:
        if exc.field in form.fields:
            form.add_error(exc.field, exc.message)
        return _economy_refusal(request, cooperative, page, exc.status, pay_form=form,
                                error=exc.message)
    row = page.by_id()[paid.payment.payee_id]
    done = {"amount": queries.money(paid.payment.amount, row.currency),
            "payee": row.account.name}
    if paid.replayed:
        # The same form sent twice (a double click, a reload): paid once, and said so.
        messages.info(request, _("Already paid: %(amount)s to %(payee)s; nothing more was "
                                 "paid.") % done)
    else:
        messages.success(request, _("Paid %(amount)s to %(payee)s.") % done)
    return redirect("economy", slug=cooperative.slug)


@login_required
@require_POST
def request_payment(request, slug):
    cooperative = access.get_cooperative_for(request.user, slug)
    page = queries.economy_page(cooperative, request.user)
    form = RequestForm(request.POST, mine=page.mine, accounts=page.accounts)
    if not form.is_valid():
        return _economy_refusal(request, cooperative, page, 400, request_form=form)
    data = form.cleaned_data
    days = data.get("auto_accept_days")
    try:
        services.request_payment(
            actor=request.user, seller_id=form.account("seller").pk,
            buyer_id=form.account("buyer").pk, amount=data["amount_minor"],
            description=data["description"],
            offer=access.offer_cited(cooperative.pk, data["offer"], "offer"),
            auto_accept_after=timedelta(days=days) if days else None)
    except DomainError as exc:
        return _economy_refusal(request, cooperative, page, exc.status, request_form=form,
                                error=exc.message)
    messages.success(request, _("Payment request sent to %(buyer)s.")
                     % {"buyer": form.account("buyer").name})
    return redirect("economy", slug=cooperative.slug)


@login_required
@require_POST
def open_account(request, slug, currency_id):
    cooperative = access.get_cooperative_for(request.user, slug)
    currency = get_object_or_404(Currency, pk=currency_id, cooperative=cooperative)
    try:
        services.account_of(request.user, currency)
    except DomainError as exc:
        return _refused(request, exc, _("No account opened"))
    messages.success(request, _("Your account in %(currency)s is open.")
                     % {"currency": currency.name})
    offer = request.POST.get("offer", "")
    if offer.isdigit():  # back to the "pay for this" that needed the account
        return redirect(reverse("economy", args=[cooperative.slug]) + f"?offer={offer}#pay")
    return redirect("economy", slug=cooperative.slug)


def _answer_request(request, request_id, accept: bool):
    found = access.get_request_for(request.user, request_id)
    cooperative = found.seller.currency.cooperative
    try:
        if accept:
            services.accept_request(actor=request.user, request_id=found.pk)
            done = _("Request accepted: paid.")
        else:
            answered = services.decline_request(actor=request.user, request_id=found.pk)
            done = (_("Request declined.") if answered.status == "declined"
                    else _("Request cancelled."))
    except DomainError as exc:
        return _refused(request, exc, _("Request not answered"))
    messages.success(request, done)
    return redirect("economy", slug=cooperative.slug)


@login_required
@require_POST
def accept_request(request, request_id):
    return _answer_request(request, request_id, accept=True)


@login_required
@require_POST
def decline_request(request, request_id):
    return _answer_request(request, request_id, accept=False)


@login_required
@require_POST
def set_limits(request, account_id):
    account = access.get_account_to_steward(
        request.user, account_id, _("Only the stewards of the currency set its limits."))
    form = LimitsForm(request.POST, decimals=account.currency.decimals)
    if not form.is_valid():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _refused(request, DomainError(message), _("Limits not changed"))
    try:
        services.set_limits(actor=request.user, account_id=account.pk,
                            debit_limit=form.cleaned_data["debit_limit"],
                            credit_ceiling=form.cleaned_data["credit_ceiling"])
    except DomainError as exc:
        return _refused(request, exc, _("Limits not changed"))
    messages.success(request, _("Limits of %(account)s saved.") % {"account": account.name})
    return redirect(reverse("economy", args=[account.currency.cooperative.slug]) + "#accounts")


@login_required
@require_POST
def set_status(request, account_id):
    account = access.get_account_to_steward(
        request.user, account_id, _("Only the stewards of the currency lock or close "
                                    "accounts."))
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _refused(request, DomainError(_("Unknown status: active, locked or closed.")),
                        _("Status not changed"))
    try:
        changed = services.set_account_status(actor=request.user, account_id=account.pk,
                                              status=form.cleaned_data["status"])
    except DomainError as exc:
        return _refused(request, exc, _("Status not changed"))
    messages.success(request, _("%(account)s is now %(status)s.") % {
        "account": account.name, "status": changed.get_status_display()})
    return redirect(reverse("economy", args=[account.currency.cooperative.slug]) + "#accounts")


# Currencies ----------------------------------------------------------------------------

@login_required
def create_currency(request, slug):
    """A new currency of the cooperative, for its coordinators and stewards (POST
    /api/bodies/{slug}/currencies does the same)."""
    cooperative = access.get_cooperative_to_steward(
        request.user, slug, _("Only coordinators or stewards of %(body)s create its "
                              "currencies."))
    if request.method != "POST":
        return render(request, "economy/currency_form.html",
                      {"body": cooperative, "form": CurrencyForm()})
    form = CurrencyForm(request.POST)
    if not form.is_valid():
        return render(request, "economy/currency_form.html", {
            "body": cooperative, "form": form, "error": _("Check the form below.")},
            status=400)
    data = form.cleaned_data
    try:
        currency = services.create_currency(
            actor=request.user, cooperative=cooperative, code=data["code"],
            name=data["name"], symbol=data["symbol"], kind=data["kind"],
            decimals=data["decimals"], euro_rate=data["euro_rate"],
            default_debit_limit=data["debit_limit_minor"],
            default_credit_ceiling=data["credit_ceiling_minor"],
            auto_accept_days=data["auto_accept_days"],
            euros_convert_in_only=data["euros_convert_in_only"])
    except DomainError as exc:
        if exc.field in form.fields:
            form.add_error(exc.field, exc.message)
        return render(request, "economy/currency_form.html", {
            "body": cooperative, "form": form, "error": exc.message}, status=exc.status)
    messages.success(request, _("The currency %(name)s is created.") % {"name": currency.name})
    return redirect("currency_detail", currency_id=currency.pk)


@login_required
@require_safe
def currency_detail(request, currency_id):
    """A currency, its settings and their changes by decision, with the pages that
    propose a change (GET /api/currencies/{id} answers the same). Nothing here changes
    it: its euro value and default limits change only by decision."""
    currency = access.get_currency_for(request.user, currency_id)
    queries.describe_currency(currency)
    changes = list(currency.changes.all())
    labels = _setting_labels()
    for change in changes:
        change.rows = [(labels.get(key, key), _setting_text(key, change.before.get(key), currency),
                        _setting_text(key, change.after.get(key), currency))
                       for key in change.after]
    social = currency.kind == CurrencyKind.MUTUAL_CREDIT
    return render(request, "economy/currency.html", {
        "body": currency.cooperative, "currency": currency, "changes": changes,
        "propose_value": queries.propose_change_url(currency, "value") if social else "",
        "propose_limits": queries.propose_change_url(currency, "limits") if social else ""})


def _setting_labels() -> dict:
    return {"euro_rate": _("Value of one unit, in euros"),
            "default_debit_limit": _("Debit limit of a new account"),
            "default_credit_ceiling": _("Maximum balance of a new account")}


def _setting_text(key: str, value, currency) -> str | None:
    """A setting as the change log keeps it ("0.5", "100.00"), written for people
    ("0,5 €", "100,00 Os" in French); None stays None (no maximum)."""
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if key == "euro_rate":
        return f"{queries.rate_words(number)}\u00a0€"
    return amount_text(int(number.scaleb(currency.decimals)), currency.decimals,
                       currency.symbol)


# Clearing between the currencies of two networks ----------------------------------------

def _clearing_context(request, cooperative, page, form=None, **extra) -> dict:
    mine = [row for row in page.mine if row.currency.kind == CurrencyKind.MUTUAL_CREDIT]
    return {"body": cooperative, "mine": mine,
            "form": form or ClearingForm(mine=mine, initial={"idempotency_key": new_key()}),
            **extra}


@login_required
def pay_across(request, slug):
    """Pay an account of another cooperative's social currency (R9, R18): my currency
    goes to the clearing account of theirs, theirs pays the payee at the two euro
    values. Asked for confirmation with what the payee receives, as it cannot be
    undone; POST /api/payments/across does the same, with the same refusals."""
    cooperative = access.get_cooperative_for(request.user, slug)
    page = queries.economy_page(cooperative, request.user)
    if request.method != "POST":
        return render(request, "economy/clearing.html",
                      _clearing_context(request, cooperative, page))
    context = _clearing_context(request, cooperative, page)
    form = ClearingForm(request.POST, mine=context["mine"])
    if not form.is_valid():
        return render(request, "economy/clearing.html", {
            **context, "form": form, "error": _("Check the form below.")}, status=400)
    data = form.cleaned_data
    payer = data["payer_account"]
    try:
        preview = services.preview_across(actor=request.user, payer_id=payer.pk,
                                          payee_id=data["payee"], amount=data["amount_minor"])
        words = {"amount": queries.money(preview.amount, preview.source),
                 "received": queries.money(preview.converted, preview.target),
                 "payee": data["payee"], "currency": preview.target.name}
        if ask := needs_confirmation(
                request, _("Pay %(amount)s to account n° %(payee)s?") % words,
                detail=_("It receives %(received)s in %(currency)s, at the euro values of "
                         "the two currencies. A payment is final.") % words,
                cancel=reverse("economy_across", args=[cooperative.slug])):
            return ask
        done = services.pay_across_once(
            actor=request.user, payer_id=payer.pk, payee_id=data["payee"],
            amount=data["amount_minor"], description=data["description"],
            idempotency_key=data["idempotency_key"])
    except DomainError as exc:
        if exc.field in form.fields:
            form.add_error(exc.field, exc.message)
        return render(request, "economy/clearing.html", {
            **context, "form": form, "error": exc.message}, status=exc.status)
    words = {"amount": queries.money(done.paid.amount, preview.source),
             "received": queries.money(done.received.amount, preview.target),
             "payee": done.received.payee_id}
    if done.replayed:
        messages.info(request, _("Already paid: %(amount)s to account n° %(payee)s, which "
                                 "received %(received)s; nothing more was paid.") % words)
    else:
        messages.success(request, _("Paid %(amount)s; account n° %(payee)s received "
                                    "%(received)s.") % words)
    return redirect("economy_across", slug=cooperative.slug)


# Statements ----------------------------------------------------------------------------

def _date(raw: str) -> date | None:
    return date.fromisoformat(raw) if raw else None


@login_required
def account_statement(request, account_id):
    account = access.get_statement_for(request.user, account_id)
    cooperative = account.currency.cooperative
    params = request.GET
    try:
        date_from, date_to = _date(params.get("from", "")), _date(params.get("to", ""))
    except ValueError:
        return render(request, "economy/statement.html", {
            "account": account, "body": cooperative, "params": params, "statement": None,
            "error": _("Write dates as YYYY-MM-DD.")}, status=400)
    if params.get("format") == "csv":
        return _statement_csv(account, date_from, date_to)
    return render(request, "economy/statement.html", {
        "account": account, "body": cooperative, "params": params,
        "statement": queries.statement(account, date_from, date_to, request.user)})


def _statement_csv(account, date_from, date_to):
    """Every line of the period (the page stops at 500). Machine columns (ISO date,
    amounts with a point, codes) for spreadsheets and imports; beside each code its
    label, beside each amount its text, in the reader's language, for people."""
    currency = account.currency
    kinds = dict(AccountKind.choices)
    response, writer = csv_response(f"statement-{account.pk}.csv")
    writer.writerow(["date", "description", "counterpart", "counterpart_kind",
                     "counterpart_kind_label", "amount", "amount_text", "balance_after",
                     "balance_after_text", "payment_id"])
    for entry in queries.statement_entries(account, date_from, date_to).iterator(
            chunk_size=2000):
        counterpart = queries.counterpart_of(entry)
        writer.writerow([
            clock.local(entry.created_at).isoformat(), entry.payment.description,
            counterpart.name, counterpart.kind, kinds.get(counterpart.kind, counterpart.kind),
            queries.input_amount(entry.amount, currency.decimals),
            _csv_text(queries.money(entry.amount, currency)),
            queries.input_amount(entry.balance_after, currency.decimals),
            _csv_text(queries.money(entry.balance_after, currency)), entry.payment_id])
    return response


def _csv_text(text: str) -> str:
    """An amount's text for a CSV: a negative one starts with the minus sign (U+2212),
    as French typography writes it, so that the CSV writer does not take its hyphen for
    the start of a formula and prefix it with a quote."""
    return "\u2212" + text[1:] if text.startswith("-") else text


@login_required
@require_POST
def reverse_payment(request, payment_id):
    access.get_payment_for(request.user, payment_id)
    try:
        reversal = services.reverse_payment(actor=request.user, payment_id=payment_id,
                                            reason=request.POST.get("reason", "").strip())
    except DomainError as exc:
        return _refused(request, exc, _("Payment not reversed"))
    messages.success(request, _("Payment reversed: the amount went back to the payer."))
    return redirect("account_statement", account_id=reversal.payer_id)


# Offers and needs ----------------------------------------------------------------------

def _offers_context(request, cooperative, form=None) -> dict:
    params = request.GET
    kind = params.get("kind", "")
    category = params.get("category", "")
    rows, truncated = queries.offers(
        cooperative, text=params.get("q", "").strip()[:200],
        category=category if category in OfferCategory.values else "",
        place=params.get("place", "").strip()[:100],
        kind=kind if kind in Offer.Kind.values else "")
    for row in rows:
        row.can_withdraw = bool(permissions.can_withdraw_offer(request.user, row.offer))
    return {"body": cooperative, "rows": rows, "truncated": truncated, "params": params,
            "categories": OfferCategory.choices, "kinds": Offer.Kind.choices,
            "form": form or _offer_form(request, cooperative)}


def _offer_form(request, cooperative, data=None) -> OfferForm:
    from autogestion.cooperatives.permissions import coordinated_body_ids

    coordinated = coordinated_body_ids(request.user)
    bodies = list(Body.objects.descendants_of(cooperative).filter(pk__in=coordinated)
                  .order_by("path")) if coordinated else []
    return OfferForm(data, currencies=queries.social_currencies(cooperative), bodies=bodies,
                     initial={"expires_on": clock.today() + timedelta(days=30)})


@login_required
def offers(request, slug):
    if request.method != "POST" and (elsewhere := _group_redirect(slug, "offers")):
        return elsewhere
    cooperative = access.get_cooperative_for(request.user, slug, group_to_cooperative=True)
    if request.method != "POST":
        return render(request, "economy/offers.html", _offers_context(request, cooperative))
    form = _offer_form(request, cooperative, request.POST)
    if not form.is_valid():
        return render(request, "economy/offers.html",
                      _offers_context(request, cooperative, form) | {
                          "error": _("Check the form below.")}, status=400)
    data = form.cleaned_data
    try:
        offer = services.publish_offer(
            actor=request.user, cooperative=cooperative, kind=data["kind"],
            title=data["title"], category=data["category"], expires_on=data["expires_on"],
            description=data["description"], place=data["place"],
            price_euros=data["price_euros"], price_units=data["price_units_minor"],
            currency=data["currency_obj"] if data["price_units_minor"] is not None else None,
            on_behalf_of=data["on_behalf_of_obj"])
    except DomainError as exc:
        if exc.field in form.fields:
            form.add_error(exc.field, exc.message)
        return render(request, "economy/offers.html",
                      _offers_context(request, cooperative, form) | {"error": exc.message},
                      status=exc.status)
    messages.success(request, _("“%(title)s” is published.") % {"title": offer.title})
    return redirect("offers", slug=cooperative.slug)


@login_required
@require_POST
def withdraw_offer(request, offer_id):
    offer = access.get_offer_for(request.user, offer_id)
    try:
        services.withdraw_offer(actor=request.user, offer_id=offer.pk)
    except DomainError as exc:
        return _refused(request, exc, _("Offer not withdrawn"))
    messages.success(request, _("“%(title)s” is withdrawn.") % {"title": offer.title})
    return redirect("offers", slug=offer.cooperative.slug)


# The common fund -----------------------------------------------------------------------

def _fund_context(request, body, year=None, **extra) -> dict:
    can_keep = permissions.can_steward(request.user, body)
    page = queries.fund_page(body, year)
    context = {"body": body, "page": page, "can_keep": can_keep,
               "form": None, "overdraft_form": None}
    if can_keep:
        context["form"] = FundMovementForm(decisions=queries.adopted_decisions(body),
                                           initial={"happened_on": clock.today()})
        overdraft = page.fund.overdraft if page.fund else 0
        context["overdraft_form"] = OverdraftForm(
            initial={"overdraft": queries.field_amount(overdraft, 2)})
    context.update(extra)
    return context


@login_required
def fund(request, slug):
    body = access.get_fund_for(request.user, slug)
    if request.method == "POST":
        return _record_movement(request, body)
    raw = request.GET.get("year", "")
    year = None
    if raw:
        if not (raw.isdigit() and len(raw) == 4):
            return render(request, "economy/fund.html", _fund_context(
                request, body, error=_("Write the year as YYYY.")), status=400)
        year = int(raw)
    if request.GET.get("format") == "csv":
        return _fund_csv(body, year)
    return render(request, "economy/fund.html", _fund_context(request, body, year))


def _fund_csv(body, year: int | None):
    """The fund's movements (of a year, or all), newest first, as the page lists them
    but without its 500-line cap: machine columns for spreadsheets, and beside the
    category code its label, beside each amount its text, for people."""
    categories = dict(FundCategory.choices)
    _fund, movements = queries.fund_movements(body)
    if year is not None:
        movements = movements.filter(happened_on__year=year)
    name = f"fund-{body.slug}{f'-{year}' if year else ''}.csv"
    response, writer = csv_response(name)
    writer.writerow(["date", "description", "category", "category_label", "decision_id",
                     "decision", "amount", "amount_text", "balance_after",
                     "balance_after_text", "recorded_by", "movement_id"])
    for movement in movements.select_related("decision").iterator(chunk_size=2000):
        writer.writerow([
            movement.happened_on.isoformat(), movement.description, movement.category,
            categories.get(movement.category, movement.category), movement.decision_id or "",
            movement.decision.title if movement.decision else "",
            queries.input_amount(movement.amount, 2),
            _csv_text(queries.euros(movement.amount)),
            queries.input_amount(movement.balance_after, 2),
            _csv_text(queries.euros(movement.balance_after)),
            movement.recorded_by.public_name if movement.recorded_by else "", movement.pk])
    return response


def _record_movement(request, body):
    if not permissions.can_steward(request.user, body):
        raise DjangoPermissionDenied(_("Only coordinators or stewards of %(body)s keep its "
                                       "fund.") % {"body": body.name})
    form = FundMovementForm(request.POST, decisions=queries.adopted_decisions(body))
    if not form.is_valid():
        return render(request, "economy/fund.html", _fund_context(
            request, body, form=form, error=_("Check the form below.")), status=400)
    data = form.cleaned_data
    try:
        services.record_fund_movement(
            actor=request.user, body=body, amount=data["signed_amount"],
            category=data["category"], description=data["description"],
            happened_on=data["happened_on"], decision=data["decision_obj"])
    except DomainError as exc:
        if exc.field in form.fields:
            form.add_error(exc.field, exc.message)
        return render(request, "economy/fund.html", _fund_context(
            request, body, form=form, error=exc.message), status=exc.status)
    messages.success(request, _("Movement recorded."))
    return redirect("fund", slug=body.slug)


@login_required
@require_POST
def set_overdraft(request, slug):
    body = access.get_fund_for(request.user, slug)
    form = OverdraftForm(request.POST)
    if not form.is_valid():
        return render(request, "economy/fund.html", _fund_context(
            request, body, overdraft_form=form, error=_("Check the form below.")), status=400)
    try:
        services.set_overdraft(actor=request.user, body=body,
                               overdraft=form.cleaned_data["overdraft"])
    except DomainError as exc:
        return render(request, "economy/fund.html", _fund_context(
            request, body, overdraft_form=form, error=exc.message), status=exc.status)
    messages.success(request, _("Overdraft saved."))
    return redirect("fund", slug=body.slug)
