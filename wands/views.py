"""Wands pages. Views gate early (403 / 404), call one service, and turn domain errors into GOV.UK errors.

The list pages and the dashboard keep what they read in a cached fragment (core.fragments): the gates, the filters'
validation and anything holding a CSRF token run on every request; the queries and the rendering of what they found
run only when a table the fragment shows has been written since (or for another person, filter or day)."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import fragments
from core.charts import bar_chart
from core.csv_export import csv_streaming_response
from core.csv_import import CsvRejected
from core.errors import DomainError
from core.forms import form_add_domain_error
from core.pagination import cached_count_paginator, filter_count_key, paginate
from core.permissions import require as _require
from core.text import address_parts, counted, one_line
from core.workflow import open_actions, require_action
from schools.models import School
from schools.selectors import school_get

from . import permissions, selectors, services
from .apps import QUEUE_COUNTS
from .filters import WandRequestFilter
from .forms import (
    ApproveManyForm,
    CancelForm,
    ConfirmForm,
    CsvUploadForm,
    DecisionForm,
    DispatchForm,
    IssueForm,
    OverrideForm,
    PickupCollectedForm,
    RuleForm,
    StockDeliveryForm,
    WandRequestForm,
    WriteOffForm,
    new_idempotency_key,
)
from .models import WandRequest

PER_PAGE = 25
DRAFT_KEY = "wand_request_draft:{urn}"


QueuePaginator = cached_count_paginator(QUEUE_COUNTS)

# What the fragments below read (core.fragments: too narrow is a stale page). Requests, stock, issues, allowances:
# "wands"; school names, boroughs, BCUs, the register's open/closed status and successions (a school's lineage):
# "schools"; the names of the people in the stock ledger: "accounts.User".
WANDS_AND_SCHOOLS = ("wands", "schools")
_PART = re.compile(r"<!--part:(\w+)-->")


def _fragment(request, name, *, template, context, depends_on, **options) -> dict[str, SafeString]:
    """The cached part of a page (core.fragments), rendered from `template` with `context()` (a function: its queries
    run only on a miss), by part: what follows each `<!--part:name-->` marker is `name`, and what precedes the first
    is "html". A fragments.CSRF_PLACEHOLDER is replaced by this request's token (the token is never cached)."""
    html = fragments.with_csrf_token(
        request, fragments.rendered(request, name, template, context, depends_on=depends_on, **options)
    )
    pieces = _PART.split(html)
    parts = {"html": pieces[0]} | {pieces[i]: pieces[i + 1] for i in range(1, len(pieces), 2)}
    # Every piece is trusted HTML: core.fragments' render output (a rendered template) cut at markers.
    return {name: mark_safe(piece) for name, piece in parts.items()}  # noqa: S308 # nosec B308 B703


def _visible_request(request, pk: int) -> WandRequest:
    wand_request = selectors.wand_request_get(user=request.user, pk=pk)
    if wand_request is None:
        raise Http404("No wand request you can see has this reference")
    return wand_request


def _school_for(request, urn: int) -> School:
    """A school the user requests wands for; 404 for any other school."""
    school = selectors.wand_schools_for(request.user).filter(pk=urn).first()
    if school is None:
        raise Http404("You do not request wands for this school")
    return school


