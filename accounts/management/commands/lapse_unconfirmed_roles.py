from django.core.management.base import BaseCommand

from accounts.services import roles_lapse_unconfirmed


class Command(BaseCommand):
    help = (
        "End Stepping Stones lead duties, police roles, Stepping Stones coordinator and programme admin roles that "
        "nobody confirmed for 6 months (audited). Run daily."
    )

    def handle(self, *args, **options):
        lapsed = roles_lapse_unconfirmed()
        self.stdout.write(f"Roles lapsed: {lapsed}")
