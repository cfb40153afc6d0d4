"""Insights pages: the cross-programme dashboard with the London map, and the school safety profile.

Read-only. Views gate early (403 for people who may not see the dashboard, 404 for a school outside their scope) and
hand the work to the selectors."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from accounts.identity.view_as import is_viewing_as
from core import fragments

from . import permissions, selectors
from .forms import DashboardFilterForm, SchoolLookupForm
from .maps import borough_map

# What the dashboard's and a profile's figures read, directly or through core.figures and the summary rows (with
# FIGURE_SUMMARIES = "live" they come from the programmes' own tables): every programme, the register, and people and
# roles (scope, who may see pupils, a school's staff).
FIGURE_TABLES = ("insights", "wands", "officers", "stepping_stones", "education_toolkit", "schools", "accounts")


def dashboard_filters(request) -> tuple[DashboardFilterForm, dict]:
    """The filter form bound to the query string, and the filters to apply (defaults for any invalid value)."""
    form = DashboardFilterForm(
        request.GET or None,
        bcus=selectors.dashboard_bcus(request.user),
        all_london=permissions.is_vru(request.user),
    )
    return form, form.chosen()


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view_dashboard(request.user):
        raise PermissionDenied
    all_london = permissions.is_vru(request.user)
    viewing_as = is_viewing_as(request)

    def figures() -> str:
        # The filters are read and checked here (their choices are the person's BCUs): a cached page builds no form.
        form, chosen = dashboard_filters(request)
        board = selectors.dashboard(user=request.user, bcu=chosen["bcu"], phase=chosen["phase"], viewing_as=viewing_as)
        measure = chosen["measure"]
        return render_to_string(
            "insights/includes/dashboard_body.html",
            {
                "form": form,
                "board": board,
                "measure": measure,
                "tile_map": borough_map(board, measure),
                "measure_rows": selectors.measure_values(board, measure),
                "all_london": all_london,
                "phase_label": selectors.PHASE_GROUPS[board.phase][0] if board.phase else "",
            },
            request=request,
        )

    # The form as shown, the figures, the map and the tables are kept until a table behind them is written (the query
    # string, the person and "view as" are in the key).
    html = fragments.cached(request, "insights-dashboard", depends_on=FIGURE_TABLES, render=figures, vary=(viewing_as,))
    return render(
        request, "insights/dashboard.html", {"figures": html, "has_errors": fragments.has_error_summary(html)}
    )


@require_GET
@login_required
def school_profile(request: HttpRequest, urn: int) -> HttpResponse:
    viewing_as = is_viewing_as(request)

    def body() -> str:
        # Whether this person may see the school is a function of the key (the person and their roles' versions, the
        # register's, officers' and accounts' tables, the URN in the path): it is cached with the profile, "" for
        # "not yours". The school's name for the page title comes first (core.fragments.titled).
        school = selectors.school_for_profile(user=request.user, urn=urn)
        if school is None:
            return ""
        profile = selectors.school_profile(user=request.user, school=school, viewing_as=viewing_as)
        return render_to_string(
            "insights/includes/school_profile_body.html", {"profile": profile, "school": school}, request=request
        )

    html = fragments.cached(
        request,
        "insights-school-profile",
        depends_on=FIGURE_TABLES,
        render=body,
        vary=(urn, viewing_as),
    )
    page = fragments.titled(html)
    if page is None:
        raise Http404("No school you can see has this URN")
    return render(request, "insights/school_profile.html", {"title": page[0], "body": page[1]})


# What the search's and "your schools" lists read: the register, people's schools and roles, officers' assignments.
SCHOOL_SCOPE_TABLES = ("accounts", "officers", "schools")


@require_GET
@login_required
def school_find(request: HttpRequest) -> HttpResponse:
    """Find a school's profile: a 6-digit URN opens it, anything else searches the names of the schools whose profile
    the person may see; without a search, lists the schools they work at or are the named officer for."""
    form = SchoolLookupForm(request.GET or None)
    results = ""
    if form.is_bound and form.is_valid():
        if form.urn is not None:
            school = selectors.school_for_profile(user=request.user, urn=form.urn)
            if school is not None:
                return redirect("insights:school_profile", urn=school.pk)
            # The same answer whether the school does not exist or is not one this person may see.
            form.add_error("q", "There is no school with this URN that you can see")
        else:
            # The matching schools are a function of the query string, the person and the tables below (the key).
            results = fragments.cached(
                request,
                "insights-school-search",
                depends_on=SCHOOL_SCOPE_TABLES,
                render=lambda: render_to_string(
                    "insights/includes/school_search_results.html",
                    {"search": selectors.profile_schools_search(user=request.user, text=form.cleaned_data["q"])},
                ),
            )
    own_schools = ""
    if not results:
        own_schools = fragments.cached(
            request,
            "insights-own-schools",
            depends_on=SCHOOL_SCOPE_TABLES,
            render=lambda: render_to_string(
                "insights/includes/own_schools.html", {"own_schools": selectors.own_schools(user=request.user)}
            ),
        )
    return render(request, "insights/school_find.html", {"form": form, "own_schools": own_schools, "results": results})
