from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEvent
from .request_context import current_request_id


def audit_record(
    *,
    actor,
    verb: str,
    target: models.Model,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
    target_label: str | None = None,
) -> AuditEvent:
    """Every state change leaves one append-only record; call inside the same transaction as the change.

    `target_label` defaults to `str(target)`: pass one without personal data where `str()` would show it (pupils).
    """
    actor = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=actor.email if actor is not None else "system",
        verb=verb,
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        target_id=str(target.pk),
        target_label=(str(target) if target_label is None else target_label)[:255],
        from_state=str(from_state or ""),
        to_state=str(to_state or ""),
        reason=reason or "",
        data=data or {},
        request_id=current_request_id(),
    )
