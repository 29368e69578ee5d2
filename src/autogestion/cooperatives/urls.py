from django.urls import path

from . import views

urlpatterns = [
    path("bodies/", views.body_list, name="body_list"),
    path("bodies/new/", views.create_body, name="body_create"),
    path("bodies/<slug:slug>/", views.body_detail, name="body_detail"),
    path("bodies/<slug:slug>/join/", views.join, name="body_join"),
    path("bodies/<slug:slug>/leave/", views.leave, name="body_leave"),
    path("bodies/<slug:slug>/edit/", views.edit_body, name="body_edit"),
    path("bodies/<slug:slug>/progress/", views.post_progress, name="body_progress"),
    path("bodies/<slug:slug>/members/", views.directory, name="body_directory"),
    path("bodies/<slug:slug>/requests/", views.requests_page, name="body_requests"),
    path("bodies/<slug:slug>/found/", views.found_inside, name="body_found"),
    path("bodies/<slug:slug>/colleges/", views.colleges, name="body_colleges"),
    path("bodies/<slug:slug>/roles/", views.roles, name="body_roles"),
    path("bodies/<slug:slug>/capital/", views.capital, name="body_capital"),
    path("memberships/<int:membership_id>/accept/", views.accept_request,
         name="membership_accept"),
    path("memberships/<int:membership_id>/decline/", views.decline_request,
         name="membership_decline"),
]
