"""Two-factor that works for people and cannot be walked around (issue 15).

- Set-up keeps one secret however often the page is loaded and whatever else the browser asks for.
- Only page navigations are sent to set-up or the code prompt; icons, robots.txt and static files get their answer.
- For a user whose roles require two-factor, every request needs a session that completed two-factor: a password
  alone, through any sign-in path (the Django admin's included), reaches nothing but the code prompt.
- Wrong codes are limited on every code entry point, on the same per-account counter as wrong passwords.
"""

import importlib
import re
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import clear_url_caches, reverse

from accounts import roles
from accounts.identity import attempts, mfa
from accounts.identity.services import api_token_create
from accounts.models import ApiToken
from core.errors import DomainError
from tests.accounts.factories import TEST_PASSWORD, UserFactory
from tests.accounts.test_identity_support import give_totp, sign_in, totp_code, user_with_role, verified_user
from tests.conftest import force_login_password_only
from tests.stepping_stones.factories import coordinator

pytestmark = pytest.mark.django_db

SECRET_KEY = "mfa.totp.secret"
# What Chromium sends for the icon it fetches by itself, and for a script's fetch().
ICON_REQUEST = {
    "HTTP_ACCEPT": "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
    "HTTP_SEC_FETCH_MODE": "no-cors",
    "HTTP_SEC_FETCH_DEST": "image",
}
FETCH = {"HTTP_ACCEPT": "*/*", "HTTP_SEC_FETCH_MODE": "cors", "HTTP_SEC_FETCH_DEST": "empty"}
NAVIGATION = {
    "HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "HTTP_SEC_FETCH_MODE": "navigate",
    "HTTP_SEC_FETCH_DEST": "document",
}


def shown_secret(response) -> str:
    match = re.search(r'id="totp-secret">([^<]*)<', response.content.decode())
    return match.group(1).replace(" ", "")


def wrong_code(secret: str) -> str:
    return f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"


def code_prompt(next_url: str) -> str:
    from urllib.parse import urlencode

    return f"{reverse('mfa_reauthenticate')}?{urlencode({'next': next_url})}"


# Set-up ---------------------------------------------------------------------------------------------------------------


class TestSetUpSecret:
    @pytest.fixture
    def signed_in(self, client):
        user = user_with_role(roles.HEADTEACHER)
        sign_in(client, user)
        return user

    def test_the_secret_survives_reloads_icons_robots_static_and_stray_requests(self, client, signed_in):
        first = client.get(reverse("mfa_activate_totp"), **NAVIGATION)
        assert first.status_code == 200
        secret = shown_secret(first)
        assert secret == client.session[SECRET_KEY]

        icon = client.get("/favicon.ico", **ICON_REQUEST)
        assert icon.status_code == 200
        assert icon["Content-Type"] == "image/x-icon"
        assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
        assert client.get("/robots.txt", HTTP_ACCEPT="text/plain").status_code == 404  # its normal answer
        assert client.get("/static/css/portal.css", HTTP_ACCEPT="text/css").status_code in {200, 404}
        # A background request to a portal view is refused, never redirected to set-up.
        background = client.get(reverse("public:home"), **FETCH)
        assert background.status_code == 403
        # A page the person opens goes to set-up, which shows the same key.
        page = client.get(reverse("public:home"), **NAVIGATION)
        assert page["Location"] == reverse("mfa_activate_totp")
        for _reload in range(3):
            again = client.get(reverse("mfa_activate_totp"), **NAVIGATION)
            assert shown_secret(again) == secret
        assert client.session[SECRET_KEY] == secret

        response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
        assert response.status_code == 302
        assert mfa.has_totp(signed_in)
        assert SECRET_KEY not in client.session  # allauth forgets it once set up
        assert client.get(reverse("identity:account")).status_code == 200

    def test_a_wrong_code_keeps_the_same_secret(self, client, signed_in):
        secret = shown_secret(client.get(reverse("mfa_activate_totp")))
        response = client.post(reverse("mfa_activate_totp"), {"code": wrong_code(secret)})
        assert response.status_code == 200
        assert shown_secret(response) == secret
        assert "The code is not correct" in response.content.decode()

    def test_cancelling_forgets_the_secret(self, client, signed_in):
        secret = shown_secret(client.get(reverse("mfa_activate_totp")))
        response = client.post(reverse("identity:two_factor_setup_cancel"))
        assert response["Location"] == reverse("account_login")  # required roles: signed out, to start again
        assert SECRET_KEY not in client.session
        sign_in(client, signed_in)
        assert shown_secret(client.get(reverse("mfa_activate_totp"))) != secret

    def test_cancelling_optional_set_up_stays_signed_in(self, client):
        user = verified_user()
        sign_in(client, user)
        secret = shown_secret(client.get(reverse("mfa_activate_totp")))
        response = client.post(reverse("identity:two_factor_setup_cancel"))
        assert response["Location"] == reverse("mfa_index")
        assert shown_secret(client.get(reverse("mfa_activate_totp"))) != secret

    def test_pages_link_the_services_icon_and_it_resolves(self, client):
        page = client.get(reverse("public:home")).content.decode()
        links = re.findall(r'<link rel="icon" href="([^"]+)"', page)
        assert "/favicon.ico" in links
        assert any(link.endswith(".svg") for link in links)
        for link in links:
            if link.startswith(settings.STATIC_URL):  # served by whitenoise from the collected files
                found = finders.find(link.removeprefix(settings.STATIC_URL))
                assert found, link
                body = Path(found).read_bytes()
            else:
                response = client.get(link)
                assert response.status_code == 200, link
                body = response.content
            assert b"crown" not in body.lower()
            assert b"govuk" not in body.lower()


