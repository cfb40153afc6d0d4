"""One pupil's record and what may be done with it (the receiving secondary's lead and coordinators: decide, confirm,
progress, status, withdraw, route, erase, subject access, access log), the lists of referrals, and a secondary's
cohort."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.pagination import paginate
from core.permissions import require
from core.workflow import action_open, open_actions, status_allows

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
from ._common import PER_PAGE, _action_page, _data, _viewed, _visible, _with_names, pupil_page
from ._fragments import PROGRAMME_AND_PEOPLE, fragment_with_references


@require_GET
@pupil_page
def referral_list(request: HttpRequest) -> HttpResponse:
    """My referrals: those from or to the schools this person leads (all, for a coordinator), with their status."""
    require(permissions.can_use_stepping_stones(request.user))

    def render_list() -> tuple[str, list[str]]:
        page = paginate(request, selectors.referrals_of_my_schools(request.user), PER_PAGE)
        page.object_list = _with_names(page.object_list, request.user)
        html = render_to_string(
            "stepping_stones/includes/referral_list_content.html",
            {
                "request": request,
                "page": page,
                "can_refer": selectors.can_refer(request.user),
                "is_lead": permissions.is_lead(request.user),
            },
        )
        return html, [referral.reference for referral in page.object_list]

    # Per person (leads see their pupils' names); the rows depend on the schools the person leads.
    content, references = fragment_with_references(
        request, "stepping-stones-referral-list", depends_on=PROGRAMME_AND_PEOPLE, render=render_list
    )
    # One access record for every view of the page, cached or not, as the API list leaves (services.referrals_listed):
    # the references of the rows shown.
    services.referrals_listed(actor=request.user, references=references, what="page list")
    return render(request, "stepping_stones/referral_list.html", {"content": content})


# Actions shown elsewhere than the record's "What you can do" list (its summary's "Change" links).
NOT_LISTED = {"edit", "destination"}


def _actions(user, referral: Referral) -> list[dict]:
    """The record's "What you can do" links: the actions its model declares open to this user now, in their order."""
    return [
        {"label": action.label, "url": reverse(f"stepping_stones:referral_{name}", args=[referral.reference])}
        for name, action in open_actions(referral, user).items()
        if name not in NOT_LISTED
    ]


@require_GET
@pupil_page
def referral_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The pupil's record. The referring primary sees it read-only once the secondary has accepted."""
    referral = _visible(request, reference)
    _viewed(request, referral, "record")
    # A draft is changed on check your answers, not here.
    can_edit = action_open(referral, "edit", request.user) and not status_allows(referral, "check")
    locked_for_viewer = (
        referral.is_locked_for_primary
        and status_allows(referral, "edit")
        and not permissions.is_coordinator(request.user)
        and permissions.leads_school(request.user, referral.referring_school_id)
        and not (referral.receiving_school_id and permissions.leads_school(request.user, referral.receiving_school_id))
    )
    progress = getattr(referral, "progress", None) if hasattr(referral, "progress") else None
    back_url = reverse("stepping_stones:home")
    if permissions.leads_school(request.user, referral.referring_school_id):
        back_url = reverse("stepping_stones:referral_list")
    elif referral.receiving_school_id and permissions.leads_school(request.user, referral.receiving_school_id):
        back_url = reverse("stepping_stones:school_cohort", args=[referral.receiving_school_id])
    return render(
        request,
        "stepping_stones/referral_detail.html",
        {
            "referral": referral,
            "consent": selectors.referral_consent_current(referral),
            "can_edit": can_edit,
            "locked_for_viewer": locked_for_viewer,
            "actions": _actions(request.user, referral),
            "progress": progress,
            "progress_shown": referral.holds_place or progress is not None,
            "waiting_position": selectors.waiting_list_position(referral),
            "timeline": pages.referral_history(referral),
            "back_url": back_url,
        },
    )


@require_http_methods(["GET", "POST"])
@pupil_page
def referral_decide(request: HttpRequest, reference: str) -> HttpResponse:

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
        action="decide",
        form=lambda referral: DecisionForm(_data(request), places_left=places),
        perform=perform,
        template_context=context,
    )


