from django.core.paginator import Paginator
from django.http import QueryDict
from django.template import Context, Template
from django.test import RequestFactory

from core.pagination import govuk_pagination_items


def test_one_page_needs_no_pagination():
    assert govuk_pagination_items(page=Paginator(range(5), 25).get_page(1), query=QueryDict()) is None


def test_links_keep_every_filter_and_elide_distant_pages():
    page = Paginator(range(1000), 25).get_page(20)
    items = govuk_pagination_items(page=page, query=QueryDict("borough=204&phase=primary&phase=secondary&page=20"))
    numbers = [item.get("number") for item in items["items"]]
    assert numbers == [1, None, 19, 20, 21, None, 40]
    assert any(item.get("ellipsis") for item in items["items"])
    current = next(item for item in items["items"] if item.get("current"))
    assert current["number"] == 20
    assert current["href"] == "?borough=204&phase=primary&phase=secondary&page=20"
    assert items["previous"].endswith("page=19") and items["next"].endswith("page=21")


def test_template_tag_reads_the_request_query():
    request = RequestFactory().get("/x", {"q": "oak", "page": "2"})
    html = Template("{% govuk_pagination page %}").render(
        Context({"request": request, "page": Paginator(range(60), 25).get_page(2)})
    )
    assert 'aria-current="page">2</a>' in html
    assert 'href="?q=oak&amp;page=3"' in html
