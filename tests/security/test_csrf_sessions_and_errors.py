"""CSRF on every unsafe endpoint, session fixation, sign-in brute force per address and per account behind the
proxy, and a 500 page without a traceback - under the production security settings."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.factories import TEST_PASSWORD
from tests.accounts.test_identity_support import verified_user
from tests.security.conftest import walk_patterns

pytestmark = pytest.mark.django_db

UNSAFE_METHODS = ["post", "put", "patch", "delete"]


def _drf_methods(callback) -> set[str] | None:
    """The methods a DRF view or viewset route has handlers for; None for a plain Django view."""
    actions = getattr(callback, "actions", None)
    if actions:
        return {method.upper() for method in actions}
    cls = getattr(callback, "cls", None)
    if cls is None:
        return None
    return {method.upper() for method in cls.http_method_names if hasattr(cls, method) and method != "options"}


# The views exempt from CSRF, and why: RFC 8058 one-click unsubscribe is POSTed by a mail client with no cookie or
# token; the signed token in the URL is the authority and can only unsubscribe its own address
# (tests/public/test_one_click_unsubscribe.py proves it refuses anything else and writes nothing). The OAuth token
# endpoint is called by systems with HTTP Basic client credentials, never with the session cookie, and gives a token
# only for those credentials: a signed-in session alone gets 400 (tests/machine_clients/test_oauth_api.py).
CSRF_EXEMPT = {"public:unsubscribe_one_click", "oauth-token"}


def unsafe_endpoints(method: str):
    """Every URL pattern (stand-in arguments) that could take `method`: all Django views (the CSRF middleware runs
    before any method check) and the API routes with a handler for it. Not the health check, which is GET only."""
    endpoints = set()
    for path, name, callback, _converters in walk_patterns():
        drf_methods = _drf_methods(callback)
        if name == "healthz" or name in CSRF_EXEMPT or (drf_methods is not None and method.upper() not in drf_methods):
            continue
        endpoints.add(path)
    return sorted(endpoints)


def _is_csrf_refusal(response) -> bool:
    if response.status_code != 403:
        return False
    body = response.content.decode(errors="replace")
    # Django's middleware (the portal's GOV.UK page, templates/403_csrf.html) or DRF's SessionAuthentication.
    return "Your form could not be sent" in body or "CSRF Failed" in body


@pytest.mark.parametrize("method", UNSAFE_METHODS)
def test_every_unsafe_endpoint_refuses_a_request_without_the_csrf_token(production_security, signed_in_admin, method):
    client = Client(enforce_csrf_checks=True)
    client.force_login(signed_in_admin)
    accepted = []
    endpoints = unsafe_endpoints(method)
    for path in endpoints:
        response = getattr(client, method)(path, data={}, secure=True, HTTP_REFERER="https://testserver/")
        if not _is_csrf_refusal(response):
            accepted.append(f"{method.upper()} {path} -> {response.status_code}")
    assert not accepted, "answered without a CSRF token:\n" + "\n".join(accepted)
    assert len(endpoints) > (50 if method == "post" else 5)


def test_csrf_refusal_is_the_token_not_the_permission(production_security, signed_in_admin):
    """Control: the same session with its token gets past the CSRF check on a form page."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(signed_in_admin)
    page = client.get(reverse("account_change_password"), secure=True)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = client.post(
        reverse("account_change_password"),
        {"csrfmiddlewaretoken": token, "oldpassword": "wrong", "password1": "x", "password2": "x"},
        secure=True,
        HTTP_REFERER="https://testserver/account/password/change/",
    )
    assert response.status_code == 200  # the form with its errors, not a CSRF refusal


def _sign_in(client, email, password, *, client_ip="203.0.113.10"):
    page = client.get(reverse("account_login"), secure=True, HTTP_X_FORWARDED_FOR=client_ip)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password, "csrfmiddlewaretoken": token},
        secure=True,
        HTTP_REFERER="https://testserver/account/login/",
        HTTP_X_FORWARDED_FOR=client_ip,
    )


def test_session_fixation_the_session_key_changes_at_sign_in(production_security):
    user = verified_user()
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("account_login"), secure=True)
    session = client.session
    session["planted"] = "by an attacker"
    session.save()
    planted_key = session.session_key
    client.cookies["__Host-sessionid"] = planted_key

    response = _sign_in(client, user.email, TEST_PASSWORD)

    assert response.status_code == 302
    new_key = client.cookies["__Host-sessionid"].value
    assert new_key and new_key != planted_key
    assert client.session["_auth_user_id"] == str(user.pk)
    # The planted key is not signed in.
    other = Client()
    other.cookies["__Host-sessionid"] = planted_key
    assert "_auth_user_id" not in other.session


def test_session_key_changes_again_at_sign_out(production_security):
    user = verified_user()
    client = Client()
    _sign_in(client, user.email, TEST_PASSWORD)
    signed_in_key = client.cookies["__Host-sessionid"].value
    client.post(reverse("account_logout"), secure=True)
    assert client.cookies["__Host-sessionid"].value != signed_in_key
    reuse = Client()
    reuse.cookies["__Host-sessionid"] = signed_in_key
    assert reuse.get(reverse("account_email"), secure=True).status_code == 302


def test_brute_force_on_one_account_from_many_addresses_is_limited(production_security):
    user = verified_user()
    client = Client()
    for attempt in range(5):
        response = _sign_in(client, user.email, "wrong-password-1", client_ip=f"198.51.100.{attempt + 1}")
        assert "Enter a correct email address and password" in response.content.decode()
    response = _sign_in(client, user.email, TEST_PASSWORD, client_ip="198.51.100.99")
    assert "Too many failed attempts to sign in" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_brute_force_from_one_address_is_limited(production_security):
    user = verified_user()
    client = Client()
    for index in range(10):
        _sign_in(client, f"guess{index}@example.org", "wrong-pass-1", client_ip="203.0.113.66")
    response = _sign_in(client, user.email, TEST_PASSWORD, client_ip="203.0.113.66")
    assert response.status_code == 429 or "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_address_limit_is_per_client_behind_the_proxy_not_per_proxy(production_security):
    """All requests come from the proxy's address; the limit must follow the client's (X-Forwarded-For)."""
    user = verified_user()
    client = Client()
    for index in range(10):
        _sign_in(client, f"guess{index}@example.org", "wrong-pass-1", client_ip="203.0.113.66")
    response = _sign_in(Client(), user.email, TEST_PASSWORD, client_ip="192.0.2.7")
    assert response.status_code == 302


@pytest.mark.urls("tests.core.urls")
def test_500_page_has_no_traceback_or_request_data(production_security):
    client = Client(raise_request_exception=False)
    response = client.get("/core-test/broken/A823456789012?secret=hunter2", secure=True)
    assert response.status_code == 500
    body = response.content.decode()
    for leak in ("Traceback", "RuntimeError", "the database fell over", "A823456789012", "hunter2", 'File "'):
        assert leak not in body
    assert response["X-Request-ID"] in body
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
