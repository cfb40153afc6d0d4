"""The coordinators' CSV import of a cohort's referrals: every row checked first, any bad row refuses the file and
nothing is written."""

from dataclasses import dataclass, field, replace

from django.db import transaction
from django.utils import timezone

from core.csv_import import Column, CsvRejected, read_csv, upload_bytes
from core.errors import DomainError
from core.permissions import require
from core.services import audit_record
from schools.models import School

from .. import permissions
from ..models import Cohort, Consent, Need, Progress, Referral
from ._common import (
    CONSENT_TEXT_VERSIONS,
    MAX_CSV_BYTES,
    MAX_TEXT,
    VERB,
    S,
    _actor_or_none,
    _as_date,
    _audit,
    _move,
)
from .validation import _run_checks


@dataclass
class ImportResult:
    created: list[Referral] = field(default_factory=list)
    temporary_upns: list[str] = field(default_factory=list)  # references of pupils with a temporary UPN


IMPORT_COLUMNS = [
    "first_name",
    "last_name",
    "date_of_birth",
    "upn",
    "referring_school_urn",
    "receiving_school_urn",
    "needs",
    "strengths",
    "priority",
    "outside_age_group_reason",
    "consent_given_by",
    "consent_relationship",
    "consent_method",
    "consent_given_on",
    "consent_text_version",
]


IMPORT_REQUIRED = [
    "first_name",
    "last_name",
    "date_of_birth",
    "upn",
    "referring_school_urn",
    "consent_given_by",
    "consent_relationship",
    "consent_method",
    "consent_given_on",
    "consent_text_version",
]


_PRIORITY_WORDS = {"high": 1, "medium": 2, "standard": 3, "1": 1, "2": 2, "3": 3, "": 3}


def _import_columns() -> list[Column]:
    """What the reader checks: lengths from the model fields the values are stored in, URNs as whole numbers."""
    stored = {
        "first_name": Column.for_field(Referral, "first_name"),
        "last_name": Column.for_field(Referral, "last_name"),
        "upn": Column("upn", max_length=20),  # longer than 13 to say what is wrong with it, not only "too long"
        "referring_school_urn": Column.for_field(Referral, "referring_school", name="referring_school_urn"),
        "receiving_school_urn": Column.for_field(Referral, "receiving_school", name="receiving_school_urn"),
        "strengths": Column("strengths", max_length=MAX_TEXT),
        "outside_age_group_reason": Column("outside_age_group_reason", max_length=MAX_TEXT),
        "consent_given_by": Column.for_field(Consent, "given_by_name", name="consent_given_by"),
        "consent_text_version": Column.for_field(Consent, "text_version", name="consent_text_version"),
    }
    return [
        replace(stored.get(name, Column(name, max_length=MAX_TEXT)), required=name in IMPORT_REQUIRED)
        for name in IMPORT_COLUMNS
    ]


def _read_csv(file) -> list[dict]:
    if hasattr(file, "size"):
        raw = upload_bytes(file, max_bytes=MAX_CSV_BYTES)  # by its recorded size: an oversize file is not read
    elif hasattr(file, "read"):
        raw = file.read(MAX_CSV_BYTES + 1)
    else:
        raw = file
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    table = read_csv(raw, columns=_import_columns(), max_bytes=MAX_CSV_BYTES)
    return [
        {name: "" if value is None else str(value) for name, value in row.values.items()} | {"_line": row.line}
        for row in table.rows
    ]


