"""Sessions: idle and absolute limits, sign-out everywhere, deactivation, roles read per request, last seen."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from accounts.identity import sessions
from accounts.identity.middleware import ABSOLUTE_MESSAGE, IDLE_MESSAGE, REVOKED_MESSAGE
from core.models import AuditEvent
from tests.accounts.factories import SchoolMembershipFactory, UserFactory
from tests.accounts.test_identity_support import sign_in, user_with_role

pytestmark = pytest.mark.django_db


def _shift(client, **seconds_ago):
    """Time travel: move the session's stamps into the past."""
    session = client.session
    now = time.time()
    if "started" in seconds_ago:
        session[sessions.STARTED_KEY] = now - seconds_ago["started"]
    if "active" in seconds_ago:
        session[sessions.ACTIVITY_KEY] = now - seconds_ago["active"]
    session.save()


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def signed_in_client(client):
    user = UserFactory()
    response = sign_in(client, user)
    assert response.status_code == 302
    assert _signed_in(client)
    client.user = user
    return client


def test_sign_in_stamps_the_session(signed_in_client):
    session = signed_in_client.session
    assert abs(session[sessions.STARTED_KEY] - time.time()) < 5
    assert abs(session[sessions.ACTIVITY_KEY] - time.time()) < 5


def test_idle_for_29_minutes_is_still_signed_in(signed_in_client):
    _shift(signed_in_client, active=29 * 60)
    assert signed_in_client.get(reverse("identity:account")).status_code == 200
    assert abs(signed_in_client.session[sessions.ACTIVITY_KEY] - time.time()) < 5  # the request counted


def test_idle_for_30_minutes_is_signed_out(signed_in_client):
    _shift(signed_in_client, active=30 * 60 + 1)
    response = signed_in_client.get(reverse("identity:account"), follow=True)
    assert not _signed_in(signed_in_client)
    assert response.redirect_chain[0][0].startswith(reverse("account_login"))
    assert IDLE_MESSAGE in response.content.decode()


def test_absolute_limit_of_12_hours_even_when_active(signed_in_client):
    _shift(signed_in_client, started=12 * 3600 - 60, active=10)
    assert signed_in_client.get(reverse("identity:account")).status_code == 200
    _shift(signed_in_client, started=12 * 3600 + 1, active=10)
    response = signed_in_client.get(reverse("identity:account"), follow=True)
    assert not _signed_in(signed_in_client)
    assert ABSOLUTE_MESSAGE in response.content.decode()


def test_api_request_on_an_expired_session_is_unauthenticated(signed_in_client):
    _shift(signed_in_client, active=31 * 60)
    assert signed_in_client.get(reverse("identity-api:me")).status_code == 401


def test_new_session_key_at_sign_in(client):
    user = UserFactory()
    client.get(reverse("account_login"))
    session = client.session
    session["before-sign-in"] = "x"
    session.save()
    key_before = client.session.session_key
    sign_in(client, user)
    assert _signed_in(client)
    assert client.session.session_key != key_before


def test_settings_for_the_limits(settings):
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.SESSION_COOKIE_AGE == 12 * 60 * 60


class TestSignOutEverywhere:
    def test_ends_every_session_including_this_one(self, signed_in_client):
        user = signed_in_client.user
        laptop = Client()
        sign_in(laptop, user)
        assert laptop.get(reverse("identity:account")).status_code == 200
        assert signed_in_client.get(reverse("identity:sign_out_everywhere")).status_code == 200
        response = signed_in_client.post(reverse("identity:sign_out_everywhere"))
        assert response["Location"] == reverse("account_login")
        assert not _signed_in(signed_in_client)
        user.refresh_from_db()
        assert user.sessions_revoked_at is not None
        response = laptop.get(reverse("identity:account"), follow=True)
        assert not _signed_in(laptop)
        assert REVOKED_MESSAGE in response.content.decode()
        assert AuditEvent.objects.filter(verb="sessions.revoked", target_id=str(user.pk)).count() == 1

    def test_signing_in_again_afterwards_works(self, signed_in_client):
        user = signed_in_client.user
        signed_in_client.post(reverse("identity:sign_out_everywhere"))
        time.sleep(0.01)
        sign_in(signed_in_client, user)
        assert signed_in_client.get(reverse("identity:account")).status_code == 200


