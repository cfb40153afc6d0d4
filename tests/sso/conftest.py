"""A real OpenID Connect provider (allauth.idp.oidc in a second Python process, tests/sso/provider) and the portal
configured to use it as DfE Sign-in and as Entra ID. Nothing of the OIDC library is mocked: the portal fetches the
provider's discovery document, keys and tokens over HTTP on loopback."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.cache import cache
from django.urls import reverse

from schools_portal.settings.base import sso_socialaccount_providers

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "provider-password-1"  # noqa: S105
SCHOOL_URN = 146001
DFE_ORGANISATION = {
    "id": "8d1e2f3a-0000-4000-8000-000000000001",
    "name": "Hackney Harewood Academy",
    "category": {"id": "001", "name": "Establishment"},
    "type": {"id": "28", "name": "Academy sponsor led"},
    "urn": str(SCHOOL_URN),
    "ukprn": "10000001",
    "status": {"id": 1, "name": "Open"},
}
TRUST_ORGANISATION = {**DFE_ORGANISATION, "category": {"id": "010", "name": "Multi-academy trust"}, "urn": None}


def _user(**claims) -> dict:
    return {"password": PASSWORD, **claims}


USERS = {
    "head.mfa@harewood.sch.uk": _user(name="Hana Head", amr=["pwd", "mfa"], organisation=DFE_ORGANISATION),
    "head.pwd@harewood.sch.uk": _user(name="Hal Head", amr=["pwd"], organisation=json.dumps(DFE_ORGANISATION)),
    "staff@harewood.sch.uk": _user(name="Sam Staff", amr=["pwd"], organisation=json.dumps(DFE_ORGANISATION)),
    "trust@harewood.sch.uk": _user(name="Tia Trust", amr=["pwd"], organisation=TRUST_ORGANISATION),
    "teacher@gmail.example": _user(name="Outside Domain", amr=["pwd", "mfa"], organisation=DFE_ORGANISATION),
    "officer@met.police.uk": _user(name="Olu Officer", amr=["pwd", "mfa"]),
    "officer.pwd@met.police.uk": _user(name="Pat Password", amr=["pwd"]),
    "officer.acr@met.police.uk": _user(name="Ali Acr", amr=["pwd"], acr="c1"),
    "other.tenant@met.police.uk": _user(name="Other Tenant", amr=["pwd", "mfa"], tid="tenant-elsewhere"),
    "forged@harewood.sch.uk": _user(fault="forged"),
    "expired@harewood.sch.uk": _user(fault="expired"),
    "wrong.issuer@harewood.sch.uk": _user(fault="wrong_issuer"),
    "wrong.audience@harewood.sch.uk": _user(fault="wrong_audience"),
    "wrong.nonce@harewood.sch.uk": _user(fault="wrong_nonce"),
    "no.nonce@harewood.sch.uk": _user(fault="no_nonce"),
}
CLIENTS = {"dfe": ("portal-dfe", "dfe-client-secret"), "entra": ("portal-entra", "entra-client-secret")}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _callback_uris(base: str) -> dict:
    return {
        client_id: {
            "redirect_uris": [f"{base}/account/sso/{provider_id}/login/callback/"],
            "post_logout_redirect_uris": [f"{base}/account/login/"],
        }
        for provider_id, (client_id, _secret) in CLIENTS.items()
    }


@pytest.fixture(scope="session")
def oidc_provider():
    """The provider's base URL. Port from SSO_TEST_PROVIDER_PORT, or any free port."""
    port = int(os.environ.get("SSO_TEST_PROVIDER_PORT") or _free_port())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    workdir = tempfile.TemporaryDirectory(prefix="sso-provider-")
    clients = [
        {"id": client_id, "secret": secret, **_callback_uris("http://testserver")[client_id]}
        for client_id, secret in CLIENTS.values()
    ]
    env = {
        **os.environ,
        "SSO_TEST_PROVIDER_DB": str(Path(workdir.name) / "provider.sqlite3"),
        "SSO_TEST_PROVIDER_KEY": pem,
        "SSO_TEST_USERS": json.dumps(USERS),
        "SSO_TEST_CLIENTS": json.dumps(clients),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # Its log goes to a file, not a pipe: the server logs every request to stderr, and a pipe nobody reads fills up
    # (64 KiB, a few hundred requests into the run) and then blocks the provider in the middle of a sign-in.
    log_path = Path(workdir.name) / "provider.log"
    log = open(log_path, "wb")  # noqa: SIM115 (closed when the provider stops)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.sso.provider.serve", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(f"{base}/test-setup/ready", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"test OIDC provider did not start: {log_path.read_text(errors='replace')[-2000:]}")
        time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=10)
    log.close()
    workdir.cleanup()


