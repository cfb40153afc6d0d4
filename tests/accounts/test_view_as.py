"""'View as': programme admins only, with a reason; read-only; a banner on every page; ends after 30 minutes."""

import time

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from accounts.identity import view_as
from accounts.models import ApiToken
from core.models import AuditEvent
from tests.accounts.factories import TEST_PASSWORD, UserFactory
from tests.accounts.test_identity_support import programme_admin_with_two_factor, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = programme_admin_with_two_factor()
    client.force_login(admin)
    client.admin = admin
    return client


def start(client, target, reason="Support ticket 123: they cannot see their school"):
    return client.post(reverse("identity:view_as_start"), {"email": target.email, "reason": reason})


def test_start_with_a_reason_then_pages_show_the_viewed_user_and_a_banner(admin_client):
    target = user_with_role(roles.SCHOOL_STAFF)
    assert admin_client.get(reverse("identity:view_as_start")).status_code == 200
    response = start(admin_client, target)
    assert response["Location"] == reverse("identity:account")
    event = AuditEvent.objects.get(verb="view_as.started")
    assert event.actor == admin_client.admin
    assert event.target_id == str(target.pk)
    assert event.reason == "Support ticket 123: they cannot see their school"
    for name in ["identity:account", "public:home", "schools:list"]:
        body = admin_client.get(reverse(name)).content.decode()
        assert f"You are viewing as {target.full_name} ({target.email})" in body, name
        assert "Stop viewing as" in body
    me = admin_client.get(reverse("identity-api:me")).json()
    assert me["email"] == target.email
    assert me["viewing_as"] is True
    assert [r["role"] for r in me["roles"]] == [roles.SCHOOL_STAFF]


def test_every_write_is_refused_while_viewing(admin_client):
    target = user_with_role(roles.SCHOOL_STAFF)
    start(admin_client, target)
    response = admin_client.post(
        reverse("identity:token_create"), {"name": "x", "days": "30", "password": TEST_PASSWORD}
    )
    assert response.status_code == 403
    assert "read-only" in response.content.decode()
    response = admin_client.post(reverse("identity:sign_out_everywhere"))
    assert response.status_code == 403
    api = admin_client.post(
        reverse("identity-api:tokens"), {"name": "x", "password": TEST_PASSWORD}, content_type="application/json"
    )
    assert api.status_code == 403
    assert api.json()["code"] == "view_as_read_only"
    for method in ("put", "patch", "delete"):
        assert getattr(admin_client, method)(reverse("identity-api:me")).status_code == 403
    assert not ApiToken.objects.exists()
    target.refresh_from_db()
    assert target.sessions_revoked_at is None
    admin_client.admin.refresh_from_db()
    assert admin_client.admin.sessions_revoked_at is None


def test_stop_returns_to_the_admin(admin_client):
    target = user_with_role(roles.SCHOOL_STAFF)
    start(admin_client, target)
    assert admin_client.get(reverse("identity:view_as_stop")).status_code == 200
    response = admin_client.post(reverse("identity:view_as_stop"))
    assert response["Location"] == reverse("identity:account")
    body = admin_client.get(reverse("identity:account")).content.decode()
    assert "You are viewing as" not in body
    assert admin_client.get(reverse("identity-api:me")).json()["email"] == admin_client.admin.email
    event = AuditEvent.objects.get(verb="view_as.ended")
    assert event.reason == "stopped by the admin"


def test_ends_after_30_minutes(admin_client):
    target = user_with_role(roles.SCHOOL_STAFF)
    start(admin_client, target)
    session = admin_client.session
    session[view_as.SESSION_KEY]["started_at"] = time.time() - 30 * 60 - 1
    session.save()
    body = admin_client.get(reverse("identity:account")).content.decode()
    assert "You are viewing as" not in body
    assert admin_client.get(reverse("identity-api:me")).json()["email"] == admin_client.admin.email
    assert AuditEvent.objects.get(verb="view_as.ended").reason == "30 minutes passed"


def test_ends_with_sign_out(admin_client):
    target = user_with_role(roles.SCHOOL_STAFF)
    start(admin_client, target)
    response = admin_client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in admin_client.session
    assert view_as.SESSION_KEY not in admin_client.session


def test_ends_when_the_admin_loses_the_role(admin_client):
    target = user_with_role(roles.SCHOOL_STAFF)
    start(admin_client, target)
    admin_client.admin.programme_roles.update(ended_at=timezone.now())
    me = admin_client.get(reverse("identity-api:me")).json()
    assert me["email"] == admin_client.admin.email
    assert me["viewing_as"] is False
    assert AuditEvent.objects.get(verb="view_as.ended").reason == "no longer allowed"


def test_reason_and_a_known_person_are_required(admin_client):
    target = user_with_role(roles.SCHOOL_STAFF)
    response = start(admin_client, target, reason="")
    assert "There is a problem" in response.content.decode()
    response = admin_client.post(reverse("identity:view_as_start"), {"email": "nobody@example.org", "reason": "x"})
    assert "No account uses this email address" in response.content.decode()
    assert not AuditEvent.objects.filter(verb="view_as.started").exists()
    assert view_as.SESSION_KEY not in admin_client.session


@pytest.mark.parametrize("kind", ["self", "admin", "superuser", "inactive"])
def test_cannot_view_as_these(admin_client, kind):
    target = {
        "self": lambda: admin_client.admin,
        "admin": programme_admin_with_two_factor,
        "superuser": lambda: UserFactory(is_superuser=True, is_staff=True),
        "inactive": lambda: UserFactory(is_active=False),
    }[kind]()
    response = start(admin_client, target)
    assert response.status_code == 200
    assert "You cannot view as this person" in response.content.decode()
    assert view_as.SESSION_KEY not in admin_client.session


@pytest.mark.parametrize("role", sorted(set(roles.ROLES) - {roles.PROGRAMME_ADMIN}))
def test_only_programme_admins_may_view_as(client, role):
    client.force_login(user_with_role(role, two_factor=True))
    target = UserFactory()
    assert client.get(reverse("identity:view_as_start")).status_code == 403
    assert start(client, target).status_code == 403
    assert view_as.SESSION_KEY not in client.session


def test_a_forged_session_key_does_nothing_for_a_non_admin(client):
    user = user_with_role(roles.SCHOOL_STAFF)
    target = UserFactory()
    client.force_login(user)
    session = client.session
    session[view_as.SESSION_KEY] = {"user_id": target.pk, "started_at": time.time()}
    session.save()
    assert client.get(reverse("identity-api:me")).json()["email"] == user.email


def test_is_viewing_as_for_programme_apps():
    request = RequestFactory().get("/")
    assert view_as.is_viewing_as(request) is False
    request.view_as_actor = UserFactory()
    assert view_as.is_viewing_as(request) is True


def test_admin_without_two_factor_cannot_start(client):
    admin = user_with_role(roles.PROGRAMME_ADMIN)
    client.force_login(admin)
    response = start(client, UserFactory())
    assert response["Location"] == reverse("mfa_activate_totp")
    assert not AuditEvent.objects.filter(verb="view_as.started").exists()
