"""Reads of the wands programme, already scoped to what the asking user may see."""

import statistics
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.selectors import schools_acting_for
from core.selectors import audit_timeline, person_named
from core.user_facts import user_fact
from schools.models import LocalAuthority, School, SchoolChange
from schools.selectors import PREDECESSOR_GENERATIONS, predecessor_urns, predecessors_q

from .models import (
    AllowanceChange,
    AllowanceRule,
    Elapsed,
    ExistingDelivery,
    SchoolAllowance,
    StockLevel,
    StockMovement,
    WandIssue,
    WandRequest,
)
from .permissions import WAND_REQUESTS_DUTY, can_run_wand_programme


def _sum(queryset, field: str = "quantity") -> int:
    return queryset.aggregate(total=Coalesce(Sum(field), 0))["total"]


def allowance_rule_for(school: School) -> int:
    """The rule's allowance for a school: the largest band its pupil numbers reach, its own phase's bands first."""
    pupils = school.number_of_pupils or 0
    band = (
        AllowanceRule.objects.filter(Q(phase=school.phase) | Q(phase=""), min_pupils__lte=pupils)
        .annotate(specific=Case(When(phase="", then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("-specific", "-min_pupils")
        .first()
    )
    return band.wands if band else 0


def allowance_override_for(school: School) -> SchoolAllowance | None:
    return SchoolAllowance.objects.filter(school=school).first()


def allowance_total(school: School) -> int:
    """How many wands the school may hold: its override if it has one, otherwise the rule."""
    record = allowance_override_for(school)
    if record is not None and record.override is not None:
        return record.override
    return allowance_rule_for(school)


def school_lineage(school: School) -> list[int]:
    """The school and every school it took over by an applied succession: their wands are one allowance."""
    return [school.pk, *predecessor_urns(school.pk)]


def wands_held_against_allowance(school: School) -> int:
    """Wands requested or received that count against the allowance (replacements do not; returns give back),
    including what was delivered to the schools it succeeded."""
    lineage = school_lineage(school)
    requested = _sum(
        WandRequest.objects.filter(
            school__in=lineage, status__in=WandRequest.COUNTS_AGAINST_ALLOWANCE, replaces__isnull=True
        )
    )
    existing = _sum(ExistingDelivery.objects.filter(school__in=lineage))
    returned = _sum(WandIssue.objects.filter(wand_request__school__in=lineage, outcome=WandIssue.Outcome.RETURN))
    return requested + existing - returned


@dataclass(frozen=True)
class AllowanceFigures:
    school: School
    allowance: int
    from_override: bool
    override_reason: str
    in_progress: int
    received: int
    remaining: int
    lineage: tuple[int, ...] = ()  # the school and those it took over (school_lineage), for its requests list


def school_allowance_figures(*, school: School) -> AllowanceFigures:
    """What the school's allowance page shows: allowance, requested (in progress), received and left."""
    record = allowance_override_for(school)
    from_override = record is not None and record.override is not None
    allowance = record.override if from_override else allowance_rule_for(school)
    lineage = school_lineage(school)
    in_progress = _sum(
        WandRequest.objects.filter(
            school__in=lineage,
            replaces__isnull=True,
            status__in=[
                WandRequest.Status.SUBMITTED,
                WandRequest.Status.WAITING_FOR_STOCK,
                WandRequest.Status.APPROVED,
                WandRequest.Status.DISPATCHED,
            ],
        )
    )
    delivered = _sum(
        WandRequest.objects.filter(school__in=lineage, replaces__isnull=True, status=WandRequest.Status.DELIVERED)
    )
    existing = _sum(ExistingDelivery.objects.filter(school__in=lineage))
    returned = _sum(WandIssue.objects.filter(wand_request__school__in=lineage, outcome=WandIssue.Outcome.RETURN))
    received = delivered + existing - returned
    return AllowanceFigures(
        school=school,
        allowance=allowance,
        from_override=from_override,
        override_reason=record.override_reason if from_override else "",
        in_progress=in_progress,
        received=received,
        remaining=max(allowance - in_progress - received, 0),
        lineage=tuple(lineage),
    )


def allowance_history(*, school: School) -> QuerySet[AllowanceChange]:
    return AllowanceChange.objects.filter(school=school).select_related("changed_by")


def allowance_rules() -> QuerySet[AllowanceRule]:
    return AllowanceRule.objects.order_by("phase", "min_pupils")


def wand_school_urns(user) -> frozenset[int]:
    """The URNs of the schools this person requests wands for (accounts.selectors.schools_acting_for with the
    wand-requests duty), kept in their cached facts (core.user_facts): only their role records decide it, and every
    write to those bumps the facts (accounts.facts). Reading it afresh walks every school on SQLite (an EXISTS per
    row): about 18 ms a view of a school's wands page at national scale."""
    return user_fact(
        user,
        "wand_school_urns",
        lambda: frozenset(schools_acting_for(user, duty=WAND_REQUESTS_DUTY).values_list("pk", flat=True)),
    )


def wand_schools_for(user) -> QuerySet[School]:
    """The schools this person requests wands for, by name."""
    if not getattr(user, "is_authenticated", False):
        return School.objects.none()
    return School.objects.filter(pk__in=wand_school_urns(user)).select_related("local_authority__bcu").order_by("name")


def _with_related(queryset: QuerySet[WandRequest]) -> QuerySet[WandRequest]:
    return queryset.select_related("school__local_authority__bcu", "requested_by", "decided_by")


def wand_requests_visible_to(user) -> QuerySet[WandRequest]:
    """The only way views and the API get wand requests: everything for the programme, a school's own otherwise."""
    if can_run_wand_programme(user):
        return _with_related(WandRequest.objects.all())
    schools = schools_acting_for(user, duty=WAND_REQUESTS_DUTY).values("pk")
    # A school's staff also see what was delivered to the schools it took over (shown as its predecessor's).
    return _with_related(WandRequest.objects.filter(Q(school__in=schools) | predecessors_q("school", schools)))


def default_delivery_address(school: School) -> dict:
    """The school's own address, offered (page) or used (API) when a request gives none: its name, then its street to
    its town; the postcode apart."""
    lines = [school.name, *[part for part in (school.street, school.locality, school.address3, school.town) if part]]
    return {"delivery_address": "\n".join(lines), "delivery_postcode": school.postcode}


def wand_request_get(*, user, pk: int) -> WandRequest | None:
    """One request if the user may see it; None otherwise (the view answers 404)."""
    return wand_requests_visible_to(user).filter(pk=pk).first()


TIMELINE_TITLES = {
    "wand_request.submitted": "Request submitted",
    "wand_request.approved": "Approved: wands reserved",
    "wand_request.waiting_for_stock": "Approved: waiting for stock",
    "wand_request.rejected": "Not approved",
    "wand_request.cancelled": "Cancelled",
    "wand_request.dispatched": "Dispatched",
    "wand_request.delivered": "Delivery confirmed",
    "wand_issue.faulty": "Faulty wands reported",
    "wand_issue.missing": "Missing wands reported",
    "wand_issue.return_received": "Returned wands received",
    "wand_issue.pickup_arranged": "Pick-up of the faulty wands arranged",
    "wand_issue.pickup_collected": "Faulty wands collected",
}


TAKEN_IN_DETAIL = {"received_working": "Working: back in stock", "received_faulty": "Faulty: written off"}

PROGRAMME_STEPS = {
    "wand_request.approved",
    "wand_request.waiting_for_stock",
    "wand_request.rejected",
    "wand_request.dispatched",
    "wand_issue.return_received",
    "wand_issue.pickup_arranged",
    "wand_issue.pickup_collected",
}


FULFILMENT_STEPS = {"wand_request.dispatched", "wand_issue.pickup_arranged", "wand_issue.pickup_collected"}


def _timeline_person(event, wand_request: WandRequest) -> str:
    """A name, or a role and organisation when the account has no name; never an email address."""
    if event.actor_id is None:
        return "the portal"
    if event.verb in FULFILMENT_STEPS or event.verb == "wand_issue.return_received":
        role = "fulfilment staff, VRU"
    elif event.verb in PROGRAMME_STEPS or event.verb.startswith("wand_allowance"):
        role = "a programme admin, VRU"
    else:
        role = f"staff at {wand_request.school.name}"
    return person_named(event.actor, otherwise=role)


def wand_request_timeline(*, wand_request: WandRequest, for_programme: bool = False) -> list[dict]:
    """Every step of a request, oldest first, in words a school understands. Schools see the programme's steps as
    "the programme team", not the name of the admin or fulfilment person."""
    entries = []
    for event in audit_timeline(target=wand_request):
        detail = ""
        if event.verb == "wand_request.dispatched":
            detail = f"{event.data.get('courier', '')}, tracking reference {event.data.get('tracking_reference', '')}"
        elif event.verb == "wand_request.waiting_for_stock":
            # Older entries recorded only the queue's shortfall; this request never lacked more than its own wands.
            waits_for = event.data.get("waits_for")
            if waits_for is None and event.data.get("wands_short") is not None:
                waits_for = min(int(event.data["wands_short"]), wand_request.quantity)
            if waits_for is not None:
                detail = f"Waits for stock: {waits_for} wand{'s' if int(waits_for) != 1 else ''}"
        elif event.verb in {"wand_issue.return_received", "wand_issue.pickup_collected"}:
            # A return's to-state is its condition; a pick-up's is "collected", with the condition in its data.
            detail = TAKEN_IN_DETAIL.get(event.to_state) or TAKEN_IN_DETAIL.get(event.data.get("condition", ""), "")
        entries.append(
            {
                "title": TIMELINE_TITLES.get(event.verb, event.verb.replace("_", " ").replace(".", ": ")),
                "at": event.created_at,
                "by": (
                    "the programme team"
                    if event.verb in PROGRAMME_STEPS and not for_programme
                    else _timeline_person(event, wand_request)
                ),
                "reason": event.reason,
                "detail": detail,
            }
        )
    return entries


def wand_request_issues(*, wand_request: WandRequest) -> QuerySet[WandIssue]:
    return wand_request.issues.select_related("replacement", "reported_by")


def school_wand_requests(*, school: School, lineage=None) -> QuerySet[WandRequest]:
    """The school's requests, and those of the schools it succeeded (shown as its predecessor's), newest first
    (wand_request_school_new_idx). `lineage`: the school's `school_lineage` when the caller has it already."""
    urns = list(lineage) if lineage else school_lineage(school)
    return WandRequest.objects.filter(school__in=urns).order_by("-created_at", "-id")


def stock_level() -> StockLevel:
    level = StockLevel.objects.filter(pk=1).first()
    return level or StockLevel(pk=1, on_hand=0, reserved=0)


def stock_movements() -> QuerySet[StockMovement]:
    return StockMovement.objects.select_related("actor", "wand_request").order_by("-created_at", "-id")


def wand_requests_waiting_for_stock() -> QuerySet[WandRequest]:
    """Approved requests waiting for stock, in the order they were approved (the order deliveries reserve them)."""
    return WandRequest.objects.filter(status=WandRequest.Status.WAITING_FOR_STOCK).order_by("decided_at", "id")


def wand_request_waits_for(wand_request: WandRequest) -> int | None:
    """For a request waiting for stock: how many of its own wands stock cannot cover yet, after the requests approved
    before it (they are served first). None when it is not waiting."""
    if wand_request.status != WandRequest.Status.WAITING_FOR_STOCK:
        return None
    waiting = wand_requests_waiting_for_stock()
    ahead = _sum(
        waiting.filter(
            Q(decided_at__lt=wand_request.decided_at) | Q(decided_at=wand_request.decided_at, id__lt=wand_request.pk)
        )
    )
    return max(min(wand_request.quantity, ahead + wand_request.quantity - max(stock_level().available, 0)), 0)


def wands_short() -> int:
    """How many wands the requests waiting for stock need beyond what is available."""
    waiting = _sum(wand_requests_waiting_for_stock())
    return max(waiting - stock_level().available, 0)


def wand_requests_to_dispatch() -> QuerySet[WandRequest]:
    return (
        WandRequest.objects.filter(status=WandRequest.Status.APPROVED)
        .select_related("school__local_authority")
        .order_by("reserved_at", "id")
    )


def _median_days_to_delivery(*, delivered: int) -> float | None:
    """The median of (delivered - created) in days over delivered requests with a delivery time, as
    statistics.median of every row would give it, from the one or two middle rows the database finds by walking its
    delivery-time index (never every row into Python). `delivered`: how many requests are delivered (with or
    without a delivery time: those without are the index's few NULLs, counted here)."""
    in_order = WandRequest.objects.filter(status=WandRequest.Status.DELIVERED).alias(
        elapsed=Elapsed("delivered_at", "created_at")
    )
    count = delivered - in_order.filter(elapsed__isnull=True).order_by().count()
    if count <= 0:
        return None
    middle = (count - 1) // 2
    rows = list(
        in_order.filter(elapsed__isnull=False)
        .order_by("elapsed")
        .values_list("created_at", "delivered_at")[middle : middle + (1 if count % 2 else 2)]
    )
    return statistics.median((delivered_at - created_at).total_seconds() / 86400 for created_at, delivered_at in rows)


def taken_up_q() -> Q:
    """Over schools: the school has taken up the wand offer (its own approved, not cancelled request, or one of its
    predecessors' up to PREDECESSOR_GENERATIONS conversions back: docs/decisions.md, a conversion does not undo a
    take-up), written as
    uncorrelated sets of successors walked forward from the (few) applied changes, so the database checks each school
    once against an index instead of re-running the predecessor subqueries per school."""
    taken_up = WandRequest.objects.filter(status__in=WandRequest.TAKEN_UP)
    applied = SchoolChange.objects.filter(status=SchoolChange.Status.APPLIED, successor__isnull=False)
    q = Q(Exists(taken_up.filter(school=OuterRef("pk"))))
    generation = applied.filter(Exists(taken_up.filter(school=OuterRef("school_id")))).values("successor_id")
    for _ in range(PREDECESSOR_GENERATIONS):
        q |= Q(pk__in=generation)
        generation = applied.filter(school_id__in=generation).values("successor_id")
    return q


def dashboard_figures() -> dict:
    """Take-up (docs/roles.md: a school with an approved, not cancelled request) by borough and BCU, wands through each
    stage, stock, and the median days from request to delivery. A grouped query per figure, never a row per school or
    per request into Python (docs/performance.md)."""
    open_london = School.objects.filter(status__in=School.OPEN_STATUSES).exclude(
        local_authority__area=LocalAuthority.Area.OUTSIDE
    )
    by_borough = {}
    for row in (
        open_london.order_by()
        .values("local_authority_id", "local_authority__name", "local_authority__bcu__name")
        .annotate(schools=Count("pk"), taken_up=Count("pk", filter=taken_up_q()))
        .order_by("local_authority_id")
    ):
        borough = row["local_authority__name"]
        entry = by_borough.setdefault(
            borough, {"name": borough, "bcu": row["local_authority__bcu__name"] or "", "schools": 0, "taken_up": 0}
        )
        entry["schools"] += row["schools"]
        entry["taken_up"] += row["taken_up"]
    by_bcu: dict[str, dict] = {}
    for entry in by_borough.values():
        name = entry["bcu"] or "City of London Police"
        bcu = by_bcu.setdefault(name, {"name": name, "schools": 0, "taken_up": 0})
        bcu["schools"] += entry["schools"]
        bcu["taken_up"] += entry["taken_up"]
    for entry in [*by_borough.values(), *by_bcu.values()]:
        entry["percent"] = round(100 * entry["taken_up"] / entry["schools"], 1) if entry["schools"] else 0.0
    schools_taken_up = sum(entry["taken_up"] for entry in by_borough.values())
    open_count = sum(entry["schools"] for entry in by_borough.values())
    # One pass over the requests (the status, quantity index): every total is a sum of its rows.
    by_status = {
        row["status"]: row
        for row in WandRequest.objects.order_by()
        .values("status")
        .annotate(n=Count("id"), wands=Sum("quantity"))
        .order_by("status")
    }
    Status = WandRequest.Status

    def wands(*statuses) -> int:
        return sum(row["wands"] or 0 for status, row in by_status.items() if status in statuses)

    level = stock_level()
    delivered = by_status.get(Status.DELIVERED)
    median = _median_days_to_delivery(delivered=delivered["n"] if delivered else 0)
    return {
        "schools_taken_up": schools_taken_up,
        "open_london_schools": open_count,
        "percent_taken_up": round(100 * schools_taken_up / open_count, 1) if open_count else 0.0,
        "by_borough": sorted(by_borough.values(), key=lambda e: e["name"]),
        "by_bcu": sorted(by_bcu.values(), key=lambda e: e["name"]),
        "wands_requested": wands(*(s for s in by_status if s not in (Status.CANCELLED, Status.REJECTED))),
        "wands_dispatched": wands(Status.DISPATCHED, Status.DELIVERED),
        "wands_delivered": wands(Status.DELIVERED),
        "stock_on_hand": level.on_hand,
        "stock_reserved": level.reserved,
        "stock_available": level.available,
        "median_days_to_delivery": round(median, 1) if median is not None else None,
        "status_counts": {status: row["n"] for status, row in by_status.items()},
    }


def wand_returns_open() -> QuerySet[WandIssue]:
    """Returns fulfilment is waiting to take in, oldest first."""
    return (
        WandIssue.objects.filter(status=WandIssue.Status.RETURN_EXPECTED)
        .select_related("wand_request__school")
        .order_by("reported_at", "id")
    )


def wand_pickups_open() -> QuerySet[WandIssue]:
    """Faulty wands fulfilment has to collect (their replacement has been dispatched), oldest arrangement first."""
    return (
        WandIssue.objects.filter(pickup=WandIssue.Pickup.ARRANGED)
        .select_related("wand_request__school", "replacement")
        .order_by("pickup_arranged_at", "id")
    )


def wand_pickup_get(*, user, pk: int) -> WandIssue | None:
    """A pick-up (arranged or collected) on a request the user may see; None otherwise."""
    return (
        WandIssue.objects.filter(pk=pk, wand_request__in=wand_requests_visible_to(user).values("pk"))
        .exclude(pickup=WandIssue.Pickup.NONE)
        .select_related("wand_request__school", "replacement")
        .first()
    )


def school_request_waiting(*, school: School) -> WandRequest | None:
    """The school's latest request still waiting for a decision (shown on the request form, so Back does not look
    like nothing was sent)."""
    return (
        WandRequest.objects.filter(school=school, status=WandRequest.Status.SUBMITTED)
        .order_by("-created_at", "-id")
        .first()
    )


def school_request_sent_within_a_day(*, school: School) -> WandRequest | None:
    """The school's latest request sent in the last 24 hours and not cancelled or rejected: a second one asks first."""
    since = timezone.now() - timedelta(days=1)
    return (
        WandRequest.objects.filter(school=school, created_at__gte=since)
        .exclude(status__in=[WandRequest.Status.CANCELLED, WandRequest.Status.REJECTED])
        .order_by("-created_at", "-id")
        .first()
    )


REPEAT_WINDOW = timedelta(minutes=10)
_DECIDED = {
    "approve": {WandRequest.Status.APPROVED, WandRequest.Status.WAITING_FOR_STOCK},
    "reject": {WandRequest.Status.REJECTED},
}


def is_repeat_of_decision(wand_request: WandRequest, *, actor, decision) -> bool:
    """Whether posting `decision` again is this person's decision just made (a second click): they decided it the
    same way in the last few minutes. Anyone else's decision, or an old one, is answered as a conflict as before."""
    if wand_request.decided_by_id != getattr(actor, "pk", None) or wand_request.decided_at is None:
        return False
    if wand_request.status not in _DECIDED.get(decision, set()):
        return False
    return wand_request.decided_at >= timezone.now() - REPEAT_WINDOW
