from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:notification_id>/", views.notification_open,
         name="notification_open"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
    path("notifications/devices/<int:subscription_id>/remove/",
         views.push_subscription_remove, name="push_subscription_remove"),
]
