"""What the officers app shows elsewhere (core.figures): each school's open headteacher request, and each person's
officer tasks. Counts only, a constant number of queries however many schools."""

from collections.abc import Collection

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse

from core.figures import Activity, Task

from . import permissions, selectors
from .models import Assignment, OfficerRequest

PROGRAMME = "School officers"


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
    """Allocators: schools in their BCUs without a named officer, and headteachers' open requests. Officers: none
    (their schools are listed on their own page)."""
    if not permissions.is_allocator(user):
        return []
    bcu_ids = selectors.allocator_bcu_ids(user)
    if not bcu_ids:
        return []
    current = Assignment.objects.filter(school=OuterRef("pk"), end_date__isnull=True)
    counts = (
        selectors.schools_in_scope()
        .filter(local_authority__bcu_id__in=bcu_ids)
        .annotate(has_officer=Exists(current))
        .aggregate(unassigned=Count("pk", filter=Q(has_officer=False)))
    )
    requests = OfficerRequest.objects.filter(
        status=OfficerRequest.Status.OPEN, school__local_authority__bcu_id__in=bcu_ids
    ).count()
    queue = reverse("officers:queue")
    return [
        Task(PROGRAMME, "Schools without a named officer", counts["unassigned"] or 0, queue),
        Task(PROGRAMME, "Headteacher requests for an officer", requests, queue),
    ]
