"""What the officers app shows elsewhere (core.figures): each school's open headteacher request, whether each school has
a named police contact (the cross-programme figures), and each person's officer tasks. Counts only, a constant number
of queries however many schools."""

from collections.abc import Collection

from django.db.models import Count, Exists, OuterRef
from django.urls import reverse

from core.figures import Activity, Task

from . import permissions, selectors
from .models import Assignment, OfficerRequest

PROGRAMME = "School officers"
COVERED = "officers.covered"
FIGURE_SOURCES = (Assignment,)


def school_figures(schools) -> dict[str, dict[int, int]]:
    """Per school: 1 if it has a named police contact now (a current officer assignment). One query."""
    current = Assignment.objects.filter(school=OuterRef("pk"), end_date__isnull=True)
    covered = schools.filter(Exists(current)).order_by().values_list("pk", flat=True)
    return {COVERED: dict.fromkeys(covered, 1)}


def school_activity(school_ids: Collection[int]) -> dict[int, list[Activity]]:
    """Per school: whether the headteacher has an open request for a named officer (or a change). One query.
    Whether the school has a named officer is not a count, so it is shown by the officers pages themselves."""
    ids = list(school_ids)
    open_requests = dict(
        OfficerRequest.objects.filter(school_id__in=ids, status=OfficerRequest.Status.OPEN)
        .order_by()
        .values("school_id")
        .annotate(n=Count("pk"))
        .values_list("school_id", "n")
    )
    return {
        school_id: [Activity(PROGRAMME, "Headteacher requests open", open_requests.get(school_id, 0))]
        for school_id in ids
    }


def tasks_for(user) -> list[Task]:
    """Allocators: the schools in their queue without a named officer, and those whose headteacher asked; each opens
    the queue showing just those (the same selector and counts as the queue page). Officers: none (their schools are
    listed on their own page)."""
    if not permissions.is_allocator(user):
        return []
    if not selectors.allocator_bcu_ids(user):
        return []
    counts = selectors.queue_counts(user)
    url = reverse("officers:queue")
    return [
        Task(PROGRAMME, "Schools without a named officer", counts.without_officer, f"{url}?show=no-officer"),
        Task(
            PROGRAMME, "Schools whose headteacher asked for an officer or a change", counts.asked, f"{url}?show=asked"
        ),
    ]
