"""Officers pages. Views gate early (403 / 404), call one service, and turn domain errors into GOV.UK errors."""

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import fragments
from core.charts import bar_chart
from core.csv_import import CsvRejected, upload_bytes
from core.errors import DomainError
from core.forms import form_add_domain_error
from core.pagination import paginate
from core.permissions import require as _require
from core.selectors import audit_timeline

from . import permissions, selectors, services
from .forms import (
    AssignForm,
    CsvUploadForm,
    EndForm,
    OfficerEditForm,
    OfficerForm,
    OfficerRequestForm,
    OptimiserForm,
    WeightOverrideForm,
    WeightRuleForm,
    WhatIfForm,
)
from .models import OfficerRequest

PER_PAGE = 50

# What the cached parts of the pages (core.fragments) read, directly or through what they call. The allocator's BCUs
# (accounts.selectors.bcus_covered_by): their current police roles and the BCUs those cover ("accounts.PoliceRole"
# with its BCUs table) and, for an all-London allocator, every BCU ("schools").
ALLOCATOR_SCOPE = ("accounts.PoliceRole", "schools")
# The officers list and the coverage: officers, their assignments (loads, cover) and the register (schools, boroughs,
# BCUs).
OFFICERS_TABLES = ("officers", *ALLOCATOR_SCOPE)
# The queue also shows each school's activity in the other programmes (core.figures.collect_school_activity: wand
# requests; Stepping Stones cohorts, referrals and places; toolkit downloads by the school's current staff, through
# their school memberships), and "insights" as the brief for issue 22 asks (broader only costs misses).
QUEUE_TABLES = (
    *OFFICERS_TABLES,
    "wands",
    "stepping_stones",
    "education_toolkit",
    "accounts.SchoolMembership",
    "insights",
)
# A headteacher's named officer: the schools' register rows, their current assignment (and officer) and open request.
NAMED_OFFICER_TABLES = ("officers", "schools")


def _allocator_school(request, urn: int):
    _require(permissions.is_allocator(request.user))
    school = selectors.school_for_allocator(user=request.user, urn=urn)
    if school is None:
        raise Http404("No school in your BCUs has this URN")
    return school


def _allocator_officer(request, pk: int):
    _require(permissions.is_allocator(request.user))
    officer = selectors.officer_get(user=request.user, pk=pk)
    if officer is None:
        raise Http404("No officer in your BCUs has this number")
    return officer


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Allocators go to the queue, officers to their schools, headteachers to their named officer."""
    if permissions.is_allocator(request.user):
        return redirect("officers:queue")
    if permissions.is_officer(request.user):
        return redirect("officers:my_schools")
    if selectors.headteacher_schools(request.user).exists():
        return redirect("officers:named_officer")
    raise PermissionDenied


# --- allocators ---------------------------------------------------------------------------------------------


def _queue_view(request: HttpRequest, bcus=None) -> tuple[int | None, str, str, str]:
    """The queue's filters and sort as the allocator chose them (from the query string, on the queue and on the
    school pages reached from it): (BCU id or None, sort, show, the query string that carries them on)."""
    if bcus is None:
        bcus = selectors.allocator_bcus(request.user)
    chosen = request.GET.get("bcu", "")
    bcu_id = int(chosen) if chosen.isdigit() and int(chosen) in {b.pk for b in bcus} else None
    sort = request.GET.get("sort", "requests")
    sort = sort if sort in selectors.QUEUE_SORTS else "requests"
    show = request.GET.get("show", "")
    show = show if show in selectors.QUEUE_SHOWS else ""
    params = {"bcu": bcu_id} if bcu_id is not None else {}
    if show:
        params["show"] = show
    if sort != "requests":
        params["sort"] = sort
    return bcu_id, sort, show, urlencode(params)


@require_GET
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The schools waiting in the allocator's BCUs. Everything but the permission check is the cached fragment (the
    filter form, totals, rows with their days waiting and other programmes' activity, pagination): its key holds the
    query string (filter, sort, page) and today's date (days waiting)."""
    _require(permissions.is_allocator(request.user))

    def rows_html() -> str:
        bcus = list(selectors.allocator_bcus(request.user))
        bcu_id, sort, show, queue_query = _queue_view(request, bcus)
        queue = selectors.queue_for(request.user, bcu_id=bcu_id, sort=sort, show=show)
        # Every total in one query: the paginator is given its count (a cached property) instead of counting again.
        counts = selectors.queue_counts(request.user, bcu_id=bcu_id)
        paginator = Paginator(queue, PER_PAGE)
        paginator.count = counts.shown(show)
        page = paginator.get_page(request.GET.get("page"))  # as core.pagination.paginate
        activity = selectors.other_programme_activity([s.pk for s in page.object_list])
        today = timezone.localdate()  # the day in the fragment's key
        rows = [
            {"school": s, "days": selectors.days_waiting(s, today=today), "activity": activity.get(s.pk, [])}
            for s in page.object_list
        ]
        return render_to_string(
            "officers/includes/queue_rows.html",
            {
                "page": page,
                "rows": rows,
                "bcus": bcus,
                "bcu_id": bcu_id,
                "sort": sort,
                "sorts": selectors.QUEUE_SORTS.items(),
                "show": show,
                "shows": selectors.QUEUE_SHOWS.items(),
                "counts": counts,
                "queue_query": queue_query,
            },
            request=request,
        )

    html = fragments.cached(request, "officers-queue", depends_on=QUEUE_TABLES, render=rows_html)
    return render(request, "officers/queue.html", {"rows_html": html})


