"""Every write of the wands programme: requests and their workflow, allowances, the stock ledger, dispatch, imports."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.selectors import programme_roles_current
from core.csv_import import Column, CsvRejected, read_csv, upload_bytes
from core.emails import email_send
from core.errors import Conflict, DomainError, InvalidTransition
from core.services import audit_record
from core.text import clean_lines, one_line
from core.workflow import transition
from schools.models import School

from . import permissions
from .models import (
    AllowanceChange,
    AllowanceRule,
    ExistingDelivery,
    SchoolAllowance,
    StockLevel,
    StockMovement,
    WandIssue,
    WandRequest,
    WandSerial,
    pk_from_reference,
    reference_for,
)
from .selectors import allowance_total, stock_level, wands_held_against_allowance

MAX_QUANTITY = 100
MAX_CSV_BYTES = 2_000_000


class AllowanceExceeded(DomainError):
    code = "allowance_exceeded"


class OutOfStock(Conflict):
    code = "out_of_stock"


@dataclass
class ApprovalOutcome:
    wand_request: WandRequest
    reserved: bool
    wands_short: int = 0  # the whole waiting queue's shortfall, this request included
    waits_for: int = 0  # what it means for this request: how many of its own wands stock cannot cover yet


@dataclass
class BulkApprovalOutcome:
    approved: list[WandRequest] = field(default_factory=list)
    waiting: list[WandRequest] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


# --- helpers -------------------------------------------------------------------------------------------------


def _request_url(wand_request: WandRequest) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("wands:request_detail", kwargs={"pk": wand_request.pk})


def _email_context(wand_request: WandRequest, **extra) -> dict:
    # Only what the school needs to act: no phone numbers or names of the delivery contact.
    return {
        "reference": wand_request.reference,
        "school_name": wand_request.school.name,
        "quantity": wand_request.quantity,
        "status": wand_request.get_status_display(),
        "url": _request_url(wand_request),
        **extra,
    }


def _notify_school(wand_request: WandRequest, template: str, **extra) -> None:
    requester = wand_request.requested_by
    if requester is None or not requester.email:
        return
    email_send(to=[requester.email], template=f"wands/{template}", context=_email_context(wand_request, **extra))


def _admin_emails() -> list[str]:
    return sorted(
        set(
            programme_roles_current()
            .filter(kind="programme_admin", user__is_active=True)
            .values_list("user__email", flat=True)
        )
    )


def _notify_admins(template: str, context: dict) -> None:
    recipients = _admin_emails()
    if recipients:
        email_send(to=recipients, template=f"wands/{template}", context=context)


def _move(wand_request: WandRequest, *, to: str, actor, reason: str = "", data: dict | None = None) -> None:
    """A request's move along its workflow (core.workflow); the whole row is saved (callers set fields first)."""
    transition(
        wand_request,
        to=to,
        actor=actor,
        verb=f"wand_request.{to}",
        refused=f"{wand_request.reference} is {wand_request.get_status_display().lower()}, so it cannot become "
        f"{WandRequest.Status(to).label.lower()}.",
        reason=reason,
        data=data,
    )


def _locked_request(wand_request_id: int) -> WandRequest:
    try:
        return WandRequest.objects.select_for_update().get(pk=wand_request_id)
    except WandRequest.DoesNotExist:
        raise DomainError("There is no wand request with that reference.", code="not_found") from None


def _ensure_stock_row() -> None:
    StockLevel.objects.get_or_create(pk=1)


def _record_movement(*, kind, quantity, on_hand_change, reserved_change, actor, wand_request=None, **extra):
    movement = StockMovement.objects.create(
        kind=kind,
        quantity=quantity,
        on_hand_change=on_hand_change,
        reserved_change=reserved_change,
        wand_request=wand_request,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        **extra,
    )
    audit_record(
        actor=actor,
        verb=f"wand_stock.{kind}",
        target=movement,
        data={"quantity": quantity, "request": wand_request.reference if wand_request else ""},
    )
    return movement


