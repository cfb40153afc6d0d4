"""Identity reads, already scoped to the asking user."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from accounts.identity import roles_bridge
from accounts.models import ApiToken


@dataclass(frozen=True)
class TwoFactorStatus:
    required: bool
    totp: bool
    recovery_codes: bool

    @property
    def missing(self) -> bool:
        return self.required and not self.totp


def api_tokens_of(user) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first; nobody lists anyone else's."""
    if user is None or not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user_id=user.pk).order_by("-created_at", "-id")


def api_token_of(user, token_id: int) -> ApiToken | None:
    return api_tokens_of(user).filter(pk=token_id).first()


def api_tokens_working(user, now=None) -> QuerySet[ApiToken]:
    """The user's own tokens that still work: not revoked, not expired."""
    return api_tokens_of(user).filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


def api_token_state(token: ApiToken, now=None) -> str:
    now = now or timezone.now()
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= now:
        return "expired"
    return "active"


def two_factor_status(user) -> TwoFactorStatus:
    types = set(Authenticator.objects.filter(user_id=user.pk).values_list("type", flat=True))
    return TwoFactorStatus(
        required=roles_bridge.requires_two_factor(user),
        totp=Authenticator.Type.TOTP in types,
        recovery_codes=Authenticator.Type.RECOVERY_CODES in types,
    )


def user_by_email(email: str):
    """Look a person up for a programme admin's tools (view as, two-factor reset)."""
    return get_user_model().objects.filter(email__iexact=(email or "").strip()).first()


def account_overview(user) -> dict:
    """Everything My account shows, in a fixed number of queries whatever the number of roles or tokens."""
    return {
        "roles": roles_bridge.roles_summary(user),
        "invitations": list(roles_bridge.pending_invitations(user)),
        "join_requests": list(roles_bridge.pending_join_requests(user)),
        "two_factor": two_factor_status(user),
        "tokens": list(api_tokens_of(user)),
    }
