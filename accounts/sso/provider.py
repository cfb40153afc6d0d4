"""allauth's `openid_connect` provider with the checks it leaves out: a `nonce` sent with every authorisation request
and kept in allauth's state, the ID token's signature verified against the provider's JWKS (accounts.sso.tokens),
`prompt=login` when the person is confirming it's them, and the discovery document cached."""

from __future__ import annotations

import secrets

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.base.constants import AuthAction
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.utils import build_absolute_uri
from django.core.cache import cache
from django.urls import reverse

from . import tokens

DISCOVERY_CACHE_SECONDS = 10 * 60
REQUIRED_DISCOVERY_KEYS = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")


class DiscoveryUnreadable(ValueError):
    """The provider's discovery document is not JSON or lacks an endpoint the sign-in needs."""


def openid_configuration(server_url: str) -> dict:
    """The provider's discovery document, cached for 10 minutes."""
    key = f"sso:discovery:{server_url}"
    config = cache.get(key)
    if config is None:
        with get_adapter().get_requests_session() as session:
            response = session.get(server_url)
            response.raise_for_status()
            try:
                config = response.json()
            except ValueError as error:
                raise DiscoveryUnreadable("not JSON") from error
        if not isinstance(config, dict) or any(not isinstance(config.get(k), str) for k in REQUIRED_DISCOVERY_KEYS):
            raise DiscoveryUnreadable("missing endpoints")
        cache.set(key, config, DISCOVERY_CACHE_SECONDS)
    return config


class PortalOIDCAdapter(OpenIDConnectOAuth2Adapter):
    state: dict | None = None  # allauth's state for this sign-in, set by the callback view before complete_login

    @property
    def openid_config(self):
        if not hasattr(self, "_openid_config"):
            provider = self.get_provider()
            config = dict(openid_configuration(provider.server_url))
            config.update(provider.app.settings.get("openid_configuration_overrides", {}))
            self._openid_config = config
        return self._openid_config

    def get_callback_url(self, request, app):
        return build_absolute_uri(request, reverse("sso_callback", kwargs={"provider_id": self.provider_id}))

    def complete_login(self, request, app, token, **kwargs):
        id_token = kwargs["response"].get("id_token")
        if not id_token:
            raise tokens.IdTokenRejected("no ID token")
        claims = self._decode_id_token(app, id_token)
        data = {"id_token": claims}
        if app.settings.get("fetch_userinfo", True) and self.openid_config.get("userinfo_endpoint"):
            userinfo = self._fetch_user_info(token.token)
            if userinfo.get("sub") != claims["sub"]:
                raise tokens.IdTokenRejected("userinfo for another subject")
            data["userinfo"] = userinfo
        return self.get_provider().sociallogin_from_response(request, data)

    def _decode_id_token(self, app, id_token: str) -> dict:
        state = self.state or {}
        return tokens.id_token_verify(
            id_token,
            jwks_uri=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            client_id=app.client_id,
            nonce=state.get("nonce"),
            tenant_id=app.settings.get("tenant_id", ""),
        )


class PortalOIDCProvider(OpenIDConnectProvider):
    id = "sso"
    name = "Single sign-on"
    oauth2_adapter_class = PortalOIDCAdapter

    def get_login_url(self, request, **kwargs):
        url = reverse("sso_login", kwargs={"provider_id": self.app.provider_id})
        if kwargs:
            from django.utils.http import urlencode

            url = f"{url}?{urlencode(kwargs)}"
        return url

    def get_callback_url(self):
        return reverse("sso_callback", kwargs={"provider_id": self.app.provider_id})

    def get_redirect_from_request_kwargs(self, request):
        kwargs = super().get_redirect_from_request_kwargs(request)
        if request.GET.get("action") == AuthAction.REAUTHENTICATE:
            kwargs["reauthenticate"] = True
        return kwargs

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        """Every authorisation request carries a fresh nonce, kept in allauth's state for the callback to compare
        with the ID token's; confirming it's you asks the provider to sign the person in again (`prompt=login`)."""
        nonce = secrets.token_urlsafe(32)
        auth_params = {
            k: v for k, v in (kwargs.pop("auth_params", None) or self.get_auth_params()).items() if k != "auth_params"
        }
        auth_params["nonce"] = nonce
        if kwargs.get("reauthenticate"):
            auth_params["prompt"] = "login"
            auth_params["max_age"] = "0"
        return super().redirect(request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs)

    def extract_uid(self, data):
        return str(data["id_token"]["sub"])

    def extract_common_fields(self, data):
        fields = super().extract_common_fields(data)
        fields["email"] = (fields.get("email") or "").strip().lower() or None
        return fields

    def extract_email_addresses(self, data):
        # Whether an address is verified is the adapter's decision (trusted domains per provider), never the
        # provider's bare `email_verified` claim: Entra ID sends none, and any tenant can assert any address.
        addresses = super().extract_email_addresses(data)
        for address in addresses:
            address.email = address.email.strip().lower()
            address.verified = False
        return addresses


provider_classes = [PortalOIDCProvider]
