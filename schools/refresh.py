"""The nightly refresh of the register (`manage.py gias_refresh`): the establishment extract plus the links file.

Ordinary changes and openings apply at once; closures and successions wait for a programme admin (SchoolChange); a
refresh that would close more than a set share of open schools in scope applies nothing and alerts the reviewers.
"""

import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.emails import email_send
from core.services import audit_record

from .counts import register_changed
from .gias import LONDON_LA_CODES, GiasFileRefused, read_gias_file
from .gias_links import SUCCESSOR_TYPES, LinksFile, read_links_file, successions_without_cycles
from .models import GiasImport, LocalAuthority, School, SchoolChange, SchoolLink
from .services import (
    PROBLEMS_KEPT,
    Progress,
    _add_coordinates,
    _existing_schools,
    _noop_progress,
    _plan_rows,
    _wait_for_other_imports,
    _write_rows,
)
from .successions import review_recipients

logger = logging.getLogger(__name__)
DEFAULT_MAX_CLOSE_SHARE = 0.05


@dataclass
class RefreshReport:
    """What a refresh did, for the command's output; `run` is the stored GiasImport."""

    run: GiasImport
    closing: list[int] = field(default_factory=list)
    open_in_scope: int = 0
    max_share: float = DEFAULT_MAX_CLOSE_SHARE
    cycles: list[list[int]] = field(default_factory=list)
    unknown_types: dict[str, int] = field(default_factory=dict)
    link_problems: list[dict] = field(default_factory=list)

    @property
    def guard_tripped(self) -> bool:
        return self.run.guard_tripped


def _add_coordinates_where_moved(rows: dict[int, dict], existing: dict[int, dict]) -> None:
    """Latitude/longitude only for schools whose easting/northing is new or changed (most nights: a handful); the
    others keep what the register holds, so an unchanged row still compares equal."""
    moved = {}
    for urn, values in rows.items():
        current = existing.get(urn)
        if current is not None and (current.get("easting"), current.get("northing")) == (
            values.get("easting"),
            values.get("northing"),
        ):
            values["latitude"], values["longitude"] = current.get("latitude"), current.get("longitude")
        else:
            moved[urn] = values
    _add_coordinates(moved)


def _max_share(value: float | None) -> float:
    share = getattr(settings, "GIAS_REFRESH_MAX_CLOSE_SHARE", DEFAULT_MAX_CLOSE_SHARE) if value is None else value
    return float(share)


def _store_links(links: LinksFile, register: set[int]) -> tuple[int, int]:
    """Bring the stored links to the file's (only links touching a school in the register); unchanged rows are not
    written. Returns (added or changed, removed)."""
    wanted = {key: link for key, link in links.links.items() if link.urn in register or link.link_urn in register}
    stored = {
        (urn, link_urn, link_type): (pk, name, established)
        for pk, urn, link_urn, link_type, name, established in SchoolLink.objects.values_list(
            "pk", "urn", "link_urn", "link_type", "link_name", "established_on"
        )
    }
    removed = [pk for key, (pk, _, _) in stored.items() if key not in wanted]
    changed = [
        pk
        for key, (pk, name, established) in stored.items()
        if key in wanted and (wanted[key].link_name, wanted[key].established_on) != (name, established)
    ]
    changed_keys = {key for key, (pk, _, _) in stored.items() if pk in set(changed)}
    to_write = [link for key, link in wanted.items() if key not in stored or key in changed_keys]
    gone = removed + changed
    for start in range(0, len(gone), 500):
        SchoolLink.objects.filter(pk__in=gone[start : start + 500]).delete()
    SchoolLink.objects.bulk_create(
        [
            SchoolLink(
                urn=link.urn,
                link_urn=link.link_urn,
                link_name=link.link_name,
                link_type=link.link_type,
                established_on=link.established_on,
            )
            for link in to_write
        ],
        batch_size=1000,
    )
    return len(to_write), len(removed)


