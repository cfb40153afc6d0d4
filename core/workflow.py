"""Workflows as data: a model declares `NEXT = {status: {statuses it may move to}}` (and `Status` choices); every move
goes through `transition`, which checks the map, writes the status, saves and records the audit entry in the caller's
transaction, or raises `InvalidTransition` (a Conflict: 409 in the API) and writes nothing.

    transition(
        wand_request,
        to=WandRequest.Status.APPROVED,
        actor=actor,
        verb="wand_request.approved",
        refused=f"{wand_request.reference} is {wand_request.get_status_display().lower()}, so it cannot be approved.",
    )
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import models

from .errors import InvalidTransition
from .services import audit_record


def may_move(obj: models.Model, to: str, *, field: str = "status", next_map: Mapping | None = None) -> bool:
    """Whether the object's workflow allows the move from where it is now."""
    return to in (type(obj).NEXT if next_map is None else next_map)[getattr(obj, field)]


def transition(
    obj: models.Model,
    *,
    to: str,
    actor,
    verb: str,
    refused: str | Callable[[], str],
    field: str = "status",
    next_map: Mapping | None = None,
    changes: Mapping[str, Any] | None = None,
    update_fields: Iterable[str] | None = None,
    reason: str = "",
    data: dict | None = None,
    audit_target: models.Model | None = None,
    from_label: str = "",
    target_label: str | None = None,
) -> str:
    """Move `obj.<field>` to `to` along `next_map` (the model's NEXT by default), with the other `changes` the move
    makes; save (`update_fields` plus the field and the changes, or the whole row when None); audit it (who, what,
    from -> to, why). Returns the state it moved from. `refused` is the message when the move is not allowed (or a
    function making it, when reading it costs a query). `target_label` names the object in the audit where `str()`
    would show personal data (a pupil's referral is named by its reference)."""
    current = getattr(obj, field)
    if not may_move(obj, to, field=field, next_map=next_map):
        raise InvalidTransition(refused() if callable(refused) else refused)
    setattr(obj, field, to)
    for name, value in (changes or {}).items():
        setattr(obj, name, value)
    obj.save(update_fields=None if update_fields is None else [field, *update_fields, *(changes or {})])
    audit_record(
        actor=actor,
        verb=verb,
        target=obj if audit_target is None else audit_target,
        from_state=current or from_label,
        to_state=to,
        reason=reason,
        data=data,
        target_label=target_label,
    )
    return current
