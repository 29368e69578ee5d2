from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssembliesConfig(AppConfig):
    name = "autogestion.assemblies"
    label = "assemblies"
    verbose_name = _("Assemblies and meetings")
    urls = ["autogestion.assemblies.urls"]
    api_routers = [("/", "autogestion.assemblies.api.router")]
    periodic_jobs = [("send_due_reminders",
                      "autogestion.assemblies.services.send_due_reminders")]
    demo = "autogestion.assemblies.demo.load"
    personal_data = "autogestion.assemblies.personal_data.export"

    def ready(self):
        from autogestion.cooperatives.signals import group_founded

        from .receivers import on_group_founded

        group_founded.connect(on_group_founded, dispatch_uid="assemblies.group_news")
