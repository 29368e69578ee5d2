"""The one way to tell people something (DOMAIN.md: what a member is told, in their
language). Apps call `notify` beside the e-mail they queue: it writes the in-app
notification in each person's language, then delivers it by push after the transaction
commits, to those who opted in for that kind."""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from autogestion.core import clock

from .models import Kind, Notification


def notify(people: Iterable, kind: Kind | str, *, title: str, url: str = "",
           body: str = "", params: dict | None = None) -> list[Notification]:
    """Record one notification per person. `title` and `body` are untranslated
    messages (marked with gettext_noop) with `%(name)s` placeholders filled from
    `params`, so each person reads them in their own language."""
    kind = Kind(kind)
    params = params or {}
    now = clock.now()
    rows = []
    for person in people:
        with translation.override(getattr(person, "language", "") or settings.LANGUAGE_CODE):
            rows.append(Notification(
                person=person, kind=kind, url=url, created_at=now,
                title=(gettext(title) % params)[:300],
                body=gettext(body) % params if body else ""))
    Notification.objects.bulk_create(rows, batch_size=1000)
    if rows:
        ids = [row.pk for row in rows if row.pk]
        transaction.on_commit(lambda: _deliver(ids))
    return rows


def _deliver(notification_ids: list[int]) -> None:
    """Push delivery of new notifications (the push part of this app hooks in here)."""
