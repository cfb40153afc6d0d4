"""Pseudonymise the pupil records of cohorts that ended more than STEPPING_STONES_RETENTION_MONTHS ago (default 24).

Run daily by deploy/systemd/portal-stepping-stones-retention.timer (see docs/stepping-stones.md). Counts stay intact:
rows, statuses, schools, needs and attendance remain; names, UPNs, dates of birth, strengths, contacts and consent
names go. Idempotent. `--dry-run` reports what it would do and changes nothing.
"""

from django.core.management.base import BaseCommand, CommandError

from stepping_stones.services import retention_run


class Command(BaseCommand):
    help = "Pseudonymise Stepping Stones pupil records past their retention period (counts stay)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; change nothing.")
        parser.add_argument(
            "--months",
            type=int,
            default=None,
            help="Months after the cohort ends (default: settings.STEPPING_STONES_RETENTION_MONTHS, or 24).",
        )

    def handle(self, *args, dry_run=False, months=None, **options):
        if months is not None and months < 1:
            raise CommandError("--months must be 1 or more.")
        report = retention_run(months=months, dry_run=dry_run)
        self.stdout.write(report.summary())
