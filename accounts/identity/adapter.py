"""allauth adapters. Sign-up is open but gives no role: roles only come from invitations and grants (accounts app).

Wrong passwords count on the account's one counter of wrong secrets (accounts.identity.attempts), with wrong
two-factor codes; a sign-in within the last few minutes counts as having confirmed it's you.
"""

import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.identity import attempts, mfa, services
from accounts.identity.roles_bridge import requires_two_factor
from core.client_ip import client_ip
from core.emails import email_send


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": "Enter a correct email address and password",
        "account_inactive": "This account has been deactivated. Ask the programme team to restore it",
        "incorrect_code": "Enter the 6-digit code from your authenticator app",
        "incorrect_password": "Enter your current password",
        "enter_current_password": "Enter your current password",
        "invalid_or_expired_key": "This link has expired or has already been used. Ask for a new one",
        "invalid_password_reset": "This link has expired or has already been used. Ask for a new one",
        "too_many_login_attempts": "Too many failed attempts to sign in. Wait 5 minutes and try again",
        "too_many_wrong_secrets": attempts.LOCKED_MESSAGE,
        "rate_limited": "You have sent too many requests. Wait a few minutes and try again",
        "email_taken": "An account with this email address already exists",
    }

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's emails (confirm your address, you already have an account, reset your password...) are rendered
        here but sent by the task queue after commit, like every portal email: sending inside the request made signing
        up with a registered address measurably faster than with a new one."""
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request), **context},
        )
        paragraphs = [part.strip() for part in message.body.split("\n\n") if part.strip()]
        email_send(
            to=list(message.to),
            template="identity_account_email",
            context={"subject": message.subject, "body": message.body, "paragraphs": paragraphs},
        )

    def set_password(self, user, password):
        """A changed or reset password also revokes the person's API tokens (accounts.identity.services)."""
        services.password_set(user=user, password=password)

    def get_client_ip(self, request) -> str:
        """allauth's rate limits know a caller by `core.client_ip` (X-Forwarded-For only from a configured proxy)."""
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    @staticmethod
    def _account_email(request, credentials) -> str:
        """The address the password was given for: the sign-in form's, or the signed-in user's when confirming."""
        email = credentials.get("email") or credentials.get("username") or ""
        if not email and request is not None and request.user.is_authenticated:
            email = request.user.email
        return email

    def pre_authenticate(self, request, **credentials):
        super().pre_authenticate(request, **credentials)
        email = self._account_email(request, credentials)
        if email and attempts.locked(email):
            raise self.validation_error("too_many_wrong_secrets")

    def authentication_failed(self, request, **credentials):
        email = self._account_email(request, credentials)
        if email:
            attempts.failed(email)

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None and not mfa.has_totp(user):
            attempts.clear(user)  # the password was all there was to guess
        return user

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Not straight after signing in: a sign-in (password or code) within ACCOUNT_REAUTHENTICATION_TIMEOUT
        seconds counts as having confirmed it's you, so setting up two-factor does not ask for the password again."""
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = getattr(allauth_context, "request", None)
        if request is None or not request.user.is_authenticated:
            return True
        records = get_authentication_records(request, request.user)
        signed_in_at = records[-1].get("at", 0) if records else 0
        return time.time() - signed_in_at >= account_settings.REAUTHENTICATION_TIMEOUT

    def is_email_verified(self, request, email: str) -> bool:
        """Never verified from the session. The invitation page puts the invited address in the session only so the
        sign-up form starts with it filled in (allauth's "stash"); the address is still confirmed by email, because an
        invitation link can be forwarded and must not be enough to take the address."""
        return False

    def unstash_verified_email(self, request):
        """The stash only filled in the form (see is_email_verified): clear it and treat nothing as verified."""
        super().unstash_verified_email(request)
        return None

    def add_message(self, request, level, message_template=None, message_context=None, extra_tags="", message=None):
        """Signing up, or signing in with an address not yet confirmed, goes to the "Check your email" page, which
        says the email was sent: a banner saying it again is said twice. Sending it again from the account's email
        page keeps the banner (that page does not say it)."""
        if message_template == "account/messages/email_confirmation_sent.txt" and request.path in {
            reverse("account_signup"),
            reverse("account_login"),
        }:
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    def get_login_redirect_url(self, request):
        """Someone whose roles need two-factor sign-in, and who has not set it up, goes straight to set it up; someone
        who came from an invitation link before signing up goes back to that invitation (accounts.invitation_resume).
        Someone DfE Sign-in places at a school in the register, who is not on its staff or waiting to join, goes to the
        join request for it, filled in (the headteacher still decides)."""
        if mfa.two_factor_missing(request.user):
            return reverse("mfa_activate_totp")
        from accounts import invitation_resume
        from accounts.sso.suggestions import join_request_suggestion

        resumed = invitation_resume.take(request)
        if resumed:
            return resumed
        suggestion = join_request_suggestion(request)
        if suggestion is not None and suggestion["can_ask"]:
            return f"{reverse('accounts:join_request_create')}?urn={suggestion['school'].urn}"
        return super().get_login_redirect_url(request)

    def get_reauthentication_methods(self, user) -> list[dict]:
        """Someone with no portal password (they sign in with DfE Sign-in or Entra ID) confirms it's them at the
        provider, which is asked to sign them in again (`prompt=login`)."""
        methods = super().get_reauthentication_methods(user)
        if user.is_authenticated and not user.has_usable_password() and user.socialaccount_set.exists():
            url = reverse("sso_reauthenticate")
            methods.insert(0, {"id": "sso", "description": "Sign in again with your work account", "url": url})
        return methods

    def get_signup_redirect_url(self, request):
        """A new account made by a provider sign-in goes where a sign-in goes (the join request DfE suggests)."""
        return self.get_login_redirect_url(request)

    def get_login_stages(self) -> list[str]:
        """allauth's stages, with its two-factor stage replaced by one that accepts a provider's multi-factor claim."""
        ours = "accounts.sso.stages.ProviderAwareAuthenticateStage"
        return [ours if path == "allauth.mfa.stages.AuthenticateStage" else path for path in super().get_login_stages()]

    def get_logout_redirect_url(self, request):
        """Signing out of a session that signed in with a provider also ends the provider's session, where the
        provider offers RP-initiated logout and its settings allow it; otherwise the portal's own page."""
        from accounts.sso.logout import provider_logout_url

        return provider_logout_url(request) or super().get_logout_redirect_url(request)


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": "The code is not correct. Enter the 6-digit code your authenticator app shows now",
        "code_already_used": mfa.USED_CODE_MESSAGE,
        "too_many_wrong_secrets": attempts.LOCKED_MESSAGE,
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Nobody switches off the authenticator app their roles require; a programme admin can reset it instead."""
        if authenticator.type == Authenticator.Type.TOTP and requires_two_factor(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)
