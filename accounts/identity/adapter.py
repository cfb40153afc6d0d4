"""allauth adapters. Sign-up is open but gives no role: roles only come from invitations and grants (accounts app)."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.identity import mfa, services
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
