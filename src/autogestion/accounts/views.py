"""The person's own pages: profile, personal data export, API tokens, language; and
invitations into a body (made by its members, accepted by the person invited)."""

import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autogestion.assemblies.services import calendar_token_of
from autogestion.cooperatives.queries import memberships_for_profile
from autogestion.cooperatives.selectors import is_active_member
from autogestion.core import clock
from autogestion.core.confirm import needs_confirmation
from autogestion.core.errors import DomainError
from autogestion.core.views import render_refusal

from . import access as invitation_access
from . import queries, services
from . import rules as invitation_rules
from .forms import (
    AcceptInvitationForm,
    EmailInvitationForm,
    LinkInvitationForm,
    ProfileForm,
    TokenForm,
)
from .models import Invitation


def _profile_context(request, form=None, token_form=None, new_token=None) -> dict:
    person = request.user
    return {
        "person": person,
        "form": form or ProfileForm(initial={f: getattr(person, f) for f in
                                             services.PROFILE_FIELDS}),
        "token_form": token_form or TokenForm(),
        "tokens": person.api_tokens.all(),
        "new_token": new_token,
        "memberships": memberships_for_profile(person),
        "calendar_url": request.build_absolute_uri(
            reverse("member_calendar", args=[calendar_token_of(person).token])),
    }


@login_required
def profile(request):
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if not form.is_valid():
            return render(request, "accounts/profile.html", _profile_context(request, form),
                          status=400)
        try:
            services.update_profile(person=request.user, **form.cleaned_data)
        except DomainError as exc:
            context = _profile_context(request, form) | {"error": exc.message}
            return render(request, "accounts/profile.html", context, status=exc.status)
        translation.activate(request.user.language)
        messages.success(request, _("Profile saved."))
        return redirect("profile")
    return render(request, "accounts/profile.html", _profile_context(request))


@login_required
def export_data(request):
    data = services.export_personal_data(request.user)
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="autogestion-my-data.json"'
    return response


@login_required
@require_POST
def create_token(request):
    form = TokenForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/profile.html",
                      _profile_context(request, token_form=form), status=400)
    try:
        _token, raw = services.create_api_token(person=request.user,
                                                name=form.cleaned_data["name"],
                                                scope=form.cleaned_data["scope"])
    except DomainError as exc:
        context = _profile_context(request, token_form=form) | {"error": exc.message}
        return render(request, "accounts/profile.html", context, status=exc.status)
    # The secret is shown once, on this very response, and never stored in clear.
    return render(request, "accounts/profile.html", _profile_context(request, new_token=raw),
                  status=201)


@login_required
@require_POST
def revoke_token(request, token_id):
    try:
        services.revoke_api_token(person=request.user, token_id=token_id)
    except DomainError as exc:
        context = _profile_context(request) | {"error": exc.message}
        return render(request, "accounts/profile.html", context, status=exc.status)
    messages.success(request, _("Token revoked."))
    return redirect("profile")


