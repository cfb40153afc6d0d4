"""Benchmark: `import_gias --all-regions` on an England-sized generated extract against a bare baseline.

    .venv/bin/python bench/bench_gias_import.py [--schools 51000] [--repeat 2] [--database-url URL]

The baseline is the least work that puts the same rows in the table: decode the file, convert every value, convert
easting/northing to latitude/longitude, create the missing authorities and `bulk_create` the schools in one
transaction. The import does that plus what makes it safe to run on live data: row validation with line numbers,
loading and comparing the existing schools, missing-school detection, the run record and its audit entry.
Both start from an empty register and run in the same process; each is timed `--repeat` times and the best is kept.
Then the re-import (nothing to write), an update of most schools (new pupil numbers) and the 1,000-school London
demo file are timed. Prints the ratio (target <= 2x).

By default everything runs on a scratch SQLite database in a temporary folder; `--database-url` must point at a
throwaway database (its schools are deleted).
"""

import argparse
import csv
import datetime
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 2.0


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=51_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="A throwaway database (default: scratch SQLite in a temp folder).")
    return parser.parse_args()


def setup_django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schools_portal.settings.test")
    import django

    django.setup()


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def baseline_load(path: Path) -> int:
    """Parse the same rows with no checks and bulk_create them: the floor an importer can be compared with."""
    from django.db import transaction

    from schools.gias import LONDON_LA_CODES, PHASE_BY_NAME, STATUS_BY_NAME, grid_to_latlon
    from schools.models import LocalAuthority, School

    def number(value: str) -> int | None:
        return int(value) if value else None

    def date(value: str) -> datetime.date | None:
        return datetime.datetime.strptime(value, "%d-%m-%Y").date() if value else None  # noqa: DTZ007

    with path.open(encoding="cp1252", newline="") as handle:
        rows = list(csv.DictReader(handle))
    known = set(LocalAuthority.objects.values_list("code", flat=True))
    new_authorities = {}
    schools = []
    for row in rows:
        code = int(row["LA (code)"])
        if code not in known and code not in LONDON_LA_CODES:
            new_authorities[code] = row["LA (name)"]
        schools.append(
            School(
                urn=int(row["URN"]),
                local_authority_id=code,
                name=row["EstablishmentName"],
                establishment_number=row["EstablishmentNumber"],
                type_name=row["TypeOfEstablishment (name)"],
                type_group_name=row["EstablishmentTypeGroup (name)"],
                phase=PHASE_BY_NAME[row["PhaseOfEducation (name)"].lower()],
                status=STATUS_BY_NAME[row["EstablishmentStatus (name)"].lower()],
                statutory_low_age=number(row["StatutoryLowAge"]),
                statutory_high_age=number(row["StatutoryHighAge"]),
                number_of_pupils=number(row["NumberOfPupils"]),
                gender=row["Gender (name)"],
                religious_character=row["ReligiousCharacter (name)"],
                street=row["Street"],
                locality=row["Locality"],
                address3=row["Address3"],
                town=row["Town"],
                postcode=row["Postcode"],
                website=row["SchoolWebsite"],
                telephone=row["TelephoneNum"],
                easting=number(row["Easting"]),
                northing=number(row["Northing"]),
                open_date=date(row["OpenDate"]),
                close_date=date(row["CloseDate"]),
            )
        )
    positions = grid_to_latlon([s.easting for s in schools], [s.northing for s in schools])
    for school, (latitude, longitude) in zip(schools, positions, strict=True):
        school.latitude, school.longitude = latitude, longitude
    with transaction.atomic():
        LocalAuthority.objects.bulk_create(
            [
                LocalAuthority(code=code, name=name, area=LocalAuthority.Area.OUTSIDE)
                for code, name in new_authorities.items()
            ]
        )
        School.objects.bulk_create(schools, batch_size=2000)
    return len(schools)


def with_new_pupil_numbers(source: Path, target: Path) -> None:
    """The same extract after a school census: every pupil number one higher, so most schools are updated."""
    with source.open(encoding="cp1252", newline="") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index("NumberOfPupils")
    for row in rows[1:]:
        if row[column]:
            row[column] = str(int(row[column]) + 1)
    with target.open("w", encoding="cp1252", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)


def empty_register() -> None:
    from schools.models import LocalAuthority, School

    School.objects.all().delete()
    LocalAuthority.objects.filter(area=LocalAuthority.Area.OUTSIDE).delete()


def import_command(path: Path, *options: str) -> str:
    from django.core.management import call_command

    out = io.StringIO()
    call_command("import_gias", str(path), *options, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-gias-") as folder:
        folder = Path(folder)
        setup_django(args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}")
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        from schools.demo_generator import write_gias_file

        call_command("migrate", verbosity=0)
        england, london = folder / "edubasealldata_england.csv", folder / "edubasealldata_london.csv"
        generate_seconds, _ = timed(
            lambda: write_gias_file(england, schools=args.schools, all_regions=True, seed=args.seed)
        )
        write_gias_file(london, schools=1000, seed=args.seed)
        size_mb = england.stat().st_size / 1e6
        print(f"Database: {connection.vendor} ({settings.DATABASES['default']['NAME']})")
        print(f"England file: {args.schools:,} rows, {size_mb:.1f} MB, generated in {generate_seconds:.1f} s")

        baseline_times, import_times = [], []
        summary = ""
        for _ in range(args.repeat):
            empty_register()
            seconds, _ = timed(lambda: baseline_load(england))
            baseline_times.append(seconds)
            empty_register()
            seconds, summary = timed(lambda: import_command(england, "--all-regions"))
            import_times.append(seconds)
        print(f"  import summary: {summary}")
        reimport_seconds, reimport_summary = timed(lambda: import_command(england, "--all-regions"))
        print(f"  re-import summary: {reimport_summary}")

        changed = folder / "edubasealldata_england_census.csv"
        with_new_pupil_numbers(england, changed)
        update_seconds, update_summary = timed(lambda: import_command(changed, "--all-regions"))
        print(f"  census update summary: {update_summary}")

        empty_register()
        demo_seconds, demo_summary = timed(lambda: import_command(london))
        demo_again_seconds, demo_again_summary = timed(lambda: import_command(london))

        baseline, full = min(baseline_times), min(import_times)
        ratio = full / baseline
        print()
        print(f"| step | seconds (best of {args.repeat}) |")
        print("|---|---|")
        print(f"| baseline: parse + bulk_create, {args.schools:,} rows | {baseline:.1f} |")
        print(f"| import_gias --all-regions, {args.schools:,} rows into an empty register | {full:.1f} |")
        print(f"| import_gias --all-regions again (nothing to write) | {reimport_seconds:.1f} |")
        print(f"| import_gias --all-regions, every open school's pupil number changed | {update_seconds:.1f} |")
        print(f"| import_gias, 1,000-school London demo file | {demo_seconds:.2f} |")
        print(f"| import_gias, the demo file again | {demo_again_seconds:.2f} |")
        print()
        print(f"demo: {demo_summary}")
        print(f"demo again: {demo_again_summary}")
        verdict = "within" if ratio <= TARGET_RATIO else "OVER"
        print(f"ratio import / baseline: {ratio:.2f}x ({verdict} the {TARGET_RATIO:.0f}x target)")


if __name__ == "__main__":
    main()
