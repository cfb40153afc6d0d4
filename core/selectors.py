from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEvent


def audit_timeline(*, target: models.Model) -> models.QuerySet[AuditEvent]:
    """An object's audit events, oldest first."""
    return AuditEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False), target_id=str(target.pk)
    ).select_related("actor")


def person_named(user, *, otherwise: str) -> str:
    """How a timeline names a person: their name, else `otherwise` (their role and organisation); never their email
    address (timelines are read by people who should not be handed someone's address)."""
    if user is not None and (getattr(user, "full_name", "") or "").strip():
        return user.full_name.strip()
    return otherwise
