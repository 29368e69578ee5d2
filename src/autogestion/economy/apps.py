from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EconomyConfig(AppConfig):
    name = "autogestion.economy"
    label = "economy"
    verbose_name = _("Economy")
    urls = ["autogestion.economy.urls"]
    api_routers = [("/", "autogestion.economy.api.router")]
    periodic_jobs = [("accept_due_payment_requests",
                      "autogestion.economy.services.accept_due_requests")]
    demo = "autogestion.economy.demo.load"
    personal_data = "autogestion.economy.personal_data.export"
    # A currency's euro value and default limits change only by decision (effects.py).
    decision_effects = ["autogestion.economy.effects.EFFECTS"]
