"""Writes to the schools register: the GIAS import (here), the nightly refresh (refresh.py) and the review of
closures and successions (reviews.py)."""

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from core.services import audit_record

from .counts import register_changed
from .gias import (
    LA_CODE,
    LA_NAME,
    LONDON_LA_CODES,
    URN,
    GiasExtract,
    GiasFileRefused,
    RowProblem,
    grid_to_latlon,
    parse_la_code,
    parse_school_values,
    parse_urn,
    read_gias_file,
)
from .models import GiasImport, LocalAuthority, School

# Rows written per INSERT/UPDATE statement (the database may lower it: SQLite allows 999 parameters a statement).
WRITE_BATCH = 2000
PROGRESS_EVERY = 500
PROBLEMS_KEPT = 1000
MISSING_SHOWN = 10

# Any number of our own choosing, the same in every process: two imports must not interleave.
GIAS_IMPORT_LOCK = 0x6_1A5
# progress(stage, done, total): called now and then while the import runs, for a terminal progress bar.
Progress = Callable[[str, int, int], None]


@dataclass
class _Plan:
    """What the rows of one file ask for, before anything is written."""

    rows: dict[int, dict] = field(default_factory=dict)  # URN -> School values
    seen_urns: set[int] = field(default_factory=set)
    new_authorities: dict[int, str] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)
    outside_scope: int = 0

    def skip(self, line: int, urn: str, reason: str) -> None:
        self.problems.append({"line": line, "urn": urn.strip(), "reason": reason})


def _noop_progress(stage: str, done: int, total: int) -> None:
    return None


def _plan_rows(*, extract: GiasExtract, authorities: dict[int, str], all_regions: bool, progress: Progress) -> _Plan:
    plan = _Plan()
    parsers = extract.value_parsers()
    first_line: dict[int, int] = {}
    for row, reason in extract.skipped:  # cells the reader refused (too long, wrong number of fields)
        raw_urn = row.values.get(URN, "")
        with contextlib.suppress(RowProblem):
            plan.seen_urns.add(parse_urn(raw_urn))  # listed in the file, so not missing from it
        plan.skip(row.line, raw_urn, reason)
    total = len(extract.rows)
    for number, row in enumerate(extract.rows, start=1):
        if number % PROGRESS_EVERY == 0:
            progress("Reading schools", number, total)
        cells = row.values
        raw_urn = cells[URN]
        try:
            urn = parse_urn(raw_urn)
        except RowProblem as problem:
            plan.skip(row.line, raw_urn, str(problem))
            continue
        if urn in first_line:
            plan.skip(row.line, raw_urn, f"URN {urn} is listed again (first on line {first_line[urn]})")
            continue
        first_line[urn] = row.line
        # A school listed anywhere in the file is not missing from it, even if this row is skipped.
        plan.seen_urns.add(urn)
        raw_code = cells[LA_CODE]
        if not all_regions and raw_code.isascii() and raw_code.isdigit() and int(raw_code) not in LONDON_LA_CODES:
            # Any other number, including GIAS's 000 "Does not apply", is simply not London.
            plan.outside_scope += 1
            continue
        try:
            la_code = parse_la_code(raw_code)
        except RowProblem as problem:
            plan.skip(row.line, raw_urn, str(problem))
            continue
        if la_code not in authorities and la_code not in plan.new_authorities:
            la_name = cells[LA_NAME]
            if la_code in LONDON_LA_CODES or not la_name:
                plan.skip(row.line, raw_urn, f"unknown LA code {la_code} (no such local authority)")
                continue
            plan.new_authorities[la_code] = la_name[:80]
        try:
            values = parse_school_values(row, parsers)
        except RowProblem as problem:
            plan.skip(row.line, raw_urn, str(problem))
            continue
        values["local_authority_id"] = la_code
        plan.rows[urn] = values
    plan.problems.sort(key=lambda problem: problem["line"])
    progress("Reading schools", total, total)
    return plan


def _add_coordinates(rows: dict[int, dict]) -> None:
    """Latitude/longitude from easting/northing for every row at once (one transformer, one call)."""
    located = [values for values in rows.values() if values.get("easting") is not None]
    positions = grid_to_latlon([v["easting"] for v in located], [v["northing"] for v in located])
    for values, (latitude, longitude) in zip(located, positions, strict=True):
        values["latitude"], values["longitude"] = latitude, longitude
    for values in rows.values():
        if "easting" in values and values["easting"] is None:
            values["latitude"] = values["longitude"] = None


