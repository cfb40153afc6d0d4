import functools

from django.core.paginator import Page
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from core import data_versions, fragments
from core.pagination import cached_count_paginator, filter_count_key

from .counts import REGISTER_COUNTS
from .filters import SchoolFilter
from .models import School
from .selectors import school_filter, school_get, school_links, school_successor_applied

RESULTS_PER_PAGE = 25
RegisterPaginator = cached_count_paginator(REGISTER_COUNTS)  # the total is cached until the register changes
CITY_OF_LONDON_CODE = 201
REGISTER = ("schools",)  # what Find a school reads: the register (schools, authorities, command units)


@require_GET
def school_list(request: HttpRequest) -> HttpResponse:
    """Find a school: search and filter the register; errors in the filters are shown, never a server error.

    What the page shows is a function of the query string and the register's tables alone (the filters' choices and
    their validation, the rows, the totals), the same for every reader: the title and the content (error summary,
    filter panel, results, pagination) are one cached fragment keyed by them (`fragments.titled`). A hit builds no
    form and runs no query; a miss validates the filters, counts (cached) and reads the page's rows.
    """

    @functools.cache
    def filterset() -> SchoolFilter:
        bound = school_filter(params=request.GET)
        bound.is_valid()
        return bound

    @functools.cache
    def page() -> Page | None:
        if not filterset().is_valid():
            return None
        # The total is cached per version of the register's tables too, as the fragments are: a write that sends no
        # signal (QuerySet.update) cannot leave a fresh list under a stale total.
        versions = data_versions.versions(data_versions.tables_for(REGISTER))
        count_key = f"{filter_count_key('find-a-school', request.GET)}:{versions}"
        paginator = RegisterPaginator(filterset().qs, RESULTS_PER_PAGE, count_key=count_key)
        return paginator.get_page(request.GET.get("page"))

    def render_title() -> str:
        current = page()
        # Past the first page a page always has rows (testing the page itself would read them).
        numbers = (current.number, current.paginator.num_pages) if current is not None and current.number > 1 else None
        context = {"form": filterset().form, "page_numbers": numbers}
        return render_to_string("schools/includes/school_list_title.html", context, request=request).strip()

    def render_content() -> str:
        context = {
            "form": filterset().form,
            "page": page(),
            "results": [{"school": school} for school in page()] if page() is not None else [],
            # Statuses have no control on the page (the API's and links' parameter), so a valid one is carried along.
            "kept_statuses": [status for status in request.GET.getlist("status") if status in School.Status.values],
        }
        return render_to_string("schools/includes/school_list_content.html", context, request=request)

    html = fragments.cached(
        request,
        "find-a-school",
        depends_on=REGISTER,
        per_user=False,
        params=FIND_A_SCHOOL_PARAMS,
        render=lambda: render_title() + fragments.TITLE_END + render_content(),
    )
    title, content = fragments.titled(html)
    return render(request, "schools/school_list.html", {"title": title, "content": content})


# What the page reads from the query string (the filters and the page): with anything else it is rendered, not cached.
FIND_A_SCHOOL_PARAMS = frozenset({*SchoolFilter.base_filters, "page"})


def website_href(website: str) -> str:
    """GIAS websites often lack a scheme ("www.example.sch.uk"); a link needs one."""
    website = website.strip()
    if not website:
        return ""
    if website.lower().startswith(("http://", "https://")):
        return website
    return f"http://{website}"


@require_GET
def school_detail(request: HttpRequest, urn: int) -> HttpResponse:
    """A school's page: what the register holds about it, including who polices it."""
    try:
        school = school_get(urn=urn)
    except School.DoesNotExist:
        raise Http404("No school with this URN") from None
    authority = school.local_authority
    if authority.bcu_id:
        police = authority.bcu.name
    elif authority.code == CITY_OF_LONDON_CODE:
        police = "City of London Police (not covered by the Met)"
    else:
        police = "Outside the Metropolitan Police area"
    links = school_links(urn=school.urn)
    return render(
        request,
        "schools/school_detail.html",
        {
            "school": school,
            "links": links,
            "successor": school_current_successor(school, links),
            "police": police,
            "website_href": website_href(school.website),
        },
    )


def school_current_successor(school: School, links: dict):
    """The school that took this one over: by an applied succession, or (for a closed school) by the links file."""
    if school.status != School.Status.CLOSED:
        return None  # an applied succession always closes the old school
    successor = school_successor_applied(urn=school.urn)
    if successor is None:
        successor = next((entry for entry in links["successors"] if entry.in_register), None)
    return successor
