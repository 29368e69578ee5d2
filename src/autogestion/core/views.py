import logging

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.log import log_response
from django.utils.translation import gettext as _

from . import outage
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
        response = JsonResponse({"status": "unavailable", "database": "unreachable"},
                                status=503)
        response["Retry-After"] = str(outage.RETRY_AFTER_SECONDS)
        return response
    return JsonResponse({"status": "ok", "database": "ok"})


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
