"""Helpers of the wands services: errors, notifications, the request workflow's move, the stock ledger, input checks."""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.selectors import programme_roles_current
from core.emails import email_send
from core.errors import Conflict, DomainError
from core.services import audit_record
from core.workflow import transition

from ..models import (
    StockLevel,
    StockMovement,
    WandRequest,
    WandSerial,
)

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
