"""Everyone who uses Stepping Stones: the programme's home page, the privacy notice, and finding a pupil (always by
POST)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.identity.view_as import is_viewing_as
from core.permissions import require

from .. import pages, permissions, selectors, services
from ..forms import (
    ReferenceForm,
    SearchForm,
)
from ._common import _detail, _with_names, pupil_page


@require_GET
@pupil_page
def home(request: HttpRequest) -> HttpResponse:
    """What this person does in Stepping Stones: refer (primary), answer and run a cohort (secondary), coordinate."""
    require(permissions.can_use_stepping_stones(request.user))
    cohort = selectors.cohort_current()
    is_coordinator = permissions.is_coordinator(request.user)
    context = {
        "cohort": cohort,
        "is_coordinator": is_coordinator,
        "pending_count": selectors.pending_destinations_for(request.user).count() if is_coordinator else 0,
        "duplicates_count": selectors.possible_duplicates_for(request.user).count() if is_coordinator else 0,
        "secondary_schools": selectors.lead_secondary_rows(request.user, cohort=cohort),
        "can_refer": selectors.can_refer(request.user),
        "drafts": _with_names(selectors.drafts_for(request.user)[:20], request.user),
    }
    # A lead of a school without Year 6 (an infant school) is told it cannot refer, not offered a referral.
    context["schools_without_year_6"] = (
        [] if context["can_refer"] else selectors.schools_without_year_6_led_by(request.user)
    )
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
    can_use = not is_viewing_as(request) and permissions.can_use_stepping_stones(request.user)
    return render(request, "stepping_stones/privacy.html", {"can_use": can_use})


@require_http_methods(["GET", "POST"])
@pupil_page
def find(request: HttpRequest) -> HttpResponse:
    """Find a pupil by reference (then to its page) or by UPN / name / date of birth, always by POST."""
    require(permissions.can_use_stepping_stones(request.user))
    which = request.POST.get("form") if request.method == "POST" else None
    reference_form = ReferenceForm(request.POST if which == "reference" else None)
    search_form = SearchForm(request.POST if which == "search" else None)
    results = None
    if which == "reference" and reference_form.is_valid():
        referral = selectors.referral_get_for(request.user, reference_form.cleaned_data["reference"])
        if referral is not None:
            return _detail(referral)
        reference_form.add_error("reference", "No referral you can see has this reference number")
    if which == "search" and search_form.is_valid():
        data = search_form.cleaned_data
        results = list(
            selectors.referral_find(request.user, upn=data["upn"], name=data["name"], dob=data.get("dob"))[:50]
        )
        pages.search_results_logged(actor=request.user, referrals=results)
    return render(
        request,
        "stepping_stones/find.html",
        {
            "reference_form": reference_form,
            "search_form": search_form,
            "results": results,
            "searched": results is not None,
            "is_coordinator": permissions.is_coordinator(request.user),
        },
    )
