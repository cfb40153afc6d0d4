from django.apps import AppConfig


class SteppingStonesConfig(AppConfig):
    name = "stepping_stones"
    verbose_name = "Stepping Stones"
