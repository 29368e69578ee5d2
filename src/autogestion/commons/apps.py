from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonsConfig(AppConfig):
    name = "autogestion.commons"
    label = "commons"
    verbose_name = _("Pooled resources")
    urls = ["autogestion.commons.urls"]
    api_routers = [("/", "autogestion.commons.api.router")]
    demo = "autogestion.commons.demo.load"
    personal_data = "autogestion.commons.personal_data.export"