# --- schools -------------------------------------------------------------------------------------------------


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Programme staff go to the queue; a school sees its allowance and its requests."""
    if permissions.can_run_wand_programme(request.user):
        return redirect("wands:queue")
    _require(bool(selectors.wand_school_urns(request.user)))  # their cached facts: no query
    chosen = request.GET.get("school", "")

    def context():
        # Which school is shown (the 404 for one that is not theirs) depends on their role records (in the key, with
        # the person's facts) and the register (in `depends_on`): decided here and cached (core.fragments.titled).
        schools = list(selectors.wand_schools_for(request.user))
        school = next((s for s in schools if str(s.pk) == chosen), None) if chosen else next(iter(schools), None)
        if school is None:
            return {"school": None}
        figures = selectors.school_allowance_figures(school=school)
        return {
            "schools": schools,
            "school": school,
            "figures": figures,
            "wand_requests": selectors.school_wand_requests(school=school, lineage=figures.lineage)[:50],
            "can_request": school.is_open and figures.remaining > 0,
        }

    page = fragments.titled(
        _fragment(
            request,
            "wands-home",
            template="wands/includes/home_fragment.html",
            context=context,
            depends_on=WANDS_AND_SCHOOLS,
        )["html"]
    )
    if page is None:
        raise Http404("You do not request wands for this school")
    return render(request, "wands/home.html", {"school_name": page[0], "content": page[1]})


@require_http_methods(["GET", "POST"])
@login_required
def request_new(request: HttpRequest, urn: int) -> HttpResponse:
    """The request form; answers are kept in the session until the school checks and sends them."""
    school = _school_for(request, urn)
    if not school.is_open:
        messages.error(request, f"{school.name} is closed in the schools register, so it cannot request wands.")
        return redirect(f"{reverse('wands:home')}?school={school.pk}")
    _require(permissions.can_request_wands(request.user, school))
    figures = selectors.school_allowance_figures(school=school)
    draft_key = DRAFT_KEY.format(urn=school.pk)
    waiting = selectors.school_request_waiting(school=school)
    sent_today = selectors.school_request_sent_within_a_day(school=school)
    if request.method == "POST":
        form = WandRequestForm(request.POST, remaining=figures.remaining, sent_today=sent_today)
        if form.is_valid():
            previous = request.session.get(draft_key) or {}
            data = {k: v for k, v in form.cleaned_data.items() if k != "send_another"}
            request.session[draft_key] = {
                **data,
                "idempotency_key": previous.get("idempotency_key") or new_idempotency_key(),
            }
            return redirect("wands:request_check", urn=school.pk)
    else:
        draft = request.session.get(draft_key)
        form = WandRequestForm(
            initial=draft or selectors.default_delivery_address(school),
            remaining=figures.remaining,
            sent_today=sent_today,
        )
    return render(
        request,
        "wands/request_form.html",
        {"form": form, "school": school, "figures": figures, "waiting": waiting},
    )


@require_http_methods(["GET", "POST"])
@login_required
def request_check(request: HttpRequest, urn: int) -> HttpResponse:
    """Check your answers, then send. The draft's idempotency key makes a double click or a resubmit one request."""
    school = _school_for(request, urn)
    _require(permissions.acts_for_school_on_wands(request.user, school))
    draft_key = DRAFT_KEY.format(urn=school.pk)
    draft = request.session.get(draft_key)
    if request.method == "POST":
        key = request.POST.get("idempotency_key", "")
        if not draft or draft.get("idempotency_key") != key:
            # Already sent (back button, double click): show the request that key created.
            existing = WandRequest.objects.none()
            if key:
                existing = selectors.wand_requests_visible_to(request.user).filter(
                    requested_by=request.user, idempotency_key=key
                )
            sent = existing.first()
            if sent is not None:
                return redirect("wands:request_confirmation", pk=sent.pk)
            return redirect("wands:request_new", urn=school.pk)
        try:
            wand_request = services.wand_request_submit(
                actor=request.user,
                school=school,
                quantity=draft["quantity"],
                contact_name=draft["contact_name"],
                contact_phone=draft["contact_phone"],
                delivery_address=draft["delivery_address"],
                delivery_postcode=draft["delivery_postcode"],
                policy_confirmed=draft["policy_confirmed"],
                idempotency_key=key,
            )
        except DomainError as error:
            figures = selectors.school_allowance_figures(school=school)
            form = WandRequestForm(data={**draft, "quantity": str(draft["quantity"])}, remaining=figures.remaining)
            form.is_valid()
            form_add_domain_error(form, error)
            return render(request, "wands/request_form.html", {"form": form, "school": school, "figures": figures})
        request.session.pop(draft_key, None)
        return redirect("wands:request_confirmation", pk=wand_request.pk)
    if not draft:
        return redirect("wands:request_new", urn=school.pk)
    return render(request, "wands/request_check.html", {"school": school, "draft": draft})


@require_GET
@login_required
def request_confirmation(request: HttpRequest, pk: int) -> HttpResponse:
    wand_request = _visible_request(request, pk)
    return render(request, "wands/request_confirmation.html", {"wand_request": wand_request})


