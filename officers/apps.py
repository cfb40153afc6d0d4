from django.apps import AppConfig


class OfficersConfig(AppConfig):
    name = "officers"
    verbose_name = "School officers"
