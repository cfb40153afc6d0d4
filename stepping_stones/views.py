"""Stepping Stones pages. Views gate early (403 / 404), call one service or selector, and turn domain errors into
GOV.UK error summaries.

Every page here is a pupil page or sits next to them, so every one:
- answers 404 while an admin is "viewing as" someone (view-as never sees pupil records);
- carries `Cache-Control: no-store` (`never_cache`);
- marks every POST parameter sensitive, so an error report never carries pupil form data;
- logs each view of a pupil record through the domain's `referral_viewed` service.
Pupil records are addressed by reference number only; searches are POSTed and answered in the POST response.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from accounts.identity.view_as import is_viewing_as
from core.csv_import import CsvRejected
from core.errors import DomainError
from core.forms import form_add_domain_error

from . import pages, permissions, selectors, services
from .forms import (
    CohortEndDateForm,
    CohortForm,
    CohortStatusForm,
    ConfirmForm,
    ConsentForm,
    ContactForm,
    CsvUploadForm,
    DecisionForm,
    DestinationForm,
    EraseForm,
    NeedForm,
    NeedsForm,
    ParticipatingSchoolForm,
    ProgressForm,
    PupilForm,
    ReferenceForm,
    RouteForm,
    SearchForm,
    StatusForm,
    WithdrawForm,
)
from .models import Cohort, Referral

PER_PAGE = 25
STATUS_TAGS = {
    Referral.Status.DRAFT: "govuk-tag--grey",
    Referral.Status.SUBMITTED: "govuk-tag--blue",
    Referral.Status.PENDING_DESTINATION: "govuk-tag--yellow",
    Referral.Status.WAITLISTED: "govuk-tag--orange",
    Referral.Status.OFFERED: "govuk-tag--purple",
    Referral.Status.ACCEPTED: "govuk-tag--green",
    Referral.Status.DECLINED: "govuk-tag--red",
    Referral.Status.ENROLLED: "govuk-tag--turquoise",
    Referral.Status.ACTIVE: "govuk-tag--turquoise",
    Referral.Status.COMPLETED: "govuk-tag--green",
    Referral.Status.WITHDRAWN: "govuk-tag--grey",
    Referral.Status.MOVED_SCHOOL: "govuk-tag--grey",
}


def pupil_page(view):
    """Signed in, never cached, sensitive POST data, and 404 for view-as: wraps every Stepping Stones page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            if is_viewing_as(request):
                raise Http404("Pupil records are not shown while viewing as someone else")
            return view(request, *args, **kwargs)
        except (Http404, PermissionDenied) as refusal:
            # The error page too is never cached: it answers a request about a pupil.
            return response_for_exception(request, refusal)

    return login_required(never_cache(sensitive_post_parameters()(wrapped)))


def _data(request):
    """The POSTed answers, or None on a GET (an empty POST must still be a bound form that shows its errors)."""
    return request.POST if request.method == "POST" else None


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _tag(referrals, request=None):
    """Give each referral its GOV.UK tag colour (templates cannot look a dict up by a variable); with `request`, say
    whether its pupil's name is shown: to the leads of the referring and receiving schools, in their own lists."""
    referrals = list(referrals)
    for referral in referrals:
        referral.status_tag = STATUS_TAGS.get(referral.status, "govuk-tag--grey")
        if request is not None:
            referral.name_shown = permissions.leads_school(request, referral.referring_school_id) or bool(
                referral.receiving_school_id and permissions.leads_school(request, referral.receiving_school_id)
            )
    return referrals


def _paginate(request, queryset):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def _visible(request, reference: str) -> Referral:
    """The referral with this reference if this person may see it; 404 otherwise (out of scope or unknown)."""
    referral = selectors.referral_get_for(request, reference)
    if referral is None:
        raise Http404("No referral you can see has this reference")
    _tag([referral])
    return referral


def _viewed(request, referral: Referral, what: str) -> None:
    services.referral_viewed(actor=request.user, referral=referral, what=what)


def _detail(referral: Referral):
    return redirect("stepping_stones:referral_detail", reference=referral.reference)


# --- everyone who uses Stepping Stones -------------------------------------------------------------------------


