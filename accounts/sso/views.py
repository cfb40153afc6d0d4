"""Start and finish a provider sign-in (allauth's OAuth2 views with the portal's adapter), the page for a failed one,
and confirming it's you through the provider."""

from __future__ import annotations

import logging

import requests
from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.http import Http404
from django.shortcuts import render

from .config import configured_app
from .provider import DiscoveryUnreadable, PortalOIDCAdapter

logger = logging.getLogger("accounts.sso")

# What the error page says, by what went wrong. Never the provider's own words: they can carry tokens or codes.
PROBLEMS = {
    "unavailable": "We could not reach {provider}. It may be down or busy.",
    "cancelled": "You did not finish signing in with {provider}, or {provider} refused the sign-in.",
    "rejected": "{provider} sent a sign-in we could not check, so we did not sign you in.",
    "expired": "The sign-in took too long or was started in another window, so we did not sign you in.",
}


def provider_error_page(request, *, provider_name: str, problem: str, status: int):
    return render(
        request,
        "accounts/sso/provider_error.html",
        {"provider_name": provider_name, "problem": PROBLEMS[problem].format(provider=provider_name)},
        status=status,
    )


def log_provider_failure(*, provider_id: str, problem: str, reason: str) -> None:
    """One line per failed sign-in: the provider, the kind of failure and a short reason; never a token or code."""
    logger.warning("Single sign-on failed", extra={"provider": provider_id, "problem": problem, "reason": reason})


def _unavailable(request, provider_id: str, error: Exception):
    log_provider_failure(provider_id=provider_id, problem="unavailable", reason=type(error).__name__)
    name = _provider_name(request, provider_id) or "the sign-in service"
    return provider_error_page(request, provider_name=name, problem="unavailable", status=502)


def _provider_name(request, provider_id: str) -> str:
    app = configured_app(provider_id)
    return app["name"] if app else ""


def _adapter(request, provider_id: str) -> PortalOIDCAdapter:
    if not _provider_name(request, provider_id):
        raise Http404
    return PortalOIDCAdapter(request, provider_id)


class PortalCallbackView(OAuth2CallbackView):
    def _get_state(self, request, provider):
        state, response = super()._get_state(request, provider)
        self.adapter.state = state  # the nonce the ID token must carry
        return state, response


@login_not_required
def login(request, provider_id: str):
    """A POST from a sign-in button goes to the provider; a GET shows the confirmation page allauth shows."""
    adapter = _adapter(request, provider_id)
    try:
        return OAuth2LoginView.adapter_view(adapter)(request)
    except (requests.RequestException, DiscoveryUnreadable) as error:
        return _unavailable(request, provider_id, error)


@login_not_required
def callback(request, provider_id: str):
    adapter = _adapter(request, provider_id)
    try:
        return PortalCallbackView.adapter_view(adapter)(request)
    except (requests.RequestException, DiscoveryUnreadable) as error:
        return _unavailable(request, provider_id, error)


def reauthenticate(request):
    """Confirm it's you, for someone with no portal password: sign in at the provider again (`prompt=login`)."""
    from django.contrib.auth.views import redirect_to_login
    from django.utils.http import url_has_allowed_host_and_scheme

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    return render(request, "accounts/sso/reauthenticate.html", {"next_url": next_url})
