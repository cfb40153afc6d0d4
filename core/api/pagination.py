"""The API's two paging styles (docs/api.md, "Paging").

- **Cursor paging** (`CreatedCursorPagination`, `cursor` and `page_size`): for lists that grow without bound (requests,
  referrals, stock movements, the audit, access logs, invitations, join requests, possible duplicates). Constant cost
  at any depth; rows added meanwhile are neither skipped nor repeated. `next`/`previous` are links, no `count`.
- **Page numbers** (`PagePagination`, `page` and `page_size`) with a `count`: only where the total is itself an answer
  (the schools register and the toolkit catalogue, whose totals are cached; an allocator's officers and queue; work
  queues a reviewer empties).

Both take `page_size` from 1 to MAX_PAGE_SIZE (default PAGE_SIZE). A page number past the end, a cursor the service
did not issue or a `page_size` out of range is 400 naming the parameter, never a 404 or a silent default.
"""

from functools import partial

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

from core.pagination import CountFromPaginator, cached_count_paginator, filter_count_key

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class _StrictPageSize:
    """`page_size` from 1 to MAX_PAGE_SIZE or 400 (DRF silently falls back to the default, or clamps)."""

    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"Give a whole number from 1 to {self.max_page_size}."]},
                code="invalid_page_size",
            )
        return int(raw)

    def _describe(self, parameters: list[dict]) -> list[dict]:
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
                parameter["description"] = (
                    f"Rows per page, 1 to {self.max_page_size} (default {self.page_size}). Out of range: 400."
                )
        return parameters


class PagePagination(_StrictPageSize, PageNumberPagination):
    """Page numbers with a total. A view with a `count_queryset()` method has its total counted from that instead: the
    same rows (same scope and filters) without the per-row annotations, which a COUNT would otherwise compute for
    every row. A page past the end (or not a number) is 400 naming `page`; page 1 of an empty list is an empty page."""

    def paginate_queryset(self, queryset, request, view=None):
        count_queryset = getattr(view, "count_queryset", None)
        if count_queryset is not None:
            self.django_paginator_class = partial(CountFromPaginator, count_from=count_queryset())
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and not raw.isdigit():
            raise ValidationError({self.page_query_param: ["Give a page number: 1 or more."]}, code="invalid_page")
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as error:
            raise ValidationError({self.page_query_param: [str(error.detail)]}, code="invalid_page") from error

    def get_schema_operation_parameters(self, view):
        parameters = self._describe(super().get_schema_operation_parameters(view))
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter["description"] = "Page number, from 1. Past the last page: 400."
        return parameters


class CreatedCursorPagination(_StrictPageSize, CursorPagination):
    """For lists that grow: constant cost at any depth. A cursor that is not one the service issued is 400 naming
    `cursor`."""

    ordering = "-created_at"
    invalid_cursor_message = "This cursor is not valid: follow the `next` and `previous` links as given."

    def paginate_queryset(self, queryset, request, view=None):
        try:
            self._check_position(queryset, request, view)
            return super().paginate_queryset(queryset, request, view)
        except (NotFound, DjangoValidationError) as error:
            raise ValidationError(
                {self.cursor_query_param: [self.invalid_cursor_message]}, code="invalid_cursor"
            ) from error

    def _check_position(self, queryset, request, view) -> None:
        """A cursor that decodes but carries a position its ordering field cannot hold (a forged or edited cursor) is
        refused before any query: the database would otherwise be asked to compare a timestamp with "2026"."""
        cursor = self.decode_cursor(request)
        if cursor is None or cursor.position is None:
            return
        field_name = self.get_ordering(request, queryset, view)[0].lstrip("-")
        queryset.model._meta.get_field(field_name).to_python(cursor.position)

    def get_schema_operation_parameters(self, view):
        parameters = self._describe(super().get_schema_operation_parameters(view))
        for parameter in parameters:
            if parameter["name"] == self.cursor_query_param:
                parameter["description"] = (
                    "Opaque: take it from the `next` or `previous` link of the page before. Anything else: 400."
                )
        return parameters


def cursor_pagination(*ordering: str) -> type[CreatedCursorPagination]:
    """CreatedCursorPagination in `ordering` (e.g. "-created_at", "-id": newest first, ties by id)."""
    name = "CursorPagination_" + "_".join(field.lstrip("-") for field in ordering)
    return type(name, (CreatedCursorPagination,), {"ordering": ordering})


class PublicCachedCountPagination(PagePagination):
    """PagePagination with the total cached (core.pagination.CachedCountPaginator) under the view's name and the
    filter parameters: only for a list whose rows are the same for everyone (the public register)."""

    count_scope = ""

    def paginate_queryset(self, queryset, request, view=None):
        key = filter_count_key(f"{type(view).__module__}.{type(view).__qualname__}", request.query_params)
        self.django_paginator_class = partial(cached_count_paginator(self.count_scope), count_key=key)
        return super().paginate_queryset(queryset, request, view)


def cached_count_pagination(scope: str) -> type[PagePagination]:
    """PublicCachedCountPagination for `scope` (whose writers call core.pagination.counts_changed)."""
    return type(f"PublicCachedCountPagination_{scope}", (PublicCachedCountPagination,), {"count_scope": scope})
