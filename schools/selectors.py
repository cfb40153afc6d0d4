"""Reads of the schools register. The register is public: anyone may search it; closed schools are hidden by default."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.utils.datastructures import MultiValueDict

from .filters import SchoolFilter
from .gias_links import PREDECESSOR_TYPES, SUCCESSOR_TYPES
from .models import BasicCommandUnit, LocalAuthority, School, SchoolChange, SchoolLink

URN_MIN, URN_MAX = 100000, 999999

# What a line in a list of schools shows: enough for name, URN, borough, BCU, phase, type and status.
SCHOOL_LIST_FIELDS = (
    "urn",
    "name",
    "type_name",
    "type_group_name",
    "phase",
    "status",
    "postcode",
    "local_authority__code",
    "local_authority__name",
    "local_authority__gss_code",
    "local_authority__bcu__slug",
    "local_authority__bcu__name",
)


def school_list(*, include_closed: bool = True) -> QuerySet[School]:
    """Schools for a list, with their authority and BCU in the same query; closed ones too unless told otherwise."""
    queryset = School.objects.select_related("local_authority__bcu").only(*SCHOOL_LIST_FIELDS)
    if not include_closed:
        queryset = queryset.exclude(status=School.Status.CLOSED)
    return queryset


def school_filter(*, params: Mapping[str, Any] | None) -> SchoolFilter:
    """The bound search over the register, for a page that shows the filter form and its errors.

    `params` is a QueryDict (request.GET) or a plain dict whose values are single values or lists.
    """
    if not isinstance(params, MultiValueDict):
        params = MultiValueDict(
            {key: list(value) if isinstance(value, list | tuple) else [value] for key, value in (params or {}).items()}
        )
    return SchoolFilter(params, queryset=school_list())


def schools_search(*, params: Mapping[str, Any]) -> QuerySet[School]:
    """Schools matching the search parameters (see SchoolFilter); raises ValidationError naming each bad parameter."""
    filterset = school_filter(params=params)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors.as_data())
    return filterset.qs


def school_get(*, urn: int) -> School:
    """One school by URN, closed or not, with its authority and BCU; raises School.DoesNotExist."""
    if not URN_MIN <= urn <= URN_MAX:
        raise School.DoesNotExist(f"{urn} is not a six-digit URN")
    return School.objects.select_related("local_authority__bcu").get(urn=urn)


def local_authority_list(*, london_only: bool = False) -> QuerySet[LocalAuthority]:
    """Local authorities by name, with their BCU."""
    queryset = LocalAuthority.objects.select_related("bcu")
    if london_only:
        queryset = queryset.exclude(area=LocalAuthority.Area.OUTSIDE)
    return queryset.order_by("name")


def bcu_list() -> QuerySet[BasicCommandUnit]:
    """The Met's Basic Command Units by name, each with its boroughs."""
    return BasicCommandUnit.objects.prefetch_related(
        Prefetch(
            "local_authorities",
            queryset=LocalAuthority.objects.only("code", "name", "gss_code", "bcu").order_by("name"),
        )
    ).order_by("name")


@dataclass(frozen=True)
class LinkedSchool:
    urn: int
    name: str
    link_type: str
    established_on: object
    in_register: bool
    status: str = ""


def school_links(*, urn: int) -> dict[str, list[LinkedSchool]]:
    """A school's predecessors, successors and other links from the GIAS links file, in two queries.

    Both sides of a link say the same thing ("Successor" from the old school, "Predecessor" from the new one), and
    either may be missing from the file: a school's predecessors are read from both.
    """
    rows = list(
        SchoolLink.objects.filter(Q(urn=urn) | Q(link_urn=urn)).values_list(
            "urn", "link_urn", "link_name", "link_type", "established_on"
        )
    )
    other_urns = {link_urn if this == urn else this for this, link_urn, *_ in rows}
    known = {row["urn"]: row for row in School.objects.filter(urn__in=other_urns).values("urn", "name", "status")}
    result: dict[str, dict[int, LinkedSchool]] = {"predecessors": {}, "successors": {}, "other": {}}
    for this, link_urn, link_name, link_type, established in rows:
        if this == urn:
            other, name = link_urn, link_name
            succession = (urn, link_urn) if link_type in SUCCESSOR_TYPES else None
            if link_type in PREDECESSOR_TYPES:
                succession = (link_urn, urn)
        else:
            other, name = this, ""
            succession = (this, urn) if link_type in SUCCESSOR_TYPES else None
            if link_type in PREDECESSOR_TYPES:
                succession = (urn, this)
            if succession is None:
                continue  # the other school's own note about a non-succession link: shown on its page
        school = known.get(other)
        entry = LinkedSchool(
            urn=other,
            name=school["name"] if school else name or f"URN {other}",
            link_type=link_type,
            established_on=established,
            in_register=school is not None,
            status=school["status"] if school else "",
        )
        group = "other" if succession is None else ("predecessors" if succession[1] == urn else "successors")
        result[group].setdefault(other, entry)
    return {group: sorted(entries.values(), key=lambda e: e.urn) for group, entries in result.items()}


