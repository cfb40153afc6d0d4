"""The database down: pages show the GOV.UK "service unavailable" page with 503, the API answers 503 problem details
with Retry-After, a session that cannot be loaded keeps its cookie, and the admins get one email, not one a request."""

from unittest import mock

import pytest
from django.core import mail
from django.db import OperationalError
from django.urls import reverse

from core import outage
from core.sessions import SessionStore
from tests.accounts.factories import SchoolFactory, UserFactory
from tests.accounts.test_identity_support import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_outage_log():
    outage.reset()
    yield
    outage.reset()


def database_down():
    """Loading a session from the database fails as it does while PostgreSQL restarts."""
    return mock.patch.object(
        SessionStore, "_get_session_from_db", side_effect=OperationalError("server closed the connection")
    )


def session_cookie_deleted(response) -> bool:
    morsel = response.cookies.get("sessionid")
    return morsel is not None and (morsel.value == "" or morsel["max-age"] == 0)


@pytest.fixture
def signed_in(client):
    user = UserFactory()
    assert sign_in(client, user).status_code == 302
    from django.core.cache import cache

    cache.clear()  # the cached copy gone too (Redis restarted): the session must come from the database
    client.raise_request_exception = False  # as in production: the handler's response, not the exception
    return client


def test_a_page_shows_service_unavailable_and_keeps_the_cookie(signed_in):
    with database_down():
        response = signed_in.get(reverse("identity:account"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Sorry, the service is unavailable</h1>' in html
    assert "Sorry, the service is unavailable – London Schools Safety Portal</title>" in html
    assert not session_cookie_deleted(response)
    # The database is back: the same person, still signed in.
    assert signed_in.get(reverse("identity:account")).status_code == 200


def test_the_api_answers_503_problem_details_and_keeps_the_cookie(signed_in):
    with database_down():
        response = signed_in.get("/api/v1/schools/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "30"
    body = response.json()
    assert body["status"] == 503 and body["title"] == "Service Unavailable"
    assert body["code"] == "service_unavailable" and body["instance"] == "/api/v1/schools/"
    assert not session_cookie_deleted(response)


def test_a_database_error_inside_an_api_view_is_503_problem_details(client):
    SchoolFactory()
    with mock.patch(
        "schools.api.views.SchoolViewSet.get_queryset", side_effect=OperationalError("could not connect to server")
    ):
        response = client.get("/api/v1/schools/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "30"
    assert response.json()["detail"] == "The service is unavailable. Try again later."


def test_other_errors_stay_500(client):
    with mock.patch("schools.api.views.SchoolViewSet.get_queryset", side_effect=RuntimeError("a bug")):
        client.raise_request_exception = False
        response = client.get("/api/v1/schools/")
    assert response.status_code == 500


def test_admins_get_one_email_a_minute_not_one_per_request(signed_in, settings):
    settings.ADMINS = [("Ops", "ops@example.org")]
    with database_down():
        statuses = [signed_in.get(reverse("identity:account")).status_code for _ in range(8)]
    assert statuses == [503] * 8
    assert len(mail.outbox) == 1
