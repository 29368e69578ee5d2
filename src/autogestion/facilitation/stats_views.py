"""Speech statistics pages (DOMAIN.md R14): one meeting, a body over a period, and the
page where a person opts in to a self-described category (or changes or deletes it).

The statistics follow the meetings' visibility: whoever may see a body's meetings sees
them; a closed body's are not found by anyone else."""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from autogestion.assemblies import queries as assembly_queries
from autogestion.assemblies.models import MeetingSeries
from autogestion.assemblies.permissions import can_view_meetings
from autogestion.cooperatives.models import Body
from autogestion.core import clock
from autogestion.core.errors import DomainError

from . import services, stats
from .models import Room, SelfDescription

MONTHS_DEFAULT = 12
MONTHS_MIN, MONTHS_MAX = 1, 24


def _svg(markup: str):
    # The builder escapes every piece of text it puts in (names are user input).
    return mark_safe(markup)  # noqa: S308


def room_stats(request, series_id, day):
    """One meeting's speech: turns and speaking time per person, the chart, the measures
    of concentration, process points apart, categories aggregated."""
    series = get_object_or_404(MeetingSeries.objects.select_related("body"), pk=series_id)
    body = series.body
    if not can_view_meetings(request.user, body):
        raise Http404
    try:
        occurrence = assembly_queries.find_occurrence(series, date.fromisoformat(day))
    except ValueError:
        raise Http404 from None
    if occurrence is None:
        raise Http404
    room = Room.objects.filter(meeting__series=series,
                               meeting__original_start=occurrence.original_start).first()
    speech = stats.room_speech(room) if room is not None else None
    context = {"scope": "meeting", "body": body, "occurrence": occurrence, "room": room,
               "speech": speech, "minimum_people": stats.CATEGORY_MINIMUM}
    if speech is not None:
        context["chart"] = _svg(stats.chart(
            speech, _("Speaking time per person — %(meeting)s, %(day)s")
            % {"meeting": series.title, "day": occurrence.key}))
    return render(request, "facilitation/stats.html", context)


def _months(raw: str | None) -> int:
    if raw is None or raw.strip() == "":
        return MONTHS_DEFAULT
    try:
        months = int(raw.strip())
    except ValueError:
        months = None
    if months is None or not MONTHS_MIN <= months <= MONTHS_MAX:
        raise DomainError(_("The period is a whole number of months from %(min)d to %(max)d.")
                          % {"min": MONTHS_MIN, "max": MONTHS_MAX}, field="months")
    return months


def body_stats(request, slug):
    """A body's meetings over the last N months (?months=N, 1 to 24, 12 by default)."""
    body = get_object_or_404(Body, slug=slug)
    if not can_view_meetings(request.user, body):
        raise Http404
    context = {"scope": "body", "body": body, "month_choices": (1, 3, 6, 12, 24),
               "months_min": MONTHS_MIN, "months_max": MONTHS_MAX,
               "minimum_people": stats.CATEGORY_MINIMUM}
    try:
        months = _months(request.GET.get("months"))
    except DomainError as exc:
        context.update(error=exc.message, months=request.GET.get("months", ""))
        return render(request, "facilitation/stats.html", context, status=exc.status)
    now = clock.now()
    since = now - relativedelta(months=months)
    speech = stats.body_speech(body, since, now)
    context.update(months=months, since=since, speech=speech, chart=_svg(stats.chart(
        speech, ngettext("Speaking time per person — %(body)s, over the last month",
                         "Speaking time per person — %(body)s, over the last %(months)d months",
                         months) % {"body": body.name, "months": months})))
    return render(request, "facilitation/stats.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def self_description(request):
    """Opt in to a self-described category, change it, or delete it (an empty one)."""
    current = SelfDescription.objects.filter(person=request.user).first()
    if request.method == "POST":
        category = "" if "delete" in request.POST else request.POST.get("category", "")
        try:
            described = services.describe_myself(person=request.user, category=category)
        except DomainError as exc:
            return render(request, "facilitation/self_description.html",
                          {"current": current, "value": category, "error": exc.message,
                           "minimum": stats.CATEGORY_MINIMUM}, status=exc.status)
        if described is None:
            messages.success(request, _("Your category is deleted."))
        else:
            messages.success(request, _("Your category is saved."))
        return redirect("self_description")
    return render(request, "facilitation/self_description.html",
                  {"current": current, "value": current.category if current else "",
                   "minimum": stats.CATEGORY_MINIMUM})
