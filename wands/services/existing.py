"""Deliveries made before the portal: the one-off import."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from core.csv_import import Column, CsvRejected, read_csv
from core.errors import DomainError
from core.services import audit_record
from schools.models import School

from .. import permissions
from ..models import (
    ExistingDelivery,
    WandSerial,
)
from ._common import MAX_CSV_BYTES, _clean_quantity, _clean_serials, _serials_already_out
from .dispatch_csv import _serial_problems

EXISTING_CSV_COLUMNS = (
    Column.for_field(ExistingDelivery, "school", name="urn"),
    Column.for_field(ExistingDelivery, "quantity"),
    Column("date", max_length=20),
    Column("serials", required=False, max_length=50_000),
)


def _parse_date(value: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    return None


@transaction.atomic
def existing_deliveries_import(*, data: bytes, actor) -> list[ExistingDelivery]:
    """Wands delivered before the portal (URN, quantity, date, serials): every row checked, one bad row rejects all."""
    if not permissions.can_import_existing_deliveries(actor):
        raise PermissionDenied
    rows = read_csv(data, columns=EXISTING_CSV_COLUMNS, max_bytes=MAX_CSV_BYTES).rows
    schools = School.objects.in_bulk({row["urn"] for row in rows if row["urn"] is not None})
    problems: list[tuple[int, str]] = []
    seen_serials: dict[str, int] = {}
    planned = []
    all_serials = [s for row in rows for s in _clean_serials(row["serials"])]
    out = set(_serials_already_out(all_serials))
    today = timezone.localdate()
    for row in rows:
        line = row.line
        row_problems = []
        school = schools.get(row["urn"])
        if school is None:
            row_problems.append(f"URN {row['urn'] or '(blank)'} is not a school in the register")
        try:
            quantity = _clean_quantity("" if row["quantity"] is None else row["quantity"])
        except DomainError as error:
            row_problems.append(error.message[0].lower() + error.message[1:].rstrip("."))
            quantity = None
        delivered_on = _parse_date(row["date"])
        if delivered_on is None:
            row_problems.append(f"date {row['date'] or '(blank)'} is not a date like 2024-03-31")
        elif delivered_on > today:
            row_problems.append("the date is in the future")
        serials = _clean_serials(row["serials"])
        row_problems.extend(_serial_problems(serials))
        if serials and quantity is not None and len(serials) != quantity:
            row_problems.append(f"{len(serials)} serial numbers for {quantity} wands")
        for serial in serials:
            if serial in out:
                row_problems.append(f"serial number {serial} is already out with a school")
            if serial in seen_serials:
                row_problems.append(f"serial number {serial} is also on line {seen_serials[serial]}")
            seen_serials.setdefault(serial, line)
        if row_problems:
            problems.extend((line, p) for p in row_problems)
        else:
            planned.append((school, quantity, delivered_on, serials))
    if problems:
        raise CsvRejected.for_rows(problems, action="Nothing was imported")
    created = []
    for school, quantity, delivered_on, serials in planned:
        delivery = ExistingDelivery.objects.create(
            school=school, quantity=quantity, delivered_on=delivered_on, imported_by=actor
        )
        WandSerial.objects.bulk_create([WandSerial(serial=s, existing_delivery=delivery) for s in serials])
        audit_record(
            actor=actor,
            verb="wand_existing_delivery.imported",
            target=school,
            data={"quantity": quantity, "delivered_on": delivered_on.isoformat(), "serials": len(serials)},
        )
        created.append(delivery)
    return created
