"""allauth's social account adapter: identity, not authority.

A provider sign-in proves who the person is. It never gives a role (roles come only from invitations, approvals and
grants), links to an existing account by itself only when the provider is trusted for the address's domain
(accounts.sso.trust), and counts as two-factor only when the ID token says so (accounts.sso.stages). Failures show
one GOV.UK page and leave one log line without tokens (accounts.sso.views)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base.constants import AuthError, AuthProcess
from django.contrib.auth import get_user_model
from django.shortcuts import render
from django.urls import reverse

from . import tokens, trust
from .views import log_provider_failure, provider_error_page


def _claims(sociallogin) -> tuple[dict, dict]:
    extra = sociallogin.account.extra_data or {}
    return extra.get("id_token") or {}, extra.get("userinfo") or {}


def _organisation(id_claims: dict, userinfo: dict) -> dict | None:
    organisation = tokens.organisation_claim(id_claims) or tokens.organisation_claim(userinfo)
    if organisation is None:
        return None
    urn = tokens.establishment_urn(organisation)
    return {"name": str(organisation.get("name") or "")[:200], "urn": urn}


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return True

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(p for p in (data.get("first_name"), data.get("last_name")) if p)
        user.full_name = (name or "").strip()[:150]
        return user

    def pre_social_login(self, request, sociallogin):
        app = sociallogin.account.get_provider().app
        id_claims, userinfo = _claims(sociallogin)
        email = (sociallogin.user.email or "").strip().lower()
        trusted = trust.email_trusted(app.settings, id_claims, email)
        for address in sociallogin.email_addresses:
            address.verified = trusted and address.email == email
        request.sso_assertion = {
            "provider": app.provider_id,
            "two_factor": tokens.asserts_multi_factor(id_claims, app.settings.get("mfa_acr_values", [])),
            "organisation": _organisation(id_claims, userinfo),
            "session_key": trust.SESSION_PROVIDER_KEY,
            "organisation_key": trust.SESSION_ORGANISATION_KEY,
        }
        if sociallogin.is_existing or sociallogin.state.get("process") == AuthProcess.CONNECT:
            return  # a known identity, or linking from My account (allauth checks it is not someone else's)
        existing = get_user_model().objects.filter(email__iexact=email).first() if email else None
        if existing is None:
            return  # a new account with no role; an address the provider is not trusted for is confirmed by email
        if not trusted or not existing.is_active:
            log_provider_failure(provider_id=app.provider_id, problem="not_linked", reason="email not trusted")
            raise ImmediateHttpResponse(
                render(request, "accounts/sso/link_needed.html", {"provider_name": app.name}, status=403)
            )
        request.sso_link_how = f"linked automatically: {app.name} is trusted for {trust.email_domain(email)}"
        sociallogin.connect(request, existing)
        # The trusted provider vouches for the address, as a confirmation email would have.
        address = EmailAddress.objects.filter(user=existing, email__iexact=email).first()
        if address is None:
            EmailAddress.objects.create(user=existing, email=existing.email, primary=True, verified=True)
        elif not address.verified:
            address.verified = True
            address.save(update_fields=["verified"])

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        if error == AuthError.CANCELLED:
            problem, reason, status = "cancelled", "access_denied", 400
        elif isinstance(exception, tokens.IdTokenRejected):
            problem, reason, status = "rejected", exception.reason, 400
        elif exception is not None:
            problem, reason, status = "unavailable", type(exception).__name__, 502
        elif (extra_context or {}).get("state") is None and "state_id" in (extra_context or {}):
            problem, reason, status = "expired", "unknown state", 400
        else:
            problem, reason, status = "cancelled", str(error or "provider error")[:40], 400
        log_provider_failure(provider_id=provider.app.provider_id, problem=problem, reason=reason)
        raise ImmediateHttpResponse(
            provider_error_page(request, provider_name=provider.app.name, problem=problem, status=status)
        )

    def get_connect_redirect_url(self, request, socialaccount):
        return reverse("socialaccount_connections")
