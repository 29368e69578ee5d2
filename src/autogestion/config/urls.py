from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from autogestion.accounts import views as accounts_views
from autogestion.cooperatives import views as body_views
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
    path("healthz", core_views.healthz, name="healthz"),
    path("robots.txt", core_views.robots),
    path("favicon.ico", RedirectView.as_view(url="/static/autogestion/favicon.svg",
                                             permanent=True)),
    path("bodies/", body_views.body_list, name="body_list"),
    path("bodies/<slug:slug>/", body_views.body_detail, name="body_detail"),
    path("bodies/<slug:slug>/join/", body_views.join, name="body_join"),
    path("bodies/<slug:slug>/leave/", body_views.leave, name="body_leave"),
    path("bodies/<slug:slug>/edit/", body_views.edit_body, name="body_edit"),
    path("bodies/<slug:slug>/progress/", body_views.post_progress, name="body_progress"),
    path("bodies/<slug:slug>/members/", body_views.directory, name="body_directory"),
    path("bodies/<slug:slug>/requests/", body_views.requests_page, name="body_requests"),
    path("memberships/<int:membership_id>/accept/", body_views.accept_request,
         name="membership_accept"),
    path("memberships/<int:membership_id>/decline/", body_views.decline_request,
         name="membership_decline"),
    path("profile/", accounts_views.profile, name="profile"),
    path("profile/export.json", accounts_views.export_data, name="profile_export"),
    path("profile/tokens/", accounts_views.create_token, name="token_create"),
    path("profile/tokens/<int:token_id>/revoke/", accounts_views.revoke_token,
         name="token_revoke"),
    path("language/", accounts_views.set_language, name="set_language"),
    # Each capability's pages, named in its apps.py (core/registry.py).
    *[path("", include(module)) for module in registry.url_modules()],
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
