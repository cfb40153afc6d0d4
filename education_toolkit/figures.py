"""What the toolkit shows elsewhere (core.figures): downloads by each school's staff in the last 12 months, and the
toolkit editors' tasks. Counts only; a constant number of queries however many schools."""

from collections.abc import Collection
from datetime import timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from core.figures import Activity, Task

from .models import Download, Resource
from .permissions import is_toolkit_editor

PROGRAMME = "London Needs You Alive toolkit"
WINDOW_DAYS = 365
DOWNLOADS = "toolkit.downloads"
# Downloads are only ever added with the time of the download, so new ones are counted live after the summaries'
# day (insights.summaries); a delete (a resource removed with its downloads) changes past days.
FIGURE_SOURCES_DELETE = (Download,)


def borough_daily_figures(*, start=None, before=None) -> dict[str, dict[tuple[int | None, object], int]]:
    """Per borough (None: no borough recorded) and day (Europe/London): toolkit downloads from `start` to before
    `before` (aware datetimes, either open). One query."""
    downloads = Download.objects.all()
    if start is not None:
        downloads = downloads.filter(downloaded_at__gte=start)
    if before is not None:
        downloads = downloads.filter(downloaded_at__lt=before)
    rows = (
        downloads.order_by()
        .annotate(day=TruncDate("downloaded_at"))
        .values_list("borough_id", "day")
        .annotate(n=Count("*"))  # COUNT(*): answered from the (borough, date) index
    )
    return {DOWNLOADS: {(code, day): n for code, day, n in rows}}


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
