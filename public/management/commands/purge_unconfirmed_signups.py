from django.core.management.base import BaseCommand

from public.services import signups_unconfirmed_purge


class Command(BaseCommand):
    help = "Delete VRU update sign-ups never confirmed within 7 days, and addresses left with none. Run daily."

    def handle(self, *args, **options):
        records, subscribers = signups_unconfirmed_purge()
        self.stdout.write(f"Unconfirmed sign-ups deleted: {records}; addresses deleted: {subscribers}")
