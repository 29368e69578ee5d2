from django.urls import path

from . import views

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/export.json", views.export_data, name="profile_export"),
    path("profile/tokens/", views.create_token, name="token_create"),
    path("profile/tokens/<int:token_id>/revoke/", views.revoke_token,
         name="token_revoke"),
    path("language/", views.set_language, name="set_language"),
    # Invitations (R17): a body's, made by its members; the link the person opens.
    path("bodies/<slug:slug>/invitations/", views.body_invitations,
         name="body_invitations"),
    path("bodies/<slug:slug>/invitations/<int:invitation_id>/revoke/",
         views.revoke_invitation, name="invitation_revoke"),
    path("invitations/<str:invitation_token>/", views.invitation_detail,
         name="invitation_detail"),
]
