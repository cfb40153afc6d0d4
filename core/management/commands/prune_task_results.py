from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.models import SentEmail, WorkerHeartbeat


class Command(BaseCommand):
    help = (
        "Delete finished background-task results (successful or failed) older than --days. Queued and running tasks "
        "are never touched; nor are send records (core.SentEmail) and worker heartbeats younger than --days. Run "
        "nightly."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="Keep results that finished in the last N days.")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be deleted; delete nothing.")

    def handle(self, *args, **options):
        days = options["days"]
        if days < 1:
            raise CommandError("--days must be at least 1.")
        cutoff = timezone.now() - timedelta(days=days)
        old = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff)
        if options["dry_run"]:
            self.stdout.write(f"Would delete {old.count()} finished task results older than {days} days.")
            return
        with transaction.atomic():
            deleted, _ = DBTaskResult.objects.filter(pk__in=old.values("pk")).delete()
            # A send record only matters while its task may still run again (minutes); heartbeats of gone workers.
            records, _ = SentEmail.objects.filter(sent_at__lt=cutoff).delete()
            WorkerHeartbeat.objects.filter(seen_at__lt=cutoff).delete()
        self.stdout.write(f"Deleted {deleted} finished task results older than {days} days.")
        if records:
            self.stdout.write(f"Deleted {records} email send records older than {days} days.")