def test_deactivated_user_is_out_on_the_next_request(signed_in_client):
    user = signed_in_client.user
    assert signed_in_client.get(reverse("identity-api:me")).status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert signed_in_client.get(reverse("identity-api:me")).status_code == 401
    assert signed_in_client.get(reverse("identity:account")).status_code == 302


def test_role_removed_while_signed_in_is_gone_on_the_next_request(client):
    membership = SchoolMembershipFactory()
    client.force_login(membership.user)
    assert [r["role"] for r in client.get(reverse("identity-api:me")).json()["roles"]] == [roles.SCHOOL_STAFF]
    membership.ended_at = timezone.now()
    membership.save(update_fields=["ended_at"])
    assert client.get(reverse("identity-api:me")).json()["roles"] == []


def test_role_that_needs_two_factor_granted_while_signed_in_applies_on_the_next_request(client):
    membership = SchoolMembershipFactory()
    client.force_login(membership.user)
    assert client.get(reverse("identity:account")).status_code == 200
    membership.role = "headteacher"
    membership.save(update_fields=["role"])
    assert client.get(reverse("identity:account"))["Location"] == reverse("mfa_activate_totp")


class TestLastSeen:
    def _user_updates(self, queries) -> list[str]:
        return [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "last_seen_at" in q["sql"]]

    def test_at_most_one_update_a_day(self, client):
        user = UserFactory()
        client.force_login(user)
        with CaptureQueriesContext(connection) as first:
            client.get(reverse("identity:account"))
        assert len(self._user_updates(first.captured_queries)) == 1
        user.refresh_from_db()
        assert user.last_seen_at is not None
        with CaptureQueriesContext(connection) as second:
            client.get(reverse("identity:account"))
            client.get(reverse("identity-api:me"))
        assert self._user_updates(second.captured_queries) == []

    def test_updated_again_on_a_new_day(self, client):
        user = UserFactory(last_seen_at=timezone.now() - timedelta(days=1, hours=1))
        client.force_login(user)
        client.get(reverse("identity:account"))
        user.refresh_from_db()
        assert timezone.now() - user.last_seen_at < timedelta(minutes=1)


class TestKeepAlive:
    def test_status_does_not_count_as_activity(self, signed_in_client):
        _shift(signed_in_client, active=20 * 60)
        response = signed_in_client.get(reverse("identity:session_keep_alive"))
        assert response.status_code == 200
        left = response.json()["seconds_left"]
        assert 9 * 60 <= left <= 10 * 60
        assert time.time() - signed_in_client.session[sessions.ACTIVITY_KEY] >= 20 * 60 - 5

    def test_post_keeps_the_session_going(self, signed_in_client):
        _shift(signed_in_client, active=29 * 60)
        response = signed_in_client.post(reverse("identity:session_keep_alive"))
        assert response.json()["signed_in"] is True
        assert response.json()["seconds_left"] >= 29 * 60
        _shift(signed_in_client, active=0)
        assert signed_in_client.get(reverse("identity:account")).status_code == 200

    def test_after_expiry_it_says_signed_out(self, signed_in_client):
        _shift(signed_in_client, active=31 * 60)
        response = signed_in_client.get(reverse("identity:session_keep_alive"))
        assert response.status_code == 401
        assert response.json() == {"signed_in": False, "seconds_left": 0}

    def test_seconds_left_is_capped_by_the_absolute_limit(self, signed_in_client):
        _shift(signed_in_client, started=12 * 3600 - 100, active=0)
        left = signed_in_client.get(reverse("identity:session_keep_alive")).json()["seconds_left"]
        assert 90 <= left <= 100


def test_timed_out_page(client):
    response = client.get(reverse("identity:session_timed_out"))
    assert "You have been signed out" in response.content.decode()


def test_warning_is_on_every_page_for_signed_in_people_only(client):
    assert b"session-timeout.js" not in client.get(reverse("public:home")).content
    client.force_login(UserFactory())
    body = client.get(reverse("public:home")).content.decode()
    assert "session-timeout.js" in body
    assert "You&#x27;ll be signed out soon" in body or "You'll be signed out soon" in body
    assert 'data-idle-seconds="1800"' in body
    assert 'data-warning-seconds="120"' in body
    assert "onclick" not in body


def test_two_factor_user_roles_do_not_bypass_the_session_policy(client):
    user = user_with_role(roles.HEADTEACHER, two_factor=True)
    client.force_login(user)
    _shift(client, active=31 * 60)
    assert client.get(reverse("identity:account")).status_code == 302
    assert not _signed_in(client)