@require_http_methods(["GET", "POST"])
@login_required
def school_detail(request: HttpRequest, urn: int) -> HttpResponse:
    """One school: its named officer and history, and the ranked suggestions to choose from."""
    school = _allocator_school(request, urn)
    # The queue's filter and sort travel with the school's page (in its query string), so "Next school" and "Back
    # to the queue" follow the queue as the allocator left it.
    bcu_id, sort, show, queue_query = _queue_view(request)
    here = reverse("officers:school_detail", kwargs={"urn": school.pk}) + (f"?{queue_query}" if queue_query else "")
    current = selectors.current_assignment(school)
    if request.method == "POST" and selectors.is_repeat_of_assignment(current, officer=request.POST.get("officer")):
        # The same decision sent twice (two quick clicks without JavaScript): answer with the first one's result.
        messages.success(request, f"{school.name} has a named officer.")
        return redirect(here)
    suggestions, note = selectors.suggestions_for(school)
    form = AssignForm(request.POST if request.method == "POST" else None, suggestions=suggestions)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_create(
                actor=request.user,
                school_urn=school.pk,
                officer_id=form.cleaned_data["officer"],
                override_reason=form.cleaned_data["override_reason"],
                replace=current is not None,
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, f"{school.name} has a named officer.")
            return redirect(here)
    # Once the school has its officer, offer the next school waiting, in the queue's order as the allocator sorted
    # and filtered it.
    next_school = (
        selectors.queue_for(request.user, bcu_id=bcu_id, sort=sort, show=show).exclude(pk=school.pk).first()
        if current
        else None
    )
    return render(
        request,
        "officers/school_detail.html",
        {
            "school": school,
            "current": current,
            "suggestions": suggestions,
            "note": note,
            "form": form,
            "weight": selectors.WeightBook(urns=[school.pk]).weight(school),
            "history": selectors.school_earlier_assignments(school)[:20],
            "open_request": selectors.open_request_for(school),
            "next_school": next_school,
            "next_days": selectors.days_waiting(next_school) if next_school else None,
            "queue_query": queue_query,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def school_weight(request: HttpRequest, urn: int) -> HttpResponse:
    school = _allocator_school(request, urn)
    form = WeightOverrideForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.weight_override_set(actor=request.user, school_urn=school.pk, **form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, "The school's weight is saved.")
            return redirect("officers:school_detail", urn=school.pk)
    return render(request, "officers/school_weight.html", {"school": school, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def assignment_end(request: HttpRequest, urn: int) -> HttpResponse:
    school = _allocator_school(request, urn)
    *_, queue_query = _queue_view(request)  # the queue's filter and sort, carried back to the school's page
    current = selectors.current_assignment(school)
    if current is None:
        raise Http404("This school has no named officer")
    form = EndForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_end(actor=request.user, assignment_id=current.pk, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, f"{school.name} is back in the queue.")
            back = reverse("officers:school_detail", kwargs={"urn": school.pk})
            return redirect(f"{back}?{queue_query}" if queue_query else back)
    return render(
        request,
        "officers/assignment_end.html",
        {"school": school, "current": current, "form": form, "queue_query": queue_query},
    )


@require_GET
@login_required
def officer_list(request: HttpRequest) -> HttpResponse:
    """The active officers in the allocator's BCUs, a page at a time (an all-London allocator has about 400; a
    national scale 3,000), with a BCU filter and the load chart of the officers on the page. Everything but the
    permission check is the cached fragment (its key holds the query string: the BCU and the page)."""
    _require(permissions.is_allocator(request.user))

    def rows_html() -> str:
        bcus = list(selectors.allocator_bcus(request.user))
        chosen = request.GET.get("bcu", "")
        bcu_id = int(chosen) if chosen.isdigit() and int(chosen) in {b.pk for b in bcus} else None
        officers = selectors.officers_visible_to(request.user).filter(active=True).order_by("name", "pk")
        if bcu_id is not None:
            officers = officers.filter(bcu_id=bcu_id)
        page = paginate(request, officers, PER_PAGE)
        chart = bar_chart(
            title="Load per officer on this page, as % of capacity",
            series=[(o.name, round(100 * o.load / o.capacity)) for o in page.object_list],
            label_heading="Officer",
            value_heading="Load (%)",
            orientation="horizontal",
        )
        return render_to_string(
            "officers/includes/officer_list_rows.html",
            {"page": page, "chart": chart, "bcus": bcus, "bcu_id": bcu_id},
            request=request,
        )

    html = fragments.cached(request, "officers-list", depends_on=OFFICERS_TABLES, render=rows_html)
    return render(request, "officers/officer_list.html", {"rows_html": html})


@require_http_methods(["GET", "POST"])
@login_required
def officer_create(request: HttpRequest) -> HttpResponse:
    _require(permissions.is_allocator(request.user))
    form = OfficerForm(request.POST if request.method == "POST" else None, bcus=selectors.allocator_bcus(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            officer = services.officer_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, f"{officer.name} is added.")
            return redirect("officers:officer_detail", pk=officer.pk)
    return render(request, "officers/officer_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def officer_import(request: HttpRequest) -> HttpResponse:
    """Import current officers and their schools from a CSV: every row checked first, any bad row rejects the file."""
    _require(permissions.is_allocator(request.user))
    form = CsvUploadForm(request.POST if request.method == "POST" else None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            officers, schools = services.officers_import_csv(
                actor=request.user, data=upload_bytes(form.cleaned_data["file"], max_bytes=services.MAX_CSV_BYTES)
            )
        except CsvRejected as error:
            form.add_error("file", error.message)
            problems = error.problems
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, f"Imported {officers} officers and {schools} named-officer assignments.")
            return redirect("officers:officer_list")
    return render(
        request,
        "officers/officer_import.html",
        {"form": form, "problems": problems, "columns": services.CSV_COLUMNS},
    )


@require_GET
@login_required
def officer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    officer = _allocator_officer(request, pk)
    return render(
        request,
        "officers/officer_detail.html",
        {
            "officer": officer,
            "assignments": selectors.officer_current_assignments(officer),
            "timeline": audit_timeline(target=officer),
        },
    )


EDITABLE = ("name", "shoulder_number", "rank", "role_type", "bcu", "base_name", "base_postcode", "base_latitude",
            "base_longitude", "capacity", "work_email", "work_phone")  # fmt: skip


@require_http_methods(["GET", "POST"])
@login_required
def officer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an officer's details. Moving BCU puts their schools outside the new BCU back in the queue: a
    confirmation page lists them first. A capacity below the current load needs a reason."""
    officer = _allocator_officer(request, pk)
    if not officer.active:
        raise Http404("This officer has ended")
    form = OfficerEditForm(
        request.POST if request.method == "POST" else None,
        bcus=selectors.allocator_bcus(request.user),
        initial={key: getattr(officer, key) for key in EDITABLE},
    )
    if request.method == "POST" and form.is_valid():
        values = {key: form.cleaned_data[key] for key in EDITABLE}
        leaving = selectors.assignments_leaving_if_moved(officer, values["bcu"])
        if leaving and not form.cleaned_data["confirm"]:
            return render(
                request,
                "officers/officer_edit_confirm.html",
                {"officer": officer, "form": form, "leaving": leaving, "new_bcu": values["bcu"]},
            )
        try:
            services.officer_update(
                actor=request.user,
                officer_id=officer.pk,
                reason=form.cleaned_data["reason"],
                confirm_move=bool(leaving),
                **values,
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            note = f" {len(leaving)} of their schools are back in the queue." if leaving else ""
            messages.success(request, f"{values['name']}'s details are saved.{note}")
            return redirect("officers:officer_detail", pk=officer.pk)
    return render(request, "officers/officer_edit.html", {"officer": officer, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def officer_end(request: HttpRequest, pk: int) -> HttpResponse:
    officer = _allocator_officer(request, pk)
    form = EndForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            back = services.officer_end(actor=request.user, officer_id=officer.pk, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, f"{officer.name} has ended. {len(back)} schools are back in the queue.")
            return redirect("officers:queue")
    return render(request, "officers/officer_end.html", {"officer": officer, "form": form})


@require_GET
@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    """Open schools with a named officer per borough and BCU in the allocator's BCUs: the chart, the table and the
    City of London's schools are the cached fragment."""
    _require(permissions.is_allocator(request.user))

    def rows_html() -> str:
        rows = selectors.coverage_by_borough(request.user)
        by_bcu: dict[str, dict] = {}
        for row in rows:
            entry = by_bcu.setdefault(row["bcu"], {"bcu": row["bcu"], "schools": 0, "covered": 0})
            entry["schools"] += row["schools"]
            entry["covered"] += row["covered"]
        bcu_rows = [
            {**e, "percent": round(100 * e["covered"] / e["schools"]) if e["schools"] else 0} for e in by_bcu.values()
        ]
        chart = bar_chart(
            title="Open schools with a named officer, by BCU (%)",
            series=[(r["bcu"], r["percent"]) for r in bcu_rows],
            label_heading="BCU",
            value_heading="Covered (%)",
            orientation="horizontal",
        )
        return render_to_string(
            "officers/includes/coverage_rows.html",
            {"rows": rows, "bcu_rows": bcu_rows, "chart": chart, "city": selectors.city_of_london_schools_count()},
            request=request,
        )

    html = fragments.cached(request, "officers-coverage", depends_on=OFFICERS_TABLES, render=rows_html)
    return render(request, "officers/coverage.html", {"rows_html": html})


@require_GET
@login_required
def optimiser(request: HttpRequest) -> HttpResponse:
    """Choose a BCU; the proposal is shown beside the greedy choice, for review before anything is applied. All the
    allocator's BCUs at once run in the background (optimiser_run_create)."""
    _require(permissions.is_allocator(request.user))
    bcus = selectors.allocator_bcus(request.user)
    form = OptimiserForm(request.GET or None, bcus=bcus)
    proposal = None
    if request.GET and form.is_valid():
        result = selectors.area_plan(
            user=request.user, bcu_id=form.cleaned_data["bcu"].pk, allow_moves=form.cleaned_data["allow_moves"]
        )
        proposal = result.as_dict() if result is not None else None
    return render(
        request,
        "officers/optimiser.html",
        {
            "form": form,
            "proposal": proposal,
            "bcu_count": len(selectors.allocator_bcu_ids(request.user)),
            "runs": selectors.optimiser_runs_for(request.user)[:5],
        },
    )


@require_POST
@login_required
def optimiser_run_create(request: HttpRequest) -> HttpResponse:
    """Queue a run for all the allocator's BCUs, one at a time, in the background worker."""
    _require(permissions.is_allocator(request.user))
    try:
        run = services.optimiser_run_start(actor=request.user, allow_moves=request.POST.get("allow_moves") == "on")
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("officers:optimiser")
    return redirect("officers:optimiser_run", pk=run.pk)


RUN_REFRESH_SECONDS = 3
RUN_STALE_AFTER = timedelta(minutes=15)  # a 32-BCU run takes well under this; longer means the worker is not running


@require_GET
@login_required
def optimiser_run(request: HttpRequest, pk: int) -> HttpResponse:
    """A background run: 'running' (the page refreshes itself) then the reviewable proposal for every BCU."""
    _require(permissions.is_allocator(request.user))
    run = selectors.optimiser_run_get(user=request.user, pk=pk)
    if run is None:
        raise Http404("No optimiser run of yours has this number")
    areas = run.result.get("areas", []) if run.status == run.Status.DONE else []
    waiting = run.is_waiting
    stale = waiting and timezone.now() - (run.started_at or run.created_at) > RUN_STALE_AFTER
    return render(
        request,
        "officers/optimiser_run.html",
        {
            "run": run,
            "areas": areas,
            "proposed": sum(len(area["rows"]) for area in areas),
            "refresh": RUN_REFRESH_SECONDS if waiting and not stale else None,
            "stale": stale,
        },
    )


@require_POST
@login_required
def optimiser_run_apply(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.is_allocator(request.user))
    run = selectors.optimiser_run_get(user=request.user, pk=pk)
    if run is None:
        raise Http404("No optimiser run of yours has this number")
    pairs = []
    for value in request.POST.getlist("pair"):
        parts = value.split(":")
        if len(parts) == 3 and all(part.isdigit() for part in parts):
            pairs.append(tuple(int(part) for part in parts))
    try:
        made = services.optimiser_run_apply(actor=request.user, run_id=run.pk, pairs=pairs)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("officers:optimiser_run", pk=run.pk)
    messages.success(request, f"{len(made)} schools have a named officer.")
    return redirect("officers:optimiser_run", pk=run.pk)


@require_GET
@login_required
def what_if(request: HttpRequest) -> HttpResponse:
    """A read-only simulation: if these officers leave, which schools lose cover and what the optimiser proposes."""
    _require(permissions.is_allocator(request.user))
    officers = selectors.officers_visible_to(request.user).filter(active=True).order_by("bcu__name", "name")
    form = WhatIfForm(request.GET or None, bcus=selectors.allocator_bcus(request.user), officers=officers)
    outcome = None
    if request.GET and form.is_valid():
        outcome = selectors.what_if(
            user=request.user,
            bcu_id=form.cleaned_data["bcu"].pk,
            officer_ids=[o.pk for o in form.cleaned_data["officers"]],
            cut=form.cleaned_data["cut"] or 0,
        )
    return render(request, "officers/what_if.html", {"form": form, "outcome": outcome})


@require_POST
@login_required
def optimiser_apply(request: HttpRequest) -> HttpResponse:
    _require(permissions.is_allocator(request.user))
    bcu = request.POST.get("bcu", "")
    pairs = []
    for value in request.POST.getlist("pair"):
        urn, _, officer_id = value.partition(":")
        if urn.isdigit() and officer_id.isdigit():
            pairs.append((int(urn), int(officer_id)))
    if not bcu.isdigit() or not permissions.can_allocate_in_bcu(request.user, int(bcu)):
        raise Http404("Not one of your BCUs")
    try:
        made = services.plan_apply(
            actor=request.user, bcu_id=int(bcu), pairs=pairs, allow_moves=request.POST.get("allow_moves") == "on"
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(f"{reverse('officers:optimiser')}?bcu={bcu}")
    messages.success(request, f"{len(made)} schools have a named officer.")
    return redirect(f"{reverse('officers:optimiser')}?bcu={bcu}")


@require_http_methods(["GET", "POST"])
@login_required
def weight_rules(request: HttpRequest) -> HttpResponse:
    _require(permissions.is_allocator(request.user))
    form = WeightRuleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.weight_rule_set(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, "The weight rule is saved.")
            return redirect("officers:weight_rules")
    return render(request, "officers/weight_rules.html", {"form": form, "rules": selectors.weight_rules()})


# --- officers and headteachers --------------------------------------------------------------------------------


@require_GET
@login_required
def my_schools(request: HttpRequest) -> HttpResponse:
    officer = selectors.officer_of_user(request.user)
    _require(officer is not None)
    return render(
        request, "officers/my_schools.html", {"officer": officer, "rows": selectors.officer_school_rows(officer)}
    )


@require_GET
@login_required
def named_officer(request: HttpRequest) -> HttpResponse:
    """Each of the headteacher's schools with its named officer and open request. Which schools (their current
    headteacher memberships) is read on every request (403 without one) and is part of the fragment's key; the
    schools, officers and requests are the cached fragment."""
    urns = selectors.headteacher_school_ids(request.user)
    _require(bool(urns))

    def rows_html() -> str:
        schools = selectors.headteacher_schools(request.user)
        rows = [
            {"school": s, "officer": selectors.named_officer_for(s), "request": selectors.open_request_for(s)}
            for s in schools
        ]
        return render_to_string("officers/includes/named_officer_rows.html", {"rows": rows}, request=request)

    html = fragments.cached(
        request, "officers-named-officer", depends_on=NAMED_OFFICER_TABLES, render=rows_html, vary=(sorted(urns),)
    )
    return render(request, "officers/named_officer.html", {"rows_html": html})


@require_http_methods(["GET", "POST"])
@login_required
def request_officer(request: HttpRequest, urn: int) -> HttpResponse:
    school = selectors.headteacher_schools(request.user).filter(pk=urn).first()
    if school is None:
        raise Http404("You are not the headteacher of this school")
    current = selectors.named_officer_for(school)
    kind = OfficerRequest.Kind.CHANGE if current else OfficerRequest.Kind.NEW
    form = OfficerRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.officer_request_create(
                actor=request.user, school_urn=school.pk, kind=kind, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, "Your request is sent to the police allocators for your area.")
            return redirect("officers:named_officer")
    # A school asks once at a time: an open request is shown instead of a form that could only be refused.
    asked = selectors.open_request_for(school)
    return render(
        request,
        "officers/request_officer.html",
        {"school": school, "current": current, "kind": kind, "form": form, "asked": asked},
    )
