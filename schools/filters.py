"""The one set of filters over the schools register, used by the "Find a school" page and `/api/v1/schools/`."""

import re

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from .forms import SchoolSearchForm
from .models import BasicCommandUnit, LocalAuthority, School

URN_RE = re.compile(r"^\d{6}$")
# An outward code (SW1A, E1, N16) optionally followed by the start of an inward code (1, 1A, 1AA), space or not.
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{0,2})?$")


def postcode_prefixes(text: str) -> list[str]:
    """The postcode prefixes a search can mean, in GIAS spelling ("SW1A1AA" -> "SW1A 1AA"); none if not a postcode.

    An outward code on its own ends with a space so that "E1" finds E1 but not E10 to E18. Typed without a space,
    "N16" may be the district N16 or the start of "N1 6..": both are searched.
    """
    match = POSTCODE_RE.match(" ".join(text.split()).upper())
    if not match:
        return []
    outward, inward = match.groups()
    if inward:
        return [f"{outward} {inward}"]
    prefixes = [f"{outward} "]
    if len(outward) >= 3 and outward[-1].isdigit() and " " not in text.strip():
        prefixes.append(f"{outward[:-1]} {outward[-1]}")
    return prefixes


def search_q(text: str) -> Q:
    """Six digits mean a URN; otherwise the name contains the text, or the postcode starts with it."""
    text = " ".join(text.split())
    if URN_RE.match(text):
        return Q(urn=int(text))
    condition = Q(name__icontains=text)
    for prefix in postcode_prefixes(text):
        condition |= Q(postcode__istartswith=prefix)
    return condition


PUPIL_REFERRAL_UNIT_Q = Q(type_name__icontains="pupil referral unit")
SPECIAL_Q = Q(type_name__icontains="special") | Q(type_group_name__iexact="special schools")


class SchoolFilter(django_filters.FilterSet):
    """Closed schools are left out unless `include_closed` is set or a `status` is asked for explicitly."""

    q = django_filters.CharFilter(
        label="Name, URN or postcode",
        method="filter_q",
        max_length=100,
        error_messages={"max_length": "Search for 100 characters or fewer"},
        help_text="Part of the school's name, its 6-digit URN, or the start of its postcode (E8, E8 1, E81AA)",
    )
    borough = django_filters.ModelChoiceFilter(
        label="Borough",
        field_name="local_authority",
        to_field_name="code",
        queryset=LocalAuthority.objects.only("code", "name", "bcu"),
        empty_label="All boroughs",
        error_messages={"invalid_choice": "Select a borough from the list"},
        help_text="Local authority by its DfE code, for example 204 for Hackney",
    )
    bcu = django_filters.ModelChoiceFilter(
        label="Police Basic Command Unit",
        field_name="local_authority__bcu",
        to_field_name="slug",
        queryset=BasicCommandUnit.objects.only("slug", "name"),
        empty_label="All command units",
        error_messages={"invalid_choice": "Select a police command unit from the list"},
        help_text="Met Basic Command Unit by its slug, for example central-east",
    )
    phase = django_filters.MultipleChoiceFilter(
        label="Phase",
        choices=School.Phase.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
        error_messages={"invalid_choice": "Select phases from the list"},
        help_text="One or more phases of education",
    )
    status = django_filters.MultipleChoiceFilter(
        label="Status",
        choices=School.Status.choices,
        distinct=False,
        error_messages={"invalid_choice": "Select statuses from the list"},
        help_text="One or more statuses; when given, replaces the default of leaving out closed schools",
    )
    include_closed = django_filters.BooleanFilter(
        label="Include closed schools",
        method="filter_include_closed",
        widget=forms.CheckboxInput,
        help_text="Closed schools are left out unless this is true",
    )
    pupil_referral_unit = django_filters.BooleanFilter(
        label="Pupil referral units only",
        method="filter_pupil_referral_unit",
        widget=forms.CheckboxInput,
        help_text="Only pupil referral units",
    )
    special = django_filters.BooleanFilter(
        label="Special schools only",
        method="filter_special",
        widget=forms.CheckboxInput,
        help_text="Only special schools",
    )

    class Meta:
        model = School
        fields = ["q", "borough", "bcu", "phase", "status", "include_closed", "pupil_referral_unit", "special"]
        form = SchoolSearchForm

    def filter_q(self, queryset: QuerySet[School], name: str, value: str) -> QuerySet[School]:
        if not value.strip():
            return queryset
        return queryset.filter(search_q(value))

    def filter_include_closed(self, queryset: QuerySet[School], name: str, value: bool) -> QuerySet[School]:
        # Applied in filter_queryset, where it is combined with `status`.
        return queryset

    def filter_pupil_referral_unit(self, queryset: QuerySet[School], name: str, value: bool) -> QuerySet[School]:
        return queryset.filter(PUPIL_REFERRAL_UNIT_Q) if value else queryset

    def filter_special(self, queryset: QuerySet[School], name: str, value: bool) -> QuerySet[School]:
        return queryset.filter(SPECIAL_Q) if value else queryset

    def filter_queryset(self, queryset: QuerySet[School]) -> QuerySet[School]:
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if not data.get("status") and not data.get("include_closed"):
            queryset = queryset.exclude(status=School.Status.CLOSED)
        return queryset