@require_GET
@pupil_page
def home(request: HttpRequest) -> HttpResponse:
    """What this person does in Stepping Stones: refer (primary), answer and run a cohort (secondary), coordinate."""
    _require(permissions.can_use_stepping_stones(request))
    cohort = selectors.cohort_current()
    is_coordinator = permissions.is_coordinator(request)
    context = {
        "cohort": cohort,
        "is_coordinator": is_coordinator,
        "pending_count": selectors.pending_destinations_for(request).count() if is_coordinator else 0,
        "duplicates_count": selectors.possible_duplicates_for(request).count() if is_coordinator else 0,
        "secondary_schools": pages.lead_secondary_rows(request, cohort=cohort),
        "can_refer": pages.can_refer(request),
        "drafts": _tag(selectors.drafts_for(request)[:20], request),
    }
    if any(draft.name_shown for draft in context["drafts"]):
        # The lead's drafts show their pupils' names: one access record for the list, with its references only.
        services.referrals_listed(
            actor=request.user, references=[draft.reference for draft in context["drafts"]], what="home page drafts"
        )
    return render(request, "stepping_stones/home.html", context)


@require_GET
@never_cache
def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy notice: why each piece of pupil information is collected. Public: parents may be shown it."""
    return render(request, "stepping_stones/privacy.html", {"can_use": permissions.can_use_stepping_stones(request)})


# --- referring a pupil -----------------------------------------------------------------------------------------


@require_GET
@pupil_page
def refer_start(request: HttpRequest) -> HttpResponse:
    """The safeguarding interruption before the referral form. A secondary's lead is told where referrals come from."""
    if not pages.can_refer(request):
        _require(permissions.is_lead(request))
        return render(request, "stepping_stones/refer_from_primaries.html", {"contact": pages.programme_contact()})
    return render(request, "stepping_stones/refer_start.html")


def _pupil_form(request, referral=None):
    schools = list(pages.referring_schools(request))
    cohorts = list(pages.cohorts_open_for_referral(request))
    initial = {}
    if referral is not None:
        schools = [referral.referring_school]
        cohorts = [referral.cohort]
        initial = {
            "first_name": referral.first_name,
            "last_name": referral.last_name,
            "upn": referral.upn,
            "outside_age_group_reason": referral.outside_age_group_reason,
            **PupilForm.initial_parts("date_of_birth", referral.date_of_birth),
        }
    form = PupilForm(_data(request), initial=initial, schools=schools, cohorts=cohorts)
    return form, schools, cohorts


RETURN_TO_CHECK = "check"


def _returning_to_check(request) -> bool:
    """A "Change" link on check your answers adds `?return=check`: after saving, back to check your answers. Only that
    one word is recognised, and it names a page of this journey (never a URL), so it cannot redirect anywhere else."""
    return request.GET.get("return") == RETURN_TO_CHECK


def _after_question(request, referral: Referral, next_name: str):
    """Save and continue goes to the next question (or back to check your answers); save as draft to the list."""
    if request.POST.get("action") == "draft":
        messages.success(request, f"Referral {referral.reference} is saved as a draft.")
        return redirect("stepping_stones:referral_list")
    if referral.status != Referral.Status.DRAFT:
        messages.success(request, f"Referral {referral.reference} is updated.")
        return _detail(referral)
    if _returning_to_check(request) or next_name == "referral_check":
        return redirect("stepping_stones:referral_check", reference=referral.reference)
    return redirect(f"stepping_stones:{next_name}", reference=referral.reference)


@require_http_methods(["GET", "POST"])
@pupil_page
def referral_new(request: HttpRequest) -> HttpResponse:
    """The first question page: who the pupil is. Saving it creates the draft and its reference number."""
    _require(pages.can_refer(request))
    form, schools, cohorts = _pupil_form(request)
    if not cohorts:
        messages.error(request, "No transition is open for referrals at the moment.")
        return redirect("stepping_stones:home")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_create(
                actor=request.user,
                cohort=next(c for c in cohorts if c.pk == data["cohort"]),
                referring_school=next(s for s in schools if s.pk == data["school"]),
                first_name=data["first_name"],
                last_name=data["last_name"],
                date_of_birth=data["date_of_birth"],
                upn=data["upn"],
                outside_age_group_reason=data["outside_age_group_reason"],
            )
        except StopIteration:
            form.add_error(None, "Choose a school and transition from the list")
        except DomainError as error:
            _add_errors(form, error)
        else:
            return _after_question(request, referral, "referral_destination")
    return render(
        request,
        "stepping_stones/referral_pupil.html",
        {"form": form, "schools": schools, "cohorts": cohorts, "referral": None},
    )


