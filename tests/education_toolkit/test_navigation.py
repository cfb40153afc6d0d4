import pytest
from django.urls import reverse

from core.navigation import navigation_items

pytestmark = pytest.mark.django_db


def test_toolkit_link_for_everyone_and_marked_on_its_pages(rf, client):
    request = rf.get(reverse("toolkit:catalogue"))
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    toolkit = [item for item in navigation_items(request) if item["label"] == "Toolkit"]
    assert toolkit == [{"label": "Toolkit", "url": "/toolkit/", "active": True}]
    assert 'aria-current="page">Toolkit</a>' in client.get(reverse("toolkit:catalogue")).content.decode()
