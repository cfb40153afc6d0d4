"""One walk over every URL name of the project for every role, against the rows each app declares."""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.test.client import ClientHandler
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.access import UNDECLARED_NAMESPACES, base_role, collect_role_builders, collect_rows
from tests.access import builder, url_kwargs


def _url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            if ns in UNDECLARED_NAMESPACES:
                continue
            yield from _url_names(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


ALLAUTH_PREFIXES = ("account_", "mfa_", "socialaccount_", "headless", "openid", "usersessions_")


def project_url_names() -> set[str]:
    """Our URL names. allauth's own views are declared by the accounts app's rows as it restyles them."""
    return {name for name in _url_names() if not name.startswith(ALLAUTH_PREFIXES)}


ROWS = collect_rows()
ROLES = sorted(collect_role_builders())


def test_every_url_name_has_a_row():
    declared = {row.url_name for row in ROWS}
    missing = sorted(project_url_names() - declared)
    assert not missing, f"URL names with no access-matrix row (add them to the app's access_matrix.py): {missing}"


def test_rows_name_only_known_roles_and_urls():
    known = set(_url_names())
    for row in ROWS:
        assert row.url_name in known, f"access row for unknown URL name {row.url_name}"
        assert "default" in row.expected or {base_role(r) for r in ROLES} <= set(row.expected), row.url_name
        unknown = set(row.expected) - set(ROLES) - {"default"}
        assert not unknown, f"{row.url_name} names unknown roles {unknown}"
        if isinstance(row.kwargs, str):
            assert callable(builder(row.kwargs)), f"{row.url_name}: no test builder {row.kwargs}"


@pytest.fixture(scope="module")
def role_user_id(request, django_db_setup, django_db_blocker):
    """The role's user (memberships, duties, police and programme roles, TOTP), built once for all the rows.

    The walk is grouped by role (`scope="module"` on the role parameter): each role's user lives in a transaction
    opened here and rolled back before the next role's is built, so, as when each test built its own, a role's tests
    see that role's objects and no other's. Each test runs in its own savepoint inside it (pytest-django's per-test
    rollback), so what one (URL, role) test writes is gone before the next.
    """
    with django_db_blocker.unblock():
        role_transaction = transaction.atomic()
        role_transaction.__enter__()
        try:
            user = collect_role_builders()[request.param]()
        except BaseException:
            transaction.set_rollback(True)
            role_transaction.__exit__(None, None, None)
            raise
    yield None if user is None else user.pk
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        role_transaction.__exit__(None, None, None)


@pytest.fixture(scope="module")
def shared_handler():
    """One request handler for the walk, as one server process serves every request. Each new Client loads the
    middleware again, and WhiteNoise then indexes every file in STATIC_ROOT (about 700 once `collectstatic` has run, as
    the smoke test does in this checkout): that alone took most of each test's time."""
    return ClientHandler(enforce_csrf_checks=False)


@pytest.mark.django_db
@pytest.mark.parametrize("role_user_id", ROLES, indirect=True, scope="module")
@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.url_name)
def test_access(row, role_user_id, shared_handler, request):
    role = request.node.callspec.params["role_user_id"]
    client = Client()
    client.handler = shared_handler
    if role_user_id is not None:
        # A fresh copy from the database: nothing an earlier test did to the Python object carries over.
        client.force_login(get_user_model().objects.get(pk=role_user_id))
    kwargs = url_kwargs(row)
    url = reverse(row.url_name, kwargs=kwargs) + (f"?{row.query}" if row.query else "")
    response = client.get(url)
    assert response.status_code == row.status_for(role), (
        f"{role} GET {row.url_name}: expected {row.status_for(role)}, got {response.status_code}"
    )
