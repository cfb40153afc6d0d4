"""Sign-in with allauth: no account enumeration, rate limits, mandatory email verification, argon2, open sign-up."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.identity.roles_bridge import role_names
from tests.accounts.factories import TEST_PASSWORD, UserFactory
from tests.accounts.test_identity_support import verified_user

pytestmark = pytest.mark.django_db

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
_NONCE = re.compile(r'nonce="[^"]+"')


def _normalised(response, *emails: str) -> str:
    """The page with what legitimately differs between two requests (tokens, the address typed) blanked out."""
    body = _NONCE.sub("", _CSRF.sub("", response.content.decode()))
    for email in emails:
        body = body.replace(email, "EMAIL")
    return body


class TestNoEnumeration:
    def test_sign_in_wrong_password_vs_unknown_email(self, client):
        known = verified_user()
        unknown = "nobody-here@example.org"
        first = client.post(reverse("account_login"), {"login": known.email, "password": "wrong-password-1"})
        second = client.post(reverse("account_login"), {"login": unknown, "password": "wrong-password-1"})
        assert first.status_code == second.status_code == 200
        assert _normalised(first, known.email) == _normalised(second, unknown)
        assert "Enter a correct email address and password" in first.content.decode()

    def test_sign_up_with_existing_vs_new_email(self, django_capture_on_commit_callbacks):
        existing = verified_user()
        new = "brand-new@example.org"
        password = "a-Very-long-passphrase-42"
        pages = []
        for email in (existing.email, new):
            client = Client()
            with django_capture_on_commit_callbacks(execute=True):  # allauth's emails are queued after commit
                response = client.post(
                    reverse("account_signup"), {"email": email, "password1": password, "password2": password}
                )
            assert response.status_code == 302
            assert response["Location"] == reverse("account_email_verification_sent")
            pages.append(_normalised(client.get(response["Location"]), email))
        assert pages[0] == pages[1]
        # Both get one email: the existing account is told someone tried, the new one is asked to verify.
        assert sorted(m.to[0] for m in mail.outbox) == sorted([existing.email, new])
        assert get_user_model().objects.filter(email=existing.email).count() == 1

    def test_password_reset_known_vs_unknown(self, client):
        known = verified_user()
        unknown = "nobody-here@example.org"
        first = client.post(reverse("account_reset_password"), {"email": known.email})
        second = client.post(reverse("account_reset_password"), {"email": unknown})
        assert first.status_code == second.status_code == 302
        assert first["Location"] == second["Location"]
        assert _normalised(client.get(first["Location"])) == _normalised(client.get(second["Location"]))


class TestRateLimits:
    def test_failed_sign_ins_for_one_account_are_limited(self, client):
        user = verified_user()
        for _ in range(5):
            response = client.post(reverse("account_login"), {"login": user.email, "password": "wrong-password-1"})
            assert "Enter a correct email address and password" in response.content.decode()
        response = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
        assert "Too many failed attempts to sign in" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_failed_sign_ins_from_one_address_are_limited(self, client):
        for index in range(10):
            client.post(reverse("account_login"), {"login": f"guess{index}@example.org", "password": "wrong-pass-1"})
        response = client.post(reverse("account_login"), {"login": "guess-last@example.org", "password": "x"})
        assert response.status_code == 429 or "Too many failed attempts to sign in" in response.content.decode()

    def test_limits_live_in_the_configured_cache(self, client, settings):
        from django.core.cache import cache

        user = verified_user()
        for _ in range(6):
            client.post(reverse("account_login"), {"login": user.email, "password": "wrong-password-1"})
        cache.clear()  # a shared cache (Redis) holds these for every app server; clearing it lifts the limit
        response = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
        assert response.status_code == 302
        assert settings.ACCOUNT_RATE_LIMITS["login_failed"]

    def test_password_reset_requests_are_limited(self, client):
        user = verified_user()
        statuses = [client.post(reverse("account_reset_password"), {"email": user.email}).status_code for _ in range(6)]
        assert statuses[:5] == [302] * 5
        assert statuses[5] == 429


class TestEmailVerification:
    def test_unverified_email_cannot_sign_in(self, client, django_capture_on_commit_callbacks):
        password = "a-Very-long-passphrase-42"
        with django_capture_on_commit_callbacks(execute=True):  # allauth's emails are queued after commit
            client.post(
                reverse("account_signup"),
                {"email": "New.Person@Example.org", "password1": password, "password2": password},
            )
        user = get_user_model().objects.get()
        assert user.email == "new.person@example.org"
        assert "_auth_user_id" not in client.session
        response = client.post(reverse("account_login"), {"login": "new.person@example.org", "password": password})
        assert response.status_code == 302
        assert response["Location"] == reverse("account_email_verification_sent")
        assert "_auth_user_id" not in client.session
        # Following the emailed link verifies; then sign-in works.
        link = re.search(r"https?://[^\s]+/confirm-email/[^\s]+/", mail.outbox[-1].body).group(0)
        path = link.split("://", 1)[1].split("/", 1)[1]
        client.post("/" + path)
        assert EmailAddress.objects.get(user=user).verified
        response = client.post(reverse("account_login"), {"login": "new.person@example.org", "password": password})
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)

    def test_sign_up_gives_no_roles(self, client):
        password = "a-Very-long-passphrase-42"
        client.post(reverse("account_signup"), {"email": "x@example.org", "password1": password, "password2": password})
        user = get_user_model().objects.get()
        assert role_names(user) == set()
        assert not user.is_staff and not user.is_superuser

    def test_weak_passwords_are_refused(self, client):
        response = client.post(
            reverse("account_signup"), {"email": "x@example.org", "password1": "password", "password2": "password"}
        )
        assert response.status_code == 200
        assert not get_user_model().objects.exists()


def test_argon2_hashes_passwords_outside_tests():
    from schools_portal.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    import argon2  # noqa: F401 - the hasher's dependency is installed


def test_a_deactivated_user_cannot_sign_in(client):
    user = verified_user(is_active=False)
    response = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code in {200, 302}


def test_sign_in_page_renders(client):
    assert client.get(reverse("account_login")).status_code == 200
    assert UserFactory  # factories import cleanly
