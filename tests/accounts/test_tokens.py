"""Personal API tokens: password (and code) re-entered, shown once, hashed at rest, expiring, revocable."""

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from accounts.identity.services import api_token_create, api_token_revoke
from accounts.models import ApiToken
from core.errors import Conflict, DomainError
from core.models import AuditEvent
from tests.accounts.factories import TEST_PASSWORD, UserFactory
from tests.accounts.test_identity_support import give_totp, totp_code, user_with_role

pytestmark = pytest.mark.django_db


def bearer(plaintext: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


class TestCreate:
    def test_plaintext_once_hash_at_rest(self):
        user = UserFactory()
        issued = api_token_create(user=user, name="MIS", password=TEST_PASSWORD)
        token = ApiToken.objects.get()
        assert issued.plaintext.startswith("lssp_")
        assert len(issued.plaintext) > 40
        assert token.token_hash == hashlib.sha256(issued.plaintext.encode()).hexdigest()
        assert issued.plaintext not in {token.token_hash, token.prefix, token.name}
        assert issued.plaintext.startswith(token.prefix)
        assert timedelta(days=29, hours=23) < token.expires_at - timezone.now() <= timedelta(days=30)
        event = AuditEvent.objects.get(verb="api_token.created")
        assert issued.plaintext not in str(event.data)
        assert event.actor == user

    def test_two_tokens_differ(self):
        user = UserFactory()
        first = api_token_create(user=user, name="A", password=TEST_PASSWORD)
        second = api_token_create(user=user, name="B", password=TEST_PASSWORD)
        assert first.plaintext != second.plaintext

    def test_password_must_be_re_entered(self):
        user = UserFactory()
        with pytest.raises(DomainError) as error:
            api_token_create(user=user, name="MIS", password="wrong")
        assert error.value.field == "password"
        assert not ApiToken.objects.exists()

    def test_wrong_passwords_are_throttled(self):
        user = UserFactory()
        for _ in range(5):
            with pytest.raises(DomainError):
                api_token_create(user=user, name="MIS", password="wrong")
        with pytest.raises(DomainError) as error:
            api_token_create(user=user, name="MIS", password=TEST_PASSWORD)
        assert error.value.code == "throttled"
        assert not ApiToken.objects.exists()

    def test_two_factor_code_required_when_set_up(self):
        user = user_with_role(roles.HEADTEACHER)
        secret = give_totp(user)
        with pytest.raises(DomainError) as error:
            api_token_create(user=user, name="MIS", password=TEST_PASSWORD)
        assert error.value.field == "otp_code"
        with pytest.raises(DomainError):
            api_token_create(user=user, name="MIS", password=TEST_PASSWORD, otp_code="000000")
        issued = api_token_create(user=user, name="MIS", password=TEST_PASSWORD, otp_code=totp_code(secret))
        assert issued.token.pk
        # The same code does not work twice.
        with pytest.raises(DomainError):
            api_token_create(user=user, name="MIS2", password=TEST_PASSWORD, otp_code=totp_code(secret))

    def test_refused_while_required_two_factor_is_missing(self):
        user = user_with_role(roles.POLICE_OFFICER)
        with pytest.raises(DomainError) as error:
            api_token_create(user=user, name="MIS", password=TEST_PASSWORD)
        assert error.value.code == "two_factor_required"

    @pytest.mark.parametrize(("name", "days", "field"), [("", 30, "name"), ("x" * 101, 30, "name"), ("ok", 0, "days")])
    def test_bad_input(self, name, days, field):
        with pytest.raises(DomainError) as error:
            api_token_create(user=UserFactory(), name=name, password=TEST_PASSWORD, days=days)
        assert error.value.field == field


class TestAuthentication:
    def _issue(self, user=None, **kwargs):
        return api_token_create(user=user or UserFactory(), name="MIS", password=TEST_PASSWORD, **kwargs)

    def test_bearer_token_authenticates(self):
        issued = self._issue()
        response = bearer(issued.plaintext).get(reverse("identity-api:me"))
        assert response.status_code == 200
        assert response.json()["email"] == issued.token.user.email
        issued.token.refresh_from_db()
        assert issued.token.last_used_at is not None
        issued.token.user.refresh_from_db()
        assert issued.token.user.last_seen_at is not None

    @pytest.mark.parametrize(
        "header", ["Bearer", "Bearer a b", "Bearer lssp_not-a-real-token", "Bearer \u00e9t\u00e9"], ids=str
    )
    def test_bad_tokens_are_401(self, header):
        self._issue()
        response = Client(HTTP_AUTHORIZATION=header.encode("utf-8").decode("latin-1")).get(reverse("identity-api:me"))
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")

    def test_no_credentials_is_401(self, client):
        response = client.get(reverse("identity-api:me"))
        assert response.status_code == 401

    def test_expired_token_refused(self):
        issued = self._issue(days=1)
        ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        response = bearer(issued.plaintext).get(reverse("identity-api:me"))
        assert response.status_code == 401
        assert "expired" in response.json()["detail"]

    def test_revoked_token_refused(self):
        issued = self._issue()
        client = bearer(issued.plaintext)
        assert client.get(reverse("identity-api:me")).status_code == 200
        api_token_revoke(token_id=issued.token.pk, actor=issued.token.user)
        response = client.get(reverse("identity-api:me"))
        assert response.status_code == 401
        assert "revoked" in response.json()["detail"]

    def test_inactive_user_refused(self):
        issued = self._issue()
        issued.token.user.is_active = False
        issued.token.user.save()
        assert bearer(issued.plaintext).get(reverse("identity-api:me")).status_code == 401

    def test_refused_when_required_two_factor_is_missing(self):
        user = user_with_role(roles.SCHOOL_STAFF)
        issued = self._issue(user=user)
        assert bearer(issued.plaintext).get(reverse("identity-api:me")).status_code == 200
        # Promoted to headteacher: two-factor is now required and not set up, so the token stops working.
        membership = user.school_memberships.get()
        membership.role = "headteacher"
        membership.save(update_fields=["role"])
        response = bearer(issued.plaintext).get(reverse("identity-api:me"))
        assert response.status_code == 401
        assert "two-factor" in response.json()["detail"]
        give_totp(user)
        assert bearer(issued.plaintext).get(reverse("identity-api:me")).status_code == 200

    def test_token_requests_need_no_csrf(self):
        user = UserFactory()
        issued = self._issue(user=user)
        client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
        response = client.post(
            reverse("identity-api:tokens"),
            {"name": "second", "password": TEST_PASSWORD},
            content_type="application/json",
        )
        assert response.status_code == 201


class TestRevoke:
    def test_owner_revokes_and_it_is_audited(self):
        issued = api_token_create(user=UserFactory(), name="MIS", password=TEST_PASSWORD)
        api_token_revoke(token_id=issued.token.pk, actor=issued.token.user)
        assert AuditEvent.objects.filter(verb="api_token.revoked", target_id=str(issued.token.pk)).exists()
        with pytest.raises(Conflict):
            api_token_revoke(token_id=issued.token.pk, actor=issued.token.user)

    def test_nobody_else_revokes(self):
        issued = api_token_create(user=UserFactory(), name="MIS", password=TEST_PASSWORD)
        with pytest.raises(PermissionDenied):
            api_token_revoke(token_id=issued.token.pk, actor=UserFactory())
        issued.token.refresh_from_db()
        assert issued.token.revoked_at is None


class TestPages:
    def test_create_show_once_list_and_revoke(self, client):
        user = UserFactory()
        client.force_login(user)
        assert client.get(reverse("identity:token_create")).status_code == 200
        response = client.post(
            reverse("identity:token_create"), {"name": "MIS link", "days": "90", "password": TEST_PASSWORD}
        )
        assert response.status_code == 200
        token = ApiToken.objects.get(user=user)
        body = response.content.decode()
        plaintext = response.context["issued"].plaintext
        assert plaintext in body
        assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
        assert timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)
        account = client.get(reverse("identity:account")).content.decode()
        assert token.prefix in account and "MIS link" in account
        assert plaintext not in account
        assert client.get(reverse("identity:token_revoke", kwargs={"token_id": token.pk})).status_code == 200
        response = client.post(reverse("identity:token_revoke", kwargs={"token_id": token.pk}))
        assert response.status_code == 302
        token.refresh_from_db()
        assert token.revoked_at is not None

    def test_wrong_password_shows_the_error_summary(self, client):
        client.force_login(UserFactory())
        response = client.post(reverse("identity:token_create"), {"name": "MIS", "days": "30", "password": "nope"})
        body = response.content.decode()
        assert response.status_code == 200
        assert "There is a problem" in body
        assert "Enter your current password correctly" in body
        assert not ApiToken.objects.exists()

    def test_missing_fields(self, client):
        client.force_login(UserFactory())
        response = client.post(reverse("identity:token_create"), {"days": "45"})
        body = response.content.decode()
        assert "Enter what the token is for" in body
        assert "Enter your password" in body
        assert "Select a valid choice" in body

    def test_code_field_when_two_factor_set_up(self, client):
        user = user_with_role(roles.HEADTEACHER)
        secret = give_totp(user)
        client.force_login(user)
        assert "Code from your authenticator app" in client.get(reverse("identity:token_create")).content.decode()
        response = client.post(
            reverse("identity:token_create"),
            {"name": "MIS", "days": "30", "password": TEST_PASSWORD, "otp_code": totp_code(secret)},
        )
        assert response.status_code == 200
        assert "API token created" in response.content.decode()

    def test_someone_elses_token_is_404(self, client):
        issued = api_token_create(user=UserFactory(), name="MIS", password=TEST_PASSWORD)
        client.force_login(UserFactory())
        url = reverse("identity:token_revoke", kwargs={"token_id": issued.token.pk})
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
        issued.token.refresh_from_db()
        assert issued.token.revoked_at is None


