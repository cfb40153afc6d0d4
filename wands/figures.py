"""What the wands programme shows elsewhere (core.figures): each school's open requests and wands delivered this year,
each school's take-up and wands delivered for the cross-programme figures, and each person's wand tasks. Counts only;
a constant number of queries however many schools or requests."""

from collections.abc import Collection

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from accounts.selectors import user_role_names
from core.figures import Activity, Task

from .models import WandRequest
from .selectors import taken_up_q, wand_requests_visible_to, wand_returns_open

PROGRAMME = "Knife wands"
TAKEN_UP = "wands.taken_up"
DELIVERED = "wands.delivered"
FIGURE_SOURCES = (WandRequest,)


def school_figures(schools) -> dict[str, dict[int, int]]:
    """Per school: 1 if it has taken up the wand offer (a request approved and not cancelled, its own or one of its
    predecessors': docs/roles.md), and the wands delivered to it (requests delivered, their quantities). Two
    queries."""
    # Not an EXISTS per school with the predecessors ORed in: no index serves it, and on PostgreSQL at national scale
    # the rebuild of the summaries did not finish (docs/performance.md).
    taken = schools.filter(taken_up_q()).order_by().values_list("pk", flat=True)
    delivered = (
        WandRequest.objects.filter(status=WandRequest.Status.DELIVERED, school__in=schools.values("pk"))
        .order_by()
        .values_list("school_id")
        .annotate(n=Sum("quantity"))
    )
    return {TAKEN_UP: dict.fromkeys(taken, 1), DELIVERED: {urn: n for urn, n in delivered if n}}


def school_activity(school_ids: Collection[int]) -> dict[int, list]:
    """Per school: open wand requests (submitted to dispatched) and wands delivered since 1 January, each when above
    zero. One query."""
    ids = list(school_ids)
    year_start = timezone.now().replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    rows = {
        row["school_id"]: row
        for row in WandRequest.objects.filter(school_id__in=ids)
        .order_by()
        .values("school_id")
        .annotate(
            open=Count("pk", filter=Q(status__in=WandRequest.OPEN)),
            delivered=Sum(
                "quantity", filter=Q(status=WandRequest.Status.DELIVERED, delivered_at__gte=year_start), default=0
            ),
        )
    }
    # Only counts above zero (as Stepping Stones does): lists of many schools, like the officers' queue, then show
    # real activity rather than a column of zeros.
    result: dict[int, list] = {}
    for school_id in ids:
        row = rows.get(school_id, {"open": 0, "delivered": 0})
        items = [
            Activity(PROGRAMME, "Open wand requests", row["open"]),
            Activity(PROGRAMME, f"Wands delivered in {year_start.year}", row["delivered"] or 0),
        ]
        result[school_id] = [item for item in items if item.count]
    return result


def tasks_for(user) -> list[Task]:
    """Programme admins: requests waiting for a decision. Fulfilment staff: approved requests to dispatch and returns
    to take in. A school's headteacher (or staff with the wand-requests duty): deliveries to confirm."""
    held = user_role_names(user)
    tasks: list[Task] = []
    queue = reverse("wands:queue")
    if roles.PROGRAMME_ADMIN in held:
        waiting = WandRequest.objects.filter(status=WandRequest.Status.SUBMITTED).count()
        tasks.append(Task(PROGRAMME, "Wand requests waiting for approval", waiting, f"{queue}?status=submitted"))
    if roles.FULFILMENT_STAFF in held:
        to_dispatch = WandRequest.objects.filter(status=WandRequest.Status.APPROVED).count()
        tasks.append(Task(PROGRAMME, "Approved wand requests to dispatch", to_dispatch, f"{queue}?status=approved"))
        tasks.append(
            Task(PROGRAMME, "Returned wands to take in", wand_returns_open().count(), reverse("wands:returns"))
        )
    if held & {roles.HEADTEACHER, roles.SCHOOL_STAFF} and not held & {roles.PROGRAMME_ADMIN, roles.FULFILMENT_STAFF}:
        # The scoped selector: only requests of schools this person acts for on wands.
        to_confirm = wand_requests_visible_to(user).filter(status=WandRequest.Status.DISPATCHED).count()
        tasks.append(Task(PROGRAMME, "Wand deliveries to confirm", to_confirm, reverse("wands:home")))
    return tasks
