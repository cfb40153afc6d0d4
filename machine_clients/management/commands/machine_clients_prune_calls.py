from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from oauth2_provider.models import AccessToken

from machine_clients.models import MachineClientCall
from machine_clients.services import machine_client_calls_prune


class Command(BaseCommand):
    help = (
        "Delete machine clients' access-log rows older than MACHINE_CLIENT_CALL_RETENTION_DAYS (default 90), and "
        "access tokens that expired more than a day ago. The audit (registrations, revocations, tokens issued, "
        "refused calls) is not touched. Run daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be deleted; delete nothing.")

    def handle(self, *args, **options):
        days = settings.MACHINE_CLIENT_CALL_RETENTION_DAYS
        now = timezone.now()
        if options["dry_run"]:
            count = MachineClientCall.objects.filter(at__lt=now - timedelta(days=days)).count()
            self.stdout.write(f"Would delete {count} access-log rows older than {days} days.")
            return
        deleted = machine_client_calls_prune(now=now)
        tokens, _ = AccessToken.objects.filter(
            application__machine_client__isnull=False, expires__lt=now - timedelta(days=1)
        ).delete()
        self.stdout.write(f"Deleted {deleted} access-log rows older than {days} days and {tokens} expired tokens.")
