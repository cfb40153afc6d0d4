"""My account, API tokens, sessions, 'view as' and two-factor reset. Views gate early and call services."""

import time

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.totp import views as allauth_totp_views
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.identity import mfa, mfa_forms, selectors, services, sessions, view_as
from accounts.identity.forms import ApiTokenCreateForm, PersonAndReasonForm, add_domain_error
from accounts.identity.permissions import can_view_as, is_programme_admin
from accounts.identity.roles_bridge import may_reset_two_factor
from accounts.sso.config import configured_apps
from accounts.sso.suggestions import join_request_suggestion
from core.errors import DomainError


@never_cache
@login_required
def account(request):
    overview = selectors.account_overview(request.user)
    for token in overview["tokens"]:
        token.state = selectors.api_token_state(token)
    return render(
        request,
        "accounts/identity/account.html",
        {
            **overview,
            "is_programme_admin": is_programme_admin(view_as.view_as_actor(request) or request.user),
            "sso_links": list(request.user.socialaccount_set.all()) if configured_apps() else [],
            "sso_suggestion": join_request_suggestion(request),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_create(request):
    from accounts.sso.confirmation import recent_provider_sign_in

    confirmation = None
    if not request.user.has_usable_password():
        confirmation = recent_provider_sign_in(request)
        if confirmation is None:
            return redirect(f"{reverse('sso_reauthenticate')}?{urlencode({'next': request.get_full_path()})}")
    needs_code = mfa.has_totp(request.user) and not (confirmation and confirmation["two_factor"])
    form = ApiTokenCreateForm(request.POST or None, needs_code=needs_code, needs_password=confirmation is None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                password=form.cleaned_data.get("password", ""),
                otp_code=form.cleaned_data.get("otp_code"),
                days=form.cleaned_data["days"],
                provider_confirmation=confirmation,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            # Rendered, not redirected: the plaintext exists only in this response and is never stored.
            return render(request, "accounts/identity/token_created.html", {"issued": issued})
    return render(
        request,
        "accounts/identity/token_create.html",
        {"form": form, "two_factor_missing": mfa.two_factor_missing(request.user)},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request, token_id: int):
    token = selectors.api_token_of(request.user, token_id)
    if token is None:
        raise Http404
    if request.method == "POST":
        try:
            services.api_token_revoke(token_id=token.pk, actor=request.user)
        except DomainError as error:
            messages.info(request, error.message)
        else:
            messages.success(request, f"Token '{token.name}' was revoked. It no longer works.")
        return redirect(reverse("identity:account") + "#api-tokens")
    return render(request, "accounts/identity/token_revoke.html", {"token": token})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def sign_out_everywhere(request):
    if request.method == "POST":
        services.sessions_revoke_all(user=request.user)
        logout(request)
        messages.success(request, "You have been signed out on every device, including this one.")
        return redirect("account_login")
    return render(
        request,
        "accounts/identity/sign_out_everywhere.html",
        {"tokens_revoked": selectors.api_tokens_working(request.user).count()},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def session_keep_alive(request):
    """GET says how long the session has left without counting as activity; POST keeps the session going."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False, "seconds_left": 0}, status=401)
    if request.method == "POST":
        sessions.mark_active(request.session)
    else:
        request.identity_passive = True
    return JsonResponse({"signed_in": True, "seconds_left": sessions.seconds_left(request.session)})


@never_cache
def session_timed_out(request):
    return render(request, "accounts/identity/session_timed_out.html")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def view_as_start(request):
    actor = view_as.view_as_actor(request) or request.user
    if not is_programme_admin(actor):
        raise PermissionDenied
    form = PersonAndReasonForm(
        request.POST or None,
        reason_label="Why do you need to view the service as this person?",
        reason_hint="For example, the support request you are answering. This is recorded.",
    )
    if request.method == "POST" and form.is_valid():
        target = selectors.user_by_email(form.cleaned_data["email"])
        if target is None:
            form.add_error("email", "No account uses this email address")
        elif not can_view_as(actor, target):
            form.add_error(
                "email", "You cannot view as this person (yourself, a programme admin, staff or a deactivated account)"
            )
        else:
            try:
                services.view_as_start(actor=actor, target_id=target.pk, reason=form.cleaned_data["reason"])
            except DomainError as error:
                add_domain_error(form, error)
            else:
                request.session[view_as.SESSION_KEY] = {"user_id": target.pk, "started_at": time.time()}
                messages.info(request, f"You are now viewing the service as {target.email}. Nothing can be changed.")
                return redirect("identity:account")
    return render(request, "accounts/identity/view_as_start.html", {"form": form})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def view_as_stop(request):
    actor = view_as.view_as_actor(request)
    if actor is None:
        return redirect("identity:account")
    if request.method == "POST":
        state = request.session.pop(view_as.SESSION_KEY, {})
        services.view_as_stop(actor=actor, target_id=state.get("user_id"), ended_by="stopped by the admin")
        messages.success(request, f"You stopped viewing as {request.user.email}.")
        return redirect("identity:account")
    return render(request, "accounts/identity/view_as_stop.html")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_reset(request):
    if not is_programme_admin(request.user):
        raise PermissionDenied
    form = PersonAndReasonForm(
        request.POST or None,
        reason_label="How did you check who the person is?",
        reason_hint="For example, 'Phoned the school office and spoke to the headteacher'. This is recorded.",
    )
    if request.method == "POST" and form.is_valid():
        target = selectors.user_by_email(form.cleaned_data["email"])
        if target is None:
            form.add_error("email", "No account uses this email address")
        elif not may_reset_two_factor(request.user, target):
            form.add_error("email", "You cannot reset your own two-factor sign-in: ask another programme admin")
        else:
            try:
                services.two_factor_reset(user_id=target.pk, actor=request.user, reason=form.cleaned_data["reason"])
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(
                    request, f"Two-factor sign-in was reset for {target.email}. They have been told by email."
                )
                return redirect("identity:two_factor_reset")
    return render(request, "accounts/identity/two_factor_reset.html", {"form": form})


class ActivateTOTPView(allauth_totp_views.ActivateTOTPView):
    """allauth's set-up page (same address and name, mfa_activate_totp). The form keeps one secret per set-up
    (accounts.identity.mfa_forms); on success this session counts as having passed two-factor: the person has just
    entered a code from the new authenticator."""

    def form_valid(self, form):
        response = super().form_valid(form)
        authenticator = mfa.totp_authenticator(self.request.user)
        record_authentication(
            self.request, self.request.user, "mfa", id=authenticator.pk, type=authenticator.type, setup=True
        )
        return response


activate_totp = ActivateTOTPView.as_view()


@never_cache
@login_required
@require_http_methods(["POST"])
def two_factor_setup_cancel(request):
    """Cancel set-up: the secret shown is forgotten, and the next visit to set-up shows a new one."""
    mfa_forms.cancel_totp_set_up(request)
    if mfa.two_factor_missing(request.user):
        messages.info(request, "Set-up was cancelled. Your roles require two-factor sign-in: sign in again to set up.")
        logout(request)
        return redirect("account_login")
    messages.info(request, "Two-factor set-up was cancelled.")
    return redirect("mfa_index")


@never_cache
def django_admin_login(request):
    """The Django admin's login page: the portal's sign-in instead, so the admin gets the same password limits and
    two-factor as every other page (Django's own login form would sign in with a password alone). Someone signed in
    who is sent here is not staff: refused, not sent round to sign in again."""
    if request.user.is_authenticated:
        raise PermissionDenied
    next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("admin:index")
    return redirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")