# One rule for every request -------------------------------------------------------------------------------------------


class TestPasswordOnlySessions:
    """A session that signed in with a password alone, through any door, reaches nothing but the code prompt."""

    def _assert_only_the_code_prompt(self, client, user):
        account = reverse("identity:account")
        assert client.get(account)["Location"] == code_prompt(account)
        assert client.get(reverse("schools:list"), **NAVIGATION)["Location"] == code_prompt(reverse("schools:list"))
        assert client.get(reverse("public:home"), **FETCH).status_code == 403  # not a page: refused
        api = client.get(reverse("identity-api:me"))
        assert api.status_code == 403
        assert api.json()["code"] == "two_factor_required"
        created = client.post(
            reverse("identity-api:tokens"), {"name": "x", "password": TEST_PASSWORD}, content_type="application/json"
        )
        assert created.status_code == 403
        assert created.json()["code"] == "two_factor_required"
        # A write is refused, not performed.
        client.post(reverse("identity:sign_out_everywhere"))
        user.refresh_from_db()
        assert user.sessions_revoked_at is None
        if user.is_staff:
            admin = client.get("/django-admin/accounts/invitation/")
            assert admin.status_code == 302
            assert admin["Location"] == code_prompt("/django-admin/accounts/invitation/")
        # The code prompt itself answers, offering no other way round (the password is not a second factor).
        prompt = client.get(code_prompt(account))
        assert prompt.status_code == 200
        assert "Enter the 6-digit code" in prompt.content.decode()
        assert "Use your password" not in prompt.content.decode()

    def _staff_coordinator(self):
        user = coordinator(is_staff=True, is_superuser=True)
        give_totp(user)
        return user

    def test_djangos_own_login_with_a_password(self, client):
        user = self._staff_coordinator()
        assert client.login(email=user.email, password=TEST_PASSWORD)  # ModelBackend, a password alone
        self._assert_only_the_code_prompt(client, user)
        referrals = client.get(reverse("stepping_stones-api:referrals"))
        assert referrals.status_code == 403
        assert referrals.json()["code"] == "two_factor_required"

    def test_a_session_without_any_authentication_record(self, client):
        user = self._staff_coordinator()
        force_login_password_only(client, user)
        self._assert_only_the_code_prompt(client, user)

    def test_the_code_prompt_lets_the_session_in_and_back_to_the_page(self, client):
        user = self._staff_coordinator()
        secret = Authenticator.objects.get(user=user, type="totp")
        from allauth.mfa.utils import decrypt

        secret = decrypt(secret.data["secret"])
        client.login(email=user.email, password=TEST_PASSWORD)
        target = reverse("stepping_stones-api:referrals")
        response = client.post(code_prompt(target), {"code": totp_code(secret)})
        assert response.status_code == 302
        assert response["Location"] == target
        assert mfa.session_passed_two_factor(response.wsgi_request)
        assert client.get(target).status_code == 200
        assert client.get(reverse("identity:account")).status_code == 200
        assert client.get("/django-admin/").status_code == 200

    def test_the_django_admin_login_is_the_portal_sign_in(self, client):
        user = self._staff_coordinator()
        page = client.get("/django-admin/login/?next=/django-admin/accounts/")
        assert page.status_code == 302
        assert page["Location"] == reverse("account_login") + "?next=%2Fdjango-admin%2Faccounts%2F"
        # The admin's login form is gone: posting a password there signs nobody in.
        posted = client.post("/django-admin/login/", {"username": user.email, "password": TEST_PASSWORD})
        assert posted.status_code == 302
        assert "_auth_user_id" not in client.session
        assert client.get("/django-admin/")["Location"].startswith("/django-admin/login/")
        # An off-site next is not followed.
        away = client.get("/django-admin/login/?next=https://evil.example/")
        assert "evil" not in away["Location"]

    def test_the_portal_sign_in_with_a_password_alone_signs_nobody_in(self, client):
        user = self._staff_coordinator()
        response = sign_in(client, user)
        assert response["Location"] == reverse("mfa_authenticate")
        assert "_auth_user_id" not in client.session
        assert client.get("/django-admin/")["Location"].startswith("/django-admin/login/")
        assert client.get(reverse("identity-api:me")).status_code in {401, 403}

    def test_a_bearer_token_is_judged_by_the_token_not_the_session(self, client):
        user = self._staff_coordinator()
        from allauth.mfa.utils import decrypt

        secret = decrypt(Authenticator.objects.get(user=user, type="totp").data["secret"])
        issued = api_token_create(user=user, name="MIS", password=TEST_PASSWORD, otp_code=totp_code(secret))
        client.login(email=user.email, password=TEST_PASSWORD)  # a password-only session cookie alongside
        response = client.get(reverse("identity-api:me"), HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
        assert response.status_code == 200

    def test_a_single_sign_on_record_with_a_multi_factor_claim_counts(self, rf):
        user = user_with_role(roles.POLICE_OFFICER)  # no authenticator of ours
        client = Client()
        force_login_password_only(client, user)
        session = client.session
        session["account_authentication_methods"] = [
            {"method": "socialaccount", "at": 0, "provider": "met", "two_factor": True}
        ]
        session["account_authentication_methods_user"] = str(user.pk)
        session.save()
        assert client.get(reverse("identity:account")).status_code == 200

    def test_roles_without_two_factor_are_not_asked(self, client):
        user = user_with_role(roles.SCHOOL_STAFF)
        force_login_password_only(client, user)
        assert client.get(reverse("identity:account")).status_code == 200


def test_admin_is_served_only_when_enabled(settings):
    import schools_portal.urls

    try:
        settings.ADMIN_ENABLED = False
        clear_url_caches()
        importlib.reload(schools_portal.urls)
        assert Client().get("/django-admin/").status_code == 404
        assert Client().get("/django-admin/login/").status_code == 404
    finally:
        settings.ADMIN_ENABLED = True
        importlib.reload(schools_portal.urls)
        clear_url_caches()
    assert Client().get("/django-admin/").status_code == 302


# Wrong codes, on every entry point, on one counter ----------------------------------------------------------------


class TestCodeGuessing:
    @pytest.fixture
    def person(self):
        user = user_with_role(roles.HEADTEACHER)
        return user, give_totp(user)

    def test_sign_in_code_step(self, client, person):
        user, secret = person
        sign_in(client, user)
        for _ in range(attempts.ALLOWED):
            response = client.post(reverse("mfa_authenticate"), {"code": wrong_code(secret)})
            assert response.status_code == 200
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
        assert attempts.LOCKED_MESSAGE in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_recovery_codes_at_sign_in(self, client, person):
        user, _secret = person
        codes = RecoveryCodes.activate(user).get_unused_codes()
        sign_in(client, user)
        for _ in range(attempts.ALLOWED):
            client.post(reverse("mfa_authenticate"), {"code": "00000000"})
        response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
        assert attempts.LOCKED_MESSAGE in response.content.decode()
        assert "_auth_user_id" not in client.session
        assert codes[0] in RecoveryCodes(Authenticator.objects.get(user=user, type="recovery_codes")).get_unused_codes()

    def test_the_code_prompt_of_a_password_only_session(self, client, person):
        user, secret = person
        client.login(email=user.email, password=TEST_PASSWORD)
        prompt = code_prompt(reverse("identity:account"))
        for _ in range(attempts.ALLOWED):
            assert client.post(prompt, {"code": wrong_code(secret)}).status_code == 200
        response = client.post(prompt, {"code": totp_code(secret)})
        assert attempts.LOCKED_MESSAGE in response.content.decode()
        assert client.get(reverse("identity:account"))["Location"] == prompt

    def test_disabling_two_factor(self, client):
        user = verified_user()  # no role requires it, so it may be switched off, after confirming it's you
        secret = give_totp(user)
        client.force_login(user)
        deactivate = client.get(reverse("mfa_deactivate_totp"))
        assert deactivate.status_code == 302  # confirm it's you first
        prompt = f"{reverse('mfa_reauthenticate')}?next={reverse('mfa_deactivate_totp')}"
        for _ in range(attempts.ALLOWED):
            client.post(prompt, {"code": wrong_code(secret)})
        response = client.post(prompt, {"code": totp_code(secret)})
        assert attempts.LOCKED_MESSAGE in response.content.decode()
        client.post(reverse("mfa_deactivate_totp"))
        assert mfa.has_totp(user)
        # The password is the other way to confirm it's you: the same counter refuses it too.
        response = client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
        assert response.status_code == 200
        assert attempts.LOCKED_MESSAGE in response.content.decode()

    def test_api_token_creation(self, client, person):
        user, secret = person
        client.force_login(user)
        url = reverse("identity-api:tokens")
        for _ in range(attempts.ALLOWED):
            response = client.post(
                url, {"name": "MIS", "password": TEST_PASSWORD, "otp_code": wrong_code(secret)}, "application/json"
            )
            assert response.status_code == 400
        response = client.post(
            url, {"name": "MIS", "password": TEST_PASSWORD, "otp_code": totp_code(secret)}, "application/json"
        )
        assert response.status_code == 400
        assert response.json()["code"] == "throttled"
        assert not ApiToken.objects.exists()

    def test_api_token_creation_with_recovery_codes(self, person):
        user, _secret = person
        codes = RecoveryCodes.activate(user).get_unused_codes()
        for _ in range(attempts.ALLOWED):
            with pytest.raises(DomainError):
                api_token_create(user=user, name="MIS", password=TEST_PASSWORD, otp_code="00000000")
        with pytest.raises(DomainError) as error:
            api_token_create(user=user, name="MIS", password=TEST_PASSWORD, otp_code=codes[0])
        assert error.value.code == "throttled"

    def test_the_token_page(self, client, person):
        user, secret = person
        client.force_login(user)
        data = {"name": "MIS", "days": 30, "password": TEST_PASSWORD}
        for _ in range(attempts.ALLOWED):
            client.post(reverse("identity:token_create"), {**data, "otp_code": wrong_code(secret)})
        response = client.post(reverse("identity:token_create"), {**data, "otp_code": totp_code(secret)})
        assert attempts.LOCKED_MESSAGE in response.content.decode()
        assert not ApiToken.objects.exists()

    def test_passwords_and_codes_share_one_counter(self, client, person):
        user, secret = person
        for _ in range(3):
            with pytest.raises(DomainError):
                api_token_create(user=user, name="MIS", password="not-the-password", otp_code=totp_code(secret))
        sign_in(client, user)  # the right password does not clear the count
        for _ in range(2):
            client.post(reverse("mfa_authenticate"), {"code": wrong_code(secret)})
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
        assert attempts.LOCKED_MESSAGE in response.content.decode()
        # While locked, the password is refused at sign-in as well.
        other = Client()
        response = sign_in(other, user)
        assert response.status_code == 200
        assert attempts.LOCKED_MESSAGE in response.content.decode()

    def test_a_right_code_clears_the_count(self, client, person):
        user, secret = person
        sign_in(client, user)
        for _ in range(attempts.ALLOWED - 1):
            client.post(reverse("mfa_authenticate"), {"code": wrong_code(secret)})
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
        assert response.status_code == 302
        assert attempts.count(user) == 0

    def test_wrong_passwords_when_confirming_count_for_that_account_only(self, client):
        user, other = UserFactory(), UserFactory()  # no allauth email records: the signed-in user's address counts
        client.force_login(user)
        for _ in range(attempts.ALLOWED):
            client.post(reverse("account_reauthenticate"), {"password": "wrong-password-1"})
        assert attempts.locked(user)
        assert not attempts.locked(other)
        assert not attempts.locked("")

    def test_unknown_addresses_lock_the_same_way(self, client):
        for _ in range(attempts.ALLOWED):
            client.post(reverse("account_login"), {"login": "nobody@example.org", "password": "wrong-password-1"})
        assert attempts.locked("NOBODY@example.org")


def test_wrong_passwords_at_sign_in_count_for_accounts_without_two_factor(client):
    user = verified_user()
    for _ in range(attempts.ALLOWED):
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong-password-1"})
    assert attempts.locked(user)
    response = sign_in(Client(), user)
    assert response.status_code == 200  # refused: the form again
    assert "_auth_user_id" not in Client().session
