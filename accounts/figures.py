"""Accounts' tasks on the signed-in landing page (core.figures): requests to join a school, for its headteacher."""

from django.db.models import Count
from django.urls import reverse

from core.figures import Task

from .models import JoinRequest
from .selectors import headteacher_school_ids


def tasks_for(user) -> list[Task]:
    """Headteachers: people asking to join their school, decided on the school's people page (one task a school)."""
    school_ids = headteacher_school_ids(user)
    if not school_ids:
        return []
    rows = (
        JoinRequest.objects.filter(school_id__in=school_ids, status=JoinRequest.Status.PENDING)
        .values("school_id", "school__name")
        .annotate(waiting=Count("pk"))
        .order_by("school_id")
    )
    one_school = len(school_ids) == 1
    return [
        Task(
            "Your school",
            "Requests to join your school" if one_school else f"Requests to join {row['school__name']}",
            row["waiting"],
            reverse("accounts:school_people", kwargs={"urn": row["school_id"]}),
        )
        for row in rows
    ]
