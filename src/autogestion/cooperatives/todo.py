"""What waits for a person in the cooperatives app ("À faire", core/todo.py): the
requests to join the bodies they coordinate (a closed body takes a person in only when a
coordinator accepts), one line per body, the longest waiting first."""

from datetime import timedelta

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from autogestion.core import clock
from autogestion.core.todo import LATER, LIMIT, SOON, Section, TodoItem, day_text

from .models import Membership
from .permissions import coordinated_body_ids
from .rules import Status

JOIN_REQUESTS = Section("join_requests", gettext_lazy("Requests to join to answer"), 80,
                        everyone=False)
SECTIONS = [JOIN_REQUESTS]

# A request unanswered for this long comes before what is merely planned.
LONG_WAIT = timedelta(days=7)


def waiting_by_body(person, limit: int = LIMIT) -> list[dict]:
    """Per body the person coordinates with requests waiting: its name and slug, how many,
    since when. One query (the memberships are the request's)."""
    bodies = coordinated_body_ids(person)
    if not bodies:
        return []
    return list(Membership.objects.filter(body_id__in=bodies, status=Status.PENDING)
                .values("body_id", "body__name", "body__slug")
                .annotate(n=Count("pk"), since=Min("requested_at"))
                .order_by("since", "body_id")[:limit])


def items(person, today) -> list[TodoItem]:
    found = []
    for row in waiting_by_body(person):
        since = clock.local(row["since"])
        found.append(TodoItem(
            section=JOIN_REQUESTS, title=row["body__name"],
            url=reverse("body_requests", args=[row["body__slug"]]),
            action=_("Answer the requests"),
            detail=ngettext("%(n)s person asks to join, since %(day)s",
                            "%(n)s people ask to join, the first since %(day)s",
                            row["n"]) % {"n": row["n"], "day": day_text(since.date(), today)},
            when=row["since"],
            urgency=SOON if clock.now() - row["since"] >= LONG_WAIT else LATER))
    return found
