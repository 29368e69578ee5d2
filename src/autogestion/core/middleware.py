"""Requests carrying NUL characters are refused at the door: PostgreSQL cannot store
them in text, and no form of ours needs one."""

from django.http import JsonResponse
from django.utils.translation import gettext as _

NUL = "\x00"


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            return JsonResponse({"detail": _("The request contains a NUL character; remove "
                                             "it and try again.")}, status=400)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if NUL in request.path:
            return True
        for values in (request.GET, request.POST if request.method == "POST" else {}):
            for value_list in getattr(values, "lists", lambda: [])():
                if any(NUL in v for v in value_list[1]):
                    return True
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method in {"POST", "PUT", "PATCH"} and "json" in content_type:
            body = request.body
            return b"\\u0000" in body or b"\x00" in body
        return False