@require_GET
@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A request with its timeline and what the viewer may do next."""
    wand_request = _visible_request(request, pk)
    user = request.user
    runs_programme = permissions.can_run_wand_programme(user)
    return render(
        request,
        "wands/request_detail.html",
        {
            "wand_request": wand_request,
            "timeline": selectors.wand_request_timeline(wand_request=wand_request, for_programme=runs_programme),
            "issues": selectors.wand_request_issues(wand_request=wand_request),
            "serials": list(wand_request.serials.values_list("serial", flat=True)),
            "waits_for": selectors.wand_request_waits_for(wand_request),
            "figures": selectors.school_allowance_figures(school=wand_request.school) if runs_programme else None,
            "school_history": (
                selectors.school_wand_requests(school=wand_request.school).exclude(pk=wand_request.pk)[:10]
                if runs_programme
                else []
            ),
            "actions": open_actions(wand_request, user),
            "can_manage_allowance": permissions.can_manage_wand_allowances(user),
        },
    )


def _action_page(request, pk, *, form_class, template, perform, success, action="", allowed=None, repeat=None):
    """The page of one of WandRequest.ACTIONS: refused (403) where the declaration does not open it to this person
    now. Deciding and dispatching gate on the role alone (`allowed`): their page shows in any status, and the service
    explains on the form a request that moved on meanwhile (another admin decided it)."""
    wand_request = _visible_request(request, pk)
    if request.method == "POST" and repeat is not None:
        # The same decision sent twice (two quick clicks without JavaScript): answer with the first one's result.
        first_result = repeat(wand_request, request.POST)
        if first_result:
            messages.success(request, first_result)
            return redirect("wands:request_detail", pk=wand_request.pk)
    if allowed is not None:
        _require(allowed(request.user, wand_request))
    else:
        require_action(wand_request, action, request.user)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = perform(wand_request, form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            # A perform that returns text has its own message; one that returns the changed object uses `success`.
            messages.success(request, result if isinstance(result, str) else success)
            return redirect("wands:request_detail", pk=wand_request.pk)
    return render(request, template, {"form": form, "wand_request": wand_request})


@require_http_methods(["GET", "POST"])
@login_required
def request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _action_page(
        request,
        pk,
        action="cancel",
        form_class=CancelForm,
        template="wands/request_cancel.html",
        perform=lambda wr, data: services.wand_request_cancel(
            wand_request_id=wr.pk, actor=request.user, reason=data["reason"]
        ),
        success="The request is cancelled.",
    )


@require_http_methods(["GET", "POST"])
@login_required
def request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    def approved_message(wand_request, *, reserved, waits_for):
        if reserved:
            return f"{wand_request.reference} is approved and its wands are reserved."
        return (
            f"{wand_request.reference} is approved and waits for stock: {waits_for} "
            f"wand{'s' if waits_for != 1 else ''}. It will be reserved when stock is delivered."
        )

    def perform(wand_request, data):
        if data["decision"] == "reject":
            services.wand_request_reject(wand_request_id=wand_request.pk, actor=request.user, reason=data["reason"])
            return f"{wand_request.reference} is rejected. The school has been told why."
        outcome = services.wand_request_approve(
            wand_request_id=wand_request.pk, actor=request.user, note=data["reason"]
        )
        return approved_message(wand_request, reserved=outcome.reserved, waits_for=outcome.waits_for)

    def repeat(wand_request, posted):
        """This person's own decision, just made, posted again: the first one's message."""
        if not selectors.is_repeat_of_decision(wand_request, actor=request.user, decision=posted.get("decision")):
            return None
        if wand_request.status == WandRequest.Status.REJECTED:
            return f"{wand_request.reference} is rejected. The school has been told why."
        return approved_message(
            wand_request,
            reserved=wand_request.status != WandRequest.Status.WAITING_FOR_STOCK,
            waits_for=selectors.wand_request_waits_for(wand_request) or 0,
        )

    return _action_page(
        request,
        pk,
        allowed=lambda user, wr: permissions.can_decide_wand_request(user, wr),
        form_class=DecisionForm,
        template="wands/request_decide.html",
        perform=perform,
        success="",
        repeat=repeat,
    )


@require_http_methods(["GET", "POST"])
@login_required
def request_dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    return _action_page(
        request,
        pk,
        allowed=lambda user, wr: permissions.can_dispatch_wand_request(user, wr),
        form_class=DispatchForm,
        template="wands/request_dispatch.html",
        perform=lambda wr, data: services.wand_request_dispatch(
            wand_request_id=wr.pk,
            actor=request.user,
            courier=data["courier"],
            tracking_reference=data["tracking_reference"],
            serials=data["serials"],
        ),
        success="Dispatch recorded. The school has been sent the tracking reference.",
    )


@require_http_methods(["GET", "POST"])
@login_required
def request_confirm_delivery(request: HttpRequest, pk: int) -> HttpResponse:
    return _action_page(
        request,
        pk,
        action="confirm_delivery",
        form_class=ConfirmForm,
        template="wands/request_confirm_delivery.html",
        perform=lambda wr, data: services.wand_request_confirm_delivery(wand_request_id=wr.pk, actor=request.user),
        success="Delivery confirmed. Thank you.",
    )


@require_http_methods(["GET", "POST"])
@login_required
def request_report_issue(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(wand_request, data):
        issue = services.wand_issue_report(
            wand_request_id=wand_request.pk,
            actor=request.user,
            kind=data["kind"],
            outcome=data["outcome"],
            quantity=data["quantity"],
            details=data["details"],
        )
        if issue.replacement:
            return f"Problem reported. Replacement request {issue.replacement.reference} is open."
        return "Problem reported. Fulfilment will contact you to collect the wands."

    return _action_page(
        request,
        pk,
        action="report_issue",
        form_class=IssueForm,
        template="wands/request_report_issue.html",
        perform=perform,
        success="",
    )


# --- programme -----------------------------------------------------------------------------------------------


@require_GET
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Every request with filters and sorting; submitted ones can be approved together."""
    _require(permissions.can_run_wand_programme(request.user))
    can_decide = permissions.can_decide_wand_request(request.user)

    def context():
        # The filters are read and validated here, in the fragment: what they decide (the rows, or the error summary
        # of a bad date) is all inside it, keyed by the query string, and building the filter form (its fields
        # deep-copied) was a third of a cached view's time.
        filterset = WandRequestFilter(request.GET, queryset=selectors.wand_requests_visible_to(request.user))
        page = None
        if filterset.is_valid():
            # Programme staff all see every request, so the filters alone decide the total; it is cached until a
            # request changes (wands/apps.py): at 500,000 requests the COUNT was most of a miss's time.
            paginator = QueuePaginator(filterset.qs, PER_PAGE, count_key=filter_count_key("wand-queue", request.GET))
            page = paginator.get_page(request.GET.get("page"))
        return {
            "filter_form": filterset.form,
            "page": page,
            "can_decide": can_decide,
            "waiting_short": selectors.wands_short(),
            "stock": selectors.stock_level(),
        }

    # The approve form and its CSRF token are the page's; the rows, their tick boxes, the totals and the filter
    # column are the fragment's (one cache entry per person, filter and page).
    queue_parts = _fragment(
        request,
        "wands-queue",
        template="wands/includes/queue_fragment.html",
        context=context,
        depends_on=WANDS_AND_SCHOOLS,
    )
    has_errors = fragments.has_error_summary(queue_parts["errors"])
    return render(
        request, "wands/queue.html", {"queue": queue_parts, "can_decide": can_decide, "has_errors": has_errors}
    )