def _stock_reserve(*, wand_request: WandRequest, actor) -> bool:
    """Reserve the request's wands if that many are available; the database refuses to over-reserve."""
    _ensure_stock_row()
    quantity = wand_request.quantity
    updated = StockLevel.objects.filter(pk=1, on_hand__gte=F("reserved") + quantity).update(
        reserved=F("reserved") + quantity
    )
    if not updated:
        return False
    _record_movement(
        kind=StockMovement.Kind.RESERVATION,
        quantity=quantity,
        on_hand_change=0,
        reserved_change=quantity,
        actor=actor,
        wand_request=wand_request,
    )
    return True


def _stock_release(*, wand_request: WandRequest, actor) -> None:
    quantity = wand_request.quantity
    updated = StockLevel.objects.filter(pk=1, reserved__gte=quantity).update(reserved=F("reserved") - quantity)
    if not updated:
        raise Conflict("The stock ledger does not hold this reservation; ask the service team to check it.")
    _record_movement(
        kind=StockMovement.Kind.RELEASE,
        quantity=quantity,
        on_hand_change=0,
        reserved_change=-quantity,
        actor=actor,
        wand_request=wand_request,
    )


def _reserve_waiting(*, actor) -> list[WandRequest]:
    """Reserve stock for requests waiting for it, strictly in the order they were approved."""
    reserved = []
    waiting_ids = list(
        WandRequest.objects.filter(status=WandRequest.Status.WAITING_FOR_STOCK)
        .order_by("decided_at", "id")
        .values_list("pk", flat=True)
    )
    for pk in waiting_ids:
        wand_request = _locked_request(pk)
        if wand_request.status != WandRequest.Status.WAITING_FOR_STOCK:
            continue
        if not _stock_reserve(wand_request=wand_request, actor=actor):
            break  # the earliest approval waits for the next delivery; later ones must not overtake it
        wand_request.reserved_at = timezone.now()
        _move(wand_request, to=WandRequest.Status.APPROVED, actor=actor, reason="Stock delivered")
        _notify_school(wand_request, "request_approved")
        reserved.append(wand_request)
    if reserved:
        _notify_admins(
            "stock_reserved_for_waiting",
            {"references": [r.reference for r in reserved], "count": len(reserved)},
        )
    return reserved


