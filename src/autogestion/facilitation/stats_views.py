"""Speech statistics pages (DOMAIN.md R14): one meeting, a body over a period, and the
page where a person opts in to a self-described category (or changes or deletes it).

The statistics follow the meetings' visibility: whoever may see a body's meetings sees
them; a closed body's are not found by anyone else."""

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from autogestion.core import clock
from autogestion.core.errors import DomainError

from . import access, queries, services, stats
from .forms import MONTHS_MAX, MONTHS_MIN, MonthsForm


def _svg(markup: str):
    # The builder escapes every piece of text it puts in (names are user input).
    return mark_safe(markup)  # noqa: S308


def room_stats(request, series_id, day):
    """One meeting's speech: turns and speaking time per person, the chart, the measures
    of concentration, process points apart, categories aggregated."""
    occurrence, room = access.get_occurrence_room_for(request.user, series_id, day)
    series = occurrence.series
    body = series.body
    speech = stats.room_speech(room) if room is not None else None
    context = {"scope": "meeting", "body": body, "occurrence": occurrence, "room": room,
               "speech": speech, "minimum_people": stats.CATEGORY_MINIMUM}
    if speech is not None:
        context["chart"] = _svg(stats.chart(
            speech, _("Speaking time per person — %(meeting)s, %(day)s")
            % {"meeting": series.title, "day": occurrence.key}))
    return render(request, "facilitation/stats.html", context)


def body_stats(request, slug):
    """A body's meetings over the last N months (?months=N, 1 to 24, 12 by default)."""
    body = access.get_body_speech_for(request.user, slug)
    context = {"scope": "body", "body": body, "month_choices": (1, 3, 6, 12, 24),
               "months_min": MONTHS_MIN, "months_max": MONTHS_MAX,
               "minimum_people": stats.CATEGORY_MINIMUM}
    try:
        months = MonthsForm({"months": request.GET.get("months", "")}).parsed()["months"]
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
    current = queries.self_description_of(request.user)
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