def _wait_for_other_imports() -> None:
    """One import at a time: a second one would read the register before the first commits and insert twice.

    SQLite's IMMEDIATE transactions already take the write lock at the start; PostgreSQL needs a lock of its own,
    held until this transaction ends.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [GIAS_IMPORT_LOCK])


def _update_schools(rows: list[tuple[int, dict]], *, fields: list[str], now) -> None:
    """Write changed schools with one UPDATE statement run for every row (executemany).

    Django's bulk_update builds a CASE expression per field per row: minutes for a few thousand schools, where this
    takes about a second. Values go through each field's own database preparation, as a save would.
    """
    model_fields = [School._meta.get_field(name) for name in fields]
    updated_at = School._meta.get_field("updated_at")
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in [*model_fields, updated_at])
    sql = f"UPDATE {quote(School._meta.db_table)} SET {assignments} WHERE {quote('urn')} = %s"  # noqa: S608 (names from the model)
    stamp = updated_at.get_db_prep_save(now, connection)
    params = [
        [field.get_db_prep_save(values[field.attname], connection) for field in model_fields] + [stamp, urn]
        for urn, values in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _in_batches(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_schools(extract: GiasExtract) -> tuple[list[str], dict[int, dict]]:
    """The School fields this file sets, and those fields (with status and authority) of every registered school."""
    fields = extract.school_fields() + ["local_authority_id"]
    loaded = ["local_authority_id", "status"] + [
        name for name in fields if name not in ("local_authority_id", "status")
    ]
    existing = {
        urn: dict(zip(loaded, values, strict=True)) for urn, *values in School.objects.values_list("urn", *loaded)
    }
    return fields, existing


def _write_rows(
    *, plan: _Plan, fields: list[str], existing: dict[int, dict], now, progress: Progress
) -> tuple[dict, int]:
    """Create new schools and update changed ones (unchanged rows are not written); counts by outcome."""
    to_create, to_update = [], []
    counts = {"created": 0, "updated": 0, "unchanged": 0, "closed": 0}
    for urn, values in plan.rows.items():
        current = existing.get(urn)
        if current is None:
            to_create.append(School(urn=urn, **values))
            counts["created"] += 1
            continue
        if all(current[name] == values[name] for name in fields):
            counts["unchanged"] += 1
            continue
        to_update.append((urn, values))
        newly_closed = values["status"] == School.Status.CLOSED and current["status"] != School.Status.CLOSED
        counts["closed" if newly_closed else "updated"] += 1

    total_writes = len(to_create) + len(to_update)
    written = 0
    for batch in _in_batches(to_create, WRITE_BATCH):
        School.objects.bulk_create(batch)
        written += len(batch)
        progress("Writing schools", written, total_writes)
    for batch in _in_batches(to_update, WRITE_BATCH):
        _update_schools(batch, fields=fields, now=now)
        written += len(batch)
        progress("Writing schools", written, total_writes)
    return counts, total_writes


@transaction.atomic
def gias_import_run(
    *,
    path: str | Path,
    actor=None,
    all_regions: bool = False,
    full_extract: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> GiasImport:
    """Upsert schools by URN from a GIAS extract: Closed is marked, never deleted; a refused file writes nothing."""
    progress = progress or _noop_progress
    started_at = timezone.now()
    extract = read_gias_file(path)
    _wait_for_other_imports()

    authorities = dict(LocalAuthority.objects.values_list("code", "area"))
    plan = _plan_rows(extract=extract, authorities=authorities, all_regions=all_regions, progress=progress)
    if full_extract and not plan.rows:
        raise GiasFileRefused(
            f"{extract.file_name} has no school that could be imported{'' if all_regions else ' in London'}: "
            "refusing --full-extract, which would mark every school closed."
        )
    if plan.new_authorities:
        LocalAuthority.objects.bulk_create(
            [
                LocalAuthority(code=code, name=name, area=LocalAuthority.Area.OUTSIDE)
                for code, name in sorted(plan.new_authorities.items())
            ]
        )
    if extract.has_coordinates:
        _add_coordinates(plan.rows)

    fields, existing = _existing_schools(extract)
    now = timezone.now()
    counts, total_writes = _write_rows(plan=plan, fields=fields, existing=existing, now=now, progress=progress)

    in_scope = (lambda code: True) if all_regions else (lambda code: code in LONDON_LA_CODES)
    missing_urns = sorted(
        urn
        for urn, current in existing.items()
        if urn not in plan.seen_urns
        and current["status"] != School.Status.CLOSED
        and in_scope(current["local_authority_id"])
    )
    if full_extract and missing_urns:
        for batch in _in_batches(missing_urns, 500):
            School.objects.filter(urn__in=batch).update(status=School.Status.CLOSED, updated_at=now)
        counts["closed"] += len(missing_urns)

    if total_writes or plan.new_authorities or (full_extract and missing_urns):
        register_changed()  # bulk writes send no signals

    report = GiasImport.objects.create(
        file_name=extract.file_name[:255],
        started_at=started_at,
        finished_at=timezone.now(),
        all_regions=all_regions,
        full_extract=full_extract,
        rows_read=len(extract.rows) + len(extract.skipped),
        skipped=len(plan.problems),
        outside_scope=plan.outside_scope,
        missing=len(missing_urns),
        authorities_created=len(plan.new_authorities),
        missing_urns=missing_urns,
        problems=plan.problems[:PROBLEMS_KEPT],
        **counts,
    )
    audit_record(
        actor=actor,
        verb="gias_import",
        target=report,
        reason="full extract: schools missing from the file marked closed" if full_extract else "",
        data={"summary": report.summary, "missing": len(missing_urns), "all_regions": all_regions},
    )
    report.problems = plan.problems  # every problem for the caller, even past what is kept
    if dry_run:
        transaction.set_rollback(True)
        report.pk = None
    return report
