"""allauth adapters. Sign-up is open but gives no role: roles only come from invitations and grants (accounts app)."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts.identity import mfa
from accounts.identity.roles_bridge import requires_two_factor


class AccountAdapter(DefaultAccountAdapter):
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
