"""Peak memory of CSV exports and zip downloads, large against small (target: large <= 1.2x small).

    .venv/bin/python bench/bench_memory.py [--database-url URL] [--zip-mb 500] [--downloads 1000000]

Measured with tracemalloc (Python allocations: what grows if a response is built in memory), each case in the same
process, the small one first:

- the wand requests export (`/wands/queue/export.csv`, the page's view through the whole middleware stack, signed in as
  the programme admin): every request in the generated database against one borough's;
- `core.csv_export` streaming toolkit downloads (`values_list(...).iterator()`, the way exports are written):
  `--downloads` rows (1,000,000 at full scale) against 10,000 (five of the iterator's 2,000-row fetches);
- the toolkit's zip (`education_toolkit.zips.zip_stream`, as both zip views stream it) of `--zip-mb` MB of
  incompressible files against a 1 MB one, files on disk in a temporary folder.
"""

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import DEFAULT_DATABASE, client_for, machine, setup_django  # noqa: E402

TARGET = 1.2
# The small CSV: a few of the iterator's 2,000-row fetches. Below one fetch the "small" peak measures fewer rows than
# a fetch holds, not growth with rows.
SMALL_CSV = 10_000
ADMIN = "bench-admin@bench.invalid"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--zip-mb", type=int, default=500)
    parser.add_argument("--downloads", type=int, default=1_000_000)
    return parser.parse_args(argv)


def peak(action) -> tuple[int, int, float]:
    """(peak bytes allocated while `action` ran, bytes it produced, seconds)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    produced = action()
    seconds = time.perf_counter() - started
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top, produced, seconds


def consume(chunks) -> int:
    size = 0
    for chunk in chunks:
        size += len(chunk)
    return size


def export_view(client, url: str):
    def action():
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return consume(response.streaming_content)

    return action


def csv_downloads(rows: int):
    from core.csv_export import csv_lines
    from education_toolkit.models import Download

    def action():
        queryset = Download.objects.order_by("pk").values_list(
            "pk", "resource_id", "version_id", "organisation_type", "borough_id", "as_zip", "downloaded_at"
        )[:rows]
        header = ["id", "resource", "version", "organisation type", "borough", "zip", "downloaded at"]
        return consume(s.encode() for s in csv_lines(header=header, rows=queryset.iterator(chunk_size=2000)))

    return action


def zip_of(folder: Path, sizes_mb: list[int]):
    from django.core.files.storage import FileSystemStorage

    from education_toolkit.zips import zip_stream

    storage = FileSystemStorage(location=str(folder))
    entries = []
    for n, size in enumerate(sizes_mb):
        name = f"file-{size}-{n}.bin"
        path = folder / name
        if not path.exists():
            with path.open("wb") as handle:
                for _ in range(size):
                    handle.write(os.urandom(1024 * 1024))
        entries.append((f"resource file {n}.bin", name))

    def action():
        return consume(zip_stream(entries, storage=storage))

    return action


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django(args.database_url)
    from education_toolkit.models import Download
    from wands.models import WandRequest

    print(f"Machine: {machine()}\n")
    print("| case | small | peak (small) | large | peak (large) | large / small (<= 1.2x) | time (large) |")
    print("|---|---|---|---|---|---|---|")
    results = []
    client = client_for(ADMIN)
    # The small export: the London borough with the most requests (a filter the queue offers; a date filter would
    # make SQLite call a Python function on every row of the table). At national scale that is a few thousand rows,
    # more than one 500-row fetch: with fewer rows than a fetch, "small" would measure the fetch, not growth.
    from django.db.models import Count

    from schools.models import LocalAuthority

    borough = (
        LocalAuthority.objects.exclude(area=LocalAuthority.Area.OUTSIDE)
        .annotate(requests=Count("schools__wand_requests"))
        .filter(requests__gt=0)
        .order_by("-requests")
        .values_list("code", "requests")
        .first()
    )
    total = WandRequest.objects.count()
    cases = [
        (
            "CSV of toolkit downloads (core.csv_export)",
            f"{min(SMALL_CSV, args.downloads // 10):,} rows",
            csv_downloads(min(SMALL_CSV, args.downloads // 10)),
            f"{min(args.downloads, Download.objects.count()):,} rows",
            csv_downloads(args.downloads),
        ),
        (
            "wand requests export (view)",
            f"{borough[1]:,} rows (one borough)",
            export_view(client, f"/wands/queue/export.csv?borough={borough[0]}"),
            f"{total:,} rows",
            export_view(client, "/wands/queue/export.csv"),
        ),
    ]
    with tempfile.TemporaryDirectory(prefix="bench-zip-") as folder:
        big = [100] * (args.zip_mb // 100) + ([args.zip_mb % 100] if args.zip_mb % 100 else [])
        cases.append(
            (
                "toolkit zip (zip_stream)",
                "1 MB",
                zip_of(Path(folder), [1]),
                f"{args.zip_mb} MB",
                zip_of(Path(folder), big),
            )
        )
        for name, small_label, small, large_label, large in cases:
            small()  # once untraced: first-call imports, URL and template caches are not the export's memory
            small_peak, small_bytes, _ = peak(small)
            large_peak, large_bytes, seconds = peak(large)
            ratio = large_peak / small_peak
            results.append((name, ratio))
            print(
                f"| {name} | {small_label} ({small_bytes / 1e6:.1f} MB out) | {small_peak / 1e6:.2f} MB "
                f"| {large_label} ({large_bytes / 1e6:.0f} MB out) | {large_peak / 1e6:.2f} MB | **{ratio:.2f}x** "
                f"| {seconds:.1f} s |",
                flush=True,
            )
    missed = [(n, r) for n, r in results if r > TARGET]
    print(f"\nTargets: {len(results) - len(missed)} met, {len(missed)} missed")
    for name, ratio in missed:
        print(f"  MISSED {name}: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
