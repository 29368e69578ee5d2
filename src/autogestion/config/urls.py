from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from autogestion.core import registry
from autogestion.core import views as core_views
from autogestion.core.api import api

from . import views as site_views

# The admin signs in through the site's own log-in, which asks for the TOTP code and
# applies the log-in rate limits; its own form would skip both.
admin.site.login = secure_admin_login(admin.site.login)

handler403 = "autogestion.core.views.error_403"
handler404 = "autogestion.core.views.error_404"
handler500 = "autogestion.core.views.error_500"

urlpatterns = [
    path("", site_views.home, name="home"),
    path("newcomers/", site_views.newcomers, name="newcomers"),
    # Installable and readable offline: the manifest and the service worker at the root
    # (a worker serves the pages under its own address), the offline pages.
    path("manifest.webmanifest", site_views.manifest, name="manifest"),
    path("sw.js", site_views.service_worker, name="service_worker"),
    path("offline/", site_views.offline, name="offline"),
    path("offline/not-sent/", site_views.offline, {"not_sent": True}, name="offline_not_sent"),
    path("offline/pages.json", site_views.offline_pages, name="offline_pages"),
    path("healthz", core_views.healthz, name="healthz"),
    path("robots.txt", core_views.robots),
    path("favicon.ico", RedirectView.as_view(url="/static/autogestion/favicon.svg",
                                             permanent=True)),
    # Each capability's pages, named in its apps.py (core/registry.py).
    *[path("", include(module)) for module in registry.url_modules()],
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
