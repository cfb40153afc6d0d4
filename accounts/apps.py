from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts, roles and memberships"

    def ready(self):
        from . import facts

        facts.connect()  # what every signed-in page reads about a person, cached per person (core.user_facts)
