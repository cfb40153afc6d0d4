import django_filters
from django import forms

from schools.models import BasicCommandUnit, LocalAuthority, School

from .models import WandRequest


class WandRequestFilter(django_filters.FilterSet):
    """The queue's filters (status, borough, BCU, phase, date) and sorting, for the admin page and the API."""

    status = django_filters.ChoiceFilter(choices=WandRequest.Status.choices, empty_label="Any status", label="Status")
    borough = django_filters.ModelChoiceFilter(
        field_name="school__local_authority",
        queryset=LocalAuthority.objects.exclude(area=LocalAuthority.Area.OUTSIDE).order_by("name"),
        empty_label="Any borough",
        label="Borough",
    )
    bcu = django_filters.ModelChoiceFilter(
        field_name="school__local_authority__bcu",
        queryset=BasicCommandUnit.objects.order_by("name"),
        to_field_name="slug",
        empty_label="Any BCU",
        label="BCU",
    )
    phase = django_filters.ChoiceFilter(
        field_name="school__phase", choices=School.Phase.choices, empty_label="Any phase", label="Phase"
    )
    submitted_from = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__gte",
        label="Submitted from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    submitted_to = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__lte",
        label="Submitted to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("created_at", "submitted"),
            ("quantity", "quantity"),
            ("school__name", "school"),
            ("status", "status"),
        ),
        field_labels={
            "created_at": "Date submitted",
            "quantity": "Quantity",
            "school__name": "School",
            "status": "Status",
        },
        label="Sort by",
        empty_label="Newest first",
    )

    class Meta:
        model = WandRequest
        fields = ["status", "borough", "bcu", "phase"]
