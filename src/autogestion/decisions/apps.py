from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "autogestion.decisions"
    label = "decisions"
    verbose_name = _("Decisions")
    urls = ["autogestion.decisions.urls"]
    api_routers = [("/", "autogestion.decisions.api.router")]
    periodic_jobs = [("close_due_rounds_and_remind",
                      "autogestion.decisions.services.periodic")]
    demo = "autogestion.decisions.demo.load"
    personal_data = "autogestion.decisions.personal_data.export"
    decision_effects = ["autogestion.decisions.effects.EFFECTS"]
