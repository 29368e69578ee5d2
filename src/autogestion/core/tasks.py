"""Background tasks of the shared kernel."""

from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def deliver_email(*, subject: str, body: str, from_email: str, to: list[str],
                  alternatives: list[tuple[str, str]] = (), headers: dict | None = None) -> int:
    """Send one e-mail through the configured backend (SMTP, or the console)."""
    message = EmailMultiAlternatives(subject, body, from_email, to, headers=headers or {})
    for content, mimetype in alternatives:
        message.attach_alternative(content, mimetype)
    return message.send()
