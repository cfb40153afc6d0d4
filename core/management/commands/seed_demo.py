from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.demo import collect_demo_steps


class Command(BaseCommand):
    help = "Load the London demo data (schools, demo users, programme data). Safe to re-run."

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=1000, help="How many demo schools to generate.")
        parser.add_argument("--force", action="store_true", help="Allow outside DEBUG (never on a live service).")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Demo data is only loaded when DEBUG is on (or with --force on a throwaway database).")
        for _order, label, module in collect_demo_steps():
            self.stdout.write(f"Demo data: {label}")
            module.seed(stdout=self.stdout, options=options)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
