"""Reads for the officers app, scoped to the asking user: allocators see only their BCUs (404 elsewhere)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from accounts.selectors import bcus_covered_by, headteacher_school_ids
from schools.models import BasicCommandUnit, School

from .models import Assignment, Officer, OfficerRequest, OptimiserRun, SchoolWeightOverride, SchoolWeightRule
from .optimiser import haversine_km

DEFAULT_WEIGHT = 10
_BCU_CACHE = "_officers_bcu_ids"
_PRU_OR_SPECIAL_WORDS = ("pupil referral", "special")


def allocator_bcu_ids(user) -> frozenset[int]:
    """The BCUs the user allocates in (cached per request on the user object)."""
    cached = getattr(user, _BCU_CACHE, None)
    if cached is None:
        cached = frozenset(bcus_covered_by(user).values_list("pk", flat=True))
        if user is not None and getattr(user, "is_authenticated", False):
            setattr(user, _BCU_CACHE, cached)
    return cached


def allocator_bcus(user) -> QuerySet[BasicCommandUnit]:
    return BasicCommandUnit.objects.filter(pk__in=allocator_bcu_ids(user)).order_by("name")


def officer_of_user(user) -> Officer | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Officer.objects.filter(user=user, active=True).select_related("bcu").first()


# --- weights ----------------------------------------------------------------------------------------------------


def is_pru_or_special(school: School) -> bool:
    name = (school.type_name or "").lower()
    return any(word in name for word in _PRU_OR_SPECIAL_WORDS)


class WeightBook:
    """The weight rules and overrides, loaded once; `weight(school)` gives (weight, why)."""

    def __init__(self, urns=None):
        self.rules = list(SchoolWeightRule.objects.all())
        overrides = SchoolWeightOverride.objects.all()
        if urns is not None:
            overrides = overrides.filter(school_id__in=list(urns))
        self.overrides = {o.school_id: o for o in overrides}

    def rule_for(self, school: School) -> SchoolWeightRule | None:
        pupils = school.number_of_pupils or 0
        special = is_pru_or_special(school)
        matching = [
            r
            for r in self.rules
            if (not r.pru_or_special or special) and r.phase in ("", school.phase) and pupils >= r.min_pupils
        ]
        if not matching:
            return None
        return max(matching, key=lambda r: (r.pru_or_special, r.phase != "", r.min_pupils))

    def weight(self, school: School) -> tuple[int, str]:
        override = self.overrides.get(school.pk)
        if override is not None:
            return override.weight, f"set for this school: {override.reason}"
        rule = self.rule_for(school)
        if rule is None:
            return DEFAULT_WEIGHT, "default weight"
        return rule.weight, f"the rule for {rule}"


def school_weight(school: School) -> int:
    return WeightBook(urns=[school.pk]).weight(school)[0]


def weight_rules() -> QuerySet[SchoolWeightRule]:
    return SchoolWeightRule.objects.all()


# --- officers and loads -------------------------------------------------------------------------------------------


def _current_load():
    return Coalesce(Sum("assignments__weight", filter=Q(assignments__end_date__isnull=True)), Value(0))


def officers_with_load(queryset: QuerySet[Officer] | None = None) -> QuerySet[Officer]:
    queryset = Officer.objects.all() if queryset is None else queryset
    return queryset.select_related("bcu").annotate(
        load=_current_load(),
        school_count=Count("assignments", filter=Q(assignments__end_date__isnull=True)),
    )


def officers_in_scope(user) -> QuerySet[Officer]:
    """The officers `officers_visible_to` gives, without their load: for counting them."""
    return Officer.objects.filter(bcu_id__in=allocator_bcu_ids(user))


def officers_visible_to(user) -> QuerySet[Officer]:
    return officers_with_load(officers_in_scope(user))


def officer_get(*, user, pk: int) -> Officer | None:
    return officers_visible_to(user).filter(pk=pk).first()


def officer_current_assignments(officer: Officer) -> QuerySet[Assignment]:
    return (
        officer.assignments.filter(end_date__isnull=True)
        .select_related("school__local_authority")
        .order_by("school__name")
    )


def assignments_leaving_if_moved(officer: Officer, bcu) -> list[Assignment]:
    """The officer's current schools outside `bcu`: they go back to the queue if the officer moves there."""
    if bcu is None or getattr(bcu, "pk", bcu) == officer.bcu_id:
        return []
    return list(
        officer.assignments.filter(end_date__isnull=True)
        .exclude(school__local_authority__bcu_id=getattr(bcu, "pk", bcu))
        .select_related("school")
        .order_by("school__name")
    )


