"""allauth adapters. Sign-up is open but gives no role: roles only come from invitations and grants (accounts app)."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts.identity import mfa
from accounts.identity.roles_bridge import requires_two_factor


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
        "rate_limited": "You have sent too many requests. Wait a few minutes and try again",
        "email_taken": "An account with this email address already exists",
    }

    def is_email_verified(self, request, email: str) -> bool:
        """Never verified from the session. The invitation page puts the invited address in the session only so the
        sign-up form starts with it filled in (allauth's "stash"); the address is still confirmed by email, because an
        invitation link can be forwarded and must not be enough to take the address."""
        return False

    def unstash_verified_email(self, request):
        """The stash only filled in the form (see is_email_verified): clear it and treat nothing as verified."""
        super().unstash_verified_email(request)
        return None

    def get_login_redirect_url(self, request):
        """Someone whose roles need two-factor sign-in, and who has not set it up, goes straight to set it up."""
        if mfa.two_factor_missing(request.user):
            return reverse("mfa_activate_totp")
        return super().get_login_redirect_url(request)


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Nobody switches off the authenticator app their roles require; a programme admin can reset it instead."""
        if authenticator.type == Authenticator.Type.TOTP and requires_two_factor(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)
