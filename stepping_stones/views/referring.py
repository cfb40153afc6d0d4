"""Referring a pupil (a primary's lead): the question pages, check your answers (each Change link comes back to it)
and the confirmation."""

from functools import wraps

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import DomainError
from core.forms import form_add_domain_error
from core.permissions import require
from core.workflow import require_action, status_allows

from .. import pages, permissions, selectors, services
from ..forms import (
    ConsentForm,
    ContactForm,
    DestinationForm,
    NeedsForm,
    PupilForm,
)
from ..models import Referral
from ._common import _add_errors, _data, _detail, _viewed, _visible, pupil_page


@require_GET
@pupil_page
def refer_start(request: HttpRequest) -> HttpResponse:
    """The safeguarding interruption before the referral form. The lead of a school without Year 6 (an infant school)
    is told it cannot refer; a secondary's lead is told where referrals come from."""
    if not selectors.can_refer(request.user):
        without_year_6 = selectors.schools_without_year_6_led_by(request.user)
        if without_year_6:
            return render(
                request,
                "stepping_stones/refer_no_year_6.html",
                {"schools": without_year_6, "contact": pages.programme_contact()},
            )
        require(permissions.is_lead(request.user))
        # "Your school's places": the page of each participating secondary this person leads (named when several).
        schools = selectors.lead_secondary_rows(request.user, cohort=selectors.cohort_current())
        return render(
            request,
            "stepping_stones/refer_from_primaries.html",
            {"contact": pages.programme_contact(), "schools": schools},
        )
    return render(request, "stepping_stones/refer_start.html")


def _pupil_form(request, referral=None, schools=None):
    """The pupil question: the schools offered are those this person may refer from (only schools teaching Year 6);
    one they lead without Year 6, posted from a page opened before, is refused with the reason."""
    refused = []
    if schools is None:
        schools = list(selectors.schools_to_refer_from(request.user))
        refused = selectors.schools_without_year_6_led_by(request.user) if request.method == "POST" else []
    cohorts = list(selectors.cohorts_open_for_referral(request.user))
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
    form = PupilForm(_data(request), initial=initial, schools=schools, cohorts=cohorts, refused_schools=refused)
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
    if not status_allows(referral, "check"):  # no longer a draft: back to the record
        messages.success(request, f"Referral {referral.reference} is updated.")
        return _detail(referral)
    if _returning_to_check(request) or next_name == "referral_check":
        return redirect("stepping_stones:referral_check", reference=referral.reference)
    return redirect(f"stepping_stones:{next_name}", reference=referral.reference)


@require_http_methods(["GET", "POST"])
@pupil_page
def referral_new(request: HttpRequest) -> HttpResponse:
    """The first question page: who the pupil is. Saving it creates the draft and its reference number."""
    schools = None
    if not selectors.can_refer(request.user):
        # A lead whose schools do not teach Year 6 is never offered this page (the start page says why). A form
        # posted anyway, say from a page opened before, goes to the service, which refuses it with the reason.
        # A secondary's lead who opens the page is sent to the start page too, which says where referrals come from.
        schools = selectors.schools_without_year_6_led_by(request.user)
        if request.method != "POST" and (schools or permissions.is_lead(request.user)):
            return redirect("stepping_stones:refer_start")
        require(schools)
    form, schools, cohorts = _pupil_form(request, schools=schools)
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


def _editable(request, reference: str) -> Referral:
    referral = _visible(request, reference)
    if not permissions.can_edit_referral(request.user, referral):
        if referral.has_personal_data and status_allows(referral, "edit"):
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
    elif status_allows(referral, "route"):  # waiting for its secondary to be known
        initial["receiving_school"] = "not-yet-known"
    form = DestinationForm(_data(request), initial=initial, schools=schools)
    if request.method == "POST" and form.is_valid():
        school = next((s for s in schools if s.pk == form.cleaned_data["receiving_school"]), None)
        try:
            if status_allows(referral, "route") and school is not None:
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
    if not status_allows(referral, "check"):
        return _detail(referral)
    require_action(referral, "check", request.user)
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
    if status_allows(referral, "check"):  # not sent yet
        return redirect("stepping_stones:referral_check", reference=referral.reference)
    return render(
        request,
        "stepping_stones/referral_confirmation.html",
        {"referral": referral, "contact": pages.programme_contact()},
    )
