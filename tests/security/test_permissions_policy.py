"""Issue 17, finding 5: every response denies the browser features the portal does not use."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

DENIED = ("camera", "microphone", "geolocation", "payment", "usb", "serial", "hid", "midi", "display-capture")


def _policy(response) -> dict[str, str]:
    header = response.get("Permissions-Policy", "")
    return dict(item.strip().split("=", 1) for item in header.split(",") if item.strip())


@pytest.mark.parametrize("url_name", ["public:home", "account_login", "api-schema"])
def test_production_pages_deny_unused_features(production_security, client, url_name):
    response = client.get(reverse(url_name), secure=True)
    assert response.status_code < 500
    policy = _policy(response)
    for feature in DENIED:
        assert policy.get(feature) == "()", (feature, response.get("Permissions-Policy"))


def test_error_pages_carry_it_too(production_security, client):
    assert _policy(client.get("/no-such-page/", secure=True)).get("camera") == "()"
