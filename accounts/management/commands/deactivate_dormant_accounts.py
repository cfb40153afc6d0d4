from django.core.management.base import BaseCommand

from accounts.services import users_deactivate_dormant


class Command(BaseCommand):
    help = "Deactivate accounts with no sign-in or request for 90 days (audited). Run daily."

    def handle(self, *args, **options):
        count = users_deactivate_dormant()
        self.stdout.write(f"Accounts deactivated: {count}")
