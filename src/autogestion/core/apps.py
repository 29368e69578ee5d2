from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "autogestion.core"
    label = "core"
