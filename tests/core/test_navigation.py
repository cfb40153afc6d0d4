"""The service navigation shows each programme only to the people who use it."""

import pytest
from django.test import Client

from core.access import collect_role_builders


def _nav_html(role):
    user = collect_role_builders()[role]()
    client = Client()
    if user is not None:
        client.force_login(user)
    html = client.get("/").content.decode()
    start = html.index('id="navigation"')
    return html[start : html.index("</ul>", start)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "sees_wands"),
    [
        ("anonymous", False),
        ("signed_in", False),
        ("headteacher", True),
        ("programme_admin", True),
        ("fulfilment_staff", True),
        ("police_allocator", False),
    ],
)
def test_knife_wands_link_only_for_people_who_use_it(role, sees_wands):
    assert ("Knife wands" in _nav_html(role)) is sees_wands


@pytest.mark.django_db
def test_the_current_section_is_marked(client):
    user = collect_role_builders()["programme_admin"]()
    client.force_login(user)
    html = client.get("/wands/queue/").content.decode()
    assert 'aria-current="page">Knife wands</a>' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "link", "shown"),
    [
        ("headteacher", "Your schools", True),
        ("signed_in", "Your schools", False),
        ("programme_admin", "People and roles", True),
        ("headteacher", "People and roles", False),
    ],
)
def test_accounts_links_follow_roles(role, link, shown):
    assert (link in _nav_html(role)) is shown


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("police_allocator", True),
        ("police_officer", True),
        ("headteacher", True),
        ("school_staff", False),
        ("anonymous", False),
    ],
)
def test_school_officers_link(role, shown):
    assert ("School officers" in _nav_html(role)) is shown


@pytest.mark.django_db
def test_toolkit_link_for_everyone():
    assert "Toolkit" in _nav_html("anonymous")
