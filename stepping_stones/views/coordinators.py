"""Coordinators' pages: referrals waiting for a destination, the dashboard, the needs list, transitions with their
schools, places and feeders, the cohort import and the evaluation file."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core import fragments
from core.csv_import import CsvRejected
from core.errors import DomainError
from core.forms import form_add_domain_error
from core.pagination import paginate
from core.permissions import require

from .. import pages, permissions, selectors, services
from ..forms import (
    CohortEndDateForm,
    CohortForm,
    CohortStatusForm,
    CsvUploadForm,
    NeedForm,
    ParticipatingSchoolForm,
)
from ..models import Cohort
from ._common import PER_PAGE, _add_errors, _data, pupil_page
from ._fragments import PROGRAMME, fragment, page_around


@require_GET
@pupil_page
def pending(request: HttpRequest) -> HttpResponse:
    require(permissions.can_view_pending_destinations(request.user))
    content = fragment(
        request,
        "stepping-stones-pending",
        template="stepping_stones/includes/pending_content.html",
        context=lambda: {"page": paginate(request, selectors.pending_destinations_for(request.user), PER_PAGE)},
        depends_on=PROGRAMME,
    )
    return render(request, "stepping_stones/pending.html", {"content": content})


def _dashboard_context(request: HttpRequest) -> dict:
    cohort = pages.cohort_from_query(request)
    figures = selectors.dashboard_figures(request.user, cohort=cohort)
    context = {"figures": figures, "cohorts": list(selectors.cohorts_visible_to(request.user))}
    if figures.cohort is not None:
        context.update(pages.dashboard_context(figures))
    return context


@require_GET
@pupil_page
def dashboard(request: HttpRequest) -> HttpResponse:
    """Counts only: places filled vs available per school, waiting lists, referrals by primary, attendance."""
    require(permissions.can_view_dashboard(request.user))
    # The figures and charts are read and drawn once until a referral, a place or a school changes.
    content = fragment(
        request,
        "stepping-stones-dashboard",
        template="stepping_stones/includes/dashboard_content.html",
        context=lambda: _dashboard_context(request),
        depends_on=PROGRAMME,
    )
    return page_around(request, "stepping_stones/dashboard.html", content)


@require_GET
@pupil_page
def primary_referrals_export(request: HttpRequest, year: int) -> HttpResponse:
    """Every referring primary and its number of referrals (counts only): the file behind the dashboard's chart."""
    cohort = _cohort(request, year, allowed=permissions.can_view_dashboard)
    return pages.primary_referrals_response(
        cohort=cohort, rows=selectors.referrals_by_primary(request.user, cohort=cohort)
    )


@require_http_methods(["GET", "POST"])
@pupil_page
def needs(request: HttpRequest) -> HttpResponse:
    require(permissions.can_manage_cohorts(request.user))
    toggle = request.POST.get("toggle", "") if request.method == "POST" else ""
    if toggle:
        need = selectors.needs_all().filter(pk=int(toggle) if toggle.isdigit() else 0).first()
        if need is None:
            raise Http404("No such need")
        need = services.need_update(actor=request.user, need=need, is_active=not need.is_active)
        shown = "is offered to schools again" if need.is_active else "is no longer offered to schools"
        messages.success(request, f"'{need.name}' {shown}.")
        return redirect("stepping_stones:needs")
    form = NeedForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            need = services.need_create(
                actor=request.user, name=form.cleaned_data["name"], description=form.cleaned_data["description"]
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, f"'{need.name}' is added to the needs list.")
            return redirect("stepping_stones:needs")
    # The needs' table is kept until a need changes; each row's form gets this request's token after the cache.
    table = fragment(
        request,
        "stepping-stones-needs",
        template="stepping_stones/includes/needs_table.html",
        context=lambda: {"needs": selectors.needs_all()},
        depends_on=("stepping_stones.Need",),
    )
    return render(
        request, "stepping_stones/needs.html", {"form": form, "table": fragments.with_csrf_token(request, table)}
    )


