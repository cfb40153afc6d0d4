from django.core.management.base import BaseCommand, CommandError

from schools.demo_generator import ENGLAND_SCHOOLS, LONDON_SCHOOLS, write_gias_file


class Command(BaseCommand):
    help = (
        "Write a made-up GIAS extract (Windows-1252, the GIAS columns) of plausible schools: about 1,000 across "
        "London's 33 authorities, or about 51,000 across England with --all-regions. The same seed gives the same file."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", help="Where to write the CSV file.")
        parser.add_argument(
            "--schools",
            type=int,
            help=f"How many rows (default {LONDON_SCHOOLS:,}; {ENGLAND_SCHOOLS:,} with --all-regions).",
        )
        parser.add_argument("--all-regions", action="store_true", help="Schools across England, not only London.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")

    def handle(self, *args, **options):
        schools = options["schools"] or (ENGLAND_SCHOOLS if options["all_regions"] else LONDON_SCHOOLS)
        if schools < 1:
            raise CommandError("--schools must be at least 1.")
        try:
            written = write_gias_file(
                options["output"], schools=schools, all_regions=options["all_regions"], seed=options["seed"]
            )
        except OSError as exc:
            raise CommandError(f"Cannot write {options['output']}: {exc.strerror or exc}.") from None
        self.stdout.write(self.style.SUCCESS(f"Wrote {written:,} schools to {options['output']}."))
