"""DRF authentication by personal API token: `Authorization: Bearer <token>`."""

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from accounts.identity import mfa, tokens
from accounts.identity.services import api_token_mark_used, user_mark_seen
from accounts.models import ApiToken
from core.api.machine_scopes import ACCESS_TOKEN_PREFIX


class ApiTokenAuthentication(BaseAuthentication):
    """Refuses a token that is unknown, expired or revoked, whose owner is inactive, or whose owner's roles require
    two-factor sign-in that is not set up. Without a Bearer header it steps aside for session authentication."""

    keyword = "Bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Invalid Authorization header: use 'Bearer <token>'.")
        try:
            plaintext = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid token.") from exc
        if plaintext.startswith(ACCESS_TOKEN_PREFIX):
            return None  # a system's OAuth access token: machine_clients.authentication's
        return self.authenticate_credentials(plaintext)

    def authenticate_credentials(self, plaintext: str):
        candidates = ApiToken.objects.select_related("user").filter(prefix=tokens.token_prefix(plaintext))
        token = next((c for c in candidates if tokens.token_matches(plaintext, c.token_hash)), None)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This token has been revoked.")
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed("This token has expired: create a new one in My account.")
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed("This account is deactivated.")
        if mfa.two_factor_missing(user):
            raise exceptions.AuthenticationFailed(
                "Your roles require two-factor sign-in: set it up in My account before using API tokens."
            )
        api_token_mark_used(token=token)
        user_mark_seen(user=user)
        return (user, token)

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.identity.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token created in My account (shown once, expires, revocable).",
        }
