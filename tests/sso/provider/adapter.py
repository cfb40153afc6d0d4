"""The test provider's claims: each test user's `organisation`, `amr`, `acr` and `tid` (for the Entra-like client)
come from SSO_TEST_USERS; a user's `fault` makes the provider issue a bad ID token of that kind."""

import json
import os
import time

from allauth.idp.oidc.adapter import DefaultOIDCAdapter
from django.contrib.auth import get_user_model

USERS = json.loads(os.environ.get("SSO_TEST_USERS", "{}"))
ENTRA_CLIENT_ID = "portal-entra"
TENANT_ID = "tenant-met-0001"


def spec_for_sub(sub) -> dict:
    user = get_user_model().objects.filter(pk=sub).first()
    return USERS.get(user.email, {}) if user else {}


class TestProviderAdapter(DefaultOIDCAdapter):
    scope_display = {**DefaultOIDCAdapter.scope_display, "organisation": "View your organisation"}

    def get_claims(self, purpose, user, client, scopes, email=None, **kwargs):
        claims = super().get_claims(purpose, user, client, scopes, email=email, **kwargs)
        spec = USERS.get(user.email, {})
        claims.pop("email_verified", None)  # like Entra ID: a bare email claim
        for name in ("name", "given_name", "family_name"):
            if spec.get(name):
                claims[name] = spec[name]
        if "organisation" in scopes and "organisation" in spec:
            claims["organisation"] = spec["organisation"]
        if purpose == "id_token":
            for name in ("amr", "acr"):
                if name in spec:
                    claims[name] = spec[name]
            if client.id == ENTRA_CLIENT_ID:
                claims["tid"] = spec.get("tid", TENANT_ID)
        return claims

    def populate_id_token(self, id_token, client, scopes, **kwargs):
        fault = spec_for_sub(id_token.get("sub")).get("fault")
        if fault == "expired":
            id_token["iat"] = int(time.time()) - 3600
            id_token["exp"] = int(time.time()) - 600
        elif fault == "wrong_issuer":
            id_token["iss"] = "https://login.example.invalid/other-tenant/v2.0"
        elif fault == "wrong_audience":
            id_token["aud"] = "some-other-service"
        elif fault == "wrong_nonce":
            id_token["nonce"] = "a-nonce-the-portal-never-sent"
        elif fault == "no_nonce":
            id_token.pop("nonce", None)