def _clean_quantity(value, *, field_name: str = "quantity", maximum: int = MAX_QUANTITY) -> int:
    try:
        quantity = int(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError("Enter the number of wands as a whole number, like 4.", field=field_name) from None
    if quantity < 1:
        raise DomainError("The number of wands must be 1 or more.", field=field_name)
    if quantity > maximum:
        raise DomainError(f"The number of wands must be {maximum} or fewer.", field=field_name)
    return quantity


def _clean_serials(serials) -> list[str]:
    if serials is None:
        return []
    if isinstance(serials, str):
        serials = re.split(r"[;,\s]+", serials)
    return [s.strip().upper() for s in serials if s and s.strip()]


def _serials_already_out(serials: list[str]) -> list[str]:
    return sorted(
        WandSerial.objects.filter(serial__in=serials, returned_at__isnull=True).values_list("serial", flat=True)
    )


# --- allowances ----------------------------------------------------------------------------------------------


@transaction.atomic
def allowance_rule_set(*, actor, phase: str, min_pupils: int, wands: int, reason: str) -> AllowanceRule:
    """Programme admins set a band of the allowance rule; every change is audited with its reason."""
    if not permissions.can_manage_wand_allowances(actor):
        raise PermissionDenied
    if phase and phase not in School.Phase.values:
        raise DomainError("Choose a phase from the list.", field="phase")
    if not reason or not reason.strip():
        raise DomainError("Enter why the rule is changing.", field="reason")
    wands = _clean_quantity(wands, field_name="wands") if str(wands).strip() != "0" else 0
    min_pupils = int(min_pupils)
    if min_pupils < 0:
        raise DomainError("Pupil numbers cannot be negative.", field="min_pupils")
    rule, created = AllowanceRule.objects.select_for_update().get_or_create(
        phase=phase, min_pupils=min_pupils, defaults={"wands": wands, "updated_by": actor}
    )
    before = None if created else rule.wands
    rule.wands = wands
    rule.updated_by = actor
    rule.save()
    audit_record(
        actor=actor,
        verb="wand_allowance_rule.set",
        target=rule,
        from_state="" if before is None else str(before),
        to_state=str(wands),
        reason=reason.strip(),
    )
    return rule


@transaction.atomic
def allowance_override_set(*, actor, school: School, override: int | None, reason: str) -> SchoolAllowance:
    """A per-school allowance replaces the rule for that school; each change keeps who, when and why."""
    if not permissions.can_manage_wand_allowances(actor):
        raise PermissionDenied
    if not reason or not reason.strip():
        raise DomainError("Enter why this school's allowance is changing.", field="reason")
    if override is not None:
        override = 0 if str(override).strip() == "0" else _clean_quantity(override, field_name="override")
    SchoolAllowance.objects.get_or_create(school=school)
    record = SchoolAllowance.objects.select_for_update().get(school=school)
    before = record.override
    record.override = override
    record.override_reason = reason.strip() if override is not None else ""
    record.save()
    AllowanceChange.objects.create(
        school=school, from_override=before, to_override=override, reason=reason.strip(), changed_by=actor
    )
    audit_record(
        actor=actor,
        verb="wand_allowance.override",
        target=school,
        from_state="rule" if before is None else str(before),
        to_state="rule" if override is None else str(override),
        reason=reason.strip(),
    )
    return record


# --- requests ------------------------------------------------------------------------------------------------


@transaction.atomic
def wand_request_submit(
    *,
    actor,
    school: School,
    quantity,
    contact_name: str,
    contact_phone: str,
    delivery_address: str,
    delivery_postcode: str,
    policy_confirmed: bool,
    idempotency_key: str = "",
) -> WandRequest:
    """A school requests up to its remaining allowance; the same idempotency key from the same person creates one."""
    if not permissions.acts_for_school_on_wands(actor, school):
        raise PermissionDenied
    if not school.is_open:
        raise DomainError(f"{school.name} is closed, so it cannot request wands.", code="school_closed")
    quantity = _clean_quantity(quantity)
    # Line breaks typed or pasted into the form (CRLF, a lone CR) never reach the courier's file.
    contact_name, contact_phone = one_line(contact_name), one_line(contact_phone)
    delivery_address, delivery_postcode = clean_lines(delivery_address), one_line(delivery_postcode)
    errors = [
        ("contact_name", "Enter the name of the person who will take the delivery", contact_name),
        ("contact_phone", "Enter a phone number for the delivery contact", contact_phone),
        ("delivery_address", "Enter the delivery address", delivery_address),
        ("delivery_postcode", "Enter the delivery postcode", delivery_postcode),
    ]
    for field_name, message, value in errors:
        if not (value or "").strip():
            raise DomainError(message + ".", field=field_name)
    if not re.fullmatch(r"[0-9+() \-]{6,30}", contact_phone.strip()):
        raise DomainError("Enter a phone number, like 020 7946 0000.", field="contact_phone")
    if not policy_confirmed:
        raise DomainError(
            "Confirm that your behaviour policy says pupils may be screened for weapons.", field="policy_confirmed"
        )
    idempotency_key = (idempotency_key or "").strip()[:64]

    # The school's allowance row is the lock: two requests for the last wands are checked one after the other.
    SchoolAllowance.objects.get_or_create(school=school)
    SchoolAllowance.objects.select_for_update().get(school=school)
    # A succession takes the same lock before closing the school: read its status again under the lock.
    if not School.objects.filter(pk=school.pk, status__in=School.OPEN_STATUSES).exists():
        raise DomainError(f"{school.name} is closed, so it cannot request wands.", code="school_closed")
    if idempotency_key:
        existing = WandRequest.objects.filter(requested_by=actor, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    remaining = allowance_total(school) - wands_held_against_allowance(school)
    if quantity > remaining:
        if remaining <= 0:
            message = f"{school.name} has no wands left in its allowance."
        else:
            message = f"The number of wands must be {remaining} or fewer: that is what is left of the allowance."
        raise AllowanceExceeded(message, field="quantity")
    wand_request = WandRequest.objects.create(
        school=school,
        quantity=quantity,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        delivery_address=delivery_address.strip(),
        delivery_postcode=delivery_postcode.strip().upper(),
        policy_confirmed=True,
        requested_by=actor,
        idempotency_key=idempotency_key,
    )
    audit_record(
        actor=actor,
        verb="wand_request.submitted",
        target=wand_request,
        to_state=wand_request.status,
        data={"quantity": quantity},
    )
    _notify_school(wand_request, "request_submitted")
    _notify_admins("request_new_for_admins", _email_context(wand_request))
    return wand_request


@transaction.atomic
def wand_request_cancel(*, wand_request_id: int, actor, reason: str = "") -> WandRequest:
    """A school (or an admin) cancels before dispatch; reserved wands go back to stock for waiting requests."""
    wand_request = _locked_request(wand_request_id)
    if not (permissions.is_wand_admin(actor) or permissions.acts_for_school_on_wands(actor, wand_request.school_id)):
        raise PermissionDenied
    was_reserved = wand_request.status == WandRequest.Status.APPROVED
    _move(wand_request, to=WandRequest.Status.CANCELLED, actor=actor, reason=reason.strip())
    if was_reserved:
        _stock_release(wand_request=wand_request, actor=actor)
        _reserve_waiting(actor=actor)
    return wand_request


def _approve(wand_request: WandRequest, *, actor, note: str) -> ApprovalOutcome:
    if wand_request.status != WandRequest.Status.SUBMITTED:
        raise InvalidTransition(
            f"{wand_request.reference} is already {wand_request.get_status_display().lower()}: "
            "another admin may have decided it. Refresh the page to see its current state."
        )
    wand_request.decided_at = timezone.now()
    wand_request.decided_by = actor
    # Requests already waiting are served first: a new approval only reserves when nobody is queued ahead of it.
    waiting_ahead = sum(
        WandRequest.objects.filter(status=WandRequest.Status.WAITING_FOR_STOCK).values_list("quantity", flat=True)
    )
    if not waiting_ahead and _stock_reserve(wand_request=wand_request, actor=actor):
        wand_request.reserved_at = wand_request.decided_at
        _move(wand_request, to=WandRequest.Status.APPROVED, actor=actor, reason=note)
        _notify_school(wand_request, "request_approved")
        return ApprovalOutcome(wand_request=wand_request, reserved=True)
    short = max(waiting_ahead + wand_request.quantity - max(stock_level().available, 0), 1)
    # Stock goes to the requests ahead first: this request lacks whatever of its own wands is left uncovered.
    waits_for = min(wand_request.quantity, short)
    _move(
        wand_request,
        to=WandRequest.Status.WAITING_FOR_STOCK,
        actor=actor,
        reason=note,
        data={"wands_short": short, "waits_for": waits_for},
    )
    _notify_school(wand_request, "request_waiting_for_stock", waits_for=waits_for)
    return ApprovalOutcome(wand_request=wand_request, reserved=False, wands_short=short, waits_for=waits_for)


@transaction.atomic
def wand_request_approve(*, wand_request_id: int, actor, note: str = "") -> ApprovalOutcome:
    """Approve a submitted request and reserve its wands; when stock is short it waits, in approval order."""
    if not permissions.can_decide_wand_request(actor):
        raise PermissionDenied
    wand_request = _locked_request(wand_request_id)
    return _approve(wand_request, actor=actor, note=note.strip())


@transaction.atomic
def wand_requests_approve_many(*, wand_request_ids: list[int], actor) -> BulkApprovalOutcome:
    """Approve several submitted requests, oldest first; ones no longer submitted are listed, not approved."""
    if not permissions.can_decide_wand_request(actor):
        raise PermissionDenied
    outcome = BulkApprovalOutcome()
    for pk in sorted(set(wand_request_ids)):
        try:
            wand_request = _locked_request(pk)
            with transaction.atomic():
                result = _approve(wand_request, actor=actor, note="Approved with others")
        except DomainError as error:
            outcome.skipped.append((reference_for(pk), error.message))
            continue
        (outcome.approved if result.reserved else outcome.waiting).append(result.wand_request)
    return outcome


@transaction.atomic
def wand_request_reject(*, wand_request_id: int, actor, reason: str) -> WandRequest:
    """Reject a submitted request with a reason the school sees."""
    if not permissions.can_decide_wand_request(actor):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Enter the reason for rejecting the request: the school will see it.", field="reason")
    wand_request = _locked_request(wand_request_id)
    if wand_request.status != WandRequest.Status.SUBMITTED:
        raise InvalidTransition(
            f"{wand_request.reference} is already {wand_request.get_status_display().lower()}: "
            "another admin may have decided it. Refresh the page to see its current state."
        )
    wand_request.decided_at = timezone.now()
    wand_request.decided_by = actor
    wand_request.decision_reason = reason
    _move(wand_request, to=WandRequest.Status.REJECTED, actor=actor, reason=reason)
    _notify_school(wand_request, "request_rejected", reason=reason)
    return wand_request


def _dispatch(wand_request: WandRequest, *, actor, courier: str, tracking_reference: str, serials: list[str]) -> None:
    courier, tracking_reference = one_line(courier), one_line(tracking_reference)  # one line each in every export
    if wand_request.status != WandRequest.Status.APPROVED:
        raise InvalidTransition(
            f"{wand_request.reference} is {wand_request.get_status_display().lower()}: only approved requests "
            "with reserved wands can be dispatched."
        )
    quantity = wand_request.quantity
    updated = StockLevel.objects.filter(pk=1, reserved__gte=quantity, on_hand__gte=quantity).update(
        on_hand=F("on_hand") - quantity, reserved=F("reserved") - quantity
    )
    if not updated:
        raise Conflict("The stock ledger does not hold this request's reservation; nothing was dispatched.")
    _record_movement(
        kind=StockMovement.Kind.DISPATCH,
        quantity=quantity,
        on_hand_change=-quantity,
        reserved_change=-quantity,
        actor=actor,
        wand_request=wand_request,
        serials=serials,
    )
    try:
        with transaction.atomic():
            WandSerial.objects.bulk_create([WandSerial(serial=s, wand_request=wand_request) for s in serials])
    except IntegrityError:
        raise Conflict("One of these serial numbers is already out with a school.", field="serials") from None
    wand_request.courier = courier
    wand_request.tracking_reference = tracking_reference
    wand_request.dispatched_at = timezone.now()
    _move(
        wand_request,
        to=WandRequest.Status.DISPATCHED,
        actor=actor,
        data={"courier": courier, "tracking_reference": tracking_reference, "serials": serials},
    )
    if wand_request.replaces_id is not None:
        _arrange_pickup(wand_request, actor=actor)
    _notify_school(wand_request, "request_dispatched", courier=courier, tracking_reference=tracking_reference)


def _dispatch_problems(wand_request: WandRequest | None, *, courier: str, tracking: str, serials: list[str]) -> list:
    problems = []
    if wand_request is None:
        problems.append("no wand request has this reference")
    elif wand_request.status != WandRequest.Status.APPROVED:
        problems.append(f"{wand_request.reference} is {wand_request.get_status_display().lower()}, not approved")
    if not courier:
        problems.append("courier is missing")
    if not tracking:
        problems.append("tracking reference is missing")
    if wand_request is None:
        return problems
    if len(serials) > wand_request.quantity:
        problems.append(f"{len(serials)} serial numbers but only {wand_request.quantity} wands were approved")
    elif serials and len(serials) != wand_request.quantity:
        problems.append(f"give a serial number for each of the {wand_request.quantity} wands, or none")
    if len(set(serials)) != len(serials):
        problems.append("the same serial number is listed twice")
    out = _serials_already_out(serials)
    if out:
        problems.append(f"serial numbers already dispatched elsewhere: {', '.join(out)}")
    return problems


@transaction.atomic
def wand_request_dispatch(
    *, wand_request_id: int, actor, courier: str, tracking_reference: str, serials=None
) -> WandRequest:
    """Fulfilment records courier and tracking for an approved request; its reserved wands leave stock."""
    if not permissions.can_dispatch_wand_request(actor):
        raise PermissionDenied
    wand_request = _locked_request(wand_request_id)
    courier = (courier or "").strip()
    tracking_reference = (tracking_reference or "").strip()
    serials = _clean_serials(serials)
    if wand_request.status != WandRequest.Status.APPROVED:
        raise InvalidTransition(
            f"{wand_request.reference} is {wand_request.get_status_display().lower()}: only approved requests "
            "with reserved wands can be dispatched."
        )
    if not courier:
        raise DomainError("Enter the courier.", field="courier")
    if not tracking_reference:
        raise DomainError("Enter the tracking reference.", field="tracking_reference")
    problems = _dispatch_problems(wand_request, courier=courier, tracking=tracking_reference, serials=serials)
    if problems:
        field_name = "serials" if serials else "non_field_errors"
        raise DomainError(problems[0][0].upper() + problems[0][1:] + ".", field=field_name)
    _dispatch(wand_request, actor=actor, courier=courier, tracking_reference=tracking_reference, serials=serials)
    return wand_request


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
    requests = WandRequest.objects.select_for_update().in_bulk([pk for pk in pks if pk])
    for row, pk in zip(rows, pks, strict=True):
        line = row.line
        wand_request = requests.get(pk) if pk else None
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


@transaction.atomic
def wand_request_confirm_delivery(*, wand_request_id: int, actor) -> WandRequest:
    """The school (or fulfilment, with the courier's proof) confirms the wands arrived."""
    wand_request = _locked_request(wand_request_id)
    if not (permissions.is_fulfilment(actor) or permissions.acts_for_school_on_wands(actor, wand_request.school_id)):
        raise PermissionDenied
    wand_request.delivered_at = timezone.now()
    _move(wand_request, to=WandRequest.Status.DELIVERED, actor=actor)
    _notify_school(wand_request, "request_delivered")
    return wand_request


@transaction.atomic
def wand_issue_report(*, wand_request_id: int, actor, kind: str, outcome: str, quantity, details: str) -> WandIssue:
    """A school reports faulty or missing wands from a delivery; this opens a replacement or a return."""
    wand_request = _locked_request(wand_request_id)
    if not permissions.acts_for_school_on_wands(actor, wand_request.school_id):
        raise PermissionDenied
    if wand_request.status != WandRequest.Status.DELIVERED:
        raise InvalidTransition("You can report a problem once the delivery is confirmed.")
    if kind not in WandIssue.Kind.values:
        raise DomainError("Choose whether the wands are faulty or missing.", field="kind")
    if outcome not in WandIssue.Outcome.values:
        raise DomainError("Choose a replacement or a return.", field="outcome")
    if not (details or "").strip():
        raise DomainError("Describe what is wrong.", field="details")
    left = wand_request.quantity - sum(wand_request.issues.values_list("quantity", flat=True))
    if left <= 0:
        raise DomainError("Every wand of this delivery already has a problem reported.", field="quantity")
    quantity = _clean_quantity(quantity, maximum=left)
    issue = WandIssue(
        wand_request=wand_request,
        kind=kind,
        outcome=outcome,
        quantity=quantity,
        details=details.strip(),
        reported_by=actor,
    )
    if outcome == WandIssue.Outcome.REPLACEMENT:
        replacement = WandRequest.objects.create(
            school_id=wand_request.school_id,
            quantity=quantity,
            contact_name=wand_request.contact_name,
            contact_phone=wand_request.contact_phone,
            delivery_address=wand_request.delivery_address,
            delivery_postcode=wand_request.delivery_postcode,
            policy_confirmed=True,
            replaces=wand_request,
            requested_by=actor,
        )
        audit_record(
            actor=actor,
            verb="wand_request.submitted",
            target=replacement,
            to_state=replacement.status,
            reason=f"Replacement for {kind} wands of {wand_request.reference}",
            data={"quantity": quantity, "replaces": wand_request.reference},
        )
        issue.replacement = replacement
    issue.save()
    audit_record(
        actor=actor,
        verb=f"wand_issue.{kind}",
        target=wand_request,
        reason=issue.details,
        data={
            "quantity": quantity,
            "outcome": outcome,
            "replacement": issue.replacement.reference if issue.replacement else "",
        },
    )
    _notify_admins(
        "issue_reported",
        {
            **_email_context(wand_request),
            "kind": issue.get_kind_display(),
            "outcome": issue.get_outcome_display(),
            "issue_quantity": quantity,
        },
    )
    return issue


def _take_in(issue: WandIssue, *, actor, working: bool, note: str) -> None:
    """Wands back from a school enter the stock ledger; faulty ones are then written off through it."""
    _ensure_stock_row()
    StockLevel.objects.filter(pk=1).update(on_hand=F("on_hand") + issue.quantity)
    _record_movement(
        kind=StockMovement.Kind.RETURN,
        quantity=issue.quantity,
        on_hand_change=issue.quantity,
        reserved_change=0,
        actor=actor,
        wand_request=issue.wand_request,
    )
    if not working:
        _write_off(quantity=issue.quantity, actor=actor, note=note)


def _taken_in_state(working: bool) -> str:
    return "received_working" if working else "received_faulty"


@transaction.atomic
def wand_issue_return_received(*, issue_id: int, actor, working: bool) -> WandIssue:
    """Fulfilment takes in returned wands: working ones go back to stock, faulty ones are written off."""
    if not permissions.can_resolve_wand_issue(actor):
        raise PermissionDenied
    issue = (
        WandIssue.objects.select_for_update()
        .select_related("wand_request")
        .filter(pk=issue_id, outcome=WandIssue.Outcome.RETURN)
        .first()
    )
    if issue is None:
        raise DomainError("There is no return with that number.", code="not_found")
    if issue.resolved_at is not None:
        raise Conflict("This return has already been received.")
    _take_in(issue, actor=actor, working=working, note=f"Faulty wands returned on {issue.wand_request.reference}")
    issue.resolved_at = timezone.now()
    issue.save(update_fields=["resolved_at"])
    audit_record(
        actor=actor,
        verb="wand_issue.return_received",
        target=issue.wand_request,
        from_state="return_expected",
        to_state=_taken_in_state(working),
        data={"issue": issue.pk, "quantity": issue.quantity, "working": working},
    )
    if working:
        _reserve_waiting(actor=actor)
    return issue


def _pickup_move(issue: WandIssue, *, to: str, actor, data: dict | None = None) -> None:
    """A pick-up's move along its own workflow (WandIssue.PICKUP_NEXT, core.workflow), audited on the request."""
    transition(
        issue,
        to=to,
        actor=actor,
        verb=f"wand_issue.pickup_{to}",
        refused=f"The pick-up for {issue.wand_request.reference} is {issue.get_pickup_display().lower()}, so it cannot "
        f"become {WandIssue.Pickup(to).label.lower()}.",
        field="pickup",
        next_map=WandIssue.PICKUP_NEXT,
        update_fields=("pickup_arranged_at", "pickup_collected_at", "resolved_at"),
        audit_target=issue.wand_request,
        from_label="none",
        data={"issue": issue.pk, "quantity": issue.quantity, **(data or {})},
    )


def _arrange_pickup(replacement: WandRequest, *, actor) -> None:
    """Dispatching a replacement for faulty wands arranges collecting the faulty ones."""
    issue = (
        WandIssue.objects.select_for_update()
        .select_related("wand_request")
        .filter(replacement=replacement, kind=WandIssue.Kind.FAULTY, pickup=WandIssue.Pickup.NONE)
        .first()
    )
    if issue is None:
        return
    issue.pickup_arranged_at = timezone.now()
    _pickup_move(issue, to=WandIssue.Pickup.ARRANGED, actor=actor, data={"replacement": replacement.reference})


@transaction.atomic
def wand_issue_pickup_collected(*, issue_id: int, actor, working: bool) -> WandIssue:
    """Fulfilment collects replaced faulty wands: working ones go back to stock, faulty ones are written off."""
    if not permissions.can_collect_wand_pickup(actor):
        raise PermissionDenied
    issue = (
        WandIssue.objects.select_for_update()
        .select_related("wand_request")
        .filter(pk=issue_id)
        .exclude(pickup=WandIssue.Pickup.NONE)
        .first()
    )
    if issue is None:
        raise DomainError("There is no pick-up with that number.", code="not_found")
    if issue.pickup == WandIssue.Pickup.COLLECTED:
        raise Conflict(f"The wands for {issue.wand_request.reference} have already been collected.")
    _take_in(issue, actor=actor, working=working, note=f"Faulty wands collected from {issue.wand_request.reference}")
    issue.pickup_collected_at = issue.resolved_at = timezone.now()
    _pickup_move(issue, to=WandIssue.Pickup.COLLECTED, actor=actor, data={"condition": _taken_in_state(working)})
    if working:
        _reserve_waiting(actor=actor)
    return issue


# --- stock ---------------------------------------------------------------------------------------------------


@transaction.atomic
def stock_delivery_record(*, actor, quantity, batch: str, serials=None, note: str = "") -> tuple[StockMovement, list]:
    """A delivery from the supplier adds to stock; waiting requests are then reserved in approval order."""
    if not permissions.can_manage_wand_stock(actor):
        raise PermissionDenied
    quantity = _clean_quantity(quantity, maximum=100000)
    batch = (batch or "").strip()
    if not batch:
        raise DomainError("Enter the supplier's batch reference.", field="batch")
    serials = _clean_serials(serials)
    if serials and len(serials) != quantity:
        raise DomainError(f"Give a serial number for each of the {quantity} wands, or none.", field="serials")
    if len(set(serials)) != len(serials):
        raise DomainError("The same serial number is listed twice.", field="serials")
    _ensure_stock_row()
    StockLevel.objects.filter(pk=1).update(on_hand=F("on_hand") + quantity)
    movement = _record_movement(
        kind=StockMovement.Kind.DELIVERY,
        quantity=quantity,
        on_hand_change=quantity,
        reserved_change=0,
        actor=actor,
        batch=batch,
        serials=serials,
        note=(note or "").strip(),
    )
    reserved = _reserve_waiting(actor=actor)
    return movement, reserved


def _write_off(*, quantity: int, actor, note: str) -> StockMovement:
    _ensure_stock_row()
    updated = StockLevel.objects.filter(pk=1, on_hand__gte=F("reserved") + quantity).update(
        on_hand=F("on_hand") - quantity
    )
    if not updated:
        available = stock_level().available
        raise OutOfStock(
            f"Only {available} wands are in stock and not reserved, so {quantity} cannot be written off.",
            field="quantity",
        )
    return _record_movement(
        kind=StockMovement.Kind.WRITE_OFF,
        quantity=quantity,
        on_hand_change=-quantity,
        reserved_change=0,
        actor=actor,
        note=note,
    )


@transaction.atomic
def stock_write_off(*, actor, quantity, note: str) -> StockMovement:
    """Write off lost or broken stock; reserved wands cannot be written off."""
    if not permissions.can_manage_wand_stock(actor):
        raise PermissionDenied
    quantity = _clean_quantity(quantity, maximum=100000)
    if not (note or "").strip():
        raise DomainError("Enter why the wands are written off.", field="note")
    return _write_off(quantity=quantity, actor=actor, note=note.strip())


# --- existing deliveries -------------------------------------------------------------------------------------

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
