"""django-oauth-toolkit, narrowed to what the portal allows: the client credentials grant, for registered machine
clients that are neither expired nor revoked, with only the scopes a programme admin gave them."""

import secrets

from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes
from oauthlib.oauth2.rfc6749 import errors as oauth_errors

from core.api.machine_scopes import ACCESS_TOKEN_PREFIX, SCOPES


def access_token_generate(request=None) -> str:
    return ACCESS_TOKEN_PREFIX + secrets.token_urlsafe(32)


def _machine_client(application):
    from machine_clients.models import MachineClient

    if application is None:
        return None
    try:
        return application.machine_client
    except MachineClient.DoesNotExist:
        return None


class MachineClientScopes(BaseScopes):
    """A client may ask for any of its own scopes; asking for none gives it all of them."""

    def get_all_scopes(self):
        return SCOPES

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        client = _machine_client(application)
        return [] if client is None else [scope for scope in client.scopes if scope in SCOPES]

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return self.get_available_scopes(application=application, request=request)


class MachineClientValidator(OAuth2Validator):
    """Refuses a token to an application that is not a registered machine client, or one expired or revoked, with a
    description that says which (the client has proved its secret by then, so this tells an outsider nothing)."""

    def authenticate_client(self, request, *args, **kwargs):
        if not super().authenticate_client(request, *args, **kwargs):
            return False
        from django.utils import timezone

        from machine_clients import services

        client = _machine_client(request.client)
        if client is None:
            raise oauth_errors.InvalidClientError(
                description="This client is not registered for the portal's API.", request=request
            )
        status = client.status_at(timezone.now())
        if status != client.Status.ACTIVE:
            services.machine_client_refusal_record(client=client, reason=f"token_request_{status}")
            raise oauth_errors.InvalidClientError(
                description=f"This client {'was revoked' if status == client.Status.REVOKED else 'has expired'}: "
                "ask the programme team for new credentials.",
                request=request,
            )
        request.machine_client = client
        return True
