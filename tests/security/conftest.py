"""Security baseline fixtures: the production settings' security values applied over the test settings, every URL
pattern of the project with stand-in arguments, and signed-in users."""

import re
import runpy
import secrets
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.accounts.factories import programme_admin, with_two_factor
from tests.accounts.test_identity_support import verified_user

PRODUCTION_SECURITY_KEYS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_NAME",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_HTTPONLY",
    "SECURE_PROXY_SSL_HEADER",
    "TRUSTED_PROXIES",
    "PERMISSIONS_POLICY",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "CONTENT_SECURITY_POLICY",
]


@pytest.fixture
def production_security(settings, monkeypatch):
    """The security settings of schools_portal.settings.production, read from the module itself."""
    monkeypatch.setenv("DJANGO_SECRET_KEY", secrets.token_urlsafe(64))
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("SITE_URL", "https://portal.example.org")
    values = runpy.run_module("schools_portal.settings.production", run_name="production_under_test")
    for key in PRODUCTION_SECURITY_KEYS:
        setattr(settings, key, values[key])
    settings.ALLOWED_HOSTS = ["testserver", "portal.example.org"]
    return values


def _stand_in(converter_name: str, name: str) -> str:
    return {
        "int": "1",
        "slug": "x",
        "uuid": str(uuid.UUID(int=1)),
        "path": "x",
    }.get(converter_name, "1" if re.search(r"(^|_)(pk|id|urn|number)$", name) else "x")


def walk_patterns(resolver: URLResolver | None = None, prefix: str = "", names: tuple = ()):
    """(path with stand-in arguments, URL name, view callback) for every URL pattern of the project."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            namespace = (pattern.namespace,) if pattern.namespace else ()
            yield from walk_patterns(pattern, prefix + route, names + namespace)
            continue
        assert isinstance(pattern, URLPattern)
        full = prefix + route
        if full.startswith("^") or "(?P" in full or "^" in full:
            # Regex routes (admin's catch-alls, static): leave them to the named routes around them.
            continue
        converters = dict(getattr(pattern.pattern, "converters", {}))
        path = re.sub(
            r"<(?:(\w+):)?(\w+)>",
            lambda match: _stand_in(match.group(1) or "str", match.group(2)),
            full,
        )
        name = ":".join(names + (pattern.name,)) if pattern.name else ""
        yield "/" + path, name, pattern.callback, converters


@pytest.fixture
def signed_in_admin(client):
    """A programme admin with two-factor set up, signed in (the widest access)."""
    user = with_two_factor(programme_admin())
    client.force_login(user)
    return user


@pytest.fixture
def plain_user(db):
    return verified_user()
