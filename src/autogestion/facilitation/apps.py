from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitationConfig(AppConfig):
    name = "autogestion.facilitation"
    label = "facilitation"
    verbose_name = _("Meeting room")
    urls = ["autogestion.facilitation.urls"]
    api_routers = [("/", "autogestion.facilitation.api.router")]
    demo = "autogestion.facilitation.demo.load"
    personal_data = "autogestion.facilitation.personal_data.export"
