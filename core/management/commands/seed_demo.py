import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.demo import collect_demo_steps


class _CountScheduledEmails(logging.Filter):
    """Counts the "email scheduled" lines the demo workflows log and keeps them off the console."""

    def __init__(self):
        super().__init__()
        self.scheduled = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage() == "email scheduled":
            self.scheduled += 1
            return False
        return True


class Command(BaseCommand):
    help = "Load the London demo data (schools, demo users, programme data). Safe to re-run."

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=1000, help="How many demo schools to generate.")
        parser.add_argument("--force", action="store_true", help="Allow outside DEBUG (never on a live service).")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Demo data is only loaded when DEBUG is on (or with --force on a throwaway database).")
        # The demo workflows send their emails as real ones would: one line each would bury the summary.
        email_logger = logging.getLogger("portal.email")
        emails = _CountScheduledEmails()
        email_logger.addFilter(emails)
        try:
            for _order, label, module in collect_demo_steps():
                self.stdout.write(f"Demo data: {label}")
                module.seed(stdout=self.stdout, options=options)
        finally:
            email_logger.removeFilter(emails)
        if emails.scheduled:
            self.stdout.write(
                f"{emails.scheduled:,} demo emails queued: `make worker` (another terminal) prints them to its console."
            )
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
