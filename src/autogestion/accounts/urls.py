from django.urls import path

from . import views

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/export.json", views.export_data, name="profile_export"),
    path("profile/tokens/", views.create_token, name="token_create"),
    path("profile/tokens/<int:token_id>/revoke/", views.revoke_token,
         name="token_revoke"),
    path("language/", views.set_language, name="set_language"),
]
