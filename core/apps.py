from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Shared building blocks"

    def ready(self):
        from . import data_versions

        data_versions.connect()  # every write bumps its table's version (cached page fragments, core.fragments)
