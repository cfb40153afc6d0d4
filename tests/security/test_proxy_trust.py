"""Issue 17, finding 7: X-Forwarded-For is believed only from a configured proxy, by the portal's limits, allauth's and
DRF's throttles alike (core.client_ip)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from rest_framework.request import Request

from accounts.identity.adapter import AccountAdapter
from core.api.throttling import PublicReadThrottle
from core.client_ip import client_ip, parse_trusted_proxies
from public.views import _client_ip as signup_client_ip

FORGED = "198.51.100.66"


def request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.fixture
def proxies(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1", "10.20.0.0/16", "::1"]


def every_reader(req) -> set[str]:
    """The address each limiter would count this request under."""
    drf = Request(req)
    return {
        client_ip(req),
        AccountAdapter().get_client_ip(req),  # allauth's sign-in and sign-up limits
        signup_client_ip(req),  # the VRU updates sign-up limit
        PublicReadThrottle().get_ident(drf),  # every API throttle (test below)
    }


def test_a_forged_header_from_a_direct_caller_is_ignored(proxies):
    assert every_reader(request("203.0.113.7", FORGED)) == {"203.0.113.7"}


def test_with_no_proxies_configured_the_header_is_never_read(settings):
    settings.TRUSTED_PROXIES = []
    assert every_reader(request("10.0.0.1", FORGED)) == {"10.0.0.1"}


def test_from_a_trusted_proxy_the_rightmost_untrusted_address_is_the_client(proxies):
    # The caller forged the left-most entry; the first proxy appended the client; a second proxy appended the first.
    assert every_reader(request("10.0.0.1", f"{FORGED}, 203.0.113.7, 10.20.3.4")) == {"203.0.113.7"}


def test_a_trusted_proxy_without_the_header_is_the_client(proxies):
    assert every_reader(request("10.0.0.1")) == {"10.0.0.1"}


def test_garbage_in_the_header_is_not_an_address(proxies):
    assert client_ip(request("10.0.0.1", "not-an-ip, 10.20.0.9")) == "10.20.0.9"
    assert client_ip(request("::1", "2001:db8::5")) == "2001:db8::5"


def test_networks_are_parsed_and_a_bad_entry_is_named():
    assert [str(n) for n in parse_trusted_proxies("10.0.0.1, 10.20.0.0/16")] == ["10.0.0.1/32", "10.20.0.0/16"]
    with pytest.raises(ValueError, match="'proxy.example'"):
        parse_trusted_proxies("proxy.example")


def test_production_refuses_to_start_with_a_bad_proxy_entry(monkeypatch):
    import runpy
    import secrets

    monkeypatch.setenv("DJANGO_SECRET_KEY", secrets.token_urlsafe(64))
    monkeypatch.setenv("SITE_URL", "https://portal.example.org")  # production refuses to start without it
    monkeypatch.setenv("DJANGO_TRUSTED_PROXIES", "10.0.0.1,nonsense")
    with pytest.raises(ImproperlyConfigured, match="nonsense"):
        runpy.run_module("schools_portal.settings.production", run_name="production_under_test")


def test_production_trusts_the_local_proxy_by_default(monkeypatch):
    import runpy
    import secrets

    monkeypatch.setenv("DJANGO_SECRET_KEY", secrets.token_urlsafe(64))
    monkeypatch.setenv("SITE_URL", "https://portal.example.org")  # production refuses to start without it
    monkeypatch.delenv("DJANGO_TRUSTED_PROXIES", raising=False)
    values = runpy.run_module("schools_portal.settings.production", run_name="production_under_test")
    assert values["TRUSTED_PROXIES"] == ["127.0.0.1", "::1"]
    assert "ALLAUTH_TRUSTED_PROXY_COUNT" not in values


def test_every_api_throttle_knows_callers_by_the_one_function():
    """A throttle added later with DRF's own classes would read X-Forwarded-For whole: every view's throttles (and the
    default ones) must take their identity from core.client_ip."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    from core.api.throttling import ClientIpMixin

    from .conftest import walk_patterns

    classes = {import_string(path) for path in settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_CLASSES", [])}
    for _path, _name, callback, _converters in walk_patterns():
        view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        classes.update(getattr(view_class, "throttle_classes", None) or [])
    assert classes, "no throttles found: the walk is broken"
    assert all(issubclass(throttle, ClientIpMixin) for throttle in classes), classes
