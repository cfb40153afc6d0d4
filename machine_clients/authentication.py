"""DRF authentication of systems by OAuth 2.0 access token (client credentials), and the scope check.

`Authorization: Bearer lssc_...`: django-oauth-toolkit validates the token; then the client must still be active
(not expired, not revoked) and the view must accept systems with a scope the token carries
(`core.api.machine_scopes.view_scope`). Anything else is refused before the view runs: 401 for a token that does not
work, 403 with the scope needed for a call outside the scopes. Every call by a known client is written to the access
log (machine_clients.middleware); refused ones are audited too.

The caller is not a person: `request.user` is a `MachineClientUser` (not authenticated as a person, so every view
sees what anonymous visitors see and nothing that needs an account), `request.auth` the access token.
"""

import hashlib

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.models import AccessToken
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header
from rest_framework.permissions import BasePermission

from core.api.machine_scopes import ACCESS_TOKEN_PREFIX, SCOPES, view_scope
from machine_clients import services
from machine_clients.models import MachineClient

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class MachineClientUser(AnonymousUser):
    """The principal of a call made by a system: no roles, no pupil records; `machine_client` says which system."""

    def __init__(self, client: MachineClient):
        super().__init__()
        self.machine_client = client

    def __str__(self):
        return f"client:{self.machine_client.client_id}"


def _bearer(request) -> str | None:
    parts = get_authorization_header(request).split()
    if len(parts) != 2 or parts[0].lower() != b"bearer":
        return None
    try:
        token = parts[1].decode("ascii")
    except UnicodeDecodeError:
        return None
    return token if token.startswith(ACCESS_TOKEN_PREFIX) else None


def _note_call(request, client: MachineClient, refused: str = "") -> None:
    """Tell the access-log middleware (on the Django request) who called and why it was refused, if it was."""
    request._request.machine_client_call = {"client_id": client.pk, "refused": refused}


class MachineClientAuthentication(OAuth2Authentication):
    www_authenticate_realm = "api"

    def authenticate(self, request):
        plaintext = _bearer(request)
        if plaintext is None:
            return None  # not an OAuth access token: personal tokens and sessions are other classes' business
        result = super().authenticate(request)
        token = result[1] if result else self._find(plaintext)
        client = self._client_of(token)
        if client is None:
            raise exceptions.AuthenticationFailed("Invalid access token.")
        status = client.status_at(timezone.now())
        if status != MachineClient.Status.ACTIVE:
            self._refuse(request, client, f"client_{status}")
            raise exceptions.AuthenticationFailed(
                f"This client {'was revoked' if status == MachineClient.Status.REVOKED else 'has expired'}: "
                "ask the programme team for new credentials."
            )
        if result is None:  # known token that did not validate: expired
            self._refuse(request, client, "token_expired")
            raise exceptions.AuthenticationFailed("This access token has expired: request a new one.")
        self._check_scope(request, client, token)
        _note_call(request, client)
        return (MachineClientUser(client), token)

    @staticmethod
    def _find(plaintext: str) -> AccessToken | None:
        checksum = hashlib.sha256(plaintext.encode("utf-8")).hexdigest()
        return AccessToken.objects.select_related("application").filter(token_checksum=checksum).first()

    @staticmethod
    def _client_of(token: AccessToken | None) -> MachineClient | None:
        if token is None or token.application_id is None:
            return None
        return MachineClient.objects.select_related("application").filter(application_id=token.application_id).first()

    @staticmethod
    def _refuse(request, client: MachineClient, reason: str, *, scope: str = "") -> None:
        _note_call(request, client, refused=reason)
        services.machine_client_refusal_record(client=client, reason=reason, path=request.path, scope=scope)

    def _check_scope(self, request, client: MachineClient, token: AccessToken) -> None:
        view = (getattr(request, "parser_context", None) or {}).get("view")
        needed = view_scope(view)
        if needed is None:
            self._refuse(request, client, "not_for_systems")
            raise exceptions.PermissionDenied(
                "This endpoint is not available to OAuth clients (systems) with any scope.", code="not_for_systems"
            )
        if request.method not in SAFE_METHODS:
            self._refuse(request, client, "read_only", scope=needed)
            raise exceptions.PermissionDenied("OAuth clients may only read (GET).", code="read_only")
        if needed not in token.scopes or needed not in client.scopes:
            self._refuse(request, client, "insufficient_scope", scope=needed)
            raise exceptions.PermissionDenied(
                f"This call needs the scope '{needed}' ({SCOPES[needed]}); this client's token has: "
                f"{', '.join(sorted(token.scopes)) or 'none'}.",
                code="insufficient_scope",
            )


class MachineClientScheme(OpenApiAuthenticationExtension):
    target_class = "machine_clients.authentication.MachineClientAuthentication"
    name = "oauth2"

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "description": "For systems: OAuth 2.0 client credentials registered by a programme admin. Request a "
            "token at /oauth/token/ (HTTP Basic with the client id and secret, `grant_type=client_credentials`), "
            "then send it as `Authorization: Bearer <token>`. Only endpoints that name a scope accept it.",
            "flows": {"clientCredentials": {"tokenUrl": "/oauth/token/", "scopes": dict(SCOPES)}},
        }

    def get_security_requirement(self, auto_schema):
        """Only operations that systems may call list the scheme, with the scope they need."""
        needed = view_scope(auto_schema.view)
        return None if needed is None else {self.name: [needed]}


class MachineClientOnly(BasePermission):
    """For endpoints only systems call: anyone else (people included) gets 401 with a Bearer challenge."""

    def has_permission(self, request, view):
        return getattr(request.user, "machine_client", None) is not None