def _alert_reviewers(*, report: GiasImport, closing: int, open_in_scope: int, share: float) -> None:
    recipients = review_recipients()
    logger.warning("gias refresh held back", extra={"closing": closing, "open_in_scope": open_in_scope, "share": share})
    if recipients:
        email_send(
            to=recipients,
            template="schools_refresh_held_back",
            context={
                "file_name": report.file_name,
                "closing": closing,
                "open_in_scope": open_in_scope,
                "percent": round(100 * share, 1),
                "link": settings.SITE_URL.rstrip("/") + "/schools/changes/",
            },
        )


@transaction.atomic
def gias_refresh_run(
    *,
    extract_path: str | Path,
    links_path: str | Path,
    actor=None,
    all_regions: bool = False,
    max_close_share: float | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> RefreshReport:
    """Refresh the register: changes and openings at once, closures and successions to review, never more than the
    allowed share of open schools closing in one night (then nothing at all is applied)."""
    progress = progress or _noop_progress
    share = _max_share(max_close_share)
    started_at = timezone.now()
    extract = read_gias_file(extract_path)
    links = read_links_file(links_path)  # both files are checked before anything is written
    _wait_for_other_imports()

    authorities = dict(LocalAuthority.objects.values_list("code", "area"))
    plan = _plan_rows(extract=extract, authorities=authorities, all_regions=all_regions, progress=progress)
    if not plan.rows:
        raise GiasFileRefused(
            f"{extract.file_name} has no school that could be imported{'' if all_regions else ' in London'}: "
            "a refresh reads the full extract, and this one would close every school."
        )
    fields, existing = _existing_schools(extract)

    def in_scope(code: int) -> bool:
        return all_regions or code in LONDON_LA_CODES

    open_in_scope = [
        urn
        for urn, current in existing.items()
        if current["status"] in School.OPEN_STATUSES and in_scope(current["local_authority_id"])
    ]
    closing: dict[int, object] = {}
    for urn in open_in_scope:
        if urn not in plan.seen_urns:
            closing[urn] = None
        elif urn in plan.rows and plan.rows[urn]["status"] == School.Status.CLOSED:
            closing[urn] = plan.rows[urn].get("close_date")
    missing_urns = sorted(urn for urn in open_in_scope if urn not in plan.seen_urns)

    run = GiasImport(
        file_name=extract.file_name[:255],
        links_file_name=links.file_name[:255],
        started_at=started_at,
        all_regions=all_regions,
        full_extract=True,
        rows_read=len(extract.rows),
        links_read=links.rows_read,
        skipped=len(plan.problems),
        outside_scope=plan.outside_scope,
        missing=len(missing_urns),
        missing_urns=missing_urns,
        problems=plan.problems[:PROBLEMS_KEPT],
    )
    report = RefreshReport(
        run=run,
        closing=sorted(closing),
        open_in_scope=len(open_in_scope),
        max_share=share,
        unknown_types=links.unknown_types,
    )
    link_problems = [{"kind": "row", **problem} for problem in links.problems]
    link_problems += [
        {
            "kind": "unknown_type",
            "link_type": name,
            "rows": count,
            "reason": "link type not known: stored, not acted on",
        }
        for name, count in sorted(links.unknown_types.items())
    ]

    if open_in_scope and len(closing) > share * len(open_in_scope):
        run.guard_tripped = True
        run.finished_at = timezone.now()
        run.link_problems = link_problems[:PROBLEMS_KEPT]
        run.save()
        audit_record(
            actor=actor,
            verb="gias_refresh.held_back",
            target=run,
            reason=(
                f"{len(closing):,} of {len(open_in_scope):,} open schools would close, more than "
                f"{100 * share:g}%: nothing was applied"
            ),
            data={"closing": len(closing), "open_in_scope": len(open_in_scope), "max_share": share},
        )
        if not dry_run:
            _alert_reviewers(report=run, closing=len(closing), open_in_scope=len(open_in_scope), share=share)
        report.link_problems = link_problems
        if dry_run:
            transaction.set_rollback(True)
            run.pk = None
        return report

    # A closing school's other fields apply now; its status waits for review.
    for urn in closing:
        values = plan.rows.get(urn)
        if values is not None:
            values["status"] = existing[urn]["status"]
            if "close_date" in values:
                values["close_date"] = existing[urn].get("close_date")
    if plan.new_authorities:
        LocalAuthority.objects.bulk_create(
            [
                LocalAuthority(code=code, name=name, area=LocalAuthority.Area.OUTSIDE)
                for code, name in sorted(plan.new_authorities.items())
            ]
        )
    if extract.has_coordinates:
        _add_coordinates_where_moved(plan.rows, existing)
    now = timezone.now()
    counts, total_writes = _write_rows(plan=plan, fields=fields, existing=existing, now=now, progress=progress)
    counts["closed"] = 0  # nothing closes without review

    register = set(existing) | set(plan.rows)
    run.links_added, run.links_removed = _store_links(links, register)

    # Successions: from the links, among schools in the register, without cycles.
    pairs = {link.succession for link in links.links.values() if link.succession is not None}
    pairs = {(old, new) for old, new in pairs if old in register}
    kept, cycles = successions_without_cycles(pairs)
    report.cycles = cycles
    link_problems += [
        {"kind": "cycle", "urns": cycle, "reason": "these schools succeed each other in a cycle: applied to neither"}
        for cycle in cycles
    ]
    status_after = {urn: values["status"] for urn, values in plan.rows.items()}
    successors: dict[int, list[int]] = {}
    for old, new in sorted(kept):
        if old not in closing:
            continue
        if new not in register:
            link_problems.append(
                {"kind": "not_in_register", "urn": old, "link_urn": new, "reason": "successor is not in the register"}
            )
            continue
        if status_after.get(new, existing.get(new, {}).get("status")) in School.OPEN_STATUSES:
            successors.setdefault(old, []).append(new)
    # The old school's own row ("Successor ...") names the link; the new school's ("Predecessor ...") if it is alone.
    link_types = {}
    for link in sorted(links.links.values(), key=lambda link: link.link_type in SUCCESSOR_TYPES):
        if link.succession is not None:
            link_types[link.succession] = link.link_type

    known = set(
        SchoolChange.objects.filter(school_id__in=list(closing)).values_list("school_id", "kind", "successor_id")
    )
    pending = set(
        SchoolChange.objects.filter(school_id__in=list(closing), status=SchoolChange.Status.PENDING).values_list(
            "school_id", flat=True
        )
    )
    to_queue = []
    for urn, close_date in sorted(closing.items()):
        found = successors.get(urn, [])
        if len(found) > 1:
            link_problems.append(
                {"kind": "several_successors", "urn": urn, "urns": found, "reason": "more than one successor"}
            )
        successor = found[0] if len(found) == 1 else None
        kind = SchoolChange.Kind.SUCCESSION if successor else SchoolChange.Kind.CLOSURE
        if urn in pending or (urn, kind, successor) in known:
            continue  # a repeated refresh queues nothing new
        to_queue.append(
            SchoolChange(
                kind=kind,
                school_id=urn,
                successor_id=successor,
                link_type=link_types.get((urn, successor), "") if successor else "",
                close_date=close_date,
                found_at=now,
            )
        )

    if total_writes or plan.new_authorities:
        register_changed()  # bulk writes send no signals
    run.finished_at = timezone.now()
    run.changes_queued = len(to_queue)
    run.link_problems = link_problems[:PROBLEMS_KEPT]
    for name, value in counts.items():
        setattr(run, name, value)
    run.authorities_created = len(plan.new_authorities)
    run.save()
    for change in to_queue:
        change.found_by = run
    SchoolChange.objects.bulk_create(to_queue)
    audit_record(
        actor=actor,
        verb="gias_refresh",
        target=run,
        data={
            "summary": run.summary,
            "queued": len(to_queue),
            "links_added": run.links_added,
            "links_removed": run.links_removed,
            "cycles": len(cycles),
        },
    )
    report.link_problems = link_problems
    run.problems = plan.problems
    if dry_run:
        transaction.set_rollback(True)
        run.pk = None
    return report
