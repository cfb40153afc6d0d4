import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from schools.gias import GiasFileRefused
from schools.management.commands.import_gias import TerminalProgressBar
from schools.refresh import gias_refresh_run
from schools.sources import source_fetch

PROBLEMS_SHOWN = 20


class Command(BaseCommand):
    help = (
        "The nightly refresh of the school register from GIAS: the establishment extract and the links file. "
        "Changes and openings apply at once; closures and successions wait for a programme admin at "
        "/schools/changes/; a refresh that would close too many schools applies nothing and alerts the admins."
    )

    def add_arguments(self, parser):
        parser.add_argument("--extract", help="Path or https:// URL (default: GIAS_EXTRACT_SOURCE).")
        parser.add_argument("--links", help="Path or https:// URL of the links file (default: GIAS_LINKS_SOURCE).")
        parser.add_argument("--all-regions", action="store_true", help="Every English authority, not only London.")
        parser.add_argument(
            "--max-close-share",
            type=float,
            help="Largest share of open schools one refresh may close (default GIAS_REFRESH_MAX_CLOSE_SHARE, 0.05).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")

    def handle(self, *args, **options):
        share = options["max_close_share"]
        if share is not None and not 0 <= share <= 1:
            raise CommandError("--max-close-share is a share between 0 and 1, such as 0.05.")
        progress = TerminalProgressBar(sys.stderr) if sys.stderr.isatty() else None
        with tempfile.TemporaryDirectory(prefix="gias-refresh-") as folder:
            try:
                extract = source_fetch(
                    options["extract"] or settings.GIAS_EXTRACT_SOURCE, folder=Path(folder), name="extract.csv"
                )
                links = source_fetch(
                    options["links"] or settings.GIAS_LINKS_SOURCE, folder=Path(folder), name="links.csv"
                )
                report = gias_refresh_run(
                    extract_path=extract,
                    links_path=links,
                    all_regions=options["all_regions"],
                    max_close_share=share,
                    dry_run=options["dry_run"],
                    progress=progress,
                )
            except GiasFileRefused as refused:
                raise CommandError(f"{refused.message} Nothing was changed.") from None
            finally:
                if progress is not None:
                    progress.close()
        run = report.run
        if report.guard_tripped:
            self.stderr.write(
                self.style.ERROR(
                    f"Held back: {len(report.closing):,} of {report.open_in_scope:,} open schools would close, more "
                    f"than {100 * report.max_share:g}%. Nothing was applied; the programme admins were alerted."
                )
            )
            sys.exit(2)
        for problem in run.problems[:PROBLEMS_SHOWN]:
            urn = f" (URN {problem['urn']})" if problem["urn"] else ""
            self.stdout.write(self.style.WARNING(f"Skipped line {problem['line']}{urn}: {problem['reason']}"))
        for problem in report.link_problems[:PROBLEMS_SHOWN]:
            where = f"line {problem['line']}: " if "line" in problem else ""
            subject = problem.get("link_type") or problem.get("urns") or problem.get("urn") or ""
            self.stdout.write(self.style.WARNING(f"Links file: {where}{subject} {problem['reason']}".strip()))
        if len(report.link_problems) > PROBLEMS_SHOWN:
            self.stdout.write(f"... and {len(report.link_problems) - PROBLEMS_SHOWN:,} more about the links file.")
        self.stdout.write(
            f"Links: {run.links_read:,} read, {run.links_added:,} added or changed, {run.links_removed:,} removed."
        )
        self.stdout.write(f"Closures and successions sent for review: {run.changes_queued:,}.")
        self.stdout.write(self.style.SUCCESS(f"{run.file_name}: {run.rows_read:,} rows read: {run.summary}"))
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
