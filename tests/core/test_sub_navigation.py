"""Each programme's sub-navigation shows only the links the person can open: the same predicates as the views."""

import re

import pytest
from django.test import Client, RequestFactory

from core.access import collect_role_builders
from core.navigation import sub_navigation_items

SUB_NAVIGATIONS = ["wands", "officers", "education_toolkit", "accounts"]
ROLES = sorted(collect_role_builders())


@pytest.mark.django_db
@pytest.mark.parametrize("app_label", SUB_NAVIGATIONS)
@pytest.mark.parametrize("role", ROLES)
def test_every_link_shown_opens(app_label, role):
    user = collect_role_builders()[role]()
    request = RequestFactory().get("/")
    request.user = user if user is not None else _anonymous()
    client = Client()
    if user is not None:
        client.force_login(user)
    for item in sub_navigation_items(app_label, request):
        status = client.get(item["url"]).status_code
        assert status == 200, f"{role} is shown {item['label']} ({item['url']}) in {app_label} but gets {status}"


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def _links(html):
    nav = re.search(r'<nav aria-label="Wands programme".*?</nav>', html, re.S)
    return re.findall(r">([^<]+)</a>", nav.group(0)) if nav else []


@pytest.mark.django_db
def test_wands_programme_admin_and_fulfilment_see_their_own_links():
    builders = collect_role_builders()
    admin, fulfilment = Client(), Client()
    admin.force_login(builders["programme_admin"]())
    fulfilment.force_login(builders["fulfilment_staff"]())
    admin_links = _links(admin.get("/wands/queue/").content.decode())
    fulfilment_links = _links(fulfilment.get("/wands/queue/").content.decode())
    assert {"Requests", "Stock", "Dashboard", "Allowance rule", "Earlier deliveries"} <= set(admin_links)
    assert not {"Dispatch", "Returns"} & set(admin_links)
    assert {"Requests", "Stock", "Dispatch", "Returns", "Dashboard"} <= set(fulfilment_links)
    assert not {"Allowance rule", "Earlier deliveries"} & set(fulfilment_links)


@pytest.mark.django_db
def test_officers_sub_navigation_has_no_inline_style_and_marks_the_current_page():
    client = Client()
    client.force_login(collect_role_builders()["police_allocator"]())
    html = client.get("/officers/queue/").content.decode()
    nav = re.search(r'<nav aria-label="School officers".*?</nav>', html, re.S).group(0)
    assert 'class="portal-sub-navigation"' in nav and "style=" not in nav
    assert 'aria-current="page">Queue</a>' in nav
