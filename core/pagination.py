"""GOV.UK pagination for server-rendered lists: numbered links with gaps, previous and next, filters kept."""

from django.core.paginator import Page, Paginator
from django.http import QueryDict


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