def provider_apps(base: str, **overrides) -> dict:
    """SOCIALACCOUNT_PROVIDERS for the portal, as settings/base.py builds it from the environment."""
    dfe_id, dfe_secret = CLIENTS["dfe"]
    entra_id, entra_secret = CLIENTS["entra"]
    providers = [
        {
            "id": "dfe",
            "name": "DfE Sign-in",
            "button": "Sign in with DfE Sign-in",
            "audience": "school staff",
            "server_url": base,
            "client_id": dfe_id,
            "secret": dfe_secret,
            "scope": ["openid", "email", "profile", "organisation"],
            "tenant_id": "",
            "trusted_email_domains": ["harewood.sch.uk"],
            "mfa_acr_values": [],
            "rp_logout": True,
        },
        {
            "id": "entra",
            "name": "Met or GLA account",
            "button": "Sign in with your Met or GLA account",
            "audience": "police and VRU staff",
            "server_url": base,
            "client_id": entra_id,
            "secret": entra_secret,
            "scope": ["openid", "email", "profile"],
            "tenant_id": "tenant-met-0001",
            "trusted_email_domains": ["met.police.uk"],
            "mfa_acr_values": ["c1"],
            "rp_logout": True,
        },
    ]
    for provider in providers:
        provider.update(overrides.get(provider["id"], {}))
    return sso_socialaccount_providers(providers)


@pytest.fixture
def sso(settings, oidc_provider):
    """The portal with both providers configured against the test provider; cached discovery and keys cleared."""
    settings.SOCIALACCOUNT_PROVIDERS = provider_apps(oidc_provider)
    cache.clear()
    yield oidc_provider
    cache.clear()


class ProviderBrowser:
    """The person's side of a sign-in at the provider, over plain HTTP (requests): follows the authorisation
    redirect, fills in the provider's sign-in form and returns the portal callback address it is sent back to."""

    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()

    def authorize(self, authorize_url: str, email: str, portal_host: str = "http://testserver") -> str:
        response = self.http.get(authorize_url, allow_redirects=False, timeout=10)
        for _ in range(10):
            location = response.headers.get("Location", "")
            if location.startswith(portal_host):
                return location
            if response.status_code in (301, 302, 303):
                response = self.http.get(urljoin(response.url, location), allow_redirects=False, timeout=10)
                continue
            if 'name="password"' in response.text:
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)
                response = self.http.post(
                    response.url,
                    data={"csrfmiddlewaretoken": token, "login": email, "password": PASSWORD},
                    allow_redirects=False,
                    timeout=10,
                )
                continue
            raise AssertionError(f"unexpected provider response {response.status_code} at {response.url}")
        raise AssertionError("too many redirects at the provider")


def start_sign_in(client, provider_id: str, **query) -> str:
    """POST the portal's sign-in button; the address of the provider's authorisation endpoint it redirects to."""
    from django.utils.http import urlencode

    url = reverse("sso_login", kwargs={"provider_id": provider_id})
    response = client.post(f"{url}?{urlencode(query)}" if query else url)
    assert response.status_code == 302, response.status_code
    return response["Location"]


def sign_in(client, base: str, provider_id: str, email: str, *, callback_query=None, **query):
    """A whole sign-in: the portal's response to the provider's redirect back to it."""
    authorize_url = start_sign_in(client, provider_id, **query)
    callback = ProviderBrowser(base).authorize(authorize_url, email)
    parts = urlsplit(callback)
    query_string = parts.query if callback_query is None else callback_query(parts.query)
    return client.get(f"{parts.path}?{query_string}")
