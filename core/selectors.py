from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEvent


def audit_timeline(*, target: models.Model) -> models.QuerySet[AuditEvent]:
    """An object's audit events, oldest first."""
    return AuditEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False), target_id=str(target.pk)
    ).select_related("actor")
