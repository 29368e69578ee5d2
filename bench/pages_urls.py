"""URLs of the pages benchmark: the whole site, plus a trivial view that answers "ok"
through the same middleware, as the baseline."""

from django.http import HttpResponse
from django.urls import include, path

from autogestion.config.urls import handler403, handler404, handler500  # noqa: F401


def ok(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/ok/", ok, name="bench_ok"),
    path("", include("autogestion.config.urls")),
]
