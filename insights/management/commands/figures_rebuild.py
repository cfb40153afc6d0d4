"""`manage.py figures_rebuild`: rebuild the summary rows of the cross-programme figures now (insights.summaries)."""

from django.core.management.base import BaseCommand

from insights import summaries


class Command(BaseCommand):
    help = "Rebuild the summary rows of the dashboard, the map and the open figures from every programme's figures"

    def handle(self, *args, **options):
        rows = summaries.refresh_now(days=True)
        self.stdout.write(self.style.SUCCESS(f"Figure summaries rebuilt: {rows:,} rows."))