def officer_history(officer: Officer) -> QuerySet[Assignment]:
    return officer.assignments.select_related("school").order_by("-start_date", "-id")


# --- schools ------------------------------------------------------------------------------------------------------


def schools_in_scope() -> QuerySet[School]:
    """Open schools (the officers app deals only with these)."""
    return School.objects.filter(status__in=School.OPEN_STATUSES)


_schools_in_scope = schools_in_scope


def other_programme_activity(school_ids) -> dict[int, list]:
    """Each school's counts from the other programmes (core.figures), for the queue and an officer's schools."""
    from core.figures import collect_school_activity

    from .figures import PROGRAMME

    return {
        school_id: [item for item in items if item.programme != PROGRAMME]
        for school_id, items in collect_school_activity(school_ids).items()
    }


def school_for_allocator(*, user, urn: int) -> School | None:
    return (
        _schools_in_scope()
        .filter(pk=urn, local_authority__bcu_id__in=allocator_bcu_ids(user))
        .select_related("local_authority__bcu")
        .first()
    )


def current_assignment(school) -> Assignment | None:
    return Assignment.objects.filter(school=school, end_date__isnull=True).select_related("officer__bcu").first()


def school_assignment_history(school) -> QuerySet[Assignment]:
    return Assignment.objects.filter(school=school).select_related("officer").order_by("-start_date", "-id")


def school_earlier_assignments(school) -> QuerySet[Assignment]:
    """The school's earlier named officers: ended assignments only (the current one is shown as the named officer)."""
    return school_assignment_history(school).filter(end_date__isnull=False)


def school_coordinates(school: School) -> tuple[float, float, bool] | None:
    """(lat, lon, estimated): the school's own point, or its borough's centre (estimated=True), or None."""
    if school.latitude is not None and school.longitude is not None:
        return school.latitude, school.longitude, False
    la = school.local_authority
    if la.centroid_latitude is not None and la.centroid_longitude is not None:
        return la.centroid_latitude, la.centroid_longitude, True
    return None


QUEUE_SORTS = {
    "requests": "Requests first, then longest waiting",
    "days": "Longest waiting first",
    "name": "School name",
}


# What the queue shows: every school in it, those without a named officer, or those whose headteacher asked (for an
# officer, or for a change of officer). The home page's two tasks open the last two.
QUEUE_SHOWS = {
    "": "All schools in the queue",
    "no-officer": "Without a named officer",
    "asked": "Asked for by their headteacher",
}


class QueueCounts(NamedTuple):
    waiting: int  # every school in the queue
    without_officer: int
    asked: int  # with an open request from the headteacher

    def shown(self, show: str) -> int:
        return {"no-officer": self.without_officer, "asked": self.asked}.get(show, self.waiting)


def queue_for(user, *, bcu_id: int | None = None, sort: str = "requests", show: str = "") -> QuerySet[School]:
    """Open schools in the allocator's BCUs with no named officer, or with an open request from the school; `show`
    keeps one of those kinds (QUEUE_SHOWS).

    Every school has a date it has waited since (so the queue sorts by days waiting): its last named officer's end;
    never assigned, since it opened, or since the register first had it; with an officer and a request, the request."""
    bcu_ids = allocator_bcu_ids(user)
    if bcu_id is not None:
        bcu_ids = bcu_ids & {bcu_id}
    current = Assignment.objects.filter(school=OuterRef("pk"), end_date__isnull=True)
    open_request = OfficerRequest.objects.filter(school=OuterRef("pk"), status=OfficerRequest.Status.OPEN)
    last_ended = (
        Assignment.objects.filter(school=OuterRef("pk"))
        .order_by()
        .values("school")
        .annotate(last=Max("end_date"))
        .values("last")
    )
    return (
        _schools_in_scope()
        .filter(local_authority__bcu_id__in=bcu_ids)
        .annotate(has_officer=Exists(current), has_request=Exists(open_request))
        .filter(Q(has_officer=False) | Q(has_request=True))
        .filter(**{"no-officer": {"has_officer": False}, "asked": {"has_request": True}}.get(show, {}))
        .annotate(
            request_kind=Subquery(open_request.values("kind")[:1]),
            request_reason=Subquery(open_request.values("reason")[:1]),
            request_at=Subquery(open_request.values("created_at")[:1]),
        )
        .annotate(
            waiting_since=Case(
                When(has_officer=True, then=TruncDate("request_at")),
                default=Coalesce(Subquery(last_ended), "open_date", TruncDate("created_at")),
                output_field=DateField(),
            )
        )
        .select_related("local_authority__bcu")
        .order_by(*_QUEUE_ORDER.get(sort, _QUEUE_ORDER["requests"]))  # pk: same-named schools keep their page
    )


