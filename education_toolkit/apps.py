from django.apps import AppConfig


class EducationToolkitConfig(AppConfig):
    name = "education_toolkit"
    verbose_name = "London Needs You Alive toolkit"
