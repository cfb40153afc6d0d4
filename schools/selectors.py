"""Reads of the schools register. The register is public: anyone may search it; closed schools are hidden by default."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.datastructures import MultiValueDict

from .filters import SchoolFilter
from .models import BasicCommandUnit, LocalAuthority, School

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
        Prefetch("local_authorities", queryset=LocalAuthority.objects.only("code", "name", "bcu").order_by("name"))
    ).order_by("name")
