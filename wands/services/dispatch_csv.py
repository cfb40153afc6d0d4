"""The fulfilment dispatch list: the CSV upload that dispatches many requests at once."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction

from core.csv_import import Column, CsvRejected, read_csv, upload_bytes

from .. import permissions
from ..models import (
    WandRequest,
    WandSerial,
    pk_from_reference,
)
from ._common import MAX_CSV_BYTES, _clean_serials
from .requests import _dispatch, _dispatch_problems

DISPATCH_CSV_COLUMNS = (
    Column("reference", max_length=20),
    Column.for_field(WandRequest, "courier"),
    Column.for_field(WandRequest, "tracking_reference", name="tracking"),
    Column("serials", required=False, max_length=5_000),
)
SERIAL_MAX_LENGTH = WandSerial._meta.get_field("serial").max_length


@dataclass
class DispatchCsvResult:
    dispatched: list[WandRequest]
    not_dispatched_yet: int  # rows with neither courier nor tracking: left for a later upload
    already_dispatched: int = 0  # rows of an earlier upload of the same file: dispatched with this courier and tracking


def csv_upload_read(upload) -> bytes:
    """A CSV upload's bytes; one over 2 MB is refused by its recorded size before any of it is read."""
    return upload_bytes(upload, max_bytes=MAX_CSV_BYTES)


def _serial_problems(serials: list[str]) -> list[str]:
    if any(len(serial) > SERIAL_MAX_LENGTH for serial in serials):
        return [f"a serial number is longer than {SERIAL_MAX_LENGTH} characters"]
    return []


@transaction.atomic
def dispatch_csv_apply(*, data: bytes, actor) -> DispatchCsvResult:
    """The dispatch list filled in (reference, courier, tracking, serials): rows with neither courier nor tracking are
    not dispatched yet and are skipped; every other row is checked, and one bad row rejects the file."""
    if not permissions.can_dispatch_wand_request(actor):
        raise PermissionDenied
    rows = read_csv(data, columns=DISPATCH_CSV_COLUMNS, max_bytes=MAX_CSV_BYTES).rows
    problems: list[tuple[int, str]] = []
    seen_refs: dict[int, int] = {}
    seen_serials: dict[str, int] = {}
    planned = []
    not_yet = already = 0
    pks = [pk_from_reference(row["reference"]) for row in rows]
    locked = WandRequest.objects.select_for_update().in_bulk([pk for pk in pks if pk])
    for row, pk in zip(rows, pks, strict=True):
        line = row.line
        wand_request = locked.get(pk) if pk else None
        serials = _clean_serials(row["serials"])
        if not row["courier"] and not row["tracking"] and not serials:
            if wand_request is None:
                problems.append((line, f"{row['reference'] or '(no reference)'}: no wand request has this reference"))
            else:
                not_yet += 1
            continue
        if _dispatched_as_in_row(wand_request, courier=row["courier"], tracking=row["tracking"]):
            already += 1  # the same file uploaded again: this row went in an earlier upload
            continue
        row_problems = _serial_problems(serials) or _dispatch_problems(
            wand_request, courier=row["courier"], tracking=row["tracking"], serials=serials
        )
        if pk in seen_refs:
            row_problems.append(f"{row['reference']} is also on line {seen_refs[pk]}")
        elif pk:
            seen_refs[pk] = line
        for serial in serials:
            if serial in seen_serials and seen_serials[serial] != line:
                row_problems.append(f"serial number {serial} is also on line {seen_serials[serial]}")
            seen_serials.setdefault(serial, line)
        if row_problems:
            problems.extend((line, f"{row['reference'] or '(no reference)'}: {p}") for p in row_problems)
        else:
            planned.append((wand_request, row, serials))
    if problems:
        raise CsvRejected.for_rows(problems, action="Nothing was dispatched")
    if not planned and not already:
        raise CsvRejected(
            "Nothing was dispatched: no row has a courier and a tracking reference. Fill them in for the requests "
            "you are dispatching and upload the file again.",
            problems=[],
        )
    for wand_request, row, serials in planned:
        _dispatch(
            wand_request, actor=actor, courier=row["courier"], tracking_reference=row["tracking"], serials=serials
        )
    return DispatchCsvResult(
        dispatched=[wand_request for wand_request, _, _ in planned],
        not_dispatched_yet=not_yet,
        already_dispatched=already,
    )


def _dispatched_as_in_row(wand_request: WandRequest | None, *, courier: str, tracking: str) -> bool:
    """A request this row's courier and tracking already dispatched (fulfilment staff upload the same list again,
    with more rows filled in): not a problem, and not dispatched twice."""
    return (
        wand_request is not None
        and wand_request.status in (WandRequest.Status.DISPATCHED, WandRequest.Status.DELIVERED)
        and bool(courier)
        and wand_request.courier == courier
        and wand_request.tracking_reference == tracking
    )
