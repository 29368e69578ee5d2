"""While the database cannot be reached, say so and when to come back: 503 with
Retry-After (JSON on the API, a short page elsewhere) instead of a 500.

The failure may surface in a view, or in a middleware that reads the session or the
signed-in person; Django turns an exception raised there into a 500 response before it
climbs back here, and the 500 page itself may fail again on the same database. So the
middleware, placed before the session middleware, catches what escapes, answers view
exceptions itself, and recognises a 500 that an outage caused (noted when Django
reported the exception). The answer touches neither the database, nor the session,
nor the person."""

import logging
import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from .middleware import is_api

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def _outage_errors() -> tuple[type[Exception], ...]:
    errors: list[type[Exception]] = [OperationalError, InterfaceError]
    try:
        import psycopg
    except ImportError:  # SQLite-only installs
        return tuple(errors)
    # psycopg_pool's PoolTimeout (DATABASE_POOL=1) is a psycopg.OperationalError; Django
    # wraps most of these in its own classes, these catch any that escape unwrapped.
    return (*errors, psycopg.OperationalError, psycopg.InterfaceError)


OUTAGE_ERRORS = _outage_errors()


def _note_outage(sender, request=None, **kwargs):
    # Sent by Django from inside its `except` block, so the exception is at hand.
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, OUTAGE_ERRORS):
        request.database_outage = error


got_request_exception.connect(_note_outage, dispatch_uid="autogestion.core.outage")


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        except OUTAGE_ERRORS as error:
            return outage_response(request, error)
        outage = getattr(request, "database_outage", None)
        if outage is not None and response.status_code == 500:
            return outage_response(request, outage)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, OUTAGE_ERRORS):
            return outage_response(request, exception)
        return None


def outage_response(request, error: Exception) -> HttpResponse:
    logger.error("The database cannot be reached: %s", error, exc_info=error)
    # The person's saved language needs the database: the browser's choice will do.
    with translation.override(translation.get_language_from_request(request)):
        if is_api(request):
            response = JsonResponse({"detail": _(
                "The database cannot be reached for the moment; try again in %(seconds)s "
                "seconds.") % {"seconds": RETRY_AFTER_SECONDS}}, status=503)
        else:
            response = HttpResponse(render_to_string(
                "503.html", {"retry_after": RETRY_AFTER_SECONDS}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
