"""The "Check your email" page says once that the email was sent: no banner repeating the page's own words after
signing up or signing in with an address not yet confirmed; sending it again from the account's email page (which
does not say it) keeps the banner."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from .factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password-1"


def _main_text(body: str) -> str:
    main = body[body.index("<main") : body.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).lower()


def _said_once(text: str) -> None:
    assert text.count("sent you an email") + text.count("sent an email") == 1, text
    assert text.count("check your email") == 1, text


def test_sign_up_says_it_once(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "new.person@example.org", "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    body = response.content.decode()
    _said_once(_main_text(body))
    assert "govuk-notification-banner" not in body.split("<main")[1]


def test_signing_in_unconfirmed_says_it_once(client):
    user = UserFactory(email="unconfirmed@example.org")
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    _said_once(_main_text(response.content.decode()))


def test_sending_again_from_the_email_page_still_says_so(client):
    from tests.accounts.test_identity_support import verified_user

    user = verified_user()
    EmailAddress.objects.create(user=user, email="second@example.org", verified=False, primary=False)
    client.force_login(user)
    response = client.post(reverse("account_email"), {"action_send": "", "email": "second@example.org"}, follow=True)
    assert "sent an email" in _main_text(response.content.decode())