def _add_errors(form, error: DomainError) -> None:
    """Show every refusal a service gave (ReferralInvalid carries one per field). Dates are three boxes: an error
    about a date goes on its day box, so the error summary links to it."""
    for each in getattr(error, "errors", None) or [error]:
        day_box = f"{each.field}_day"
        if day_box in form.fields:
            form.add_error(day_box, each.message)
        else:
            form_add_domain_error(form, each)


def _editable(request, reference: str) -> Referral:
    referral = _visible(request, reference)
    if not permissions.can_edit_referral(request, referral):
        if referral.has_personal_data and referral.status in Referral.LIVE:
            messages.error(
                request,
                f"Referral {referral.reference} can no longer be changed: the secondary school has accepted it.",
            )
        raise _Locked(referral)
    return referral


class _Locked(Exception):
    def __init__(self, referral):
        super().__init__(referral.reference)
        self.referral = referral


def _question(view):
    """A question page about an existing referral: a locked record sends the person back to its read-only page."""

    @wraps(view)
    def wrapped(request, reference):
        try:
            return view(request, reference)
        except _Locked as locked:
            return _detail(locked.referral)

    return wrapped


@require_http_methods(["GET", "POST"])
@pupil_page
@_question
def referral_pupil(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _editable(request, reference)
    form, schools, cohorts = _pupil_form(request, referral)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_update(
                actor=request.user,
                referral=referral,
                first_name=data["first_name"],
                last_name=data["last_name"],
                date_of_birth=data["date_of_birth"],
                upn=data["upn"],
                outside_age_group_reason=data["outside_age_group_reason"],
            )
        except DomainError as error:
            _add_errors(form, error)
        else:
            return _after_question(request, referral, "referral_destination")
    else:
        _viewed(request, referral, "pupil details form")
    return render(
        request,
        "stepping_stones/referral_pupil.html",
        {"form": form, "schools": schools, "cohorts": cohorts, "referral": referral},
    )


@require_http_methods(["GET", "POST"])
@pupil_page
@_question
def referral_destination(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _editable(request, reference)
    schools = list(selectors.receiving_schools_for(referral.cohort))
    initial = {}
    if referral.receiving_school_id:
        initial["receiving_school"] = str(referral.receiving_school_id)
    elif referral.status == Referral.Status.PENDING_DESTINATION:
        initial["receiving_school"] = "not-yet-known"
    form = DestinationForm(_data(request), initial=initial, schools=schools)
    if request.method == "POST" and form.is_valid():
        school = next((s for s in schools if s.pk == form.cleaned_data["receiving_school"]), None)
        try:
            if referral.status == Referral.Status.PENDING_DESTINATION and school is not None:
                referral = services.referral_set_destination(
                    actor=request.user, referral=referral, receiving_school=school
                )
            else:
                referral = services.referral_update(actor=request.user, referral=referral, receiving_school=school)
        except DomainError as error:
            _add_errors(form, error)
        else:
            return _after_question(request, referral, "referral_needs")
    return render(request, "stepping_stones/referral_destination.html", {"form": form, "referral": referral})


@require_http_methods(["GET", "POST"])
@pupil_page
@_question
def referral_needs(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _editable(request, reference)
    needs = list(selectors.needs_active())
    initial = {"needs": [need.pk for need in referral.needs.all()], "strengths": referral.strengths}
    form = NeedsForm(_data(request), initial=initial, needs=needs)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_update(
                actor=request.user,
                referral=referral,
                needs=[need for need in needs if need.pk in form.cleaned_data["needs"]],
                strengths=form.cleaned_data["strengths"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            return _after_question(request, referral, "referral_contact")
    elif request.method == "GET":
        _viewed(request, referral, "needs and strengths form")
    return render(request, "stepping_stones/referral_needs.html", {"form": form, "referral": referral})


@require_http_methods(["GET", "POST"])
@pupil_page
@_question
def referral_contact(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _editable(request, reference)
    initial = {"known_by_name": referral.known_by_name, "known_by_role": referral.known_by_role}
    form = ContactForm(_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_update(
                actor=request.user,
                referral=referral,
                known_by_name=form.cleaned_data["known_by_name"],
                known_by_role=form.cleaned_data["known_by_role"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            return _after_question(request, referral, "referral_consent")
    return render(request, "stepping_stones/referral_contact.html", {"form": form, "referral": referral})


@require_http_methods(["GET", "POST"])
@pupil_page
@_question
def referral_consent(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _editable(request, reference)
    current = selectors.referral_consent_current(referral)
    initial = {}
    if current is not None:
        initial = {
            "given_by_name": current.given_by_name,
            "relationship": current.relationship,
            "method": current.method,
            **ConsentForm.initial_parts("given_on", current.given_on),
        }
    form = ConsentForm(_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_record(
                actor=request.user,
                referral=referral,
                given_by_name=data["given_by_name"],
                relationship=data["relationship"],
                method=data["method"],
                given_on=data["given_on"],
                text_version=pages.consent_version(),
            )
        except DomainError as error:
            _add_errors(form, error)
        else:
            return _after_question(request, referral, "referral_check")
    elif request.method == "GET" and current is not None:
        _viewed(request, referral, "consent form")
    return render(
        request,
        "stepping_stones/referral_consent.html",
        {
            "form": form,
            "referral": referral,
            "consent_version": pages.consent_version(),
            "consent_text": pages.consent_text(),
        },
    )


def _missing(referral: Referral, consent) -> list[dict]:
    """What still stops the referral from being sent, each with a link to the page that fixes it (and back)."""

    def link(label, name):
        url = reverse(f"stepping_stones:{name}", args=[referral.reference]) + f"?return={RETURN_TO_CHECK}"
        return {"label": label, "url": url}

    missing = []
    if not referral.needs.all():
        missing.append(link("Choose the pupil's needs", "referral_needs"))
    if not referral.strengths:
        missing.append(link("Describe the pupil's strengths", "referral_needs"))
    if not referral.known_by_name:
        missing.append(link("Say who at your school knows the pupil", "referral_contact"))
    if consent is None:
        missing.append(link("Record parental consent", "referral_consent"))
    return missing


@require_http_methods(["GET", "POST"])
@pupil_page
def referral_check(request: HttpRequest, reference: str) -> HttpResponse:
    """Check your answers, then send. Without consent the page explains why and offers no submit button."""
    referral = _visible(request, reference)
    if referral.status != Referral.Status.DRAFT:
        return _detail(referral)
    _require(permissions.can_submit_referral(request, referral))
    consent = selectors.referral_consent_current(referral)
    error = ""
    if request.method == "POST":
        try:
            referral = services.referral_submit(actor=request.user, referral=referral)
        except DomainError as exc:
            error = exc.message
            referral = _visible(request, reference)
            consent = selectors.referral_consent_current(referral)
        else:
            return redirect("stepping_stones:referral_confirmation", reference=referral.reference)
    else:
        _viewed(request, referral, "check your answers")
    return render(
        request,
        "stepping_stones/referral_check.html",
        {"referral": referral, "consent": consent, "missing": _missing(referral, consent), "error": error},
        status=400 if error else 200,
    )


@require_GET
@pupil_page
def referral_confirmation(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _visible(request, reference)
    if referral.status == Referral.Status.DRAFT:
        return redirect("stepping_stones:referral_check", reference=referral.reference)
    return render(
        request,
        "stepping_stones/referral_confirmation.html",
        {"referral": referral, "contact": pages.programme_contact()},
    )


@require_GET
@pupil_page
def referral_list(request: HttpRequest) -> HttpResponse:
    """My referrals: those from or to the schools this person leads (all, for a coordinator), with their status."""
    _require(permissions.can_use_stepping_stones(request))
    page = _paginate(request, pages.referrals_of_my_schools(request))
    page.object_list = _tag(page.object_list, request)
    # One access record for the page, as the API list leaves (services.referrals_listed): references only.
    services.referrals_listed(
        actor=request.user, references=[referral.reference for referral in page.object_list], what="page list"
    )
    return render(
        request,
        "stepping_stones/referral_list.html",
        {"page": page, "can_refer": pages.can_refer(request), "is_lead": permissions.is_lead(request)},
    )


# --- one pupil's record ----------------------------------------------------------------------------------------


def _actions(request, referral: Referral) -> list[dict]:
    ref = referral.reference
    status = referral.status
    actions = []

    def add(label, name):
        actions.append({"label": label, "url": reverse(f"stepping_stones:{name}", args=[ref])})

    if status == Referral.Status.DRAFT and permissions.can_submit_referral(request, referral):
        add("Continue the referral", "referral_check")
    if status in (Referral.Status.SUBMITTED, Referral.Status.WAITLISTED) and permissions.can_decide_referral(
        request, referral
    ):
        add("Accept, waitlist or decline the referral", "referral_decide")
    if status == Referral.Status.OFFERED and permissions.can_decide_referral(request, referral):
        add("Confirm the place offered", "referral_confirm_place")
    if (
        status in Referral.HOLDS_PLACE
        and status != Referral.Status.OFFERED
        and permissions.can_update_progress(request, referral)
    ):
        add("Record attendance and progress", "referral_progress")
        if _next_statuses(referral):
            add("Change the pupil's status", "referral_status")
    if status == Referral.Status.PENDING_DESTINATION and permissions.is_coordinator(request):
        add("Route the referral to a secondary school", "referral_route")
    if (
        status != Referral.Status.DRAFT
        and status in Referral.LIVE
        and permissions.can_withdraw_referral(request, referral)
    ):
        add("Withdraw the pupil or record a move", "referral_withdraw")
    if permissions.can_view_access_log(request, referral):
        add("See who has seen or changed this record", "referral_access_log")
    if permissions.can_export_subject_access(request, referral) and referral.erased_at is None:
        add("Download everything held about this pupil (subject access)", "referral_subject_access")
    if permissions.can_erase_referral(request, referral) and referral.erased_at is None:
        add("Erase this pupil's record", "referral_erase")
    return actions


@require_GET
@pupil_page
def referral_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The pupil's record. The referring primary sees it read-only once the secondary has accepted."""
    referral = _visible(request, reference)
    _viewed(request, referral, "record")
    can_edit = permissions.can_edit_referral(request, referral) and referral.status != Referral.Status.DRAFT
    locked_for_viewer = (
        referral.is_locked_for_primary
        and referral.status in Referral.LIVE
        and not permissions.is_coordinator(request)
        and permissions.leads_school(request, referral.referring_school_id)
        and not (referral.receiving_school_id and permissions.leads_school(request, referral.receiving_school_id))
    )
    progress = getattr(referral, "progress", None) if hasattr(referral, "progress") else None
    back_url = reverse("stepping_stones:home")
    if permissions.leads_school(request, referral.referring_school_id):
        back_url = reverse("stepping_stones:referral_list")
    elif referral.receiving_school_id and permissions.leads_school(request, referral.receiving_school_id):
        back_url = reverse("stepping_stones:school_cohort", args=[referral.receiving_school_id])
    return render(
        request,
        "stepping_stones/referral_detail.html",
        {
            "referral": referral,
            "consent": selectors.referral_consent_current(referral),
            "can_edit": can_edit,
            "locked_for_viewer": locked_for_viewer,
            "actions": _actions(request, referral),
            "progress": progress,
            "progress_shown": referral.status in Referral.HOLDS_PLACE or progress is not None,
            "waiting_position": selectors.waiting_list_position(referral),
            "timeline": pages.referral_history(referral),
            "back_url": back_url,
        },
    )


def _action_page(request, reference, *, allowed, form, perform, template_context):
    """One decision about one referral: gate, show the form, call the service, say what happened."""
    referral = _visible(request, reference)
    _require(allowed(request, referral))
    form = form(referral)
    if request.method == "POST" and form.is_valid():
        try:
            message = perform(referral, form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, message)
            return _detail(referral)
    elif request.method == "GET":
        _viewed(request, referral, template_context.get("heading", "").lower())
    return render(
        request, "stepping_stones/referral_action.html", {"form": form, "referral": referral, **template_context}
    )


@require_http_methods(["GET", "POST"])
@pupil_page
def referral_decide(request: HttpRequest, reference: str) -> HttpResponse:
    def allowed(req, referral):
        return permissions.can_decide_referral(req, referral) and referral.status in (
            Referral.Status.SUBMITTED,
            Referral.Status.WAITLISTED,
        )

    def perform(referral, data):
        if data["decision"] == "accept":
            services.referral_accept(actor=request.user, referral=referral)
            return f"Referral {referral.reference} is accepted: the pupil has a place. The primary school is told."
        if data["decision"] == "waitlist":
            services.referral_waitlist(actor=request.user, referral=referral, priority=int(data["priority"]))
            return f"Referral {referral.reference} is on the waiting list. The primary school is told."
        services.referral_decline(actor=request.user, referral=referral, reason=data["reason"])
        return f"Referral {referral.reference} is declined. The primary school sees your reason."

    referral = _visible(request, reference)
    places = selectors.places_left_for(referral)
    context = {"heading": "Decide on the referral", "button": "Save decision"}
    if places == 0:
        context["notice"] = (
            f"{referral.receiving_school.name} has no places left for the {referral.cohort.name}. You can put the "
            "pupil on the waiting list: they are offered a place when one comes free, highest priority first."
        )
    return _action_page(
        request,
        reference,
        allowed=allowed,
        form=lambda referral: DecisionForm(_data(request), places_left=places),
        perform=perform,
        template_context=context,
    )


@require_http_methods(["GET", "POST"])
@pupil_page
def referral_confirm_place(request: HttpRequest, reference: str) -> HttpResponse:
    def allowed(req, referral):
        return permissions.can_decide_referral(req, referral) and referral.status == Referral.Status.OFFERED

    def perform(referral, data):
        services.referral_accept(actor=request.user, referral=referral)
        return f"The place is confirmed: referral {referral.reference} is accepted."

    return _action_page(
        request,
        reference,
        allowed=allowed,
        form=lambda referral: ConfirmForm(_data(request)),
        perform=perform,
        template_context={
            "heading": "Confirm the place offered",
            "intro": "A place became free and this pupil was at the top of your waiting list, so the place was "
            "offered to them. Confirm it to accept the pupil.",
            "button": "Confirm the place",
        },
    )


@require_http_methods(["GET", "POST"])
@pupil_page
def referral_progress(request: HttpRequest, reference: str) -> HttpResponse:
    def allowed(req, referral):
        return permissions.can_update_progress(req, referral) and referral.status in Referral.HOLDS_PLACE

    def form(referral):
        progress = getattr(referral, "progress", None) if hasattr(referral, "progress") else None
        initial = {"sessions_attended": "0", "peer_mentor_assigned": "no"}
        if progress is not None:
            initial = {
                "engagement_day": {True: "yes", False: "no"}.get(progress.engagement_day_attended, ""),
                "summer_school": {True: "yes", False: "no"}.get(progress.summer_school_attended, ""),
                "sessions_attended": str(progress.sessions_attended),
                "peer_mentor_assigned": "yes" if progress.peer_mentor_assigned else "no",
            }
        return ProgressForm(_data(request), initial=initial)

    def perform(referral, data):
        yes_no = {"yes": True, "no": False, "": None}
        services.progress_update(
            actor=request.user,
            referral=referral,
            engagement_day_attended=yes_no[data["engagement_day"]],
            summer_school_attended=yes_no[data["summer_school"]],
            sessions_attended=data["sessions_attended"],
            peer_mentor_assigned=data["peer_mentor_assigned"] == "yes",
        )
        return f"Progress for referral {referral.reference} is saved."

    return _action_page(
        request,
        reference,
        allowed=allowed,
        form=form,
        perform=perform,
        template_context={"heading": "Record attendance and progress", "button": "Save progress"},
    )


@require_http_methods(["GET", "POST"])
@pupil_page
def referral_status(request: HttpRequest, reference: str) -> HttpResponse:
    """Move an accepted pupil on: enrolled, active, completed, each with a short reason (leaving has its own page)."""

    def allowed(req, referral):
        return permissions.can_update_progress(req, referral) and bool(_next_statuses(referral))

    def perform(referral, data):
        services.referral_advance(actor=request.user, referral=referral, to=data["status"], reason=data["reason"])
        return f"Referral {referral.reference} is now {Referral.Status(data['status']).label.lower()}."

    return _action_page(
        request,
        reference,
        allowed=allowed,
        form=lambda referral: StatusForm(_data(request), statuses=_next_statuses(referral)),
        perform=perform,
        template_context={"heading": "Change the pupil's status", "button": "Save status"},
    )


def _next_statuses(referral: Referral) -> list[tuple[str, str]]:
    if referral.status not in (Referral.Status.ACCEPTED, Referral.Status.ENROLLED, Referral.Status.ACTIVE):
        return []
    following = Referral.NEXT.get(referral.status, set()) - Referral._LEAVE
    return [(status.value, status.label) for status in Referral.Status if status in following]


@require_http_methods(["GET", "POST"])
@pupil_page
def referral_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    def allowed(req, referral):
        return referral.status != Referral.Status.DRAFT and permissions.can_withdraw_referral(req, referral)

    def perform(referral, data):
        if data["kind"] == "consent_withdrawn":
            services.consent_withdraw(actor=request.user, referral=referral, reason=data["reason"])
            return (
                f"Consent is withdrawn: referral {referral.reference} is withdrawn and the pupil's details are removed."
            )
        services.referral_withdraw(
            actor=request.user,
            referral=referral,
            reason=data["reason"],
            moved_school=data["kind"] == "moved_school",
        )
        if data["kind"] == "moved_school":
            return f"Referral {referral.reference} is recorded as moved school."
        return f"Referral {referral.reference} is withdrawn."

    return _action_page(
        request,
        reference,
        allowed=allowed,
        form=lambda referral: WithdrawForm(_data(request)),
        perform=perform,
        template_context={
            "heading": "Withdraw the pupil or record a move",
            "intro": "If the pupil holds a place, it is offered to the top of the waiting list.",
            "button": "Save",
            "destructive": True,
        },
    )


@require_http_methods(["GET", "POST"])
@pupil_page
def referral_route(request: HttpRequest, reference: str) -> HttpResponse:
    """The VRU routes a referral once the pupil's secondary is known."""

    def allowed(req, referral):
        return permissions.is_coordinator(req) and referral.status == Referral.Status.PENDING_DESTINATION

    schools_cache = {}

    def form(referral):
        schools_cache["schools"] = list(selectors.receiving_schools_for(referral.cohort))
        return RouteForm(_data(request), schools=schools_cache["schools"])

    def perform(referral, data):
        school = next(s for s in schools_cache["schools"] if s.pk == data["receiving_school"])
        services.referral_set_destination(actor=request.user, referral=referral, receiving_school=school)
        return f"Referral {referral.reference} is sent to {school.name}."

    return _action_page(
        request,
        reference,
        allowed=allowed,
        form=form,
        perform=perform,
        template_context={"heading": "Route the referral", "button": "Send to this school"},
    )


@require_http_methods(["GET", "POST"])
@pupil_page
def referral_erase(request: HttpRequest, reference: str) -> HttpResponse:
    def allowed(req, referral):
        return permissions.can_erase_referral(req, referral) and referral.erased_at is None

    def perform(referral, data):
        services.referral_erase(actor=request.user, referral=referral, reason=data["reason"])
        return f"The pupil's details in referral {referral.reference} are erased."

    return _action_page(
        request,
        reference,
        allowed=allowed,
        form=lambda referral: EraseForm(_data(request)),
        perform=perform,
        template_context={
            "heading": "Erase the pupil's record",
            "warning": "The pupil's name, date of birth, UPN, strengths, contacts and consent details are erased "
            "for good. The programme's counts keep the referral without them.",
            "button": "Erase the record",
            "destructive": True,
        },
    )


@require_http_methods(["GET", "POST"])
@pupil_page
def referral_subject_access(request: HttpRequest, reference: str) -> HttpResponse:
    """Everything held about one pupil, for a subject access request: a page, then a POSTed download (audited)."""
    referral = _visible(request, reference)
    _require(permissions.can_export_subject_access(request, referral))
    if request.method == "POST":
        return pages.subject_access_response(actor=request.user, referral=referral)
    form = ConfirmForm()
    return render(
        request,
        "stepping_stones/referral_action.html",
        {
            "form": form,
            "referral": referral,
            "heading": "Download everything held about this pupil",
            "intro": "For a subject access request: the record, its consent, progress and history, as a JSON "
            "file. The download is logged.",
            "button": "Download",
        },
    )


@require_GET
@pupil_page
def referral_access_log(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _visible(request, reference)
    _require(permissions.can_view_access_log(request, referral))
    page = _paginate(request, selectors.referral_access_log(request, referral))
    page.object_list = pages.access_log_entries(page.object_list)
    return render(request, "stepping_stones/access_log.html", {"referral": referral, "page": page})


# --- a secondary school's cohort -------------------------------------------------------------------------------


@require_GET
@pupil_page
def school_cohort(request: HttpRequest, urn: int) -> HttpResponse:
    """A secondary's places, the referrals it has to answer, its waiting list (in offer order) and its pupils."""
    if not permissions.can_view_school_cohort(request, urn):
        raise Http404("You do not run Stepping Stones at this school")
    cohort = pages.cohort_from_query(request)
    if cohort is None:
        raise Http404("No transition")
    school = pages.school_get(urn)
    if school is None:
        raise Http404("No such school")
    referrals = selectors.referrals_visible_to(request).filter(cohort=cohort, receiving_school_id=urn)
    to_answer = _tag(referrals.filter(status__in=Referral.AWAITING_SECONDARY).order_by("submitted_at", "id"), request)
    waiting_list = _tag(selectors.waiting_list_for(request, cohort=cohort, school=school), request)
    # Every pupil holding a place, a place offered from the waiting list included (it is also in "to answer" until
    # confirmed): the same selector as the "places filled" figure above it, so the count and the list agree.
    placed = _tag(selectors.pupils_with_a_place_for(request, cohort=cohort, school=school), request)
    listed = [r.reference for r in (*to_answer, *waiting_list, *placed)]
    if any(r.name_shown for r in (*to_answer, *waiting_list, *placed)):
        # Names are on this page: one access record for it, with its references (never the names).
        services.referrals_listed(actor=request.user, references=listed, what="school cohort page")
    return render(
        request,
        "stepping_stones/school_cohort.html",
        {
            "school": school,
            "cohort": cohort,
            "figures": selectors.school_cohort_figures(request, cohort=cohort, school=school),
            "to_answer": to_answer,
            "waiting_list": waiting_list,
            "placed": placed,
            "is_lead": permissions.leads_school(request, urn),
        },
    )


# --- finding a pupil -------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@pupil_page
def find(request: HttpRequest) -> HttpResponse:
    """Find a pupil by reference (then to its page) or by UPN / name / date of birth, always by POST."""
    _require(permissions.can_use_stepping_stones(request))
    which = request.POST.get("form") if request.method == "POST" else None
    reference_form = ReferenceForm(request.POST if which == "reference" else None)
    search_form = SearchForm(request.POST if which == "search" else None)
    results = None
    if which == "reference" and reference_form.is_valid():
        referral = selectors.referral_get_for(request, reference_form.cleaned_data["reference"])
        if referral is not None:
            return _detail(referral)
        reference_form.add_error("reference", "No referral you can see has this reference number")
    if which == "search" and search_form.is_valid():
        data = search_form.cleaned_data
        results = _tag(selectors.referral_find(request, upn=data["upn"], name=data["name"], dob=data.get("dob"))[:50])
        pages.search_results_logged(actor=request.user, referrals=results)
    return render(
        request,
        "stepping_stones/find.html",
        {
            "reference_form": reference_form,
            "search_form": search_form,
            "results": results,
            "searched": results is not None,
            "is_coordinator": permissions.is_coordinator(request),
        },
    )


# --- coordinators ----------------------------------------------------------------------------------------------


@require_GET
@pupil_page
def pending(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_view_pending_destinations(request))
    page = _paginate(request, selectors.pending_destinations_for(request))
    return render(request, "stepping_stones/pending.html", {"page": page})


@require_GET
@pupil_page
def dashboard(request: HttpRequest) -> HttpResponse:
    """Counts only: places filled vs available per school, waiting lists, referrals by primary, attendance."""
    _require(permissions.can_view_dashboard(request))
    cohort = pages.cohort_from_query(request)
    figures = selectors.dashboard_figures(request, cohort=cohort)
    context = {"figures": figures, "cohorts": list(selectors.cohorts_visible_to(request))}
    if figures.cohort is not None:
        context.update(pages.dashboard_context(figures))
    return render(request, "stepping_stones/dashboard.html", context)


@require_http_methods(["GET", "POST"])
@pupil_page
def needs(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_manage_cohorts(request))
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
    return render(request, "stepping_stones/needs.html", {"form": form, "needs": selectors.needs_all()})


@require_http_methods(["GET", "POST"])
@pupil_page
def need_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a need or change its description (coordinators); schools see the new wording on their referrals."""
    _require(permissions.can_manage_cohorts(request))
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
    _require(permissions.can_manage_cohorts(request))
    form = CohortForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.cohort_create(actor=request.user, transition_year=form.cleaned_data["transition_year"])
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, f"The {cohort} is set up. Add the secondary schools taking part.")
            return redirect("stepping_stones:cohort_detail", year=cohort.transition_year)
    return render(
        request, "stepping_stones/cohorts.html", {"form": form, "cohorts": selectors.cohorts_visible_to(request)}
    )


def _cohort(request, year: int):
    _require(permissions.can_manage_cohorts(request))
    cohort = selectors.cohort_get_for(request, year)
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
            "participating": selectors.participating_schools_for(request, cohort=cohort),
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
        row = selectors.participating_school_get_for(request, cohort=cohort, school_id=urn)
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
        school, feeders, missing = pages.schools_by_urn(data["urn"], data["feeders"])
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
    _require(permissions.can_export_evaluation(request))
    cohort = _cohort(request, year)
    return pages.evaluation_response(actor=request.user, cohort=cohort)
