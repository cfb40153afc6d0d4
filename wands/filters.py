import django_filters
from django import forms

from core.date_input import DayMonthYearFilter
from schools.models import BasicCommandUnit, LocalAuthority, School

from .models import WandRequest


class WandRequestFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("submitted_from"), cleaned.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", "Submitted to must be the same as or after submitted from")
        return cleaned


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
    # The page's GOV.UK date inputs (submitted_from_day, _month, _year), with the audit log's messages ("Submitted from
    # must include a month", "... must be a real date, like 27 3 2026"); the API gives an ISO date, read by the same
    # filter.
    submitted_from = DayMonthYearFilter(field_name="created_at", lookup_expr="date__gte", label="Submitted from")
    submitted_to = DayMonthYearFilter(field_name="created_at", lookup_expr="date__lte", label="Submitted to")
    sort = django_filters.OrderingFilter(
        fields=(
            ("created_at", "submitted"),
            ("quantity", "quantity"),
            ("school__name", "school"),
            ("status", "status"),
        ),
        # Each order once, in words (django-filter's own labels offered "Date submitted (descending)" beside the
        # default "Newest first", which is the same order). "-submitted" is still accepted (the API's sort values).
        # The first is what a queue with no sort shows (its default order), so the select shows it chosen.
        choices=[
            ("-submitted", "Newest first"),
            ("submitted", "Oldest first"),
            ("-quantity", "Most wands first"),
            ("quantity", "Fewest wands first"),
            ("school", "School name, A to Z"),
            ("-school", "School name, Z to A"),
            ("status", "Status"),
            ("-status", "Status, reversed"),
        ],
        label="Sort by",
        empty_label=None,
    )

    class Meta:
        model = WandRequest
        fields = ["status", "borough", "bcu", "phase"]
        form = WandRequestFilterForm
