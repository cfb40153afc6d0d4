"""Long API lists from `.values()` rows, in the exact shape their read-only serializer gives.

Measured on national-scale data (docs/performance.md, bench/bench_api.py): a DRF ModelSerializer list cost 1.6-3.3x a
bare `.values()` + JsonResponse of the same rows, most of it model instances, the per-request copies of the
serializer's fields and building and validating the filter form on calls that filter nothing. A view that mixes in
`ValuesListMixin` keeps its serializer (the OpenAPI schema, detail views and writes still use it), its filters and its
pagination, and builds the list's rows from a `.values()` query with a plain function. Each such function has a test
that compares its output with the serializer's (tests/bench/test_api_rows.py).
"""

from collections.abc import Callable

from rest_framework import fields
from rest_framework.response import Response

from core.pagination import PAGE_PARAMS

# DRF's own representation of a datetime (current time zone, ISO 8601, "Z" for UTC), without a bound field per call.
_DATETIME = fields.DateTimeField()


def iso_datetime(value) -> str | None:
    return _DATETIME.to_representation(value) if value is not None else None


class ValuesListMixin:
    """`list()` for a GenericAPIView: filter and paginate a `.values(*values_fields)` query; each row goes through
    `represent_row` (a staticmethod taking the values dict and returning the serializer's shape), or override
    `represent_rows` to add what needs one more query per page (e.g. tags)."""

    values_fields: tuple[str, ...] = ()
    represent_row: Callable[[dict], dict]

    def list(self, request, *args, **kwargs):
        queryset = self.filter_list(self.get_queryset())
        if queryset._prefetch_related_lookups:  # (a clone costs ~30 µs: only when there is something to drop)
            queryset = queryset.prefetch_related(None)
        queryset = queryset.values(*self.values_fields)
        page = self.paginate_queryset(queryset)
        rows = self.represent_rows(list(queryset if page is None else page))
        if page is None:
            return Response(rows)
        return self.get_paginated_response(rows)

    def represent_rows(self, rows: "list[dict]") -> "list[dict]":  # (quoted: `list` is the method here)
        return [self.represent_row(row) for row in rows]

    def filter_list(self, queryset):
        """A call with no filter parameter skips the filter backends (a FilterSet builds and validates its form on
        every call, about a third of a short list's time) and gets `unfiltered(queryset)`: what the filterset gives
        for no parameters. Any other parameter, known or not, goes through the filters as before."""
        if not set(self.request.query_params) - PAGE_PARAMS:
            return self.unfiltered(queryset)
        return self.filter_queryset(queryset)

    def unfiltered(self, queryset):
        return queryset
