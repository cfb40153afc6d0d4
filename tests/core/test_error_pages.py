"""GOV.UK error pages: 400, 403, 404, 429 inside the portal's layout; 500 standalone, without the request context."""

import pytest
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.test import Client, RequestFactory, override_settings

from core.views import server_error

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls")]


def page_text(response) -> str:
    return response.content.decode()


@override_settings(DEBUG=False)
def test_404_page(client):
    response = client.get("/core-test/no-such-page")
    assert response.status_code == 404
    html = page_text(response)
    assert "<title>Page not found – London Schools Safety Portal</title>" in html
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in html
    assert "govuk-header" in html and "govuk-footer" in html


@override_settings(DEBUG=False)
def test_404_raised_by_a_view_does_not_show_its_message(client):
    response = client.get("/core-test/schools/123456")
    assert response.status_code == 404
    assert "Page not found" in page_text(response)
    assert "123456" not in page_text(response)


@override_settings(DEBUG=False)
def test_403_page_for_someone_signed_in_and_someone_not(client):
    response = client.get("/core-test/forbidden")
    assert response.status_code == 403
    html = page_text(response)
    assert '<h1 class="govuk-heading-l">You do not have access to this page</h1>' in html
    assert "sign in</a>" in html
    assert "next=/core-test/forbidden" in html

    user = get_user_model().objects.create_user(email="staff@school.example", password="a-long-test-password")
    client.force_login(user)
    html = page_text(client.get("/core-test/forbidden"))
    assert "You do not have access to this page" in html
    assert "give you the role you need" in html


@override_settings(DEBUG=False)
def test_400_page(client):
    response = client.get("/core-test/suspicious")
    assert response.status_code == 400
    assert "Sorry, there is a problem with your request" in page_text(response)
    assert "tampered" not in page_text(response)


def test_429_page(client):
    response = client.get("/core-test/rate-limited")
    assert response.status_code == 429
    assert "There have been too many attempts" in page_text(response)


@override_settings(DEBUG=False)
def test_500_page_through_the_handler():
    client = Client(raise_request_exception=False)
    response = client.get("/core-test/broken", HTTP_X_REQUEST_ID="support-ref-0001")
    assert response.status_code == 500
    html = page_text(response)
    assert "Sorry, there is a problem with the service" in html
    assert "the database fell over" not in html
    assert "support-ref-0001" in html  # the reference a person can quote
    assert response["X-Request-ID"] == "support-ref-0001"
    assert "/static/css/portal.css" in html


def test_500_page_renders_without_any_context():
    """Django's own handler renders 500.html with an empty context: nothing in it may need the request."""
    html = render_to_string("500.html", {})
    assert "Sorry, there is a problem with the service" in html
    assert "reference" not in html
    assert "{%" not in html


def test_500_view_without_a_request_id():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page_text(response)
    assert "reference" not in page_text(response)


@override_settings(DEBUG=False)
@pytest.mark.urls("tests.core.urls_default_handlers")
def test_500_page_through_djangos_default_handler():
    client = Client(raise_request_exception=False)
    response = client.get("/core-test/broken")
    assert response.status_code == 500
    html = page_text(response)
    assert "Sorry, there is a problem with the service" in html
    assert "the database fell over" not in html


@override_settings(DEBUG=False, ALLOWED_HOSTS=["portal.example.org"])
def test_400_page_for_a_host_that_is_not_ours(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Sorry, there is a problem with your request" in page_text(response)
    assert "evil.example" not in page_text(response)


@pytest.mark.django_db
def test_a_form_sent_without_its_csrf_token_gets_the_govuk_page():
    response = Client(enforce_csrf_checks=True).post("/account/login/", {"login": "a@example.org", "password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Your form could not be sent" in html
    assert "Go back, refresh the page and try again" in html
