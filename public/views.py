"""Public pages: the landing page (and the signed-in user's tasks), the VRU updates sign-up, confirm and
unsubscribe, the programme admins' sign-up page, and the open figures. Views gate early, call one service or selector,
and turn domain errors into GOV.UK errors."""

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from accounts import invitation_resume
from accounts.selectors import pending_invitations_for, pending_organisation_invitations_for
from core import fragments, suppression
from core.charts import bar_chart, line_chart
from core.csv_export import csv_streaming_response
from core.errors import DomainError
from core.forms import form_add_domain_error
from insights.tilemap import TileMap, TileValue, percent_label, tile_map

from . import permissions, selectors, services
from .forms import ConsentStatementForm, SignupForm, UpdateForm

PAGES = {"privacy", "cookies", "accessibility"}


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Everyone: what the four programmes are and who uses them. Signed in: your tasks first (sign-in lands here)."""
    context = {}
    if request.user.is_authenticated:
        # Back from two-factor set-up after signing up from an invitation link: the invitation first.
        resume = invitation_resume.take(request)
        if resume:
            return redirect(resume)
        context["task_groups"] = selectors.tasks_by_programme(request.user)
        context["invitations"] = list(pending_invitations_for(request.user))
        context["organisation_invitations"] = list(pending_organisation_invitations_for(request.user))
    return render(request, "public/home.html", context)


def static_page(request, page: str):
    return render(request, f"public/{page}.html")


def feedback(request):
    """Where the Beta banner's feedback link goes by default: how to tell the team what to improve."""
    from django.conf import settings

    return render(request, "public/feedback.html", {"feedback_email": settings.FEEDBACK_EMAIL})


# --- sign-up -------------------------------------------------------------------------------------------------------


