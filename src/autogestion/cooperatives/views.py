"""Pages of bodies and membership. Thin: parse, check, call a service, show the result."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autogestion.core.errors import DomainError
from autogestion.core.views import render_refusal

from . import permissions, queries, services
from .forms import BodyForm, JoinForm, ProgressForm
from .models import Body


def body_list(request):
    bodies = list(queries.bodies_with_counts())
    visible = {b.pk for b in bodies if permissions.can_view_body_details(request.user, b)}
    mine = permissions.active_body_ids(request.user)
    return render(request, "cooperatives/body_list.html",
                  {"bodies": bodies, "visible": visible, "mine": mine})


def _detail_context(request, body: Body) -> dict:
    page = queries.body_page(body, request.user)
    user = request.user
    return {
        "body": body,
        "page": page,
        "can_view": permissions.can_view_body_details(user, body),
        "can_manage": permissions.can_manage_body(user, body),
        "can_post": permissions.can_post_progress(user, body),
        "can_directory": permissions.can_view_directory(user, body),
        "join_form": JoinForm(body=body),
        "progress_form": ProgressForm(),
    }


def body_detail(request, slug):
    body = get_object_or_404(Body.objects.select_related("parent"), slug=slug)
    return render(request, "cooperatives/body_detail.html", _detail_context(request, body))


@login_required
@require_POST
def join(request, slug):
    body = get_object_or_404(Body, slug=slug)
    form = JoinForm(request.POST, body=body)
    if not form.is_valid():
        context = _detail_context(request, body) | {"join_form": form}
        return render(request, "cooperatives/body_detail.html", context, status=400)
    try:
        membership = services.join_body(person=request.user, body=body,
                                        college=form.cleaned_data.get("college"),
                                        message=form.cleaned_data.get("message", ""))
    except DomainError as exc:
        return render_refusal(request, exc, "cooperatives/body_detail.html",
                              _detail_context(request, body))
    if membership.status == "active":
        messages.success(request, _("Welcome to %(body)s!") % {"body": body.name})
    else:
        messages.info(request, _("Your request to join %(body)s was sent to its coordinators.")
                      % {"body": body.name})
    return redirect(body)


@login_required
@require_POST
def leave(request, slug):
    body = get_object_or_404(Body, slug=slug)
    try:
        services.leave_body(person=request.user, body=body)
    except DomainError as exc:
        return render_refusal(request, exc, "cooperatives/body_detail.html",
                              _detail_context(request, body))
    messages.success(request, _("You left %(body)s.") % {"body": body.name})
    return redirect(body)


@login_required
@require_POST
def post_progress(request, slug):
    body = get_object_or_404(Body, slug=slug)
    form = ProgressForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, body) | {"progress_form": form}
        return render(request, "cooperatives/body_detail.html", context, status=400)
    try:
        services.post_progress_update(actor=request.user, body=body,
                                      text=form.cleaned_data["text"])
    except DomainError as exc:
        return render_refusal(request, exc, "cooperatives/body_detail.html",
                              _detail_context(request, body))
    messages.success(request, _("Progress update published."))
    return redirect(body)


@login_required
def edit_body(request, slug):
    body = get_object_or_404(Body, slug=slug)
    if not permissions.can_manage_body(request.user, body):
        raise DjangoPermissionDenied(_("Only coordinators of %(body)s can change it.")
                                     % {"body": body.name})
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
    body = get_object_or_404(Body, slug=slug)
    if not permissions.can_view_directory(request.user, body):
        raise DjangoPermissionDenied(_("The member directory is for members."))
    return render(request, "cooperatives/directory.html",
                  {"body": body, "members": queries.directory(body, request.user)})


@login_required
def requests_page(request, slug):
    body = get_object_or_404(Body, slug=slug)
    if not permissions.can_manage_body(request.user, body):
        raise DjangoPermissionDenied(_("Only coordinators of %(body)s answer its requests.")
                                     % {"body": body.name})
    return render(request, "cooperatives/requests.html",
                  {"body": body, "requests": queries.pending_requests(body)})


def _answer(request, membership_id, service, done_message):
    try:
        membership = service(actor=request.user, membership_id=membership_id)
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