class TestApi:
    def test_create_list_revoke(self, client):
        user = UserFactory()
        client.force_login(user)
        response = client.post(
            reverse("identity-api:tokens"),
            {"name": "MIS", "password": TEST_PASSWORD, "days": 7},
            content_type="application/json",
        )
        assert response.status_code == 201
        created = response.json()
        assert created["token"].startswith(created["prefix"])
        assert response["Cache-Control"] == "no-store"
        listed = client.get(reverse("identity-api:tokens")).json()["results"]
        assert [t["id"] for t in listed] == [created["id"]]
        assert "token" not in listed[0] and "token_hash" not in listed[0]
        detail = reverse("identity-api:token_detail", kwargs={"token_id": created["id"]})
        assert client.get(detail).json()["state"] == "active"
        assert client.delete(detail).json()["state"] == "revoked"
        assert client.delete(detail).status_code == 409
        assert bearer(created["token"]).get(reverse("identity-api:me")).status_code == 401

    def test_bad_input_is_400_with_field_errors(self, client):
        client.force_login(UserFactory())
        response = client.post(reverse("identity-api:tokens"), {"days": 9999}, content_type="application/json")
        assert response.status_code == 400
        assert {"name", "password", "days"} <= set(response.json()["errors"])
        response = client.post(
            reverse("identity-api:tokens"), {"name": "x", "password": "wrong"}, content_type="application/json"
        )
        assert response.status_code == 400
        assert "password" in response.json()["errors"]

    def test_other_peoples_tokens_are_404(self, client):
        issued = api_token_create(user=UserFactory(), name="MIS", password=TEST_PASSWORD)
        client.force_login(UserFactory())
        detail = reverse("identity-api:token_detail", kwargs={"token_id": issued.token.pk})
        assert client.get(detail).status_code == 404
        assert client.delete(detail).status_code == 404
        assert client.get(reverse("identity-api:tokens")).json()["results"] == []