@require_POST
@login_required
def approve_many(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_decide_wand_request(request.user))
    back_to_queue = _queue_with_filters(request.POST.get("queue_filters", ""))
    ids = request.POST.getlist("requests")
    form = ApproveManyForm(request.POST, choices=[(i, i) for i in ids if i.isdigit()])
    if not form.is_valid():
        messages.error(request, "Select at least one request to approve.")
        return redirect(back_to_queue)
    outcome = services.wand_requests_approve_many(wand_request_ids=form.cleaned_data["requests"], actor=request.user)
    if outcome.approved:
        messages.success(request, f"{counted(len(outcome.approved), 'request')} approved and reserved.")
    if outcome.waiting:
        messages.warning(
            request,
            f"{counted(len(outcome.waiting), 'request')} approved but waiting for stock: "
            + ", ".join(r.reference for r in outcome.waiting),
        )
    for reference, reason in outcome.skipped:
        messages.error(request, f"{reference} was not approved: {reason}")
    return redirect(back_to_queue)


def _queue_with_filters(query: str) -> str:
    """The queue with the filters, sort and page the admin had set (sent back by the approve form): only the
    filter's own parameters are kept, and the address is always the queue's, so nothing else can be redirected to."""
    posted = QueryDict(query)
    keep = set(WandRequestFilter.base_filters) | {"page"}
    keep |= {f"{name}_{part}" for name in ("submitted_from", "submitted_to") for part in ("day", "month", "year")}
    kept = QueryDict(mutable=True)
    for name in posted:
        if name in keep:
            kept.setlist(name, [value for value in posted.getlist(name) if len(value) <= 100])
    encoded = kept.urlencode()
    return f"{reverse('wands:queue')}?{encoded}" if encoded else reverse("wands:queue")


