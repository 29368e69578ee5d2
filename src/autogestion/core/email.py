"""E-mails leave through the background task queue, after the transaction commits:
a page never waits for the SMTP server, and a rolled-back change sends nothing."""

from django.core.mail import EmailMessage
from django.db import transaction

from .tasks import deliver_email


def queue_email(message: EmailMessage) -> None:
    payload = {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "alternatives": [(content, mimetype)
                         for content, mimetype in getattr(message, "alternatives", [])],
        "headers": dict(message.extra_headers),
    }
    transaction.on_commit(lambda: deliver_email.enqueue(**payload))
