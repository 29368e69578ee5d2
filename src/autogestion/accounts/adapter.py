from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.utils import translation

from autogestion.core.email import queue_email


class AccountAdapter(DefaultAccountAdapter):
    """Account e-mails (verification, password reset) go through the task queue, and a
    new person keeps the language they signed up in."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language[:2] in dict(settings.LANGUAGES):
            user.language = language[:2]
        if commit:
            user.save()
        return user

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """The key of the per-account limit on failed log-ins. allauth's own puts the
        Host header in it, port included, and Django's host check ignores the port:
        rotating ports would give each guess a fresh account limit. One key per login."""
        login = credentials.get("email", credentials.get("username", "")) or ""
        return f"login:{login.strip().lower()}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = allauth_context.request
        full_context = {"request": request, "email": email,
                        "current_site": get_current_site(request), **context}
        queue_email(self.render_mail(template_prefix, email, full_context))