@require_http_methods(["GET", "POST"])
@pupil_page
def referral_confirm_place(request: HttpRequest, reference: str) -> HttpResponse:

    def perform(referral, data):
        services.referral_accept(actor=request.user, referral=referral)
        return f"The place is confirmed: referral {referral.reference} is accepted."

    return _action_page(
        request,
        reference,
        action="confirm_place",
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
        action="progress",
        form=form,
        perform=perform,
        template_context={"heading": "Record attendance and progress", "button": "Save progress"},
    )


@require_http_methods(["GET", "POST"])
@pupil_page
def referral_status(request: HttpRequest, reference: str) -> HttpResponse:
    """Move an accepted pupil on: enrolled, active, completed, each with a short reason (leaving has its own page)."""

    def perform(referral, data):
        services.referral_advance(actor=request.user, referral=referral, to=data["status"], reason=data["reason"])
        return f"Referral {referral.reference} is now {Referral.Status(data['status']).label.lower()}."

    return _action_page(
        request,
        reference,
        action="status",
        form=lambda referral: StatusForm(_data(request), statuses=_next_statuses(referral)),
        perform=perform,
        template_context={"heading": "Change the pupil's status", "button": "Save status"},
    )


def _next_statuses(referral: Referral) -> list[tuple[str, str]]:
    """Where the "status" action may move the pupil on to: NEXT from here, leaving aside (it has its own page)."""
    if not status_allows(referral, "status"):
        return []
    following = Referral.NEXT[referral.status] - Referral._LEAVE
    return [(status.value, status.label) for status in Referral.Status if status in following]


@require_http_methods(["GET", "POST"])
@pupil_page
def referral_withdraw(request: HttpRequest, reference: str) -> HttpResponse:

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
        action="withdraw",
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
        action="route",
        form=form,
        perform=perform,
        template_context={"heading": "Route the referral", "button": "Send to this school"},
    )


@require_http_methods(["GET", "POST"])
@pupil_page
def referral_erase(request: HttpRequest, reference: str) -> HttpResponse:

    def perform(referral, data):
        services.referral_erase(actor=request.user, referral=referral, reason=data["reason"])
        return f"The pupil's details in referral {referral.reference} are erased."

    return _action_page(
        request,
        reference,
        action="erase",
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
    require(permissions.can_export_subject_access(request.user, referral))
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
    require(permissions.can_view_access_log(request.user, referral))
    page = paginate(request, selectors.referral_access_log(request.user, referral), PER_PAGE)
    page.object_list = pages.access_log_entries(page.object_list)
    return render(request, "stepping_stones/access_log.html", {"referral": referral, "page": page})


@require_GET
@pupil_page
def school_cohort(request: HttpRequest, urn: int) -> HttpResponse:
    """A secondary's places, the referrals it has to answer, its waiting list (in offer order) and its pupils."""
    if not permissions.can_view_school_cohort(request.user, urn):
        raise Http404("You do not run Stepping Stones at this school")
    cohort = pages.cohort_from_query(request)
    if cohort is None:
        raise Http404("No transition")
    school = selectors.school_get(urn)
    if school is None:
        raise Http404("No such school")
    referrals = selectors.referrals_visible_to(request.user).filter(cohort=cohort, receiving_school_id=urn)
    to_answer = _with_names(
        referrals.filter(status__in=Referral.AWAITING_SECONDARY).order_by("submitted_at", "id"), request.user
    )
    waiting_list = _with_names(selectors.waiting_list_for(request.user, cohort=cohort, school=school), request.user)
    # Every pupil holding a place: the same selector as the "places filled" figure above it, so the count and the
    # lists agree. Each pupil is in one list: a place offered from the waiting list (it holds a place and waits for the
    # school to confirm it) is under "to answer", where the school acts on it; the rest have a confirmed place.
    placed = _with_names(selectors.pupils_with_a_place_for(request.user, cohort=cohort, school=school), request.user)
    offered = [r for r in placed if r.status == Referral.Status.OFFERED]
    confirmed = [r for r in placed if r.status != Referral.Status.OFFERED]
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
            "figures": selectors.school_cohort_figures(request.user, cohort=cohort, school=school),
            "to_answer": to_answer,
            "waiting_list": waiting_list,
            "placed": placed,
            "offered": offered,
            "confirmed": confirmed,
            "is_lead": permissions.leads_school(request.user, urn),
        },
    )
