"""The person's notifications (the menu's "Notifications") and what reaches their
devices. Thin views: the objects come through access.py (inside the services), writes
through services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from autogestion.core.errors import DomainError

from . import push, queries, services
from .forms import PushPreferencesForm
from .models import Kind

PAGE_SIZE = 30

# The push services of the main browsers, so that a person recognises their devices.
PUSH_SERVICES = {
    "fcm.googleapis.com": "Chrome, Edge, Android",
    "updates.push.services.mozilla.com": "Firefox",
    "web.push.apple.com": "Safari (Apple)",
}


def _refused(request, exc: DomainError, title: str):
    return render(request, "core/error.html", {"title": title, "message": exc.message},
                  status=exc.status)


@login_required
@require_safe
def notification_list(request):
    page = Paginator(queries.notifications_of(request.user), PAGE_SIZE) \
        .get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_safe
def notification_open(request, notification_id):
    """Opening a notification marks it read and goes on to what it is about.

    A GET, so that it is a plain link (and the push's target): all it changes is when
    the person's own notification was read, which is harmless if a page of another site
    made the browser follow it."""
    try:
        notification = services.read_notification(person=request.user,
                                                   notification_id=notification_id)
    except DomainError as exc:
        return _refused(request, exc, _("Notification not found"))
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect(f"{reverse('notification_list')}#n{notification.pk}")


@login_required
@require_POST
def notification_read_all(request):
    count = services.read_all_notifications(person=request.user)
    if count:
        messages.success(request, ngettext("%(count)d notification marked as read.",
                                           "%(count)d notifications marked as read.",
                                           count) % {"count": count})
    return redirect("notification_list")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notification_settings(request):
    # Every box unticked sends an empty form, which is a choice too ("nothing"), so the
    # form is bound on any POST.
    form = PushPreferencesForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            chosen = set(form.cleaned_data["push"])
            services.set_push_preferences(
                person=request.user, changes={kind: kind in chosen for kind in Kind.values})
            messages.success(request, _("Your choices are saved."))
            return redirect("notification_settings")
        status = 400
    return render(request, "notifications/settings.html", _settings_context(request, form),
                  status=status)


def _settings_context(request, form):
    chosen = queries.push_preferences(request.user)
    devices = [{"device": device, "service": _service_name(device.endpoint)}
               for device in queries.devices_of(request.user)]
    return {
        "form": form, "devices": devices,
        "kinds": [(kind, label, chosen[kind]) for kind, label in Kind.choices],
        "any_kind": any(chosen.values()),
        # The application server key browsers subscribe with (made on first need).
        "public_key": services.vapid_key().public_key,
    }


def _service_name(endpoint: str) -> str:
    host = push.origin_of(endpoint).split("://", 1)[-1]
    if host.endswith(".notify.windows.com"):
        return "Edge (Windows)"
    return PUSH_SERVICES.get(host, host)


@login_required
@require_POST
def push_subscription_remove(request, subscription_id):
    try:
        services.remove_push_subscription(person=request.user, subscription_id=subscription_id)
    except DomainError as exc:
        return _refused(request, exc, _("Device not removed"))
    messages.success(request, _("This device no longer receives your notifications."))
    return redirect("notification_settings")