@require_GET
@login_required
def stock(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_manage_wand_stock(request.user))

    def context():
        return {
            "level": selectors.stock_level(),
            "waiting": selectors.wand_requests_waiting_for_stock().select_related("school")[:50],
            "wands_short": selectors.wands_short(),
            "page": paginate(request, selectors.stock_movements(), PER_PAGE),
        }

    ledger = _fragment(
        request,
        "wands-stock",
        template="wands/includes/stock_fragment.html",
        context=context,
        depends_on=(*WANDS_AND_SCHOOLS, "accounts.User"),
    )
    return render(request, "wands/stock.html", {"stock": ledger})


def _form_page(request, *, allowed, form_class, template, perform, redirect_to, context=None, files=False):
    _require(allowed)
    if request.method == "POST":
        form = form_class(request.POST, request.FILES) if files else form_class(request.POST)
    else:
        form = form_class()
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            message = perform(form.cleaned_data)
        except CsvRejected as error:
            form.add_error("file", error.message)
            problems = error.problems
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, message)
            return redirect(redirect_to)
    return render(request, template, {"form": form, "problems": problems, **(context or {})})


@require_http_methods(["GET", "POST"])
@login_required
def stock_delivery(request: HttpRequest) -> HttpResponse:
    def perform(data):
        movement, reserved = services.stock_delivery_record(
            actor=request.user,
            quantity=data["quantity"],
            batch=data["batch"],
            serials=data["serials"],
            note=data["note"],
        )
        message = f"{movement.quantity} wands added to stock."
        if reserved:
            message += " Reserved for waiting requests: " + ", ".join(r.reference for r in reserved) + "."
        return message

    return _form_page(
        request,
        allowed=permissions.can_manage_wand_stock(request.user),
        form_class=StockDeliveryForm,
        template="wands/stock_delivery.html",
        perform=perform,
        redirect_to="wands:stock",
    )


@require_http_methods(["GET", "POST"])
@login_required
def stock_write_off(request: HttpRequest) -> HttpResponse:
    return _form_page(
        request,
        allowed=permissions.can_manage_wand_stock(request.user),
        form_class=WriteOffForm,
        template="wands/stock_write_off.html",
        perform=lambda data: (
            f"{services.stock_write_off(actor=request.user, quantity=data['quantity'], note=data['note']).quantity} "
            "wands written off."
        ),
        redirect_to="wands:stock",
        context={"level": selectors.stock_level()},
    )


LAST_DISPATCH_SESSION_KEY = "wands_last_dispatch"


@require_http_methods(["GET", "POST"])
@login_required
def dispatch_upload(request: HttpRequest) -> HttpResponse:
    """Upload the filled-in dispatch list; afterwards the page lists what that upload dispatched."""
    _require(permissions.can_dispatch_wand_request(request.user))
    form = CsvUploadForm(request.POST, request.FILES) if request.method == "POST" else CsvUploadForm()
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.dispatch_csv_apply(
                data=services.csv_upload_read(form.cleaned_data["file"]), actor=request.user
            )
        except CsvRejected as error:
            form.add_error("file", error.message)
            problems = error.problems
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            request.session[LAST_DISPATCH_SESSION_KEY] = {
                "ids": [wand_request.pk for wand_request in result.dispatched],
                "not_yet": result.not_dispatched_yet,
                "already": result.already_dispatched,
            }
            return redirect("wands:dispatch_upload")
    last = request.session.pop(LAST_DISPATCH_SESSION_KEY, None) if request.method == "GET" else None
    dispatched = []
    if last:
        dispatched = list(
            selectors.wand_requests_visible_to(request.user)
            .filter(pk__in=last["ids"])
            .select_related("school")
            .order_by("pk")
        )
    return render(
        request,
        "wands/dispatch_upload.html",
        {
            "form": form,
            "problems": problems,
            "to_dispatch": selectors.wand_requests_to_dispatch().count(),
            "dispatched": dispatched,
            "not_yet": last["not_yet"] if last else 0,
            "already": last.get("already", 0) if last else 0,
            "uploaded": bool(last),
        },
    )


