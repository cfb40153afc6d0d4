"""Demo schools: a generated London GIAS extract loaded through the real import, so the demo uses the import path;
then one nightly refresh (the real `gias_refresh` path) in which a few schools convert to academies and two primaries
amalgamate, so the review of closures and successions has something waiting."""

import csv
import tempfile
from pathlib import Path

from .demo_generator import ENCODING, HEADERS, LONDON_SCHOOLS, generate_rows, write_gias_file
from .models import School
from .refresh import gias_refresh_run
from .services import gias_import_run

ORDER = 10
DEMO_SEED = 2024
HACKNEY = "204"
FIRST_NEW_URN = 160001
LINKS_HEADERS = ["URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate"]
CONVERSION_DATE = "01-09-2026"


def _write(path: Path, headers: list[str], rows: list[dict]) -> Path:
    with path.open("w", encoding=ENCODING, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=headers, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _converted(row: dict, urn: int, name: str) -> dict:
    return {
        **row,
        "URN": str(urn),
        "EstablishmentName": name,
        "TypeOfEstablishment (name)": "Academy converter",
        "EstablishmentTypeGroup (name)": "Academies",
        "EstablishmentStatus (name)": "Open",
        "OpenDate": CONVERSION_DATE,
        "CloseDate": "",
    }


def _teaches_year_6(row: dict) -> bool:
    """Not School.LEAVES_OUT_YEAR_6, for a row of the extract (an age left empty says nothing)."""
    low, high = (row.get(column, "").strip() for column in ("StatutoryLowAge", "StatutoryHighAge"))
    year_6_low, year_6_high = School.YEAR_6_AGES
    return not ((low.isdigit() and int(low) > year_6_low) or (high.isdigit() and int(high) < year_6_high))


def conversion_files(folder: Path, *, schools: int) -> tuple[Path, Path]:
    """Tonight's extract and links file: two secondaries convert (Hackney's first, not the demo headteacher's school,
    which is the first by URN) and two Hackney primaries amalgamate into a new academy (not the demo primary, the
    first by URN that teaches Year 6)."""
    rows = generate_rows(schools=schools, seed=DEMO_SEED)
    open_hackney = [r for r in rows if r["LA (code)"] == HACKNEY and r["EstablishmentStatus (name)"] == "Open"]
    hackney_secondaries = [r for r in open_hackney if r["PhaseOfEducation (name)"] == "Secondary"]
    others = [
        r
        for r in rows
        if r["EstablishmentStatus (name)"] == "Open"
        and r["PhaseOfEducation (name)"] == "Secondary"
        and r["LA (code)"] != HACKNEY
    ]
    secondaries = (hackney_secondaries[1:] + others)[:2]
    # Not the first Hackney primary by URN that teaches Year 6: that is the demo primary
    # (accounts.demo.demo_primary_school), whose people try the Stepping Stones referral journey; it must not be a
    # school waiting to close.
    hackney_primaries = sorted(
        (r for r in open_hackney if r["PhaseOfEducation (name)"] == "Primary"), key=lambda r: int(r["URN"])
    )
    demo_primary = next((r for r in hackney_primaries if _teaches_year_6(r)), None)
    primaries = [r for r in hackney_primaries if r is not demo_primary][:2]
    links, new_rows = [], []
    plans = [([row], f"{row['EstablishmentName']} Academy", "") for row in secondaries]
    if len(primaries) == 2:
        plans.append((primaries, "Hackney Amalgamated Primary Academy", " - amalgamated"))
    for number, (olds, name, suffix) in enumerate(plans):
        new_urn = FIRST_NEW_URN + number
        new_rows.append(_converted(olds[0], new_urn, name))
        for old in olds:
            old["EstablishmentStatus (name)"] = "Closed"
            old["CloseDate"] = "31-08-2026"
            links.append(
                {
                    "URN": old["URN"],
                    "LinkURN": new_urn,
                    "LinkName": name,
                    "LinkType": f"Successor{suffix}",
                    "LinkEstablishedDate": CONVERSION_DATE,
                }
            )
            links.append(
                {
                    "URN": new_urn,
                    "LinkURN": old["URN"],
                    "LinkName": old["EstablishmentName"],
                    "LinkType": f"Predecessor{suffix}",
                    "LinkEstablishedDate": CONVERSION_DATE,
                }
            )
    extract = _write(folder / "edubasealldata_demo_tonight.csv", HEADERS, rows + new_rows)
    links_file = _write(folder / "links_edubasealldata_demo_tonight.csv", LINKS_HEADERS, links)
    return extract, links_file


def seed(*, stdout, options) -> None:
    schools = options.get("schools") or LONDON_SCHOOLS
    with tempfile.TemporaryDirectory(prefix="demo-gias-") as folder:
        path = Path(folder) / "edubasealldata_demo.csv"
        write_gias_file(path, schools=schools, seed=DEMO_SEED)
        report = gias_import_run(path=path)
        stdout.write(f"  {report.rows_read:,} demo schools in London: {report.summary}")
        extract, links = conversion_files(Path(folder), schools=schools)
        refresh = gias_refresh_run(extract_path=extract, links_path=links)
    stdout.write(
        f"  nightly refresh: {refresh.run.summary}; {refresh.run.changes_queued} conversions waiting for review "
        "at /schools/changes/"
    )