@transaction.atomic
def cohort_import_csv(*, actor, cohort: Cohort, file) -> ImportResult:
    """Import referrals (submitted, with consent) into a cohort. Every row is checked first; any bad row rejects the
    file with every problem listed, and nothing is written. Messages name the line and the column, never the value."""
    require(permissions.can_manage_cohorts(actor))
    rows = _read_csv(file)
    problems: list[tuple[int, str]] = []
    schools = {
        s.pk: s for s in School.objects.all().only("pk", "name", "phase", "statutory_low_age", "statutory_high_age")
    }
    needs = {n.name.lower(): n for n in Need.objects.filter(is_active=True)}
    seen_upns: dict[str, int] = {}
    prepared = []
    for row in rows:
        index = row["_line"]
        row_problems: list[str] = []
        for column in IMPORT_REQUIRED:
            if not row.get(column):
                row_problems.append(f"{column} is empty")
        referring = receiving = None
        try:
            referring = schools[int(row.get("referring_school_urn") or 0)]
        except (KeyError, ValueError):
            if row.get("referring_school_urn"):
                row_problems.append("referring_school_urn is not a school in the register")
        if row.get("receiving_school_urn"):
            try:
                receiving = schools[int(row["receiving_school_urn"])]
            except (KeyError, ValueError):
                row_problems.append("receiving_school_urn is not a school in the register")
        checked, errors = _run_checks(
            cohort=cohort,
            referring_school=referring,
            first_name=row.get("first_name"),
            last_name=row.get("last_name"),
            date_of_birth=row.get("date_of_birth"),
            upn=row.get("upn"),
            receiving_school=receiving,
            outside_age_group_reason=row.get("outside_age_group_reason", ""),
        )
        for error in errors:
            if error.field == "referring_school" and not row.get("referring_school_urn"):
                continue
            if error.field in ("first_name", "last_name", "upn", "date_of_birth") and not row.get(error.field):
                continue  # already "is empty"
            row_problems.append(f"{error.field}: {error.message}")
        if checked.upn:
            if checked.upn in seen_upns:
                row_problems.append(f"upn: the same UPN is on line {seen_upns[checked.upn]}")
            else:
                seen_upns[checked.upn] = index
        row_needs = []
        for name in [n.strip() for n in (row.get("needs") or "").split(";") if n.strip()]:
            need = needs.get(name.lower())
            if need is None:
                row_problems.append(f"needs: '{name[:40]}' is not on the list of needs")
            else:
                row_needs.append(need)
        priority = _PRIORITY_WORDS.get((row.get("priority") or "").lower())
        if priority is None:
            row_problems.append("priority must be high, medium or standard")
        if row.get("consent_relationship") and row["consent_relationship"].lower() not in Consent.Relationship.values:
            row_problems.append("consent_relationship must be mother, father, carer, guardian or other")
        if row.get("consent_method") and row["consent_method"].lower() not in Consent.Method.values:
            row_problems.append("consent_method must be paper, verbal or email")
        consent_date = None
        if row.get("consent_given_on"):
            try:
                consent_date = _as_date(row["consent_given_on"], field_name="consent_given_on", label="the date")
                if consent_date > timezone.localdate():
                    row_problems.append("consent_given_on is in the future")
            except DomainError:
                row_problems.append("consent_given_on must be a date like 2026-03-27")
        if row.get("consent_text_version") and row["consent_text_version"] not in CONSENT_TEXT_VERSIONS:
            row_problems.append(f"consent_text_version must be one of {', '.join(CONSENT_TEXT_VERSIONS)}")
        if len(row.get("strengths", "")) > MAX_TEXT:
            row_problems.append(f"strengths must be {MAX_TEXT} characters or fewer")
        if row_problems:
            problems.extend((index, problem) for problem in row_problems)
            continue
        prepared.append((row, referring, receiving, checked, row_needs, priority, consent_date))
    if problems:
        raise CsvRejected.for_rows(problems, action="The file was not imported, nothing was saved")
    result = ImportResult()
    now = timezone.now()
    for row, referring, receiving, checked, row_needs, priority, consent_date in prepared:
        referral = Referral.objects.create(
            cohort=cohort,
            referring_school=referring,
            receiving_school=receiving,
            first_name=checked.first_name,
            last_name=checked.last_name,
            date_of_birth=checked.date_of_birth,
            upn=checked.upn,
            upn_is_temporary=checked.upn_is_temporary,
            outside_age_group_reason=checked.outside_age_group_reason,
            strengths=row.get("strengths", ""),
            priority=priority,
            created_by=_actor_or_none(actor),
            submitted_by=_actor_or_none(actor),
            submitted_at=now,
        )
        referral.needs.set(row_needs)
        Progress.objects.create(referral=referral)
        Consent.objects.create(
            referral=referral,
            given_by_name=row["consent_given_by"][:120],
            relationship=row["consent_relationship"].lower(),
            method=row["consent_method"].lower(),
            given_on=consent_date,
            text_version=row["consent_text_version"],
            recorded_by=_actor_or_none(actor),
        )
        _audit(actor, "referral.imported", referral, to_state=S.DRAFT, data={"temporary_upn": checked.upn_is_temporary})
        _move(referral, to=S.SUBMITTED if receiving else S.PENDING_DESTINATION, actor=actor, reason="Imported")
        result.created.append(referral)
        if checked.upn_is_temporary:
            result.temporary_upns.append(referral.reference)
    audit_record(
        actor=actor,
        verb=VERB + "cohort.imported",
        target=cohort,
        data={"rows": len(result.created), "temporary_upns": len(result.temporary_upns)},
    )
    return result
