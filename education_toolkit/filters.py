"""The catalogue's filters: full-text search and every facet (several values of one facet widen, facets narrow)."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef

from .models import FACETS, AccessLevel, Resource, ResourceTag, ResourceType
from .selectors import resources_search

DURATIONS = [("short", "Up to 30 minutes"), ("lesson", "31 to 60 minutes"), ("long", "More than 60 minutes")]


def _facet_filter(kind: str, label: str):
    def method(queryset, name, values):
        if not values:
            return queryset
        return queryset.filter(Exists(ResourceTag.objects.filter(resource=OuterRef("pk"), kind=kind, value__in=values)))

    return django_filters.MultipleChoiceFilter(
        label=label,
        choices=list(FACETS[kind].items()),
        widget=forms.CheckboxSelectMultiple,
        method=method,
        error_messages=_choose_from_the_list(label),
    )


def _choose_from_the_list(label: str) -> dict:
    return {"invalid_choice": f"Choose {label.lower()} from the list"}


class ResourceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search", max_length=200)
    audience = _facet_filter("audience", "Audience")
    key_stage = _facet_filter("key_stage", "Key stage")
    setting = _facet_filter("setting", "Setting")
    topic = _facet_filter("topic", "Topic")
    resource_type = django_filters.MultipleChoiceFilter(
        label="Resource type",
        choices=ResourceType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages=_choose_from_the_list("Resource type"),
    )
    access_level = django_filters.MultipleChoiceFilter(
        label="Who can download it",
        choices=AccessLevel.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose who can download it from the list"},
    )
    language = django_filters.CharFilter(label="Language", lookup_expr="iexact", max_length=40)
    duration = django_filters.MultipleChoiceFilter(
        label="Duration",
        choices=DURATIONS,
        widget=forms.CheckboxSelectMultiple,
        method="filter_duration",
        error_messages=_choose_from_the_list("Duration"),
    )

    class Meta:
        model = Resource
        fields = []

    def search(self, queryset, name, value):
        return resources_search(queryset, value)

    def filter_duration(self, queryset, name, values):
        from django.db.models import Q

        condition = Q()
        bands = {
            "short": Q(duration_minutes__lte=30),
            "lesson": Q(duration_minutes__gt=30, duration_minutes__lte=60),
            "long": Q(duration_minutes__gt=60),
        }
        for value in values:
            condition |= bands[value]
        return queryset.filter(condition) if values else queryset


FILTER_FACETS = ("audience", "key_stage", "setting", "topic")
