"""Token lifetime (issue 17, finding 9): a password change, a password reset and "sign out everywhere" revoke the
person's own API tokens, say so on the page before the person confirms, and leave an audit record per token."""

from datetime import timedelta

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.identity.services import api_token_create
from accounts.models import ApiToken
from core.models import AuditEvent
from tests.accounts.factories import TEST_PASSWORD, UserFactory
from tests.accounts.test_identity_support import sign_in, verified_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-77"


def works(plaintext: str) -> bool:
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}").get(reverse("identity-api:me")).status_code == 200


@pytest.fixture
def person():
    return verified_user()


@pytest.fixture
def tokens(person):
    """Two working tokens, one already expired, and someone else's."""
    mine = [api_token_create(user=person, name=name, password=TEST_PASSWORD) for name in ("MIS", "Reports")]
    expired = api_token_create(user=person, name="Old", password=TEST_PASSWORD)
    ApiToken.objects.filter(pk=expired.token.pk).update(expires_at=timezone.now() - timedelta(days=1))
    other = api_token_create(user=UserFactory(), name="Theirs", password=TEST_PASSWORD)
    assert all(works(issued.plaintext) for issued in [*mine, other])
    return {"mine": mine, "expired": expired, "other": other}


def assert_revoked(tokens, person, reason: str):
    assert not any(works(issued.plaintext) for issued in tokens["mine"])
    assert works(tokens["other"].plaintext)  # only the person's own tokens
    events = AuditEvent.objects.filter(verb="api_token.revoked", actor=person)
    assert sorted(int(event.target_id) for event in events) == sorted(issued.token.pk for issued in tokens["mine"])
    assert {event.reason for event in events} == {reason}
    assert {(event.from_state, event.to_state) for event in events} == {("active", "revoked")}


class TestSignOutEverywhere:
    def test_the_page_says_how_many_tokens_go_before_confirming(self, client, person, tokens):
        sign_in(client, person)
        text = client.get(reverse("identity:sign_out_everywhere")).content.decode()
        assert "This also revokes your 2 API tokens" in text
        assert "keep working" not in text
        assert all(works(issued.plaintext) for issued in tokens["mine"])  # showing the page changes nothing

    def test_confirming_revokes_them(self, client, person, tokens):
        sign_in(client, person)
        client.post(reverse("identity:sign_out_everywhere"))
        assert_revoked(tokens, person, "Signed out everywhere")

    def test_no_tokens_no_sentence(self, client, person):
        sign_in(client, person)
        assert "API token" not in client.get(reverse("identity:sign_out_everywhere")).content.decode()

    def test_one_token_is_singular(self, client, person):
        api_token_create(user=person, name="MIS", password=TEST_PASSWORD)
        sign_in(client, person)
        text = client.get(reverse("identity:sign_out_everywhere")).content.decode()
        assert "This also revokes your API token:" in text


class TestPasswordChange:
    def test_the_page_says_how_many_tokens_go_before_confirming(self, client, person, tokens):
        sign_in(client, person)
        text = client.get(reverse("account_change_password")).content.decode()
        assert "This also revokes your 2 API tokens" in text

    def test_changing_the_password_revokes_them(self, client, person, tokens):
        sign_in(client, person)
        response = client.post(
            reverse("account_change_password"),
            {"oldpassword": TEST_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
        assert response.status_code == 302
        person.refresh_from_db()
        assert person.check_password(NEW_PASSWORD)
        assert_revoked(tokens, person, "Password changed")

    def test_a_refused_change_revokes_nothing(self, client, person, tokens):
        sign_in(client, person)
        response = client.post(
            reverse("account_change_password"),
            {"oldpassword": "not-my-password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
        assert response.status_code == 200
        assert all(works(issued.plaintext) for issued in tokens["mine"])
        assert not AuditEvent.objects.filter(verb="api_token.revoked").exists()

    def test_a_password_reset_revokes_them_too(self, client, person, tokens):
        key = default_token_generator.make_token(person)
        url = reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(person), "key": key})
        page = client.get(url, follow=True)
        assert "This also revokes your 2 API tokens" in page.content.decode()
        action = page.redirect_chain[-1][0] if page.redirect_chain else url
        response = client.post(action, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        assert response.status_code == 302
        assert_revoked(tokens, person, "Password changed")
