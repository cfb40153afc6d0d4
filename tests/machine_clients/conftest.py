import base64
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from machine_clients.services import machine_client_register
from tests.accounts.factories import programme_admin, with_two_factor

ALL_SCOPES = ["register:read", "figures:read", "borough:read"]


@pytest.fixture
def admin(db):
    return with_two_factor(programme_admin(email="admin@example.org", full_name="Pat Admin"))


@pytest.fixture
def register(admin):
    def make(*, scopes=("register:read",), la_code=202, days=90, name="Camden nightly import"):
        return machine_client_register(
            actor=admin, name=name, local_authority_code=la_code, scopes=list(scopes), days=days
        )

    return make


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def token_for(registered, *, scope: str | None = None) -> tuple[int, dict]:
    """Ask the token endpoint as a system would: HTTP Basic, form body, client_credentials."""
    body = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    response = Client().post(
        "/oauth/token/",
        urlencode(body),
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=basic(registered.client.client_id, registered.client_secret),
    )
    return response.status_code, response.json()


@pytest.fixture
def api_as():
    """An API client sending the given OAuth access token."""

    def make(access_token: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token}")
        return client

    return make


def expire(client) -> None:
    type(client).objects.filter(pk=client.pk).update(expires_at=timezone.now() - timedelta(seconds=1))


@pytest.fixture(autouse=True)
def _fresh_token_rate_limit():
    """Token requests are limited per address and minute: each test starts with none counted."""
    from django.core.cache import cache

    cache.clear()
    yield
