"""The person's own pages: profile, personal data export, API tokens, language."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autogestion.assemblies.services import calendar_token_of
from autogestion.cooperatives.queries import memberships_for_profile
from autogestion.core.errors import DomainError

from . import services
from .forms import ProfileForm, TokenForm


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
