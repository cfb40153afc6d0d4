from django.apps import AppConfig


class MachineClientsConfig(AppConfig):
    name = "machine_clients"
    verbose_name = "Machine clients (OAuth 2.0 client credentials)"
