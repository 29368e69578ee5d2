"""Pages of bodies and membership. Thin: find (access.py), call a service, show the
result. A refusal from access.py (404 hidden, 403 seen but not allowed) escapes to
Django's error pages; a service's refusal is shown on the page it came from."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autogestion.core.confirm import needs_confirmation
from autogestion.core.errors import DomainError, PermissionDenied
from autogestion.core.inputs import parse_amount
from autogestion.core.views import render_refusal

from . import access, founding, permissions, queries, services
from .forms import (
    BodyForm,
    CapitalForm,
    CollegeFormSet,
    DeclineForm,
    FoundForm,
    JoinForm,
    MemberCollegeForm,
    ProgressForm,
    RoleForm,
)
from .models import College
from .rules import Kind

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
    # Someone with nothing to leave is told so at once (409 below), not asked first.
    stint = permissions.memberships_of(request.user).get(body.pk)
    question = (_("Withdraw your request to join %(body)s?") if stint and stint[0] == "pending"
                else _("Leave %(body)s?")) % {"body": body.name}
    detail = _("You can ask to join again later; a closed body's coordinators will "
               "have to accept.")
    if stint and (page := needs_confirmation(request, question, detail=detail, cancel=body)):
        return page
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


def _answer(request, membership_id, service, done_message, **fields):
    membership = access.get_membership_for(request.user, membership_id)
    try:
        membership = service(actor=request.user, membership_id=membership.pk, **fields)
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
    membership = access.get_membership_for(request.user, membership_id)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return render(request, "cooperatives/requests.html",
                      {"body": membership.body, "error": _("Give the person a reason."),
                       "requests": queries.pending_requests(membership.body),
                       "decline_forms": {membership.pk: form}}, status=400)
    return _answer(request, membership_id, services.decline_membership_request,
                   _("The request of %(person)s was declined."),
                   reason=form.cleaned_data["reason"])


# Founding ---------------------------------------------------------------------------

def _found_kinds(body) -> list[str]:
    if body is None:
        return [Kind.NETWORK, Kind.COOPERATIVE]
    if body.kind == Kind.NETWORK:
        return [Kind.COOPERATIVE, Kind.NETWORK]
    return [Kind.GROUP]


def _found_page(request, parent):
    kinds = _found_kinds(parent)
    form = FoundForm(request.POST or None, kinds=kinds)
    context = {"parent": parent, "form": form, "kinds": kinds}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            body, proposal = founding.found_body(
                actor=request.user, parent=parent, kind=data["kind"], name=data["name"],
                legal_form=data.get("legal_form") or "", description=data["description"],
                place=data["place"], rhythm=data["rhythm"], is_open=data["is_open"])
        except DomainError as exc:
            return render_refusal(request, exc, "cooperatives/body_found.html", context)
        if proposal is not None:
            messages.info(request, _("%(body)s is proposed: its ratification was put to "
                                     "%(parent)s as a proposal.")
                          % {"body": body.name, "parent": parent.name})
        else:
            messages.success(request, _("%(body)s is founded.") % {"body": body.name})
        return redirect(body)
    return render(request, "cooperatives/body_found.html", context,
                  status=400 if request.method == "POST" else 200)


@login_required
def create_body(request):
    """Operators found top-level networks and cooperatives."""
    if not permissions.is_operator(request.user):
        raise PermissionDenied(_("Only operators create top-level bodies."))
    return _found_page(request, None)


@login_required
def found_inside(request, slug):
    """Found a group inside a cooperative or group (its members), a cooperative inside
    a network (its coordinators)."""
    parent = access.get_body_for(
        request.user, slug, may=permissions.can_found_inside,
        refusal=_("Only members of %(body)s found groups inside it; inside a network, "
                  "its coordinators create cooperatives."))
    return _found_page(request, parent)


# Colleges, roles, capital ---------------------------------------------------------------


@login_required
def colleges(request, slug):
    """A cooperative's colleges, as one set on one page (R5: each 10-50 %, 100 %)."""
    body = access.get_cooperative_to_manage(request.user, slug,
                                            _("Only a cooperative has colleges."))
    existing = list(College.objects.filter(cooperative=body).order_by("name"))
    initial = [{"id": c.pk, "name": c.name, "weight_percent": c.weight_percent}
               for c in existing]
    formset = CollegeFormSet(request.POST or None, initial=initial, prefix="colleges")
    context = {"body": body, "formset": formset, "colleges": existing,
               "total_weight": sum(c.weight_percent for c in existing)}
    if request.method == "POST":
        if not formset.is_valid():
            return render(request, "cooperatives/colleges.html", context, status=400)
        try:
            services.set_colleges(actor=request.user, cooperative=body,
                                  colleges=formset.entries())
        except DomainError as exc:
            return render_refusal(request, exc, "cooperatives/colleges.html", context)
        messages.success(request, _("Colleges saved."))
        return redirect("body_colleges", slug=body.slug)
    return render(request, "cooperatives/colleges.html", context)


