"""Input that cannot be read or stored is refused at the door, before any view, form or
API schema sees it, whatever Content-Type the client announced:

- a NUL character or a lone UTF-16 surrogate anywhere (address, query, form, JSON body):
  400 naming the field (see `unstorable`);
- on the API, a form or multipart body (415: the API reads JSON) and one larger than
  DATA_UPLOAD_MAX_MEMORY_SIZE (413), answered in JSON.

The API's body is read as bytes before anything else touches it: reading `request.POST`
first would consume the stream the API parses afterwards (RawPostDataException)."""

import json
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.translation import gettext as _

from . import unstorable

FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})
# What the test client and some HTTP libraries send as the body of a POST without data.
_EMPTY_FORM = re.compile(rb"\s*(--[^\r\n]*--)?\s*")


def is_api(request) -> bool:
    return request.path_info.startswith("/api/")


class InputDoorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        return self.get_response(request)

    def _refusal(self, request):
        found = unstorable.in_text(request.path) or unstorable.in_querydict(request.GET)
        if found:
            return JsonResponse(found.as_json(), status=400)
        if is_api(request):
            return _api_body_refusal(request)
        found = _unstorable_in_page_body(request)
        return JsonResponse(found.as_json(), status=400) if found else None


def _api_body_refusal(request):
    try:
        body = request.body
    except RequestDataTooBig:
        return JsonResponse({"detail": _(
            "The request body is larger than %(limit)s bytes; send less.")
            % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}}, status=413)
    if not body:
        return None
    if request.content_type in FORM_TYPES:
        if _EMPTY_FORM.fullmatch(body):
            return None
        return JsonResponse({"detail": _(
            "The API reads JSON only: send the body as application/json, not as "
            "%(content_type)s.") % {"content_type": request.content_type}}, status=415)
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        # Not JSON: refused (400) by the operations that read a body; the others never
        # look at it.
        return None
    found = unstorable.in_data(data)
    return JsonResponse(found.as_json(), status=400) if found else None


def _unstorable_in_page_body(request):
    if request.content_type in FORM_TYPES:
        # Pages read forms through request.POST, which streams uploads to disk: the raw
        # body of a photo is not held in memory. Django parses forms of POSTs only.
        return unstorable.in_querydict(request.POST) if request.method == "POST" else None
    body = request.body
    if not body:
        return None
    try:
        return unstorable.in_data(json.loads(body))
    except (ValueError, RecursionError):
        return unstorable.Unstorable("", "\x00") if b"\x00" in body else None
