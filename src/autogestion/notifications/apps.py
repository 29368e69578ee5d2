from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "autogestion.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"
    urls = ["autogestion.notifications.urls"]
    api_routers = [("/notifications", "autogestion.notifications.api.router")]
    personal_data = "autogestion.notifications.personal_data.export"

    def ready(self):
        from . import receivers  # noqa: F401 - logging out forgets this browser's pushes
