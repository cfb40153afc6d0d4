"""One pupil's record and what may be done with it (the receiving secondary's lead and coordinators: decide, confirm,
progress, status, withdraw, route, erase, subject access, access log), the lists of referrals, and a secondary's
cohort."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from .. import pages, permissions, selectors, services
from ..forms import (
    ConfirmForm,
    DecisionForm,
    EraseForm,
    ProgressForm,
    RouteForm,
    StatusForm,
    WithdrawForm,
)
from ..models import Referral
from ._common import _action_page, _data, _paginate, _require, _tag, _viewed, _visible, pupil_page


@require_GET
@pupil_page
def referral_list(request: HttpRequest) -> HttpResponse:
    """My referrals: those from or to the schools this person leads (all, for a coordinator), with their status."""
    _require(permissions.can_use_stepping_stones(request))
    page = _paginate(request, selectors.referrals_of_my_schools(request))
    page.object_list = _tag(page.object_list, request)
    # One access record for the page, as the API list leaves (services.referrals_listed): references only.
    services.referrals_listed(
        actor=request.user, references=[referral.reference for referral in page.object_list], what="page list"
    )
    return render(
        request,
        "stepping_stones/referral_list.html",
        {"page": page, "can_refer": selectors.can_refer(request), "is_lead": permissions.is_lead(request)},
    )


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


@require_GET
@pupil_page
def school_cohort(request: HttpRequest, urn: int) -> HttpResponse:
    """A secondary's places, the referrals it has to answer, its waiting list (in offer order) and its pupils."""
    if not permissions.can_view_school_cohort(request, urn):
        raise Http404("You do not run Stepping Stones at this school")
    cohort = pages.cohort_from_query(request)
    if cohort is None:
        raise Http404("No transition")
    school = selectors.school_get(urn)
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
