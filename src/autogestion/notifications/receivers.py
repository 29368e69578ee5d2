"""Logging out of a shared browser stops its pushes: the next person to use it must not
see the notifications of the one who left (their payment requests, their turn to speak).
The browser's subscriptions made in this session are remembered in it, and forgotten
with it."""

from django.contrib.auth import SESSION_KEY as SESSION_AUTH_KEY
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from . import services

SESSION_KEY = "push_subscriptions"


def remember_this_browser(request, device) -> None:
    """A subscription made in the person's own signed-in session is this browser's (a
    script with a token has no session of theirs to end)."""
    session = getattr(request, "session", None)
    if session is None or session.get(SESSION_AUTH_KEY) != str(device.person_id):
        return
    known = set(session.get(SESSION_KEY, []))
    known.add(device.pk)
    session[SESSION_KEY] = sorted(known)


@receiver(user_logged_out)
def forget_this_browser(sender, request, user, **kwargs):
    if user is None or request is None or not hasattr(request, "session"):
        return
    ids = request.session.get(SESSION_KEY, [])
    if ids:
        services.forget_push_subscriptions(person=user, subscription_ids=ids)
