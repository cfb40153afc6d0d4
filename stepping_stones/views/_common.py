"""What every Stepping Stones page shares: the `pupil_page` wrapper (signed in, never cached, sensitive POST data,
404 while viewing as someone: the one place pages resolve view-as), the names leads may see in their lists, one
referral by reference, and the one decision page (gated by the model's ACTIONS)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts.identity.view_as import is_viewing_as
from core.errors import DomainError
from core.forms import form_add_domain_error
from core.workflow import closed_by_status, require_action

from .. import permissions, selectors, services
from ..models import Referral

PER_PAGE = 25


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


def _with_names(referrals, user):
    """Say on each referral whether its pupil's name is shown: to the leads of the referring and receiving schools,
    in their own lists."""
    referrals = list(referrals)
    for referral in referrals:
        referral.name_shown = permissions.leads_school(user, referral.referring_school_id) or bool(
            referral.receiving_school_id and permissions.leads_school(user, referral.receiving_school_id)
        )
    return referrals


def _visible(request, reference: str) -> Referral:
    """The referral with this reference if this person may see it; 404 otherwise (out of scope or unknown)."""
    referral = selectors.referral_get_for(request.user, reference)
    if referral is None:
        raise Http404("No referral you can see has this reference")
    return referral


def _viewed(request, referral: Referral, what: str) -> None:
    services.referral_viewed(actor=request.user, referral=referral, what=what)


def _detail(referral: Referral):
    return redirect("stepping_stones:referral_detail", reference=referral.reference)


def _add_errors(form, error: DomainError) -> None:
    """Show every refusal a service gave (ReferralInvalid carries one per field). Dates are three boxes: an error
    about a date goes on its day box, so the error summary links to it."""
    for each in getattr(error, "errors", None) or [error]:
        day_box = f"{each.field}_day"
        if day_box in form.fields:
            form.add_error(day_box, each.message)
        else:
            form_add_domain_error(form, each)


def _action_page(request, reference, *, action, form, perform, template_context):
    """One decision about one referral: gate (the model's `action` must be open to this person now), show the form,
    call the service, say what happened."""
    referral = _visible(request, reference)
    if closed_by_status(referral, action, request.user):
        # A page left open, Back after acting, or a colleague first: show where the referral is now (nothing written).
        messages.info(
            request,
            f"Referral {referral.reference} is now “{referral.get_status_display()}”: "
            f"“{Referral.ACTIONS[action].label}” is no longer open. It may have been done already, in another tab or "
            "by a colleague.",
        )
        return _detail(referral)
    require_action(referral, action, request.user)
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