_QUEUE_ORDER = {
    "requests": ("-has_request", "waiting_since", "name", "pk"),
    "days": ("waiting_since", "name", "pk"),
    "name": ("name", "pk"),
}


REPEAT_WINDOW = timedelta(minutes=10)


def is_repeat_of_assignment(current: Assignment | None, *, officer) -> bool:
    """Whether a posted choice of `officer` is the assignment just made (a second click): same officer, made in the
    last few minutes. An older assignment to the same officer is a real decision, answered as usual."""
    if current is None or str(current.officer_id) != str(officer):
        return False
    return current.created_at >= timezone.now() - REPEAT_WINDOW


def queue_counts(user, *, bcu_id: int | None = None) -> QueueCounts:
    """The queue's totals (`queue_for` with each `show`), in one query over the schools in scope (no ordering, no
    waiting-since dates)."""
    bcu_ids = allocator_bcu_ids(user)
    if bcu_id is not None:
        bcu_ids = bcu_ids & {bcu_id}
    current = Exists(Assignment.objects.filter(school=OuterRef("pk"), end_date__isnull=True))
    open_request = Exists(OfficerRequest.objects.filter(school=OuterRef("pk"), status=OfficerRequest.Status.OPEN))
    counts = (
        _schools_in_scope()
        .filter(local_authority__bcu_id__in=bcu_ids)
        .order_by()
        .aggregate(
            waiting=Count("pk", filter=~current | open_request),
            without_officer=Count("pk", filter=~current),
            asked=Count("pk", filter=open_request),
        )
    )
    return QueueCounts(**{k: v or 0 for k, v in counts.items()})


def days_waiting(school, *, today: date | None = None) -> int | None:
    """Whole days since `waiting_since` (every school in the queue has one); None outside the queue."""
    today = today or timezone.localdate()
    since = getattr(school, "waiting_since", None)
    if since is None and getattr(school, "request_at", None) is not None:
        since = timezone.localdate(school.request_at)
    return (today - since).days if since else None


def named_officers_for_schools(school_ids) -> dict[int, Officer]:
    """Each school's current named officer, for many schools in one query (schools without one are left out)."""
    current = Assignment.objects.filter(school_id__in=list(school_ids), end_date__isnull=True).select_related("officer")
    return {assignment.school_id: assignment.officer for assignment in current}


def named_officer_for(school) -> Officer | None:
    assignment = current_assignment(school)
    return assignment.officer if assignment else None


def headteacher_schools(user) -> QuerySet[School]:
    return School.objects.filter(pk__in=headteacher_school_ids(user)).select_related("local_authority__bcu")


