from django.urls import path

from . import views

urlpatterns = [
    path("bodies/", views.body_list, name="body_list"),
    path("bodies/<slug:slug>/", views.body_detail, name="body_detail"),
    path("bodies/<slug:slug>/join/", views.join, name="body_join"),
    path("bodies/<slug:slug>/leave/", views.leave, name="body_leave"),
    path("bodies/<slug:slug>/edit/", views.edit_body, name="body_edit"),
    path("bodies/<slug:slug>/progress/", views.post_progress, name="body_progress"),
    path("bodies/<slug:slug>/members/", views.directory, name="body_directory"),
    path("bodies/<slug:slug>/requests/", views.requests_page, name="body_requests"),
    path("memberships/<int:membership_id>/accept/", views.accept_request,
         name="membership_accept"),
    path("memberships/<int:membership_id>/decline/", views.decline_request,
         name="membership_decline"),
]