ADDRESS_COLUMNS = ("address_line_1", "address_line_2", "address_line_3", "address_line_4")


def _address_columns(address: str) -> list[str]:
    """One clean line per address part (no line breaks inside a field); parts past the last column share it."""
    parts = address_parts(address)
    last = len(ADDRESS_COLUMNS) - 1
    columns = parts[:last] + [", ".join(parts[last:])]
    return columns + [""] * (len(ADDRESS_COLUMNS) - len(columns))


@require_GET
@login_required
def dispatch_list_csv(request: HttpRequest) -> HttpResponse:
    """The list for the courier: approved requests with delivery details, and empty columns to fill in."""
    _require(permissions.can_dispatch_wand_request(request.user))
    rows = (
        (
            r.reference,
            r.school.name,
            r.school_id,
            r.quantity,
            one_line(r.contact_name),
            one_line(r.contact_phone),
            *_address_columns(r.delivery_address),
            one_line(r.delivery_postcode),
            "",
            "",
            "",
        )
        for r in selectors.wand_requests_to_dispatch().iterator(chunk_size=500)
    )
    return csv_streaming_response(
        filename="wands-to-dispatch.csv",
        header=[
            "reference",
            "school",
            "urn",
            "quantity",
            "contact",
            "phone",
            *ADDRESS_COLUMNS,
            "postcode",
            "courier",
            "tracking",
            "serials",
        ],
        rows=rows,
    )


@require_http_methods(["GET", "POST"])
@login_required
def existing_import(request: HttpRequest) -> HttpResponse:
    return _form_page(
        request,
        allowed=permissions.can_import_existing_deliveries(request.user),
        form_class=CsvUploadForm,
        template="wands/existing_import.html",
        perform=lambda data: "{} earlier deliveries imported.".format(
            len(services.existing_deliveries_import(data=services.csv_upload_read(data["file"]), actor=request.user))
        ),
        redirect_to="wands:dashboard",
        files=True,
    )


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_run_wand_programme(request.user))

    def context():
        figures = selectors.dashboard_figures()
        chart = bar_chart(
            title="Schools that have taken up the wand offer, by BCU",
            series=[(row["name"], row["taken_up"]) for row in figures["by_bcu"]],
            label_heading="Basic Command Unit",
            value_heading="Schools",
            orientation="horizontal",
        )
        return {"figures": figures, "chart": chart}

    # The same national figures for every programme admin (the gate above is per person): one shared entry, so a
    # write to a request costs the next admin's view the figures' queries once, not once per admin.
    figures_part = _fragment(
        request,
        "wands-dashboard",
        template="wands/includes/dashboard_fragment.html",
        context=context,
        depends_on=WANDS_AND_SCHOOLS,
        per_user=False,
    )
    return render(request, "wands/dashboard.html", {"dashboard": figures_part})


