"""The coordinators' pages for possible duplicates: the same UPN referred into a cohort by two schools.

Neither school is told when it refers (that would reveal whether a child has been referred elsewhere); the
coordinators see both records here and merge them, decline one with a reason, or keep both. Each view of the two
records is logged on both pupils' access logs.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import DomainError
from core.forms import form_add_domain_error
from core.pagination import paginate
from core.permissions import require

from .. import permissions, selectors, services
from ..forms import DuplicateDecisionForm
from ..models import PossibleDuplicate
from ._common import PER_PAGE, pupil_page
from ._fragments import PROGRAMME, fragment


@require_GET
@pupil_page
def duplicates(request: HttpRequest) -> HttpResponse:
    """Pairs waiting for a decision (or, with ?show=decided, every pair and what was decided)."""
    require(permissions.can_decide_duplicates(request.user))
    show = "decided" if request.GET.get("show") == "decided" else "open"
    if show == "decided":
        queryset = (
            selectors.possible_duplicates_for(request.user, decision=None)
            .exclude(decision=PossibleDuplicate.Decision.OPEN)
            .order_by("-decided_at", "-id")
        )
    else:
        queryset = selectors.possible_duplicates_for(request.user)
    content = fragment(
        request,
        "stepping-stones-duplicates",
        template="stepping_stones/includes/duplicates_content.html",
        context=lambda: {"page": paginate(request, queryset, PER_PAGE), "show": show},
        depends_on=PROGRAMME,
    )
    return render(request, "stepping_stones/duplicates.html", {"content": content})


@require_http_methods(["GET", "POST"])
@pupil_page
def duplicate_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Both records side by side (names, dates of birth, UPNs: the coordinators' view, logged) and the decision."""
    require(permissions.can_decide_duplicates(request.user))
    flag = selectors.possible_duplicate_get_for(request.user, pk)
    if flag is None:
        raise Http404("No such possible duplicate")
    first = selectors.referral_get_for(request.user, flag.first.reference)
    second = selectors.referral_get_for(request.user, flag.second.reference)
    if first is None or second is None:
        raise Http404("No such possible duplicate")
    form = DuplicateDecisionForm(
        request.POST if request.method == "POST" and flag.is_open else None,
        first=first.reference,
        second=second.reference,
    )
    if request.method == "POST" and flag.is_open and form.is_valid():
        decision = form.cleaned_data["decision"]
        reason = form.cleaned_data["reason"]
        kind, _, reference = decision.partition(":")
        try:
            if kind == "merge":
                services.duplicate_merge(actor=request.user, duplicate=flag, keep=reference, note=reason)
                done = f"Merged: {reference} is kept and the other record is closed. Both schools are told."
            elif kind == "decline":
                services.duplicate_decline(actor=request.user, duplicate=flag, decline=reference, reason=reason)
                done = f"{reference} is declined. Its referring school is told and sees your reason."
            else:
                services.duplicate_keep_both(actor=request.user, duplicate=flag, reason=reason)
                done = f"Both kept: {first.reference} and {second.reference} carry on as two pupils."
        except DomainError as error:
            if error.field in ("keep", "decline"):
                error.field = "decision"
            form_add_domain_error(form, error)
        else:
            messages.success(request, done)
            return redirect("stepping_stones:duplicates")
    elif request.method == "GET":
        for referral in (first, second):
            services.referral_viewed(actor=request.user, referral=referral, what="possible duplicate")
    return render(
        request,
        "stepping_stones/duplicate_decide.html",
        {"flag": flag, "referrals": [first, second], "form": form},
    )
