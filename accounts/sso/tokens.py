"""The ID token checks allauth 65 leaves out for a token fetched from the token endpoint: the signature against the
provider's published keys (JWKS), and the `nonce` the portal sent. Issuer, audience and expiry are checked here too,
so every rule is in one place. Raises `IdTokenRejected` (an `OAuth2Error`, so allauth's callback shows its error
page); the message names the failed check and never contains the token."""

from __future__ import annotations

import hmac
import json

import jwt
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.core.cache import cache

# Asymmetric algorithms only: a symmetric (HS*) or "none" token could be made by anyone who knows the client id.
ALLOWED_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"})
LEEWAY_SECONDS = 60  # clock difference tolerated between the provider and the portal
JWKS_CACHE_SECONDS = 10 * 60


class IdTokenRejected(OAuth2Error):
    """The ID token failed a check; `reason` is a short code for the log (`signature`, `issuer`, `nonce`...)."""

    def __init__(self, reason: str):
        super().__init__(f"ID token rejected: {reason}")
        self.reason = reason


def _fetch_jwks(jwks_uri: str, *, fresh: bool = False) -> dict:
    key = f"sso:jwks:{jwks_uri}"
    keys = None if fresh else cache.get(key)
    if keys is None:
        with get_adapter().get_requests_session() as session:
            response = session.get(jwks_uri)
            response.raise_for_status()
            keys = response.json()
        cache.set(key, keys, JWKS_CACHE_SECONDS)
    return keys


def _signing_key(jwks_uri: str, kid: str | None, alg: str):
    # A key the provider has just rotated in is not in a cached copy: look once more before refusing.
    for fresh in (False, True):
        jwks = _fetch_jwks(jwks_uri, fresh=fresh)
        candidates = [
            k for k in jwks.get("keys", []) if k.get("use", "sig") == "sig" and (kid is None or k.get("kid") == kid)
        ]
        if candidates:
            return jwt.PyJWK(candidates[0], algorithm=alg).key
    raise IdTokenRejected("unknown signing key")


def id_token_verify(
    id_token: str, *, jwks_uri: str, issuer: str, client_id: str, nonce: str | None, tenant_id: str = ""
) -> dict:
    """The claims of a valid ID token for this client, or IdTokenRejected."""
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError as error:
        raise IdTokenRejected("not a JWT") from error
    alg = header.get("alg")
    if alg not in ALLOWED_ALGORITHMS:
        raise IdTokenRejected("signing algorithm")
    key = _signing_key(jwks_uri, header.get("kid"), alg)
    try:
        claims = jwt.decode(
            id_token,
            key=key,
            algorithms=[alg],
            audience=client_id,
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
        )
    except jwt.InvalidSignatureError as error:
        raise IdTokenRejected("signature") from error
    except jwt.ExpiredSignatureError as error:
        raise IdTokenRejected("expired") from error
    except jwt.InvalidIssuerError as error:
        raise IdTokenRejected("issuer") from error
    except jwt.InvalidAudienceError as error:
        raise IdTokenRejected("audience") from error
    except jwt.PyJWTError as error:
        raise IdTokenRejected(type(error).__name__) from error
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise IdTokenRejected("authorised party")
    if not nonce or not isinstance(claims.get("nonce"), str) or not hmac.compare_digest(claims["nonce"], nonce):
        raise IdTokenRejected("nonce")
    if tenant_id and claims.get("tid") != tenant_id:
        raise IdTokenRejected("tenant")
    return claims


def organisation_claim(claims: dict) -> dict | None:
    """DfE Sign-in's `organisation` claim, met both as a JSON object and as a JSON-encoded string."""
    value = claims.get("organisation")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def establishment_urn(organisation: dict | None) -> int | None:
    """The URN of an establishment (category 001), or None for a trust, local authority or other organisation."""
    if not organisation:
        return None
    category = organisation.get("category")
    category_id = category.get("id") if isinstance(category, dict) else None
    urn = str(organisation.get("urn") or "").strip()
    if category_id != "001" or not urn.isdigit() or len(urn) > 7:
        return None
    return int(urn)


def asserts_multi_factor(claims: dict, mfa_acr_values: list[str]) -> bool:
    """A provider sign-in counts as two-factor only when the ID token says so: `amr` containing "mfa", or an `acr`
    this provider's settings name as multi-factor."""
    amr = claims.get("amr")
    if isinstance(amr, list) and "mfa" in amr:
        return True
    acr = claims.get("acr")
    return bool(acr) and isinstance(acr, str) and acr in mfa_acr_values
