from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "autogestion.accounts"
    label = "accounts"
    urls = ["autogestion.accounts.urls"]
    verbose_name = _("Accounts")
    personal_data = "autogestion.accounts.personal_data.export"
    demo = "autogestion.accounts.demo.load"
    api_routers = [("/me", "autogestion.accounts.api.router"),
                   ("/", "autogestion.accounts.api_invitations.router")]

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the signal receivers)
