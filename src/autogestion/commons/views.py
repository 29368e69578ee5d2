"""Pages of pooled resources (R11): what I may book, a resource with its rules, photos
and week calendar, booking it, my bookings and the requests a steward decides, and
putting a resource in common. Thin: find, check with permissions.py, call one service,
show the result or the refusal with its 4xx status. Objects come from access.py, so a
page answers the same status as the API for the same question.

A resource is seen by whoever sees its steward body and by those who may book it; to
anyone else it does not exist (404)."""

import mimetypes
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from autogestion.core import clock
from autogestion.core.errors import DomainError
from autogestion.core.inputs import parse_day
from autogestion.core.markdown import render as markdown

from . import access, permissions, queries, rules, services, texts
from .forms import BookingForm, PhotoForm, ReasonForm, ResourceForm


def _refused(request, exc: DomainError, title: str):
    return render(request, "core/error.html", {"title": title, "message": exc.message},
                  status=exc.status)


# Lists -------------------------------------------------------------------------------

@require_safe
def resource_list(request):
    """Every resource I may see, those I may book first; the menu's "Resources"."""
    rows = queries.resource_rows(request.user, queries.resource_list(request.user))
    rows.sort(key=lambda row: not row.may_book)
    stewarded = queries.stewarded_bodies(request.user)
    return render(request, "commons/resource_list.html", {
        "rows": rows, "stewarded": stewarded, "body": None,
        "pending": queries.requests_to_decide(request.user).count()
        if request.user.is_authenticated else 0})


@require_safe
def body_resources(request, slug):
    body = access.get_body_for(request.user, slug)
    rows = queries.resource_rows(request.user, queries.resource_list(request.user,
                                                                     within=body))
    return render(request, "commons/resource_list.html", {
        "rows": rows, "body": body, "stewarded": [],
        "can_create": permissions.can_create_resource(request.user, body)})


# Putting a resource in common -----------------------------------------------------------

def _resource_form_page(request, form, body, resource=None, status=200, error=None):
    return render(request, "commons/resource_form.html", {
        "form": form, "body": body, "resource": resource, "error": error,
        "photo_form": PhotoForm() if resource else None,
        "photos": list(resource.photos.all()) if resource else []}, status=status)


@login_required
def resource_create(request, slug):
    body = access.get_body_to_steward(request.user, slug)
    if request.method != "POST":
        form = ResourceForm(initial=ResourceForm.initial_for(), steward=body)
        return _resource_form_page(request, form, body)
    form = ResourceForm(request.POST, steward=body)
    if not form.is_valid():
        return _resource_form_page(request, form, body, status=400,
                                   error=_("Check the form below."))
    fields = form.service_fields()
    try:
        resource = services.create_resource(actor=request.user, steward=body, **fields)
    except DomainError as exc:
        _attach(form, exc)
        return _resource_form_page(request, form, body, status=exc.status, error=exc.message)
    messages.success(request, _("%(resource)s is now in common.") % {"resource": resource.name})
    return redirect(resource)


def _attach(form, exc: DomainError) -> None:
    field = {"longest_minutes": "longest_hours", "notice_minutes": "notice_hours",
             "fee_amount": "fee"}.get(exc.field, exc.field)
    if field in form.fields:
        form.add_error(field, exc.message)


@login_required
def resource_edit(request, resource_id):
    resource = access.get_stewarded_resource_for(request.user, resource_id, photos=True)
    if request.method != "POST":
        form = ResourceForm(initial=ResourceForm.initial_for(resource), steward=resource.steward)
        return _resource_form_page(request, form, resource.steward, resource)
    form = ResourceForm(request.POST, steward=resource.steward)
    if not form.is_valid():
        return _resource_form_page(request, form, resource.steward, resource, status=400,
                                   error=_("Check the form below."))
    try:
        services.update_resource(actor=request.user, resource_id=resource.pk,
                                 **form.service_fields())
    except DomainError as exc:
        _attach(form, exc)
        return _resource_form_page(request, form, resource.steward, resource,
                                   status=exc.status, error=exc.message)
    messages.success(request, _("%(resource)s saved.") % {"resource": resource.name})
    return redirect(resource)


# Photos --------------------------------------------------------------------------------

@login_required
@require_POST
def photo_add(request, resource_id):
    resource = access.get_stewarded_resource_for(request.user, resource_id)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return _refused(request, DomainError(_("Choose a photo to send.")), _("No photo added"))
    try:
        services.add_photo(actor=request.user, resource_id=resource.pk,
                           image=form.cleaned_data["image"],
                           caption=form.cleaned_data["caption"])
    except DomainError as exc:
        return _refused(request, exc, _("No photo added"))
    messages.success(request, _("Photo added."))
    return redirect("resource_edit", resource_id=resource.pk)


@login_required
@require_POST
def photo_remove(request, photo_id):
    photo = access.get_stewarded_photo_for(request.user, photo_id)
    services.remove_photo(actor=request.user, photo_id=photo.pk)
    messages.success(request, _("Photo removed."))
    return redirect("resource_edit", resource_id=photo.resource_id)


