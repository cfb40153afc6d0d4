"""The register's tasks on the signed-in landing page (core.figures): changes from the nightly refresh to review."""

from django.urls import reverse

from core.figures import Task

from .models import SchoolChange
from .successions import can_review_changes


def tasks_for(user) -> list[Task]:
    """Programme admins: closures and successions waiting for review."""
    if not can_review_changes(user):
        return []
    waiting = SchoolChange.objects.filter(status=SchoolChange.Status.PENDING).count()
    return [Task("School register", "Closures and successions to review", waiting, reverse("schools:changes"))]
