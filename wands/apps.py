from django.apps import AppConfig


class WandsConfig(AppConfig):
    name = "wands"
    verbose_name = "Knife wands for schools"
