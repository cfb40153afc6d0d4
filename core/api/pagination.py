from functools import partial

from rest_framework.pagination import CursorPagination, PageNumberPagination

from core.pagination import CountFromPaginator, cached_count_paginator, filter_count_key


class PagePagination(PageNumberPagination):
    """Page numbers. A view with a `count_queryset()` method has its total counted from that instead: the same rows
    (same scope and filters) without the per-row annotations, which a COUNT would otherwise compute for every row."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        count_queryset = getattr(view, "count_queryset", None)
        if count_queryset is not None:
            self.django_paginator_class = partial(CountFromPaginator, count_from=count_queryset())
        return super().paginate_queryset(queryset, request, view)


class CreatedCursorPagination(CursorPagination):
    """For big lists: constant cost at any depth."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-created_at"


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
