"""The pages that show several capabilities at once: the home page ("À faire" for a
signed-in person), the newcomers' page, and what makes the site installable and readable
offline (the web app manifest, the service worker, the offline pages). They live in the
composition root, beside the URLs, so that the kernel (core/) imports no app."""

import hashlib
import json
import pathlib
from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from autogestion.assemblies import queries as assembly_queries
from autogestion.cooperatives import queries
from autogestion.cooperatives.models import Body
from autogestion.core import clock, todo
from autogestion.notifications.models import Notification

# The latest unread notifications shown on "À faire"; the list has them all.
UNREAD_SHOWN = 5


def home(request):
    if request.user.is_authenticated:
        return _todo(request)
    cooperative = queries.home_cooperative(settings.AUTOGESTION_HOME_COOPERATIVE)
    context = {"cooperative": cooperative}
    if cooperative is not None:
        page = queries.body_page(cooperative, request.user, progress_limit=5,
                                 with_children=False, with_history=False)
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


def _todo(request):
    """"À faire": what waits for the person in every capability, the most pressing first,
    each one tap from where one acts; their unread notifications; the pages kept
    readable offline. A fixed number of queries whatever they hold."""
    person, today = request.user, clock.today()
    unread = list(Notification.objects.filter(person=person, read_at__isnull=True)
                  .order_by("-created_at", "-pk")[:UNREAD_SHOWN])
    page = todo.gather(person, today, with_offline=True)
    return render(request, "core/todo.html", {
        "todo": page,
        "unread": unread,
        "shortcuts": [shortcut for shortcut in page.offline if shortcut.shown],
        "cooperative": queries.home_cooperative(settings.AUTOGESTION_HOME_COOPERATIVE),
    })


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


# Installable and offline-readable ------------------------------------------------------

# The design tokens' ink and background (core/static/autogestion/site.css).
THEME_COLOUR, BACKGROUND_COLOUR = "#1f2a24", "#fbfaf6"


@require_safe
def manifest(request):
    """The web app manifest: a phone installs the site as an app opening on "À faire"."""
    data = {
        "name": "Autogestion",
        "short_name": "Autogestion",
        "description": _("A self-managed platform for cooperatives that run themselves "
                         "by assembly."),
        "lang": get_language() or settings.LANGUAGE_CODE,
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": static("autogestion/icon.svg"), "sizes": "any", "type": "image/svg+xml",
             "purpose": "any"},
            {"src": static("autogestion/icon-192.png"), "sizes": "192x192",
             "type": "image/png", "purpose": "any maskable"},
            {"src": static("autogestion/icon-512.png"), "sizes": "512x512",
             "type": "image/png", "purpose": "any maskable"},
        ],
    }
    return HttpResponse(json.dumps(data, ensure_ascii=False),
                        content_type="application/manifest+json")


def _worker_config() -> dict:
    """What the service worker's code (autogestion/offline.js) needs to know of the site:
    addresses only, nothing about a person."""
    return {
        "version": _version(),
        "static": settings.STATIC_URL,
        "pages": reverse("offline_pages"),
        "offline": reverse("offline"),
        "notSent": reverse("offline_not_sent"),
        "login": reverse("account_login"),
        # A POST to these ends or starts someone's session: the copies go.
        "forget": [reverse("account_login"), reverse("account_logout"),
                   reverse("account_signup"), reverse("admin:logout")],
        # Kept with the offline page, so that it shows as it should with no network.
        "assets": [static("autogestion/site.css"), static("autogestion/site.js"),
                   static("autogestion/offline.js"), static("autogestion/favicon.svg"),
                   static("django_htmx/htmx-2.min.js")],
    }


@lru_cache(maxsize=1)
def _version() -> str:
    """The release and the worker's code: a new one of either renews the worker's caches."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("autogestion")
    except PackageNotFoundError:  # a checkout run without installing
        release = "dev"
    path = finders.find("autogestion/offline.js")
    code = hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()[:10] if path else ""
    return f"{release}-{code}"


@require_safe
@never_cache
def service_worker(request):
    """The service worker, at the root so that it serves every page. Push (helper script
    of the notifications app) first, then offline reading, both from the static files;
    a missing push script leaves offline reading working."""
    config = json.dumps(_worker_config(), separators=(",", ":"))
    push = json.dumps(static("notifications/push-sw.js"))
    offline = json.dumps(static("autogestion/offline.js"))
    script = (
        "// Autogestion's service worker: push notifications, then offline reading.\n"
        f"self.AUTOGESTION = {config};\n"
        f"try {{ importScripts({push}); }} catch (error) {{ /* no push here */ }}\n"
        f"importScripts({offline});\n"
    )
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


def _offline_texts() -> dict:
    """The sentences offline.js says with no network, in the page's language."""
    return {
        # Translators: %(time)s is "14:05"; the page read offline is the copy of then.
        "asOf": _("Offline: as of %(time)s."),
        # Translators: %(day)s is "jeudi 26 novembre", %(time)s "14:05".
        "asOfDay": _("Offline: as of %(day)s, %(time)s."),
        "notSent": _("You are offline: this was not sent. Send it again when the network "
                     "is back."),
    }


@require_safe
def offline(request, not_sent: bool = False):
    """What a page answers with no network when no copy of it is kept (`not_sent`: a form
    sent with no network). Nothing personal: the service worker keeps it for everyone."""
    return render(request, "core/offline.html",
                  {"not_sent": not_sent, "texts": _offline_texts()})


@require_safe
@never_cache
def offline_pages(request):
    """The person's pages to keep readable offline (the service worker fetches and keeps
    them when they open "À faire"), and who they are: a change of person clears the
    copies. Anonymous: nobody, nothing to keep."""
    person = request.user
    if not person.is_authenticated:
        return JsonResponse({"user": None, "pages": []})
    pages = [reverse("home"), *(page.url for page in todo.kept_offline(person))]
    return JsonResponse({"user": person.pk, "pages": list(dict.fromkeys(pages))})
