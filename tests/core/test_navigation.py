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
def test_a_schools_people_pages_are_in_the_your_schools_section(client):
    from accounts.selectors import headteacher_school_ids

    head = collect_role_builders()["headteacher"]()
    client.force_login(head)
    urn = next(iter(headteacher_school_ids(head)))

    def active(path):
        html = client.get(path).content.decode()
        nav = html[html.index('id="navigation"') : html.index("</ul>", html.index('id="navigation"'))]
        return [item.split(">")[-1] for item in nav.split("</a>") if "--active" in item.rsplit("<li", 1)[-1]]

    assert active(f"/schools/{urn}/people/") == ["Your schools"]
    assert active(f"/schools/{urn}/") == ["Find a school"]
    assert active("/schools/") == ["Find a school"]


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
