"""One walk over every URL name of the project for every role, against the rows each app declares."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.access import UNDECLARED_NAMESPACES, collect_role_builders, collect_rows


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
        assert "default" in row.expected or set(ROLES) <= set(row.expected), row.url_name
        unknown = set(row.expected) - set(ROLES) - {"default"}
        assert not unknown, f"{row.url_name} names unknown roles {unknown}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.url_name)
def test_access(row, role):
    builders = collect_role_builders()
    client = Client()
    user = builders[role]()
    if user is not None:
        client.force_login(user)
    kwargs = row.kwargs() if row.kwargs else {}
    url = reverse(row.url_name, kwargs=kwargs) + (f"?{row.query}" if row.query else "")
    response = client.get(url)
    assert response.status_code == row.status_for(role), (
        f"{role} GET {row.url_name}: expected {row.status_for(role)}, got {response.status_code}"
    )