def predecessor_urns(urn: int) -> list[int]:
    """The URNs of every school `urn` took over through applied successions (as far back as `predecessors_q` goes)."""
    return sorted(School.objects.filter(predecessors_q("urn", [urn])).values_list("urn", flat=True))


def school_successor_applied(*, urn: int) -> School | None:
    """The school that took over this one through an applied succession, if any."""
    change = (
        SchoolChange.objects.filter(status=SchoolChange.Status.APPLIED, school_id=urn)
        .select_related("successor")
        .order_by("-decided_at")
        .first()
    )
    return change.successor if change else None


def current_school_urn(urn: int) -> int:
    """The school that now stands for `urn`: itself, or the school that took it over by applied successions
    (followed up to PREDECESSOR_GENERATIONS conversions)."""
    for _ in range(PREDECESSOR_GENERATIONS):
        successor = (
            SchoolChange.objects.filter(status=SchoolChange.Status.APPLIED, school_id=urn)
            .order_by("-decided_at")
            .values_list("successor_id", flat=True)
            .first()
        )
        if successor is None:
            return urn
        urn = successor
    return urn


def school_changes_pending() -> QuerySet[SchoolChange]:
    """Closures and successions waiting for review, oldest first, with both schools."""
    return (
        SchoolChange.objects.filter(status=SchoolChange.Status.PENDING)
        .select_related("school__local_authority", "successor__local_authority")
        .order_by("found_at", "id")
    )


def school_changes_decided(*, limit: int = 50) -> QuerySet[SchoolChange]:
    """The latest applied, dismissed and undone changes."""
    return (
        SchoolChange.objects.exclude(status=SchoolChange.Status.PENDING)
        .select_related("school", "successor", "decided_by")
        .order_by("-decided_at", "-id")[:limit]
    )


def school_change_get(*, change_id: int) -> SchoolChange:
    return SchoolChange.objects.select_related(
        "school__local_authority", "successor__local_authority", "decided_by"
    ).get(pk=change_id)


# How many conversions back the SQL figures and visibility follow (A -> B -> C -> D): more is not a real school.
PREDECESSOR_GENERATIONS = 4


def predecessors_q(field: str, successors) -> Q:
    """A filter on `field` (a school foreign key) matching the schools taken over, through applied successions and
    up to PREDECESSOR_GENERATIONS conversions back, by `successors`: an OuterRef (one school of the outer query) or
    a queryset or list of URNs. Figures count a successor and its predecessors as one school where a series spans the
    conversion; staff of a successor see what was delivered to its predecessors.

    One subquery per generation, each a chain of joins through the applied changes (no recursive SQL needed)."""
    lookup = "in" if isinstance(successors, QuerySet | list | tuple | set) else "exact"
    applied = SchoolChange.Status.APPLIED
    q = Q()
    path = ""
    for _ in range(PREDECESSOR_GENERATIONS):
        conditions = {"status": applied}
        step = ""
        for part in filter(None, path.split("|")):
            step += part
            conditions[f"{step}__status"] = applied
            step += "__"
        conditions[f"{step}successor_id__{lookup}"] = successors
        q |= Q(**{f"{field}__in": SchoolChange.objects.filter(**conditions).values("school_id")})
        path = f"{path}|successor__changes" if path else "successor__changes"
    return q
