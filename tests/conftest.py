import os

import pytest
from django.db import connection
from django.db.backends.signals import connection_created

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


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
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