def _client_ip(request) -> str:
    try:
        return get_adapter().get_client_ip(request)
    except PermissionDenied:
        return "unknown"


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Email, topics and the consent statement. Every accepted sign-up lands on the same "check your email" page."""
    statement = selectors.current_consent_statement()
    topics = list(selectors.active_topics())
    status = 200
    if request.method == "POST":
        form = SignupForm(request.POST, topics=topics, statement=statement)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.signup_rate_check(client_ip=_client_ip(request), email=data["email"])
                services.signup_request(
                    email=data["email"], topic_slugs=data["topics"], statement_version=data["statement_version"]
                )
            except services.RateLimited as error:
                form_add_domain_error(form, error)
                status = 429
            except DomainError as error:
                form_add_domain_error(form, error)
                status = 400
            else:
                return redirect("public:signup_sent")
        else:
            status = 400
    else:
        form = SignupForm(topics=topics, statement=statement)
    return render(request, "public/updates/signup.html", {"form": form, "statement": statement}, status=status)


@require_GET
def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "public/updates/signup_sent.html", {"days": services.CONFIRM_MAX_AGE.days})


def _link_problem(request, error: DomainError) -> HttpResponse:
    expired = isinstance(error, services.LinkExpired)
    return render(
        request,
        "public/updates/link_problem.html",
        {"message": error.message, "expired": expired},
        status=400,
    )


@require_http_methods(["GET", "POST"])
def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (link checkers that open every link must not confirm for the person); POST confirms."""
    try:
        if request.method == "POST":
            consent = services.signup_confirm(token=token)
            return render(
                request, "public/updates/confirmed.html", {"consent": consent, "topics": consent.topics.all()}
            )
        consent = services.signup_consent_for_token(token)
    except DomainError as error:
        return _link_problem(request, error)
    return render(request, "public/updates/confirm.html", {"consent": consent, "topics": consent.topics.all()})


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every email: no sign-in. GET shows one button; POST unsubscribes for good."""
    try:
        if request.method == "POST":
            services.unsubscribe(token=token)
            return render(request, "public/updates/unsubscribed.html")
        services.subscriber_id_from_unsubscribe_token(token)
    except DomainError as error:
        return _link_problem(request, error)
    return render(request, "public/updates/unsubscribe.html")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_one_click(request: HttpRequest, token: str) -> HttpResponse:
    """RFC 8058 one-click unsubscribe, the address in every update's List-Unsubscribe header.

    A mail client POSTs `List-Unsubscribe=One-Click` with no cookies and no CSRF token, so this is the one view exempt
    from CSRF: the signed, unguessable token is the authority, and the only thing it can do is unsubscribe that
    token's own address. Any other POST body is refused; a GET (a mail scanner following the link) changes nothing
    and shows the one-button page.
    """
    if request.method == "GET":
        return unsubscribe(request, token)
    if request.POST.get("List-Unsubscribe") != "One-Click":
        return HttpResponse("Send List-Unsubscribe=One-Click to unsubscribe.", status=400, content_type="text/plain")
    try:
        services.unsubscribe(token=token)
    except DomainError as error:
        return HttpResponse(error.message, status=400, content_type="text/plain")
    return HttpResponse("You have been unsubscribed.", content_type="text/plain")


# --- programme admins ----------------------------------------------------------------------------------------------


def _require_updates_admin(request) -> None:
    if not permissions.can_manage_vru_updates(request.user):
        raise PermissionDenied


@require_GET
@login_required
def updates_admin(request: HttpRequest) -> HttpResponse:
    """Counts per topic and per status, the consent statement versions, the consent export and recent updates."""
    _require_updates_admin(request)
    body = fragments.cached(
        request,
        "updates-admin",
        depends_on=("public",),
        render=lambda: render_to_string(
            "public/includes/updates_admin_body.html",
            {
                "topics": selectors.topic_counts(),
                "statuses": selectors.subscriber_status_counts(),
                "statements": selectors.consent_statements(),
                "recent_updates": selectors.updates_recent(),
            },
            request=request,
        ),
    )
    return render(request, "public/updates/admin.html", {"body": body})


@require_GET
@login_required
def updates_export(request: HttpRequest) -> HttpResponse:
    """Every consent record with the exact statement text agreed to, safe to open in a spreadsheet."""
    _require_updates_admin(request)
    services.consent_export_audit(actor=request.user)
    rows = (
        (
            record.pk,
            record.subscriber.email,
            record.subscriber.get_status_display(),
            record.statement.version,
            record.statement.text,
            "; ".join(topic.name for topic in record.topics.all()),
            record.given_at,
            record.confirmed_at,
            record.withdrawn_at,
        )
        for record in selectors.consent_records().iterator(chunk_size=500)
    )
    return csv_streaming_response(
        filename="vru-updates-consent-records.csv",
        header=[
            "Consent record",
            "Email address",
            "Subscriber status",
            "Statement version",
            "Statement text",
            "Topics",
            "Given at",
            "Confirmed at",
            "Withdrawn at",
        ],
        rows=rows,
    )


@require_http_methods(["GET", "POST"])
@login_required
def updates_send(request: HttpRequest) -> HttpResponse:
    """Send an update to a topic's confirmed subscribers (by the worker, each with its unsubscribe link)."""
    _require_updates_admin(request)
    topics = selectors.topic_counts()
    form = UpdateForm(request.POST if request.method == "POST" else None, topics=topics)
    if request.method == "POST" and form.is_valid():
        try:
            message = services.update_send(
                actor=request.user,
                topic_id=form.cleaned_data["topic"],
                **{key: form.cleaned_data[key] for key in ("subject", "body")},
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(
                request,
                f"Update sent to {message.recipients} confirmed subscriber{'s' if message.recipients != 1 else ''}.",
            )
            return redirect("public:updates_admin")
    return render(
        request, "public/updates/send.html", {"form": form, "topics": topics}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@login_required
def consent_statement_new(request: HttpRequest) -> HttpResponse:
    """Publish a new wording of the consent statement as the next version."""
    _require_updates_admin(request)
    current = selectors.current_consent_statement()
    form = ConsentStatementForm(
        request.POST if request.method == "POST" else None, initial={"text": current.text if current else ""}
    )
    if request.method == "POST" and form.is_valid():
        try:
            statement = services.consent_statement_publish(text=form.cleaned_data["text"], actor=request.user)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(
                request, f"Version {statement.version} of the consent statement is now on the sign-up form."
            )
            return redirect("public:updates_admin")
    return render(
        request,
        "public/updates/statement.html",
        {"form": form, "current": current},
        status=400 if form.errors else 200,
    )


# --- open figures --------------------------------------------------------------------------------------------------


def _drawn(chart_series: list) -> bool:
    """A chart is drawn only when it has something to show: never a chart of zeros only."""
    return any(value for _, value in chart_series)


def _chart_label(row: dict) -> str:
    """A bar whose figure needs a word points to the note under the chart."""
    return f"{row['la_name']} (see note)" if row["note"] else row["la_name"]


def _percent_map(*, rows: list[dict], key: str, map_id: str, title: str, label: str, counted: str) -> TileMap:
    """A London map of one percentage per borough (insights' tile map: bands from the values, AA contrast)."""
    values = {}
    for row in rows:
        percent = row[key]
        display = (
            f"{row[counted]} of {row['open_schools']} open schools ({percent}%)" if percent is not None else row["note"]
        )
        if percent is not None and row["note"]:
            display += f". {row['note']}"
        values[row["la_code"]] = TileValue(
            la_code=row["la_code"],
            name=row["la_name"],
            value=percent,
            display=display,
            reason=row["note"] or "No open schools",
        )
    shown = [row for row in rows if row[key] is not None]
    highest = max(shown, key=lambda row: row[key], default=None)
    description = f"{label} in each of the {len(shown)} boroughs with a figure, by colour."
    if highest is not None:
        description += f" Highest: {highest['la_name']} ({highest[key]}%)."
    description += " The table after the map gives every value and note."
    return tile_map(
        map_id=map_id,
        title=title,
        measure_label=label,
        values=values,
        percent=True,
        short=percent_label,
        description=description,
    )


def figures_charts(figures: dict) -> dict:
    """The charts and maps of the open figures. Counts of schools are all drawn (none is withheld). Counts of pupils
    withheld as "fewer than 5" are not drawn, and `places_withheld` names them so the page can say so. A borough whose
    figure needs a word (the City of London) carries the same note in the chart, the map and the table."""
    boroughs = figures["wands"]["boroughs"]
    take_up_series = [(_chart_label(row), row["schools_taken_up"]) for row in boroughs]
    take_up = bar_chart(
        title="Schools that have taken up the wand offer, by borough",
        series=take_up_series,
        label_heading="Borough",
        value_heading="Schools",
        orientation="horizontal",
        chart_id="wands-take-up",
    )
    police_rows = figures["police_contacts"]["boroughs"]
    contact_series = [
        (row["la_name"], row["percent_with_contact"]) for row in police_rows if row["percent_with_contact"] is not None
    ]
    contacts = bar_chart(
        title="Open schools with a named police contact, by borough",
        series=contact_series,
        unit="%",
        label_heading="Borough",
        value_heading="Open schools with a named police contact",
        orientation="horizontal",
        chart_id="police-contacts",
    )
    download_points = [(row["label"], row["downloads"]) for row in figures["toolkit_downloads"]["months"]]
    downloads = line_chart(
        title="Toolkit downloads per month",
        points=download_points,
        label_heading="Month",
        value_heading="Downloads",
        chart_id="toolkit-downloads",
    )
    cohorts = figures["stepping_stones"]["cohorts"]
    places_series = [(row["cohort"], row["places_filled"]) for row in cohorts if row["places_filled"] is not None]
    places = (
        bar_chart(
            title="Stepping Stones places filled, by cohort",
            series=places_series,
            label_heading="Cohort",
            value_heading="Places filled (rounded to the nearest 5)",
            chart_id="stepping-stones-places",
        )
        if _drawn(places_series)
        else None
    )
    return {
        "take_up": take_up if _drawn(take_up_series) else None,
        "take_up_notes": [row for row in boroughs if row["note"]],
        "take_up_map": _percent_map(
            rows=boroughs,
            key="percent_taken_up",
            map_id="map-wands-take-up",
            title="London boroughs: open schools that have taken up the wand offer (%)",
            label="Open schools that have taken up the wand offer (%)",
            counted="schools_taken_up",
        ),
        "contacts": contacts if _drawn(contact_series) else None,
        "contacts_notes": [row for row in police_rows if row["note"]],
        "contacts_map": _percent_map(
            rows=police_rows,
            key="percent_with_contact",
            map_id="map-police-contacts",
            title="London boroughs: open schools with a named police contact (%)",
            label="Open schools with a named police contact (%)",
            counted="schools_with_contact",
        ),
        "downloads": downloads if _drawn(download_points) else None,
        "places": places,
        "places_withheld": [row["cohort"] for row in cohorts if row["suppressed"]],
    }


@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    """The figures City Hall publishes: counts only (of pupils: 1 to 4 shown as "fewer than 5", others rounded to the
    nearest 5), refreshed every 10 minutes."""
    data = selectors.open_figures()
    # The page shows these figures (a copy kept up to 10 minutes, the same for everyone, signed in or not) and
    # constants, nothing read from a table: the figures themselves are in the key (`vary`), so no table is behind it.
    body = fragments.cached(
        request,
        "open-figures",
        depends_on=(),
        per_user=False,
        vary=(data,),
        params=frozenset(),  # it reads no query parameter: a visitor's ?x=1, ?x=2… is rendered, not stored
        render=lambda: render_to_string(
            "public/includes/figures_body.html",
            {
                "figures": data,
                "as_of": parse_datetime(data["as_of"]),
                "charts": figures_charts(data),
                "datasets": list(selectors.OPEN_DATASETS),
                "threshold": suppression.THRESHOLD,
                "round_to": suppression.ROUND_TO,
            },
        ),
    )
    return render(request, "public/figures.html", {"body": body})
