"""What the toolkit shows elsewhere (core.figures): downloads by each school's staff in the last 12 months, and the
toolkit editors' tasks. Counts only; a constant number of queries however many schools."""

from collections.abc import Collection
from datetime import timedelta

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from core.figures import Activity, Task

from .models import Download, Resource
from .permissions import is_toolkit_editor

PROGRAMME = "London Needs You Alive toolkit"
WINDOW_DAYS = 365


def school_activity(school_ids: Collection[int]) -> dict[int, list]:
    """Per school: toolkit downloads in the last 12 months by people who are on its staff now (when any). One
    query."""
    ids = list(school_ids)
    since = timezone.now() - timedelta(days=WINDOW_DAYS)
    school = "user__school_memberships__school_id"
    counts = {
        row[school]: row["n"]
        for row in Download.objects.filter(
            downloaded_at__gte=since,
            user__school_memberships__school_id__in=ids,
            user__school_memberships__ended_at__isnull=True,
        )
        .order_by()
        .values(school)
        .annotate(n=Count("pk"))
    }
    label = "Toolkit downloads by staff, last 12 months"
    # Only above zero, as the other programmes do, so lists of many schools show real activity.
    return {
        school_id: [Activity(PROGRAMME, label, counts[school_id])] if counts.get(school_id) else [] for school_id in ids
    }


def tasks_for(user) -> list[Task]:
    """Toolkit editors: draft items not yet published (the toolkit has no separate review state)."""
    if not is_toolkit_editor(user):
        return []
    drafts = Resource.objects.filter(status=Resource.Status.DRAFT).count()
    return [Task(PROGRAMME, "Draft toolkit items not yet published", drafts, reverse("toolkit:editor_list"))]
