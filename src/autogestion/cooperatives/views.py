"""Pages of bodies and membership. Thin: find (access.py), call a service, show the
result. A refusal from access.py (404 hidden, 403 seen but not allowed) escapes to
Django's error pages; a service's refusal is shown on the page it came from."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autogestion.core.errors import DomainError
from autogestion.core.views import render_refusal

from . import access, queries, services
from .forms import BodyForm, JoinForm, ProgressForm

DETAIL = "cooperatives/body_detail.html"


def _show_body(request, body, *, status: int = 200, error: DomainError | None = None,
               **forms):
    """The body's page, with a form sent back (and its errors) or a service's refusal."""
    context = {"body": body, "page": queries.body_page(body, request.user),
               "join_form": JoinForm(body=body), "progress_form": ProgressForm(), **forms}
    if error is not None:
        return render_refusal(request, error, DETAIL, context)
    return render(request, DETAIL, context, status=status)


def body_list(request):
    listed = queries.body_list(request.user)
    return render(request, "cooperatives/body_list.html",
                  {"bodies": listed.bodies, "visible": listed.visible, "mine": listed.mine})


def body_detail(request, slug):
    return _show_body(request, access.find_body(slug))


@login_required
@require_POST
def join(request, slug):
    body = access.find_body(slug)
    form = JoinForm(request.POST, body=body)
    if not form.is_valid():
        return _show_body(request, body, status=400, join_form=form)
    try:
        membership = services.join_body(person=request.user, body=body,
                                        college=form.cleaned_data.get("college"),
                                        message=form.cleaned_data.get("message", ""))
    except DomainError as exc:
        return _show_body(request, body, error=exc)
    if membership.status == "active":
        messages.success(request, _("Welcome to %(body)s!") % {"body": body.name})
    else:
        messages.info(request, _("Your request to join %(body)s was sent to its coordinators.")
                      % {"body": body.name})
    return redirect(body)


@login_required
@require_POST
def leave(request, slug):
    body = access.find_body(slug)
    try:
        services.leave_body(person=request.user, body=body)
    except DomainError as exc:
        return _show_body(request, body, error=exc)
    messages.success(request, _("You left %(body)s.") % {"body": body.name})
    return redirect(body)


@login_required
@require_POST
def post_progress(request, slug):
    # Who may post is asked before the form is read: a stranger learns nothing (404).
    body = access.get_body_for_progress(request.user, slug)
    form = ProgressForm(request.POST)
    if not form.is_valid():
        return _show_body(request, body, status=400, progress_form=form)
    try:
        services.post_progress_update(actor=request.user, body=body,
                                      text=form.cleaned_data["text"])
    except DomainError as exc:
        return _show_body(request, body, error=exc)
    messages.success(request, _("Progress update published."))
    return redirect(body)


@login_required
def edit_body(request, slug):
    body = access.get_body_to_manage(request.user, slug)
    form = BodyForm(request.POST or None, instance_values=body)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_body(actor=request.user, body=body, **form.cleaned_data)
        except DomainError as exc:
            return render_refusal(request, exc, "cooperatives/body_edit.html",
                                  {"body": body, "form": form})
        messages.success(request, _("Changes saved."))
        return redirect(body)
    status = 400 if request.method == "POST" else 200
    return render(request, "cooperatives/body_edit.html", {"body": body, "form": form},
                  status=status)


@login_required
def directory(request, slug):
    body = access.get_directory_for(request.user, slug)
    return render(request, "cooperatives/directory.html",
                  {"body": body, "members": queries.directory(body, request.user)})


@login_required
def requests_page(request, slug):
    body = access.get_body_for_requests(request.user, slug)
    return render(request, "cooperatives/requests.html",
                  {"body": body, "requests": queries.pending_requests(body)})


def _answer(request, membership_id, service, done_message):
    membership = access.get_membership_for(request.user, membership_id)
    try:
        membership = service(actor=request.user, membership_id=membership.pk)
    except DomainError as exc:
        return render(request, "core/error.html",
                      {"title": _("Request not answered"), "message": exc.message},
                      status=exc.status)
    messages.success(request, done_message % {"person": membership.person.public_name})
    return redirect("body_requests", slug=membership.body.slug)


@login_required
@require_POST
def accept_request(request, membership_id):
    return _answer(request, membership_id, services.accept_membership_request,
                   _("%(person)s is now a member."))


@login_required
@require_POST
def decline_request(request, membership_id):
    return _answer(request, membership_id, services.decline_membership_request,
                   _("The request of %(person)s was declined."))
