from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CooperativesConfig(AppConfig):
    name = "autogestion.cooperatives"
    label = "cooperatives"
    urls = ["autogestion.cooperatives.urls"]
    verbose_name = _("Cooperatives and groups")
    personal_data = "autogestion.cooperatives.personal_data.export"
    api_routers = [("/", "autogestion.cooperatives.api.router")]
    decision_effects = ["autogestion.cooperatives.effects.EFFECTS"]
