import sys

from django.core.management.base import BaseCommand, CommandError

from schools.gias import GiasFileRefused
from schools.services import MISSING_SHOWN, gias_import_run

PROBLEMS_SHOWN = 50


class TerminalProgressBar:
    """A one-line progress bar on stderr, redrawn in place; only used when stderr is a terminal."""

    def __init__(self, stream, width: int = 30):
        self.stream = stream
        self.width = width
        self.stage = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage and self.stage is not None:
            self.stream.write("\n")
        self.stage = stage
        filled = self.width * done // total if total else self.width
        percent = 100 * done // total if total else 100
        self.stream.write(
            f"\r{stage:<16} [{'#' * filled}{'.' * (self.width - filled)}] {percent:3d}% {done:,}/{total:,}"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.stage is not None:
            self.stream.write("\n")
            self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import schools from the DfE's GIAS extract (edubasealldataYYYYMMDD.csv, as downloaded: Windows-1252). "
        "London only unless --all-regions. Safe to re-run: unchanged schools are not written."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The GIAS 'All establishment data' CSV file.")
        parser.add_argument(
            "--all-regions",
            action="store_true",
            help="Import every English local authority in the file, not only the 33 London ones.",
        )
        parser.add_argument(
            "--full-extract",
            action="store_true",
            help="The file lists every school: mark schools that it does not list as closed.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")

    def handle(self, *args, **options):
        progress = TerminalProgressBar(sys.stderr) if sys.stderr.isatty() else None
        try:
            report = gias_import_run(
                path=options["path"],
                all_regions=options["all_regions"],
                full_extract=options["full_extract"],
                dry_run=options["dry_run"],
                progress=progress,
            )
        except GiasFileRefused as refused:
            raise CommandError(f"{refused.message} Nothing was imported.") from None
        finally:
            if progress is not None:
                progress.close()

        for problem in report.problems[:PROBLEMS_SHOWN]:
            urn = f" (URN {problem['urn']})" if problem["urn"] else ""
            self.stdout.write(self.style.WARNING(f"Skipped line {problem['line']}{urn}: {problem['reason']}"))
        if len(report.problems) > PROBLEMS_SHOWN:
            self.stdout.write(
                self.style.WARNING(f"... and {len(report.problems) - PROBLEMS_SHOWN:,} more skipped rows.")
            )
        if report.outside_scope:
            self.stdout.write(f"Outside London: {report.outside_scope:,} rows ignored (--all-regions imports them).")
        if report.authorities_created:
            self.stdout.write(f"Local authorities added: {report.authorities_created:,}.")
        if report.missing:
            examples = ", ".join(str(urn) for urn in report.missing_urns[:MISSING_SHOWN])
            more = ", ..." if report.missing > MISSING_SHOWN else ""
            fate = "marked closed (--full-extract)" if report.full_extract else "left as they are"
            self.stdout.write(
                self.style.WARNING(
                    f"Missing from the file: {report.missing:,} open schools in scope ({examples}{more}): {fate}."
                )
            )
        self.stdout.write(self.style.SUCCESS(f"{report.file_name}: {report.rows_read:,} rows read: {report.summary}"))
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
