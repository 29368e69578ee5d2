import logging

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.log import log_response
from django.utils.translation import gettext as _

from autogestion.assemblies import queries as assembly_queries
from autogestion.cooperatives import queries
from autogestion.cooperatives.models import Body

from .errors import DomainError

logger = logging.getLogger(__name__)


def render_refusal(request, exc: DomainError, template: str, context: dict):
    """Show a page again with what went wrong, under the right 4xx status."""
    context = {**context, "error": exc.message, "error_field": exc.field}
    return render(request, template, context, status=exc.status)


def healthz(request):
    """200 when the database answers; 503 otherwise, for load balancers and monitors."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        # The error itself goes to the log, not to the public answer (it names hosts).
        logger.exception("health check: the database does not answer")
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def home(request):
    cooperative = queries.home_cooperative(settings.AUTOGESTION_HOME_COOPERATIVE)
    context = {"cooperative": cooperative}
    if cooperative is not None:
        page = queries.body_page(cooperative, request.user, progress_limit=5,
                                 with_children=False)
        groups = list(Body.objects.descendants_of(cooperative).groups()
                      .with_member_count().order_by("path"))
        context.update(
            page=page,
            groups=groups,
            networks=page.ancestors,
            other_cooperatives=Body.objects.cooperatives().exclude(pk=cooperative.pk)
            .order_by("name"),
        )
    return render(request, "core/home.html", context)


def newcomers(request):
    """How to take part: what the cooperative is, the open groups, how to join."""
    cooperative = queries.home_cooperative(settings.AUTOGESTION_HOME_COOPERATIVE)
    open_groups, upcoming = [], []
    if cooperative is not None:
        open_groups = list(Body.objects.descendants_of(cooperative).groups()
                           .filter(is_open=True).with_member_count().order_by("path"))
        upcoming = assembly_queries.upcoming_for_bodies([cooperative, *open_groups], days=45,
                                                        limit=20)
    return render(request, "core/newcomers.html",
                  {"cooperative": cooperative, "open_groups": open_groups,
                   "upcoming": upcoming})


def robots(request):
    return HttpResponse("User-agent: *\nDisallow: /api/\nDisallow: /admin/\n",
                        content_type="text/plain")


def error_404(request, exception=None):
    return render(request, "core/error.html",
                  {"title": _("Page not found"),
                   "message": _("This page does not exist, or it moved.")}, status=404)


def error_403(request, exception=None):
    response = render(request, "core/error.html",
                      {"title": _("Not allowed"),
                       "message": str(exception) if exception and str(exception)
                       else _("You are not allowed to see this page.")}, status=403)
    # A refusal is an answer, not a fault: one log line, without Django's traceback
    # (logging it here marks the response, so Django does not log it again).
    log_response("Forbidden (Permission denied): %s", request.path, response=response,
                 request=request)
    return response


def error_500(request):
    return render(request, "core/error.html",
                  {"title": _("Something went wrong"),
                   "message": _("The error was logged. Please try again in a moment.")},
                  status=500)
