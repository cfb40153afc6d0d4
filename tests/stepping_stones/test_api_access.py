"""The API's access rows (stepping_stones/api/access_rows.py) cover every API URL name and hold for every role."""

import pytest
from django.test import Client
from django.urls import reverse

from core.access import collect_role_builders
from stepping_stones.api import urls as api_urls
from stepping_stones.api.access_rows import ROWS
from tests.access import url_kwargs

ROLES = sorted(collect_role_builders())


def test_every_api_url_name_has_a_row():
    names = {f"stepping_stones-api:{p.name}" for p in api_urls.urlpatterns}
    assert names == {row.url_name for row in ROWS}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.url_name)
def test_api_access(row, role):
    client = Client()
    user = collect_role_builders()[role]()
    if user is not None:
        client.force_login(user)
    response = client.get(reverse(row.url_name, kwargs=url_kwargs(row)))
    assert response.status_code == row.status_for(role), f"{role} GET {row.url_name}: {response.status_code}"
    if response.status_code == 200:
        assert "no-store" in response["Cache-Control"]