@pytest.mark.parametrize("count", [1, 25])
def test_account_page_queries_do_not_grow_with_tokens(client, django_assert_max_num_queries, count):
    user = UserFactory()
    for index in range(count):
        ApiToken.objects.create(
            user=user,
            name=f"T{index}",
            prefix=f"lssp_{index:07d}",
            token_hash=f"{index:064d}",
            expires_at=timezone.now(),
        )
    client.force_login(user)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("identity:account"))
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        assert len(client.get(reverse("identity-api:tokens")).json()["results"]) == count


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_revoking_at_once_from_two_places_has_one_outcome():
    import threading

    from django.db import connection

    issued = api_token_create(user=UserFactory(), name="MIS", password=TEST_PASSWORD)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def revoke():
        try:
            barrier.wait()
            api_token_revoke(token_id=issued.token.pk, actor=issued.token.user)
            outcomes.append("revoked")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=revoke) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "revoked"]
    assert AuditEvent.objects.filter(verb="api_token.revoked").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_admins_resetting_at_once_reset_once():
    import threading

    from django.db import connection

    from accounts.identity.services import two_factor_reset
    from schools.models import BasicCommandUnit, LocalAuthority
    from schools.reference_data import load_reference_data
    from tests.accounts.test_identity_support import programme_admin_with_two_factor

    load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)  # a transactional test flushed it
    target = user_with_role(roles.HEADTEACHER, two_factor=True)
    admins = [programme_admin_with_two_factor(), programme_admin_with_two_factor()]
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def reset(admin):
        try:
            barrier.wait()
            two_factor_reset(user_id=target.pk, actor=admin, reason="Phoned them")
            outcomes.append("reset")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=reset, args=(admin,)) for admin in admins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "reset"]
    assert AuditEvent.objects.filter(verb="two_factor.reset").count() == 1
