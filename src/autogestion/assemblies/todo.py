"""What waits for a person in the assemblies ("À faire", core/todo.py): the agendas of
their bodies' coming meetings that are open for items, until their deadline (R3: "jusqu'à
7 jours avant l'Agora"), and the workshops whose waiting list they are on, with their
rank."""

from datetime import timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autogestion.cooperatives.permissions import active_body_ids
from autogestion.core import clock
from autogestion.core.todo import (
    LATER,
    LIMIT,
    OfflinePage,
    Section,
    TodoItem,
    day_text,
    moment_text,
    shared,
    urgency_of,
)

from . import queries, texts
from .models import MeetingStatus, SeriesKind, SessionSignup
from .rules import SignupStatus

AGENDAS = Section("agendas", gettext_lazy("Agendas open for items"), 60)
WAITING = Section("waiting_lists", gettext_lazy("Waiting lists I am on"), 70, everyone=False)
SECTIONS = [AGENDAS, WAITING]

# How far ahead meetings are looked at: an agenda opens 28 days before by default.
AHEAD_DAYS = 60


def _coming_meetings(person) -> list[queries.Occurrence]:
    """The coming meetings of the person's bodies, soonest first. Two queries, once for
    the agendas and the offline pages (core.todo.shared)."""
    bodies = active_body_ids(person)
    if not bodies:
        return []
    return shared(("assemblies.coming", person.pk), lambda: queries.upcoming_for_bodies(
        list(bodies), days=AHEAD_DAYS, limit=2000))


def open_agendas(person, limit: int = LIMIT) -> list[queries.Occurrence]:
    """The coming meetings of the person's bodies whose agenda takes items now and has a
    deadline, soonest deadline first; of a weekly meeting, only the next one. Two
    queries."""
    now = clock.now()
    found: dict[int, queries.Occurrence] = {}
    for occurrence in _coming_meetings(person):
        if occurrence.deadline is not None and occurrence.is_open_for_items \
                and (occurrence.agenda_opens is None or occurrence.agenda_opens <= now):
            found.setdefault(occurrence.series.pk, occurrence)
    return sorted(found.values(), key=lambda o: o.deadline)[:limit]


def waiting_signups(person, limit: int = LIMIT) -> list[SessionSignup]:
    """The person's places on the waiting lists of workshops still to come, each with
    `rank` (1: the next place that frees is theirs). One query."""
    ahead = (SessionSignup.objects
             .filter(session=OuterRef("session"), status=SignupStatus.WAITING)
             .filter(Q(created_at__lt=OuterRef("created_at"))
                     | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk")))
             .order_by().values("session").annotate(n=Count("pk")).values("n"))
    signups = (SessionSignup.objects
               .filter(person=person, status=SignupStatus.WAITING,
                       session__starts_at__gt=clock.now())
               # A cancelled meeting's workshops will not happen: nothing to wait for.
               .exclude(session__meeting__status=MeetingStatus.CANCELLED)
               .annotate(ahead=Coalesce(Subquery(ahead, output_field=IntegerField()), 0))
               .select_related("session__meeting__series__body")
               .order_by("session__starts_at", "pk")[:limit])
    for signup in signups:
        signup.rank = signup.ahead + 1
    return list(signups)


def items(person, today) -> list[TodoItem]:
    found = []
    for occurrence in open_agendas(person):
        series = occurrence.series
        found.append(TodoItem(
            section=AGENDAS, title=series.title,
            url=occurrence.get_absolute_url() + "#add-item",
            action=_("Add an item"),
            detail=_("%(body)s · meets %(day)s · open for items until %(deadline)s") % {
                "body": series.body.name,
                "day": day_text(clock.local(occurrence.starts_at).date(), today),
                "deadline": moment_text(occurrence.deadline, today)},
            when=occurrence.deadline,
            # A deadline is pressing only on its last day: adding an item is a choice.
            urgency=LATER if occurrence.deadline - clock.now() > timedelta(days=1)
            else urgency_of(occurrence.deadline)))
    for signup in waiting_signups(person):
        session = signup.session
        occurrence = queries.occurrence_of_meeting(session.meeting)
        rank = texts.waiting_rank(signup.rank)  # as the meeting's page says it
        found.append(TodoItem(
            section=WAITING, title=session.title,
            url=occurrence.get_absolute_url() + "#program",
            action=_("See the program"),
            detail=" · ".join([rank, session.meeting.series.title,
                               moment_text(session.starts_at, today)]),
            when=session.starts_at, urgency=LATER))
    return found


def offline_pages(person, today) -> list[OfflinePage]:
    """The page of the next Agora (its agenda, its program) of each cooperative the
    person is an active member of. Two queries."""
    pages, seen = [], set()
    for occurrence in _coming_meetings(person):
        series = occurrence.series
        if series.kind != SeriesKind.AGORA or series.body_id in seen or occurrence.cancelled:
            continue
        seen.add(series.body_id)
        pages.append(OfflinePage(
            _("%(title)s, %(day)s — %(body)s") % {
                "title": series.title, "body": series.body.name,
                "day": day_text(clock.local(occurrence.starts_at).date(), today)},
            occurrence.get_absolute_url()))
    return pages