@require_safe
def photo(request, photo_id):
    """A photo, for those who see its resource (a closed body's photos stay inside)."""
    found = access.get_photo_for(request.user, photo_id)
    resource = found.resource
    try:
        handle = found.image.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    content_type = mimetypes.guess_type(found.image.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = ("public, max-age=86400" if resource.steward.is_open
                                 else "private, max-age=3600")
    return response


# A resource and its week -----------------------------------------------------------------

def _week_of(request) -> date:
    raw = request.GET.get("week", "")
    day = parse_day(raw, "week", optional=True) if raw else None
    return rules.week_of(day or clock.today())


def _detail(request, resource, form=None, status=200, error=None):
    user = request.user
    try:
        monday = _week_of(request)
    except DomainError as exc:
        monday, error, status = rules.week_of(clock.today()), exc.message, 400
    may_book = permissions.may_book(user, resource)
    if form is None and may_book:
        day = max(monday, clock.today() + timedelta(days=1))
        form = BookingForm(initial=BookingForm.initial_for(day, resource.opens_at),
                           bodies=queries.my_bodies(user))
    can_steward = permissions.can_steward_resource(user, resource)
    feed_url = reverse("resource_calendar", args=[resource.pk])
    if user.is_authenticated and permissions.can_see_bookers(user, resource):
        from autogestion.assemblies.services import calendar_token_of

        feed_url += f"?token={calendar_token_of(user).token}"
    return render(request, "commons/resource_detail.html", {
        "resource": resource, "body": resource.steward, "week": queries.week(resource, monday,
                                                                             user),
        "description": markdown(resource.description),
        "usage_rules": markdown(resource.usage_rules),
        "photos": list(resource.photos.all()), "form": form, "may_book": may_book,
        "can_steward": can_steward, "fee": queries.fee_text(resource),
        "longest": texts.duration_text(queries.opening_rules(resource).longest)
        if resource.longest_minutes else "",
        "notice": texts.duration_text(queries.opening_rules(resource).notice)
        if resource.notice_minutes else "",
        "requests": list(queries.requests_to_decide(user, resource)) if can_steward else [],
        "feed_url": feed_url, "error": error}, status=status)


@require_safe
def resource_detail(request, resource_id):
    return _detail(request, access.get_resource_for(request.user, resource_id, photos=True))


@login_required
@require_POST
def book(request, resource_id):
    resource = access.get_resource_for(request.user, resource_id, photos=True)
    form = BookingForm(request.POST, bodies=queries.my_bodies(request.user))
    if not form.is_valid():
        return _detail(request, resource, form, status=400, error=_("Check the booking form."))
    data = form.cleaned_data
    try:
        booking = services.book_resource(
            actor=request.user, resource_id=resource.pk, starts_at=data["starts_at"],
            ends_at=data["ends_at"], purpose=data["purpose"], for_body=data["for_body_obj"])
    except DomainError as exc:
        field = {"starts_at": "start_day", "ends_at": "end_day"}.get(exc.field, exc.field)
        if field in form.fields:
            form.add_error(field, exc.message)
        return _detail(request, resource, form, status=exc.status, error=exc.message)
    start, end = texts.slot_text(booking.starts_at, booking.ends_at)
    if booking.status == rules.BookingStatus.CONFIRMED:
        messages.success(request, _("Booked: %(resource)s from %(start)s to %(end)s.")
                         % {"resource": resource.name, "start": start, "end": end})
    else:
        messages.success(request, _("Request sent: the stewards of %(resource)s will confirm "
                                    "or decline it.") % {"resource": resource.name})
    week = clock.local(booking.starts_at).date().isoformat()
    return redirect(reverse("resource_detail", args=[resource.pk]) + f"?week={week}#week")


# Bookings ------------------------------------------------------------------------------

@login_required
@require_safe
def my_bookings(request):
    mine = list(queries.my_bookings(request.user, history=True))
    now = clock.now()
    return render(request, "commons/my_bookings.html", {
        "upcoming": [b for b in mine if b.ends_at >= now],
        "past": [b for b in mine if b.ends_at < now][::-1],
        "requests": list(queries.requests_to_decide(request.user)),
        "reason_form": ReasonForm(), "now": now})


def _decide(request, booking, action: str):
    reason = ReasonForm(request.POST)
    text = reason.cleaned_data["reason"] if reason.is_valid() else ""
    try:
        if action == "approve":
            services.approve_booking(actor=request.user, booking_id=booking.pk)
            done = _("Booking confirmed.")
        elif action == "decline":
            services.decline_booking(actor=request.user, booking_id=booking.pk, reason=text)
            done = _("Request declined.")
        else:
            services.cancel_booking(actor=request.user, booking_id=booking.pk, reason=text)
            done = _("Booking cancelled.")
    except DomainError as exc:
        return _refused(request, exc, _("Booking unchanged"))
    messages.success(request, done)
    back = request.POST.get("next", "")
    if back == "resource":
        return redirect(booking.resource)
    return redirect("my_bookings")


@login_required
@require_POST
def approve(request, booking_id):
    return _decide(request, access.get_booking_to_decide(request.user, booking_id), "approve")


@login_required
@require_POST
def decline(request, booking_id):
    return _decide(request, access.get_booking_to_decide(request.user, booking_id), "decline")


@login_required
@require_POST
def cancel(request, booking_id):
    return _decide(request, access.get_booking_to_cancel(request.user, booking_id), "cancel")
