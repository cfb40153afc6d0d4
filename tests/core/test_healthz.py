from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db

URL = "/healthz"


def test_healthy_when_database_and_cache_answer(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_503_when_the_cache_fails(client):
    with mock.patch("core.views.cache") as cache:
        cache.set.side_effect = ConnectionError("redis is down")
        response = client.get(URL)
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "cache": "error"}


def test_503_when_the_cache_loses_what_it_was_given(client):
    with mock.patch("core.views.cache") as cache:
        cache.get.return_value = None
        response = client.get(URL)
    assert response.status_code == 503
    assert response.json()["cache"] == "error"


def test_503_when_the_database_fails(client):
    with mock.patch("core.views.connection") as connection:
        connection.cursor.side_effect = OperationalError("could not connect to server")
        response = client.get(URL)
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "cache": "ok"}


def test_only_get(client):
    assert client.post(URL).status_code == 405