def _roles_context(request, body, **extra):
    members = queries.directory(body, request.user)
    has_colleges = body.kind == Kind.COOPERATIVE and College.objects.filter(
        cooperative=body).exists()
    for m in members:
        m["role_form"] = RoleForm(initial={"person": m["id"], "role": m["role"]})
        if has_colleges:
            m["college_form"] = MemberCollegeForm(
                initial={"person": m["id"], "college": m["college_id"]}, body=body)
    return {"body": body, "members": members, "has_colleges": has_colleges,
            "history": queries.role_history_lines(body), **extra}


@login_required
def roles(request, slug):
    """Coordinators change a member's role or college; the history of changes below."""
    body = access.get_body_to_manage(request.user, slug)
    if request.method != "POST":
        return render(request, "cooperatives/roles.html", _roles_context(request, body))
    moving = request.POST.get("change") == "college"
    form = (MemberCollegeForm(request.POST, body=body) if moving
            else RoleForm(request.POST))
    if not form.is_valid():
        return render(request, "cooperatives/roles.html",
                      _roles_context(request, body, error=_("Choose a member and a college.")
                                     if moving else _("Choose a member and a role.")),
                      status=400)
    try:
        person = access.find_member(body, form.cleaned_data["person"])
        if moving:
            services.change_member_college(actor=request.user, body=body, person=person,
                                           college=form.cleaned_data["college"])
        else:
            services.set_member_role(actor=request.user, body=body, person=person,
                                     role=form.cleaned_data["role"])
    except DomainError as exc:
        return render_refusal(request, exc, "cooperatives/roles.html",
                              _roles_context(request, body))
    messages.success(request, _("Saved: %(person)s.") % {"person": person.public_name})
    return redirect("body_roles", slug=body.slug)


def _capital_context(body, **extra):
    return {"body": body, "rows": queries.capital_rows(body),
            "shares": queries.scop_shares_of(body),
            "warnings": queries.scop_share_warnings(body), **extra}


@login_required
def capital(request, slug):
    """A SCOP's partners: the capital each holds and whether they are employees."""
    body = access.get_cooperative_to_manage(request.user, slug,
                                  _("Only a cooperative records its members' capital."))
    if request.method != "POST":
        return render(request, "cooperatives/capital.html", _capital_context(body))
    form = CapitalForm(request.POST)
    if not form.is_valid():
        return render(request, "cooperatives/capital.html",
                      _capital_context(body, error=_("Type the capital held, in euros.")),
                      status=400)
    try:
        person = access.find_member(body, form.cleaned_data["person"])
        cents = parse_amount(form.cleaned_data["capital"], 2, "capital", zero=True)
        services.set_member_capital(actor=request.user, body=body, person=person,
                                    capital_cents=cents,
                                    is_employee=form.cleaned_data["is_employee"])
    except DomainError as exc:
        return render_refusal(request, exc, "cooperatives/capital.html",
                              _capital_context(body))
    messages.success(request, _("Saved: %(person)s.") % {"person": person.public_name})
    return redirect("body_capital", slug=body.slug)
