"""The stock ledger: deliveries from the supplier and write-offs."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F

from core.errors import DomainError

from .. import permissions
from ..models import (
    StockLevel,
    StockMovement,
)
from ..selectors import stock_level
from ._common import OutOfStock, _clean_quantity, _clean_serials, _ensure_stock_row, _record_movement, _reserve_waiting


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