@require_POST
def set_language(request):
    """Switch language; saved on the profile of a signed-in person, in a cookie otherwise."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest(_("Choose a language among: %(langs)s")
                                      % {"langs": ", ".join(dict(settings.LANGUAGES))})
    if request.user.is_authenticated:
        services.update_profile(person=request.user, language=language)
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    response = redirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax",
                        max_age=365 * 24 * 3600)
    return response


# Invitations (R17) ---------------------------------------------------------------------

INVITATIONS = "accounts/invitations.html"
INVITATION = "accounts/invitation.html"


def _invitations_context(request, body, **extra) -> dict:
    return {"body": body,
            "rows": queries.invitations_of_body(body, request.user),
            "email_form": EmailInvitationForm(body=body, prefix="email"),
            "link_form": LinkInvitationForm(body=body, prefix="link"),
            "max_days": invitation_rules.MAX_DAYS, "max_uses": invitation_rules.MAX_USES,
            **extra}


@login_required
def body_invitations(request, slug):
    """A body's invitations (its coordinators see all, another member their own), and
    the two ways to invite: an e-mail, or a link to copy."""
    body = invitation_access.get_body_to_invite(request.user, slug)
    if request.method != "POST":
        return render(request, INVITATIONS, _invitations_context(request, body))
    kind = request.POST.get("kind")
    form_class, prefix = ((EmailInvitationForm, "email") if kind == Invitation.Kind.EMAIL
                          else (LinkInvitationForm, "link"))
    form = form_class(request.POST, body=body, prefix=prefix)
    forms_sent = {f"{prefix}_form": form}
    if not form.is_valid():
        return render(request, INVITATIONS, _invitations_context(request, body, **forms_sent),
                      status=400)
    data = form.cleaned_data
    try:
        invitation, raw = services.create_invitation(
            actor=request.user, body=body, kind=Invitation.Kind.EMAIL if prefix == "email"
            else Invitation.Kind.LINK, email=data.get("email", ""),
            college=data.get("college"), max_uses=data.get("max_uses"),
            valid_days=data.get("valid_days"))
    except DomainError as exc:
        return render_refusal(request, exc, INVITATIONS,
                              _invitations_context(request, body, **forms_sent))
    if invitation.kind == Invitation.Kind.EMAIL:
        messages.success(request, _("Invitation sent to %(email)s.")
                         % {"email": invitation.email})
        return redirect("body_invitations", slug=body.slug)
    # The link is shown once, on this very answer: only its hash is kept.
    return render(request, INVITATIONS, _invitations_context(
        request, body, new_link=services.invitation_url(raw), new_invitation=invitation),
        status=201)


@login_required
@require_POST
def revoke_invitation(request, slug, invitation_id):
    invitation = invitation_access.get_invitation_for(request.user, slug, invitation_id)
    if page := needs_confirmation(
            request, _("Revoke this invitation?"),
            detail=_("Its link will no longer let anyone in. Those who already came in "
                     "through it stay members."),
            cancel=reverse("body_invitations", args=[invitation.body.slug])):
        return page
    try:
        services.revoke_invitation(actor=request.user, invitation_id=invitation.pk)
    except DomainError as exc:
        return render_refusal(request, exc, INVITATIONS,
                              _invitations_context(request, invitation.body))
    messages.success(request, _("Invitation revoked."))
    return redirect("body_invitations", slug=invitation.body.slug)


def _invitation_page(request, invitation, *, form=None, error: DomainError | None = None,
                     status: int = 200):
    here = request.path
    person = request.user
    state = services.invitation_state(invitation)
    context = {
        "invitation": invitation, "body": invitation.body,
        "inviter": invitation.invited_by, "state": state,
        "gone": None if state == "open" else services.gone_message(state, invitation),
        "expires_at": clock.local(invitation.expires_at),
        "signup_url": f"{reverse('account_signup')}?{urlencode({'next': here})}",
        "login_url": f"{reverse('account_login')}?{urlencode({'next': here})}",
        "form": form or AcceptInvitationForm(invitation=invitation),
        "is_member": person.is_authenticated
        and is_active_member(person, invitation.body),
        "wrong_email": person.is_authenticated and bool(invitation.email)
        and invitation.email.lower() not in services.verified_emails(person),
    }
    if state != "open":
        status = 410
    if error is not None:
        return render_refusal(request, error, INVITATION, context)
    return render(request, INVITATION, context, status=status)


def invitation_detail(request, invitation_token):
    """The page the link opens: who invites, into what; then sign up, sign in, or join.
    An invitation that serves no more answers 410 saying to ask for a new one."""
    invitation = invitation_access.find_invitation(invitation_token)
    if request.method != "POST" or services.invitation_state(invitation) != "open":
        return _invitation_page(request, invitation)  # 410 when it serves no more
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = AcceptInvitationForm(request.POST, invitation=invitation)
    if not form.is_valid():
        return _invitation_page(request, invitation, form=form, status=400)
    try:
        services.accept_invitation(person=request.user, token=invitation_token,
                                   college=form.cleaned_data.get("college"))
    except DomainError as exc:
        invitation.refresh_from_db()
        return _invitation_page(request, invitation, form=form, error=exc)
    body = invitation.body
    messages.success(request, _("Welcome to %(body)s!") % {"body": body.name})
    return redirect(body)
