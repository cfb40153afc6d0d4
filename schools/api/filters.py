"""The API filters are the page's filters (one FilterSet, so `/api/v1/schools/` and Find a school agree), with the
borough named as everywhere in the API: `la_code` (the page's form calls it `borough`)."""

import django_filters

from schools.filters import SchoolFilter


def la_code_filter(field_name: str, queryset) -> django_filters.ModelChoiceFilter:
    """A borough by its DfE LA code, under the API's one name for it, `la_code`."""
    return django_filters.ModelChoiceFilter(
        label="Borough",
        field_name=field_name,
        to_field_name="code",
        queryset=queryset,
        error_messages={"invalid_choice": "Give a London borough's DfE LA code, for example 204 for Hackney"},
        help_text="A borough by its DfE LA code, for example 204 for Hackney (see /api/v1/local-authorities/)",
    )


class SchoolApiFilter(SchoolFilter):
    la_code = la_code_filter("local_authority", SchoolFilter.base_filters["borough"].queryset)
    borough = None

    class Meta(SchoolFilter.Meta):
        fields = [name if name != "borough" else "la_code" for name in SchoolFilter.Meta.fields]


__all__ = ["SchoolApiFilter", "la_code_filter"]
