from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkConfig(AppConfig):
    name = "autogestion.work"
    label = "work"
    verbose_name = _("Work and rotation")
    urls = ["autogestion.work.urls", "autogestion.work.daily.urls"]
    api_routers = [("/", "autogestion.work.api.router"),
                   ("/", "autogestion.work.daily.api.router")]
    demo = ["autogestion.work.demo.load", "autogestion.work.daily.demo.load"]
    personal_data = "autogestion.work.personal_data.export"