def allocator_emails_for_bcu(bcu_id: int) -> list[str]:
    """Work addresses of the current allocators covering a BCU (all-London allocators included)."""
    from accounts.models import PoliceRole

    return sorted(
        set(
            PoliceRole.objects.current()
            .filter(kind=PoliceRole.Kind.ALLOCATOR, user__is_active=True)
            .filter(Q(all_london=True) | Q(bcus=bcu_id))
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def headteacher_emails_for(school) -> list[str]:
    """The addresses of the school's current headteachers."""
    from accounts.models import SchoolMembership

    return sorted(
        set(
            SchoolMembership.objects.current()
            .filter(school=school, role=SchoolMembership.Role.HEADTEACHER, user__is_active=True)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def open_request_for(school) -> OfficerRequest | None:
    return OfficerRequest.objects.filter(school=school, status=OfficerRequest.Status.OPEN).first()


# --- suggestions --------------------------------------------------------------------------------------------------


@dataclass
class Suggestion:
    officer: Officer
    km: float
    load_before: int
    load_after: int
    fits: bool
    reason: str

    @property
    def percent_before(self) -> int:
        return round(100 * self.load_before / self.officer.capacity)

    @property
    def percent_after(self) -> int:
        return round(100 * self.load_after / self.officer.capacity)


def suggestions_for(school: School, *, weight: int | None = None, limit: int = 10) -> tuple[list[Suggestion], str]:
    """Active officers of the school's BCU, those with room first, nearest first; each with a one-line reason.
    Returns (suggestions, note) where the note says why there are none or that the borough centre was used."""
    bcu_id = school.local_authority.bcu_id
    if bcu_id is None:
        return [], "This school is policed by the City of London Police, which this service does not cover."
    point = school_coordinates(school)
    if point is None:
        return [], "This school has no location and its borough has no centre, so distances cannot be worked out."
    lat, lon, estimated = point
    weight = school_weight(school) if weight is None else weight
    current = current_assignment(school)
    # A school that asked for a different officer is not offered the one it asked to change.
    replacing = (
        current.officer_id
        if current is not None
        and OfficerRequest.objects.filter(
            school=school, status=OfficerRequest.Status.OPEN, kind=OfficerRequest.Kind.CHANGE
        ).exists()
        else None
    )
    officers = [
        officer
        for officer in officers_with_load(Officer.objects.filter(bcu_id=bcu_id, active=True))
        if officer.pk != replacing
    ]
    suggestions = []
    for officer in officers:
        km = float(haversine_km(lat, lon, officer.base_latitude, officer.base_longitude))
        already = current is not None and current.officer_id == officer.pk
        after = officer.load if already else officer.load + weight
        fits = after <= officer.capacity
        reason = (
            f"same BCU, {km:.1f} km from base, load {round(100 * officer.load / officer.capacity)}% → "
            f"{round(100 * after / officer.capacity)}%{'' if fits else ' (over capacity)'}"
        )
        suggestions.append(Suggestion(officer, km, officer.load, after, fits, reason))
    suggestions.sort(key=lambda s: (not s.fits, s.km))
    note = "This school has no location of its own: distances are from the centre of its borough." if estimated else ""
    if not officers:
        note = f"No {'other ' if replacing else ''}active officer serves this school's BCU."
    return suggestions[:limit], note


# --- coverage ---------------------------------------------------------------------------------------------------


def coverage_by_borough(user) -> list[dict]:
    """Per borough in the allocator's BCUs: open schools, schools with a named officer, % covered."""
    current = Assignment.objects.filter(school=OuterRef("pk"), end_date__isnull=True)
    rows = (
        _schools_in_scope()
        .filter(local_authority__bcu_id__in=allocator_bcu_ids(user))
        .annotate(covered=Exists(current))
        .values(
            "local_authority__code",
            "local_authority__name",
            "local_authority__gss_code",
            "local_authority__bcu__name",
            "local_authority__bcu__slug",
        )
        .annotate(
            schools=Count("pk"),
            covered_count=Count("pk", filter=Q(covered=True)),
        )
        .order_by("local_authority__bcu__name", "local_authority__name")
    )
    result = []
    for row in rows:
        result.append(
            {
                "la_code": row["local_authority__code"],
                "borough": row["local_authority__name"],
                "gss_code": row["local_authority__gss_code"],
                "bcu": row["local_authority__bcu__name"],
                "bcu_slug": row["local_authority__bcu__slug"],
                "schools": row["schools"],
                "covered": row["covered_count"],
                "percent": round(100 * row["covered_count"] / row["schools"]) if row["schools"] else 0,
            }
        )
    return result


def city_of_london_schools_count() -> int:
    return _schools_in_scope().filter(local_authority__bcu__isnull=True, local_authority__code=201).count()


def officer_school_rows(officer: Officer) -> list[dict]:
    """The officer's schools with work contacts and counts from the other programmes (no pupil details)."""
    assignments = list(officer_current_assignments(officer))
    activity = other_programme_activity([a.school_id for a in assignments])
    return [
        {
            "school": a.school,
            "since": a.start_date,
            "telephone": a.school.telephone,
            "website": a.school.website,
            "activity": activity.get(a.school_id, []),
        }
        for a in assignments
    ]


# --- optimiser inputs -------------------------------------------------------------------------------------------


@dataclass
class AreaPlan:
    bcu: BasicCommandUnit
    plan: object
    baseline: object
    schools: dict
    officers: dict
    estimated: set
    weights: dict
    unlocated: list
    points: dict = field(default_factory=dict)
    asked: set = field(default_factory=set)
    allow_moves: bool = False

    def rows(self) -> list[dict]:
        """The proposal as reviewable rows: new assignments and moves, nearest first within each officer."""
        rows = []
        for urn, officer_id in {**self.plan.new, **{u: m[1] for u, m in self.plan.moves.items()}}.items():
            school, officer = self.schools[urn], self.officers[officer_id]
            moving_from = self.plan.moves.get(urn, (None,))[0]
            rows.append(
                {
                    "school": school,
                    "officer": officer,
                    "km": self.distance(urn, officer_id),
                    "weight": self.weights[urn],
                    "estimated": urn in self.estimated,
                    "moving_from": self.officers.get(moving_from) if moving_from else None,
                    "value": f"{urn}:{officer_id}",
                }
            )
        rows.sort(key=lambda r: (r["officer"].name, r["km"]))
        return rows

    def distance(self, urn, officer_id) -> float:
        point, officer = self.points[urn], self.officers[officer_id]
        return round(float(haversine_km(point[0], point[1], officer.base_latitude, officer.base_longitude)), 1)

    def uncovered_rows(self) -> list[dict]:
        """Schools the plan leaves uncovered, most urgent first: those that asked, then the heaviest (the optimiser
        covers by priority when capacity runs short), then schools with no location at all."""
        rows = [
            {"school": self.schools[u], "why": why, "asked": u in self.asked} for u, why in self.plan.uncovered.items()
        ]
        rows += [
            {"school": s, "why": "no location for the school or its borough", "asked": s.pk in self.asked}
            for s in sorted(self.unlocated, key=lambda s: s.name)
        ]
        return rows

    def load_spread(self, plan) -> tuple[int, int]:
        percents = [round(100 * plan.loads[o.pk] / o.capacity) for o in self.officers.values()]
        return (min(percents), max(percents)) if percents else (0, 0)

    def as_dict(self) -> dict:
        """Everything the proposal page shows, as JSON-ready data (stored by background runs)."""

        def totals(plan) -> dict:
            low, high = self.load_spread(plan)
            return {
                "covered": len(plan.assignments),
                "total_km": round(plan.total_km, 1),
                "uncovered": len(plan.uncovered) + len(self.unlocated),
                "load_min": low,
                "load_max": high,
            }

        plan = self.plan
        return {
            "bcu": {"id": self.bcu.pk, "name": self.bcu.name},
            "allow_moves": self.allow_moves,
            "optimiser": {
                **totals(plan),
                "status": plan.status,
                "gap_percent": None if plan.gap is None else round(100 * plan.gap, 2),
                "seconds": plan.seconds,
                "notes": list(plan.notes),
            },
            "greedy": totals(self.baseline),
            "estimated": len(self.estimated),
            "rows": [
                {
                    "urn": r["school"].pk,
                    "school": r["school"].name,
                    "officer_id": r["officer"].pk,
                    "officer": r["officer"].name,
                    "km": r["km"],
                    "weight": r["weight"],
                    "estimated": r["estimated"],
                    "moving_from": r["moving_from"].name if r["moving_from"] else "",
                    "value": r["value"],
                }
                for r in self.rows()
            ],
            "uncovered_schools": [
                {"urn": r["school"].pk, "school": r["school"].name, "why": r["why"], "asked": r["asked"]}
                for r in self.uncovered_rows()
            ],
        }


def area_plan(
    *, user, bcu_id: int, allow_moves: bool = False, time_limit: float = 10.0, without: frozenset[int] = frozenset()
) -> AreaPlan | None:
    """Run the optimiser and the greedy baseline for one of the allocator's BCUs (None if not theirs).
    `without`: officers left out, as if they had gone (the what-if simulation); nothing is written."""
    from .optimiser import OfficerIn, SchoolIn, greedy, optimise

    if bcu_id not in allocator_bcu_ids(user):
        return None
    bcu = BasicCommandUnit.objects.get(pk=bcu_id)
    officers = {o.pk: o for o in Officer.objects.filter(bcu_id=bcu_id, active=True).exclude(pk__in=without)}
    current = dict(
        Assignment.objects.filter(school__local_authority__bcu_id=bcu_id, end_date__isnull=True).values_list(
            "school_id", "officer_id"
        )
    )
    asked = set(
        OfficerRequest.objects.filter(
            school__local_authority__bcu_id=bcu_id, status=OfficerRequest.Status.OPEN
        ).values_list("school_id", flat=True)
    )
    last_ended = (
        Assignment.objects.filter(school=OuterRef("pk"))
        .order_by()
        .values("school")
        .annotate(last=Max("end_date"))
        .values("last")
    )
    # In queue order (longest waiting first, then by name), which the greedy baseline follows.
    schools = {
        s.pk: s
        for s in _schools_in_scope()
        .filter(local_authority__bcu_id=bcu_id)
        .annotate(waiting_since=Subquery(last_ended))
        .select_related("local_authority")
        .order_by(F("waiting_since").asc(nulls_first=True), "name", "pk")
    }
    book = WeightBook(urns=schools)
    weights = {urn: book.weight(s)[0] for urn, s in schools.items()}
    # Current assignments keep the weight they were made with, so loads match what allocators see.
    for urn, weight in Assignment.objects.filter(
        school__local_authority__bcu_id=bcu_id, end_date__isnull=True
    ).values_list("school_id", "weight"):
        weights[urn] = weight
    school_inputs, estimated, unlocated, points = [], set(), [], {}
    for urn, school in schools.items():
        point = school_coordinates(school)
        if point is None:
            unlocated.append(school)
            continue
        points[urn] = point
        if point[2]:
            estimated.add(urn)
        school_inputs.append(
            SchoolIn(
                urn=urn,
                area=str(bcu_id),
                latitude=point[0],
                longitude=point[1],
                weight=weights[urn],
                priority=2 if urn in asked else 1,
                current_officer=current.get(urn) if current.get(urn) in officers else None,
            )
        )
    officer_inputs = [
        OfficerIn(id=o.pk, area=str(bcu_id), latitude=o.base_latitude, longitude=o.base_longitude, capacity=o.capacity)
        for o in officers.values()
    ]
    plan = optimise(school_inputs, officer_inputs, allow_moves=allow_moves, time_limit=time_limit)
    baseline = greedy(school_inputs, officer_inputs)
    return AreaPlan(bcu, plan, baseline, schools, officers, estimated, weights, unlocated, points, asked, allow_moves)


@dataclass
class WhatIf:
    leaving: list
    losing_cover: list
    result: AreaPlan

    @property
    def recovered(self) -> list[dict]:
        lost = {school.pk for school in self.losing_cover}
        return [row for row in self.result.rows() if row["school"].pk in lost]

    @property
    def uncovered_in_bcu(self) -> int:
        return len(self.result.plan.uncovered) + len(self.result.unlocated)

    @property
    def still_uncovered(self) -> list[dict]:
        lost = {school.pk for school in self.losing_cover}
        return [row for row in self.result.uncovered_rows() if row["school"].pk in lost]


def what_if(*, user, bcu_id: int, officer_ids=(), cut: int = 0, time_limit: float = 10.0) -> WhatIf | None:
    """If these officers leave (or `cut` officers go: those with the fewest schools, the least disruption), which
    schools lose cover and what the optimiser proposes. Read-only."""
    if bcu_id not in allocator_bcu_ids(user):
        return None
    active = officers_with_load(Officer.objects.filter(bcu_id=bcu_id, active=True))
    leaving = list(active.filter(pk__in=list(officer_ids)))
    if cut:
        chosen = {o.pk for o in leaving}
        extra = active.exclude(pk__in=chosen).order_by("school_count", "load", "pk")[:cut]
        leaving += list(extra)
    leaving_ids = frozenset(o.pk for o in leaving)
    losing = [
        a.school
        for a in Assignment.objects.filter(officer_id__in=leaving_ids, end_date__isnull=True)
        .select_related("school")
        .order_by("school__name")
    ]
    result = area_plan(user=user, bcu_id=bcu_id, time_limit=time_limit, without=leaving_ids)
    return WhatIf(leaving=leaving, losing_cover=losing, result=result)


def optimiser_runs_for(user) -> QuerySet[OptimiserRun]:
    """The user's own background optimiser runs, newest first (the proposals are theirs to apply)."""
    return OptimiserRun.objects.filter(created_by_id=getattr(user, "pk", None)).defer("result")


def optimiser_run_get(*, user, pk: int) -> OptimiserRun | None:
    return OptimiserRun.objects.filter(pk=pk, created_by_id=getattr(user, "pk", None)).first()
