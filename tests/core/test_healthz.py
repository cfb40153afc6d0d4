from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone

from core import views
from core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db

URL = "/healthz"


@pytest.fixture(autouse=True)
def _fresh_storage_check():
    views._storage_checked.update(at=-views.STORAGE_CHECK_SECONDS * 10, result="ok")


@pytest.fixture
def worker_alive():
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="w1", started_at=now, seen_at=now)


def test_healthy_when_database_cache_storage_and_worker_answer(client, worker_alive):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "storage": "ok", "worker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_a_cache_failure_is_reported_but_the_service_stays_ready(client, worker_alive):
    # The cache is not needed to serve (its failures are misses): the load balancer must keep sending traffic.
    with mock.patch("core.views.cache") as cache:
        cache.set.side_effect = ConnectionError("redis is down")
        response = client.get(URL)
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": "error",
        "storage": "ok",
        "worker": "ok",
    }


def test_a_cache_that_loses_what_it_was_given_is_reported(client, worker_alive):
    with mock.patch("core.views.cache") as cache:
        cache.get.return_value = None
        response = client.get(URL)
    assert response.status_code == 200
    assert response.json()["cache"] == "error"
    assert response.json()["status"] == "degraded"


def test_503_when_the_database_fails(client):
    with mock.patch("core.views.connection") as connection:
        connection.cursor.side_effect = OperationalError("could not connect to server")
        response = client.get(URL)
    assert response.status_code == 503
    body = response.json()
    assert body == {"status": "error", "database": "error", "cache": "ok", "storage": "ok", "worker": "error"}


def test_storage_that_refuses_writes_is_reported(client, worker_alive):
    with mock.patch.object(views.default_storage, "save", side_effect=PermissionError("read-only file system")):
        response = client.get(URL)
    assert response.status_code == 200
    assert response.json()["storage"] == "error"
    assert response.json()["status"] == "degraded"


def test_the_storage_check_leaves_no_file_behind(client, worker_alive):
    with mock.patch.object(views.default_storage, "delete", wraps=views.default_storage.delete) as delete:
        client.get(URL)
    (name,), _ = delete.call_args
    assert name.startswith("healthz/")
    assert not views.default_storage.exists(name)


def test_a_stopped_worker_shows(client):
    assert client.get(URL).json()["worker"] == "none"  # never ran
    long_ago = timezone.now() - timedelta(seconds=views.WORKER_STALE_SECONDS + 5)
    WorkerHeartbeat.objects.create(worker_id="w1", started_at=long_ago, seen_at=long_ago)
    body = client.get(URL).json()
    assert body["worker"] == "stale"
    assert body["status"] == "degraded"


def test_only_get(client):
    assert client.post(URL).status_code == 405
