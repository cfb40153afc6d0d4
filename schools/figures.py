"""The register's tasks on the signed-in landing page (core.figures): changes from the nightly refresh to review.

An applied succession changes the programmes' per-school figures (a successor counts its predecessors' take-up), so
saves of changes mark them stale (FIGURE_SOURCES); the refresh's bulk writes call `figures_changed` (schools.counts).
"""

from django.urls import reverse

from core.figures import Task

from .models import SchoolChange
from .successions import can_review_changes

FIGURE_SOURCES = (SchoolChange,)


def tasks_for(user) -> list[Task]:
    """Programme admins: closures and successions waiting for review."""
    if not can_review_changes(user):
        return []
    waiting = SchoolChange.objects.filter(status=SchoolChange.Status.PENDING).count()
    return [Task("School register", "Closures and successions to review", waiting, reverse("schools:changes"))]