@require_http_methods(["GET", "POST"])
@pupil_page
def need_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a need or change its description (coordinators); schools see the new wording on their referrals."""
    require(permissions.can_manage_cohorts(request.user))
    need = selectors.needs_all().filter(pk=pk).first() if 0 < pk < 2**31 else None
    if need is None:
        raise Http404("No such need")
    form = NeedForm(_data(request), initial={"name": need.name, "description": need.description})
    if request.method == "POST" and form.is_valid():
        before = need.name
        try:
            need = services.need_update(
                actor=request.user,
                need=need,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            if need.name != before:
                messages.success(request, f"'{before}' is renamed '{need.name}'.")
            else:
                messages.success(request, f"'{need.name}' is saved.")
            return redirect("stepping_stones:needs")
    return render(request, "stepping_stones/need_edit.html", {"form": form, "need": need})


@require_http_methods(["GET", "POST"])
@pupil_page
def cohorts(request: HttpRequest) -> HttpResponse:
    """The transitions, and a new one by the year its pupils start Year 7."""
    require(permissions.can_manage_cohorts(request.user))
    form = CohortForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.cohort_create(actor=request.user, transition_year=form.cleaned_data["transition_year"])
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, f"The {cohort} is set up. Add the secondary schools taking part.")
            return redirect("stepping_stones:cohort_detail", year=cohort.transition_year)
    # The transitions' table is kept until a transition changes; the form, with its CSRF token, is not in it.
    table = fragment(
        request,
        "stepping-stones-cohorts",
        template="stepping_stones/includes/cohorts_table.html",
        context=lambda: {"cohorts": selectors.cohorts_visible_to(request.user)},
        depends_on=("stepping_stones.Cohort",),
    )
    return render(request, "stepping_stones/cohorts.html", {"form": form, "table": table})


def _cohort(request, year: int, *, allowed=permissions.can_manage_cohorts):
    require(allowed(request.user))
    cohort = selectors.cohort_get_for(request.user, year)
    if cohort is None:
        raise Http404("No such transition")
    return cohort


@require_http_methods(["GET", "POST"])
@pupil_page
def cohort_detail(request: HttpRequest, year: int) -> HttpResponse:
    """A transition's schools, places and feeders; its status (open for referrals, running, ended)."""
    cohort = _cohort(request, year)
    form = CohortStatusForm(_data(request), initial={"status": cohort.status}, statuses=Cohort.Status.choices)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.cohort_update(actor=request.user, cohort=cohort, status=form.cleaned_data["status"])
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, f"The {cohort} is now: {cohort.get_status_display().lower()}.")
            return redirect("stepping_stones:cohort_detail", year=cohort.transition_year)
    return render(
        request,
        "stepping_stones/cohort_detail.html",
        {
            "cohort": cohort,
            "form": form,
            "participating": selectors.participating_schools_for(request.user, cohort=cohort),
        },
    )


@require_http_methods(["GET", "POST"])
@pupil_page
def cohort_end_date(request: HttpRequest, year: int) -> HttpResponse:
    """Change when the programme ends for a transition (coordinators): retention counts from this date."""
    cohort = _cohort(request, year)
    form = CohortEndDateForm(_data(request), initial=CohortEndDateForm.initial_parts("ends_on", cohort.ends_on))
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.cohort_update(actor=request.user, cohort=cohort, ends_on=form.cleaned_data["ends_on"])
        except DomainError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"The {cohort} now ends on {cohort.ends_on:%-d %B %Y}.")
            return redirect("stepping_stones:cohort_detail", year=cohort.transition_year)
    return render(
        request,
        "stepping_stones/cohort_end_date.html",
        {"form": form, "cohort": cohort, "retention_months": services.retention_months()},
    )


@require_http_methods(["GET", "POST"])
@pupil_page
def participating_school(request: HttpRequest, year: int, urn: int | None = None) -> HttpResponse:
    """Add a secondary school to a transition, or change its places and feeder primaries."""
    cohort = _cohort(request, year)
    row = None
    initial = {}
    if urn is not None:
        row = selectors.participating_school_get_for(request.user, cohort=cohort, school_id=urn)
        if row is None:
            raise Http404("That school does not take part in this transition")
        initial = {
            "urn": str(row.school_id),
            "places": str(row.places),
            "feeders": "\n".join(str(feeder.pk) for feeder in row.feeder_primaries.all()),
        }
    form = ParticipatingSchoolForm(_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        school, feeders, missing = selectors.schools_by_urn(data["urn"], data["feeders"])
        if missing:
            form.add_error(
                "urn" if data["urn"] in missing else "feeders",
                f"There is no school with URN {', '.join(str(m) for m in missing)} in the register",
            )
        elif row is not None and school.pk != row.school_id:
            form.add_error("urn", "To take part with another school, add it from the transition's page")
        else:
            try:
                saved = services.participating_school_set(
                    actor=request.user, cohort=cohort, school=school, places=data["places"], feeder_primaries=feeders
                )
            except DomainError as error:
                form_add_domain_error(form, error)
            else:
                messages.success(request, f"{saved.school.name} has {saved.places} places in the {cohort}.")
                return redirect("stepping_stones:cohort_detail", year=cohort.transition_year)
    return render(request, "stepping_stones/participating_school.html", {"form": form, "cohort": cohort, "row": row})


@require_http_methods(["GET", "POST"])
@pupil_page
def cohort_import(request: HttpRequest, year: int) -> HttpResponse:
    """Import the cohort's schools, places and feeders from CSV: every row checked, any bad row rejects the file."""
    cohort = _cohort(request, year)
    form = CsvUploadForm(_data(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.cohort_import_csv(actor=request.user, cohort=cohort, file=form.cleaned_data["file"])
        except CsvRejected as error:
            form.add_error("file", error.message)
            for line, problem in error.problems:
                form.add_error("file", f"Line {line}: {problem}")
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, pages.import_summary(result))
            return redirect("stepping_stones:cohort_detail", year=cohort.transition_year)
    return render(
        request,
        "stepping_stones/cohort_import.html",
        {"form": form, "cohort": cohort, "columns": services.IMPORT_COLUMNS, "required": services.IMPORT_REQUIRED},
    )


@require_GET
@pupil_page
def evaluation_export(request: HttpRequest, year: int) -> HttpResponse:
    """The pseudonymised evaluation file (no names, UPNs or full dates of birth); the export is logged."""
    require(permissions.can_export_evaluation(request.user))
    cohort = _cohort(request, year)
    return pages.evaluation_response(actor=request.user, cohort=cohort)
