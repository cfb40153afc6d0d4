import os
import time

import pytest
from django.db import connection
from django.db.backends.signals import connection_created
from django.test.client import ClientMixin

# Browser journeys use the ORM and Playwright's sync API in one thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _allow_audit_truncate(sender, connection, **kwargs):
    """Transactional tests empty every table with TRUNCATE, which core's trigger refuses on PostgreSQL unless the
    session says otherwise. Tests only: production settings never set this (core/migrations/0003)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET portal.allow_audit_truncate = 'on'")


connection_created.connect(_allow_audit_truncate, dispatch_uid="tests.allow_audit_truncate")


def _force_login_with_two_factor(self, user, backend=None):
    """`force_login` stands for a completed sign-in, so its session records the two-factor step too (as allauth's
    sign-in does: accounts.identity.mfa.session_passed_two_factor). A session made by a password alone is made with
    `force_login_password_only`, or by signing in through a form."""
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from allauth.account.internal.userkit import user_id_to_str

    force_login_password_only(self, user, backend)
    session = self.session
    now = time.time() - 3600  # signed in a while ago: allauth still asks to confirm it's you for sensitive steps
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "type": "totp", "test_client": True},
    ]
    sso = None if user.has_usable_password() else user.socialaccount_set.first()
    if sso is not None:
        # Someone with no portal password signed in through their provider, which asserted multi-factor (accounts.sso).
        session[AUTHENTICATION_METHODS_SESSION_KEY] = [
            {"method": "socialaccount", "at": now, "provider": sso.provider, "uid": sso.uid, "two_factor": True}
        ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session.save()


force_login_password_only = ClientMixin.force_login
ClientMixin.force_login = _force_login_with_two_factor


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Drive Debian's Chromium: `playwright install` cannot download browsers on these machines."""
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` only run when the database is PostgreSQL."""
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    if on_postgres:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (run by .ci/run with DATABASE_URL set)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def django_capture_on_commit_callbacks(django_capture_on_commit_callbacks):
    """pytest-django's fixture, with the list it gives holding the application's callbacks only: every transaction
    that writes also gets core.data_versions' one hook (the table versions bumped after commit), which tests of
    emails and tasks do not count. With `execute=True` that hook still runs, as a real commit would run it."""
    from contextlib import contextmanager

    from core.data_versions import _Transaction

    @contextmanager
    def capture(**kwargs):
        application: list = []
        with django_capture_on_commit_callbacks(**kwargs) as callbacks:
            yield application
        application.extend(hook for hook in callbacks if not isinstance(hook, _Transaction))

    return capture


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from core import outage

    cache.clear()
    outage.reset()  # "once a minute per kind" logging and error emails start afresh for each test
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _reference_data_for_transactional_tests(request):
    """Transactional tests (live_server, threaded races) flush the database, migrated reference data included:
    load the 33 authorities and 12 BCUs again before each of them (idempotent)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        (marker is not None and marker.kwargs.get("transaction"))
        or "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        from schools.models import BasicCommandUnit, LocalAuthority
        from schools.reference_data import load_reference_data

        load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)
    yield