@require_GET
@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    """Every request the filters select, safe to open in a spreadsheet."""
    _require(permissions.can_run_wand_programme(request.user))
    filterset = WandRequestFilter(request.GET, queryset=selectors.wand_requests_visible_to(request.user))
    if not filterset.is_valid():
        # Never every request in place of the ones asked for: the queue with the filters' errors, as a 400.
        response = queue(request)
        response.status_code = 400
        return response
    queryset = filterset.qs
    rows = (
        (
            r.reference,
            r.school_id,
            r.school.name,
            r.school.local_authority.name,
            r.school.local_authority.bcu.name if r.school.local_authority.bcu_id else "",
            r.quantity,
            r.get_status_display(),
            r.created_at,
            r.decided_at,
            r.dispatched_at,
            r.delivered_at,
            r.courier,
            r.tracking_reference,
            r.decision_reason,
        )
        for r in queryset.iterator(chunk_size=500)
    )
    return csv_streaming_response(
        filename="wand-requests.csv",
        header=[
            "reference",
            "urn",
            "school",
            "borough",
            "bcu",
            "quantity",
            "status",
            "submitted",
            "decided",
            "dispatched",
            "delivered",
            "courier",
            "tracking",
            "decision reason",
        ],
        rows=rows,
    )


@require_http_methods(["GET", "POST"])
@login_required
def allowance_rules(request: HttpRequest) -> HttpResponse:
    def perform(data):
        services.allowance_rule_set(
            actor=request.user,
            phase=data["phase"],
            min_pupils=data["min_pupils"],
            wands=data["wands"],
            reason=data["reason"],
        )
        return "The allowance rule is updated."

    return _form_page(
        request,
        allowed=permissions.can_manage_wand_allowances(request.user),
        form_class=RuleForm,
        template="wands/allowance_rules.html",
        perform=perform,
        redirect_to="wands:allowance_rules",
        context={"rules": selectors.allowance_rules()},
    )


@require_http_methods(["GET", "POST"])
@login_required
def school_allowance(request: HttpRequest, urn: int) -> HttpResponse:
    _require(permissions.can_manage_wand_allowances(request.user))
    try:
        school = school_get(urn=urn)
    except School.DoesNotExist:
        raise Http404("No school has this URN") from None

    def perform(data):
        override = data["override"].strip() or None
        services.allowance_override_set(actor=request.user, school=school, override=override, reason=data["reason"])
        return f"{school.name}'s allowance is updated."

    return _form_page(
        request,
        allowed=True,
        form_class=OverrideForm,
        template="wands/school_allowance.html",
        perform=perform,
        redirect_to=reverse("wands:school_allowance", kwargs={"urn": school.pk}),
        context={
            "school": school,
            "figures": selectors.school_allowance_figures(school=school),
            "history": selectors.allowance_history(school=school),
            "rule_allowance": selectors.allowance_rule_for(school),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def returns(request: HttpRequest) -> HttpResponse:
    """Returns fulfilment is waiting for: mark them received, working (back to stock) or faulty (written off)."""
    _require(permissions.can_resolve_wand_issue(request.user))
    if request.method == "POST":
        issue_id = request.POST.get("issue", "")
        condition = request.POST.get("condition", "")
        if not issue_id.isdigit() or condition not in {"working", "faulty"}:
            messages.error(request, "Choose a return and whether the wands work.")
        else:
            try:
                services.wand_issue_return_received(
                    issue_id=int(issue_id), actor=request.user, working=condition == "working"
                )
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, "Return received.")
        return redirect("wands:returns")
    listed = _fragment(
        request,
        "wands-returns",
        template="wands/includes/returns_fragment.html",
        context=lambda: {"returns": selectors.wand_returns_open(), "pickups": selectors.wand_pickups_open()},
        depends_on=WANDS_AND_SCHOOLS,
    )
    return render(request, "wands/returns.html", {"returns": listed})


@require_http_methods(["GET", "POST"])
@login_required
def pickup_collected(request: HttpRequest, pk: int) -> HttpResponse:
    """Fulfilment marks the faulty wands a replacement was sent for as collected, working or written off."""
    issue = selectors.wand_pickup_get(user=request.user, pk=pk)
    if issue is None:
        raise Http404("No pick-up you can see has this number")
    _require(permissions.can_collect_wand_pickup(request.user, issue))
    # Bound on any POST: an empty one must show the error summary, not the blank form again.
    form = PickupCollectedForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        working = form.cleaned_data["condition"] == "working"
        try:
            services.wand_issue_pickup_collected(issue_id=issue.pk, actor=request.user, working=working)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            outcome = "back in stock" if working else "written off"
            messages.success(request, f"Wands for {issue.wand_request.reference} collected: {outcome}.")
            return redirect("wands:returns")
    return render(request, "wands/pickup_collected.html", {"form": form, "issue": issue})
