from django.urls import path

from . import feeds, views

urlpatterns = [
    path("resources/", views.resource_list, name="resource_list"),
    path("resources/<int:resource_id>/", views.resource_detail, name="resource_detail"),
    path("resources/<int:resource_id>/edit/", views.resource_edit, name="resource_edit"),
    path("resources/<int:resource_id>/book/", views.book, name="resource_book"),
    path("resources/<int:resource_id>/photos/", views.photo_add, name="resource_photo_add"),
    path("resources/<int:resource_id>/calendar.ics", feeds.resource_calendar,
         name="resource_calendar"),
    path("resource-photos/<int:photo_id>/", views.photo, name="resource_photo"),
    path("resource-photos/<int:photo_id>/remove/", views.photo_remove,
         name="resource_photo_remove"),
    path("bodies/<slug:slug>/resources/", views.body_resources, name="body_resources"),
    path("bodies/<slug:slug>/resources/new/", views.resource_create, name="resource_create"),
    path("bookings/", views.my_bookings, name="my_bookings"),
    path("bookings/<int:booking_id>/approve/", views.approve, name="booking_approve"),
    path("bookings/<int:booking_id>/decline/", views.decline, name="booking_decline"),
    path("bookings/<int:booking_id>/cancel/", views.cancel, name="booking_cancel"),
]
