"""GOV.UK pagination for server-rendered lists: numbered links with gaps, previous and next, filters kept."""

import functools
import hashlib
import time

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import QueryDict
from django.utils.functional import cached_property

from . import data_versions
from .outage import log_outage

# How long a cached count may be used at most, whatever else happens: the backstop for a write path that does not
# call `counts_changed` (a raw SQL fix, a restored backup).
COUNT_TTL_SECONDS = 300
# Query parameters that choose a page or a format, not rows.
PAGE_PARAMS = frozenset({"page", "page_size", "cursor", "format"})


def paginate(request, items, per_page: int) -> Page:
    """The page the request asks for (`?page=`): the last one when past the end, the first when not a number."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _href(query: QueryDict, number: int) -> str:
    query = query.copy()
    query["page"] = str(number)
    return f"?{query.urlencode()}"


def govuk_pagination_items(*, page: Page, query: QueryDict) -> dict | None:
    """The pagination component's items for `page`; every other parameter of `query` is kept in each link."""
    if page is None or page.paginator.num_pages <= 1:
        return None
    query = query.copy()
    query.pop("page", None)
    items = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
        if number == Paginator.ELLIPSIS:
            items.append({"ellipsis": True})
        else:
            items.append({"number": number, "href": _href(query, number), "current": number == page.number})
    return {
        "items": items,
        "previous": _href(query, page.previous_page_number()) if page.has_previous() else "",
        "next": _href(query, page.next_page_number()) if page.has_next() else "",
    }


def _version_key(scope: str) -> str:
    return f"count-version:{scope}"


def _new_version(scope: str) -> None:
    key = _version_key(scope)
    try:
        try:
            cache.incr(key)
        except ValueError:  # not set yet, or evicted: a fresh version no earlier count was stored under
            cache.set(key, time.time_ns(), None)
    except Exception as error:  # noqa: BLE001 - a cache failure never fails a write, nor the hooks after it
        # COUNT_TTL_SECONDS bounds the staleness; core.cache deletes the key once the cache answers again.
        log_outage("cache:counts", "list totals could not be invalidated", error=error)


def counts_changed(scope: str) -> None:
    """Every count cached for `scope` is stale: a new version now, so the writing transaction's own reads count
    afresh, and another once it commits, so nobody keeps a total counted before the write was visible.
    The after-commit hook is robust: whatever the cache does, the hooks after it (emails) still run."""
    _new_version(scope)

    def after_commit() -> None:  # a function, not a partial: Django names the hook (__qualname__) if it raises
        _new_version(scope)

    transaction.on_commit(after_commit, robust=True)


def stale_counts_on_write(scope: str, *models) -> None:
    """Connect the models' saves and deletes to `counts_changed(scope)` (call from an AppConfig.ready). Bulk writes
    send no signals: their callers call `counts_changed` themselves."""

    def changed(**_signal_kwargs) -> None:
        counts_changed(scope)

    for model in models:
        for signal, kind in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(changed, sender=model, weak=False, dispatch_uid=f"counts:{scope}:{kind}:{model.__name__}")


class CachedCountPaginator(Paginator):
    """A paginator whose total is cached per version of `scope` and per query: `count_key` when the caller gives one
    (cheap: e.g. the request's filter parameters, for a list whose rows do not depend on who asks), else the query's
    SQL with its parameters (compiling it has a cost: docs/performance.md).

    For lists whose rows change rarely and in known places (the schools register changes on a GIAS import or an
    edit): the COUNT is most of a page's cost at national scale (docs/performance.md). Writers call
    `counts_changed(scope)`; COUNT_TTL_SECONDS bounds any staleness a missed writer could cause."""

    scope = ""

    def __init__(self, *args, count_key: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self):
        query = getattr(self.object_list, "query", None)
        if query is None:
            return super().count
        if self.count_key is None:
            try:
                self.count_key = str(query)
            except EmptyResultSet:  # .none(): nothing to count
                return 0
        # The versions of every table the query joins (core.data_versions: bumped by every write through Django), so
        # a write the scope's writers do not announce (a school moved to another borough, under a list filtered by
        # borough) cannot leave a total that contradicts the rows now shown.
        tables = sorted({query.get_meta().db_table, *(alias.table_name for alias in query.alias_map.values())})
        # One cache call: the count is kept tagged with the versions it was counted at, read with the current ones.
        scope_key = _version_key(self.scope)
        key = f"count:{self.scope}:{hashlib.sha256(self.count_key.encode()).hexdigest()}"
        try:
            versions, found = data_versions.read(tables, [scope_key, key])
            scope_version = found.get(scope_key)
            if scope_version is None:  # a fresh version: no count can carry it yet
                scope_version = cache.get_or_set(scope_key, time.time_ns, None)
        except Exception as error:  # noqa: BLE001 - a cache failure is a miss: count
            log_outage("cache:counts", "list total not cached: counted", error=error)
            return super().count
        tag = (scope_version, versions)
        entry = found.get(key)
        if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == tag:
            return entry[1]
        value = super().count
        try:
            cache.set(key, (tag, value), COUNT_TTL_SECONDS)
        except Exception as error:  # noqa: BLE001
            log_outage("cache:counts", "list total not cached: counted", error=error)
        return value


def filter_count_key(name: str, query: QueryDict) -> str:
    """A count key from a list's name and its query string without the page parameters, in a stable order.
    Only for lists whose rows are the same for everyone who may see them (the public register)."""
    pairs = sorted((key, value) for key, values in query.lists() for value in values if key not in PAGE_PARAMS)
    return f"{name}?{pairs!r}"


@functools.cache  # one class per scope, not one per request
def cached_count_paginator(scope: str) -> type[CachedCountPaginator]:
    return type(f"CachedCountPaginator_{scope}", (CachedCountPaginator,), {"scope": scope})


class CountFromPaginator(Paginator):
    """A paginator that counts `count_from` (the same rows without the annotations the page shows: a COUNT over an
    annotated, grouped query counts a subquery) instead of the list it pages."""

    def __init__(self, *args, count_from=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_from = count_from

    @cached_property
    def count(self):
        return super().count if self.count_from is None else self.count_from.count()
