from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.pagination import cached_count_paginator, filter_count_key

from .counts import REGISTER_COUNTS
from .models import School
from .selectors import school_filter, school_get, school_links, school_successor_applied

RESULTS_PER_PAGE = 25
RegisterPaginator = cached_count_paginator(REGISTER_COUNTS)  # the total is cached until the register changes
CITY_OF_LONDON_CODE = 201


@require_GET
def school_list(request: HttpRequest) -> HttpResponse:
    """Find a school: search and filter the register; errors in the filters are shown, never a server error."""
    filterset = school_filter(params=request.GET)
    context = {"form": filterset.form, "page": None, "results": []}
    if filterset.is_valid():
        paginator = RegisterPaginator(
            filterset.qs, RESULTS_PER_PAGE, count_key=filter_count_key("find-a-school", request.GET)
        )
        page = paginator.get_page(request.GET.get("page"))
        context.update(
            page=page,
            results=[{"school": school} for school in page],
        )
    # Statuses have no control on the page (the API's and links' parameter), so a valid one is carried along.
    context["kept_statuses"] = [status for status in request.GET.getlist("status") if status in School.Status.values]
    return render(request, "schools/school_list.html", context)


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
