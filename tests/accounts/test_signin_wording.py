"""allauth's forms speak GOV.UK: errors say what to do, and known and unknown emails get the same words."""

import pytest
from django.contrib.auth import get_user_model

LOGIN = "/account/login/"


@pytest.mark.django_db
def test_empty_sign_in_says_what_to_enter(client):
    html = client.post(LOGIN, {"login": "", "password": ""}).content.decode()
    assert "Enter your email address" in html
    assert "Enter your password" in html
    assert "This field is required" not in html


@pytest.mark.django_db
def test_wrong_password_and_unknown_email_get_the_same_govuk_message(client):
    get_user_model().objects.create_user(email="known@example.org", password="a-long-test-password")
    known = client.post(LOGIN, {"login": "known@example.org", "password": "wrong-password-1"}).content.decode()
    unknown = client.post(LOGIN, {"login": "nobody@example.org", "password": "wrong-password-1"}).content.decode()
    assert "Enter a correct email address and password" in known
    assert "Enter a correct email address and password" in unknown


@pytest.mark.django_db
def test_malformed_email_on_password_reset(client):
    html = client.post("/account/password/reset/", {"email": "not-an-email"}).content.decode()
    assert "Enter an email address in the correct format" in html
