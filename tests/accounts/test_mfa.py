"""Two-factor sign-in is enforced for the roles docs/roles.md names; a programme admin can reset it, audited."""

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.urls import reverse

from accounts import roles
from accounts.identity import attempts, mfa
from accounts.models import ApiToken
from core.models import AuditEvent
from tests.accounts.factories import TEST_PASSWORD, UserFactory
from tests.accounts.test_identity_support import (
    ROLE_USER_BUILDERS,
    give_totp,
    programme_admin_with_two_factor,
    sign_in,
    totp_code,
    user_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def vru_admin():
    return programme_admin_with_two_factor()


def test_every_role_is_covered():
    assert set(ROLE_USER_BUILDERS) == set(roles.ROLES)
    assert {
        roles.POLICE_ALLOCATOR,
        roles.POLICE_OFFICER,
        roles.PROGRAMME_ADMIN,
        roles.STEPPING_STONES_COORDINATOR,
        roles.TOOLKIT_EDITOR,
        roles.FULFILMENT_STAFF,
        roles.HEADTEACHER,
        roles.STEPPING_STONES_LEAD,
    } == roles.MFA_REQUIRED_ROLES


@pytest.mark.parametrize("role", sorted(roles.ROLES))
def test_two_factor_enforced_only_for_required_roles(client, role):
    user = user_with_role(role)
    client.force_login(user)
    page = client.get(reverse("identity:account"))
    api = client.get(reverse("identity-api:me"))
    if role in roles.MFA_REQUIRED_ROLES:
        assert page.status_code == 302
        assert page["Location"] == reverse("mfa_activate_totp")
        assert api.status_code == 403
        assert api.json()["code"] == "two_factor_required"
    else:
        assert page.status_code == 200
        assert api.status_code == 200


@pytest.mark.parametrize("role", sorted(roles.MFA_REQUIRED_ROLES))
def test_required_role_with_authenticator_gets_in(client, role):
    user = user_with_role(role, two_factor=True)
    client.force_login(user)
    assert client.get(reverse("identity:account")).status_code == 200
    assert client.get(reverse("identity-api:me")).status_code == 200


def test_user_without_roles_is_not_asked(client):
    client.force_login(UserFactory())
    assert client.get(reverse("identity:account")).status_code == 200


def test_only_set_up_pages_are_reachable_until_set_up(client):
    user = user_with_role(roles.HEADTEACHER)
    client.force_login(user)
    for name in ["public:home", "schools:list", "identity:token_create", "identity:sign_out_everywhere"]:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"] == reverse("mfa_activate_totp"), name
    # A write is refused too, not performed.
    response = client.post(reverse("identity:sign_out_everywhere"))
    assert response["Location"] == reverse("mfa_activate_totp")
    user.refresh_from_db()
    assert user.sessions_revoked_at is None
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("identity:session_keep_alive")).status_code == 200
    # The set-up page itself answers (allauth may first ask for the password again).
    activate = client.get(reverse("mfa_activate_totp"))
    assert activate.status_code in {200, 302}
    if activate.status_code == 302:
        assert activate["Location"].startswith(reverse("account_reauthenticate"))
    logout = client.post(reverse("account_logout"))
    assert logout.status_code == 302
    assert "_auth_user_id" not in client.session


def test_sign_in_sends_straight_to_set_up_and_activation_lets_them_in(client):
    user = user_with_role(roles.POLICE_OFFICER)
    response = sign_in(client, user)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # Straight after signing in with the password, set-up does not ask for the same password again.
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    # Setting up entered a code from the new authenticator: this session has passed two-factor.
    assert client.get(reverse("identity:account")).status_code == 200
    assert client.get(reverse("identity-api:me")).status_code == 200


def test_set_up_asks_for_the_password_when_the_sign_in_was_not_recent(client, settings):
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0  # the sign-in is now "too long ago"
    user = user_with_role(roles.POLICE_OFFICER)
    sign_in(client, user)
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("account_reauthenticate"))
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
    response = client.post(page["Location"], {"password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_sign_in_with_authenticator_asks_for_the_code(client):
    user = user_with_role(roles.HEADTEACHER)
    secret = give_totp(user)
    response = sign_in(client, user)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_code_from_the_step_before_or_after_is_accepted_once(client):
    """A code read at the end of its 30 seconds, or from a phone a few seconds out, reaches the server in the next step:
    one step either side is accepted (RFC 6238 section 5.2), two are not, and no code works twice."""
    user = user_with_role(roles.HEADTEACHER)
    secret = give_totp(user)
    authenticate = reverse("mfa_authenticate")

    sign_in(client, user)
    assert client.post(authenticate, {"code": totp_code(secret, offset=-2)}).status_code == 200  # refused
    assert "_auth_user_id" not in client.session
    previous = totp_code(secret, offset=-1)
    assert client.post(authenticate, {"code": previous}).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)

    client.logout()
    sign_in(client, user)
    assert client.post(authenticate, {"code": previous}).status_code == 200  # already used
    assert "_auth_user_id" not in client.session
    assert client.post(authenticate, {"code": totp_code(secret, offset=1)}).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_required_authenticator_cannot_be_switched_off(client):
    user = user_with_role(roles.PROGRAMME_ADMIN, two_factor=True)
    client.force_login(user)
    response = client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    assert response.status_code == 302
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 200  # the form again, with allauth's "cannot deactivate" error
    assert response.context["form"].errors
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_optional_authenticator_can_be_switched_off_through_the_adapter():
    from accounts.identity.adapter import MFAAdapter

    user = UserFactory()
    give_totp(user)
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    assert MFAAdapter().can_delete_authenticator(authenticator) is True
    headteacher = user_with_role(roles.HEADTEACHER, two_factor=True)
    required = Authenticator.objects.get(user=headteacher, type=Authenticator.Type.TOTP)
    assert MFAAdapter().can_delete_authenticator(required) is False


class TestReset:
    def _target(self):
        user = user_with_role(roles.HEADTEACHER, two_factor=True)
        from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

        RecoveryCodes.activate(user)
        return user

    def test_admin_resets_with_a_reason_audited_and_user_told(
        self, client, vru_admin, django_capture_on_commit_callbacks
    ):
        target = self._target()
        client.force_login(vru_admin)
        assert client.get(reverse("identity:two_factor_reset")).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("identity:two_factor_reset"),
                {"email": target.email.upper(), "reason": "Phoned the school office, spoke to the head"},
            )
        assert response.status_code == 302
        assert not Authenticator.objects.filter(user=target).exists()
        event = AuditEvent.objects.get(verb="two_factor.reset")
        assert event.actor == vru_admin
        assert event.target_id == str(target.pk)
        assert event.reason == "Phoned the school office, spoke to the head"
        assert event.data == {"removed": ["recovery_codes", "totp"]}
        target.refresh_from_db()
        assert target.sessions_revoked_at is not None
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == [target.email]
        assert "two-factor sign-in was reset" in mail.outbox[0].subject.lower()
        assert "set up an authenticator app again" in mail.outbox[0].body
        # Next sign-in: straight to set-up again.
        other = client.__class__()
        other.force_login(target)
        assert other.get(reverse("identity:account"))["Location"] == reverse("mfa_activate_totp")

    def test_reason_is_required(self, client, vru_admin):
        target = self._target()
        client.force_login(vru_admin)
        response = client.post(reverse("identity:two_factor_reset"), {"email": target.email, "reason": "  "})
        assert response.status_code == 200
        assert "There is a problem" in response.content.decode()
        assert Authenticator.objects.filter(user=target).exists()
        assert not AuditEvent.objects.filter(verb="two_factor.reset").exists()

    def test_unknown_email_and_own_account_are_refused(self, client, vru_admin):
        client.force_login(vru_admin)
        response = client.post(reverse("identity:two_factor_reset"), {"email": "nobody@example.org", "reason": "x"})
        assert "No account uses this email address" in response.content.decode()
        response = client.post(reverse("identity:two_factor_reset"), {"email": vru_admin.email, "reason": "x"})
        assert "ask another programme admin" in response.content.decode()
        assert Authenticator.objects.filter(user=vru_admin).exists()

    def test_nothing_to_reset_is_a_clear_error(self, client, vru_admin):
        target = UserFactory()
        client.force_login(vru_admin)
        response = client.post(reverse("identity:two_factor_reset"), {"email": target.email, "reason": "Called them"})
        assert "nothing to reset" in response.content.decode()

    @pytest.mark.parametrize("role", sorted(set(roles.ROLES) - {roles.PROGRAMME_ADMIN}))
    def test_other_roles_cannot_reset(self, client, role):
        target = self._target()
        client.force_login(user_with_role(role, two_factor=True))
        assert client.get(reverse("identity:two_factor_reset")).status_code == 403
        response = client.post(reverse("identity:two_factor_reset"), {"email": target.email, "reason": "x"})
        assert response.status_code == 403
        api = client.post(
            reverse("identity-api:two_factor_reset", kwargs={"user_id": target.pk}),
            {"reason": "x"},
            content_type="application/json",
        )
        assert api.status_code == 403
        assert Authenticator.objects.filter(user=target).count() == 2

    def test_api(self, client, vru_admin):
        target = self._target()
        url = reverse("identity-api:two_factor_reset", kwargs={"user_id": target.pk})
        assert client.post(url, {"reason": "x"}, content_type="application/json").status_code == 401
        client.force_login(vru_admin)
        assert client.post(url, {}, content_type="application/json").status_code == 400
        response = client.post(url, {"reason": "Video call, checked staff ID"}, content_type="application/json")
        assert response.status_code == 200
        assert response.json()["two_factor"] == {"required": True, "totp": False, "recovery_codes": False}
        assert client.post(url, {"reason": "again"}, content_type="application/json").status_code == 409
        missing = reverse("identity-api:two_factor_reset", kwargs={"user_id": 999999})
        assert client.post(missing, {"reason": "x"}, content_type="application/json").status_code == 404
        assert AuditEvent.objects.filter(verb="two_factor.reset").count() == 1


class TestUsedCode:
    """A right code that was already accepted once is still refused, and counts like a wrong one, but says what
    happened: a person who signed out and straight back in with the same code is not told their app is wrong."""

    WRONG = "The code is not correct. Enter the 6-digit code your authenticator app shows now"

    @pytest.fixture
    def person(self):
        user = user_with_role(roles.HEADTEACHER)
        return user, give_totp(user)

    @staticmethod
    def _use(user, code):
        """What a successful code entry does to the code: allauth marks it used for its whole window."""
        assert Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).wrap().validate_code(code)

    def test_sign_in_refuses_a_used_code_with_its_own_message(self, client, person, caplog):
        caplog.set_level("DEBUG")
        user, secret = person
        code = totp_code(secret)
        sign_in(client, user)
        assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
        client.logout()

        sign_in(client, user)
        response = client.post(reverse("mfa_authenticate"), {"code": code})
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
        assert response.context["form"].errors == {"code": [mfa.USED_CODE_MESSAGE]}
        page = response.content.decode()
        assert "This code has already been used" in page
        assert self.WRONG not in page
        assert not [record for record in caplog.records if code in record.getMessage()]  # no code in the logs
        # The next code of the app gets them in.
        assert client.post(reverse("mfa_authenticate"), {"code": totp_code(secret, offset=1)}).status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)

    def test_a_wrong_code_keeps_its_message(self, client, person):
        user, secret = person
        sign_in(client, user)
        wrong = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"
        response = client.post(reverse("mfa_authenticate"), {"code": wrong})
        assert response.status_code == 200
        assert response.context["form"].errors == {"code": [self.WRONG]}
        assert mfa.USED_CODE_MESSAGE not in response.content.decode()
        assert not mfa.totp_code_already_used(user, wrong)

    def test_a_code_from_outside_the_window_is_wrong_not_used(self, person):
        user, secret = person
        old = totp_code(secret, offset=-3)
        assert not mfa.totp_code_already_used(user, old)
        assert not mfa.totp_code_already_used(user, "")
        assert not mfa.totp_code_already_used(UserFactory(), old)  # no authenticator

    def test_a_used_code_counts_on_the_wrong_secrets_counter(self, client, person):
        user, secret = person
        code = totp_code(secret)
        self._use(user, code)
        sign_in(client, user)
        client.post(reverse("mfa_authenticate"), {"code": code})
        assert attempts.count(user) == 1
        for _ in range(attempts.ALLOWED - 1):
            assert mfa.USED_CODE_MESSAGE in client.post(reverse("mfa_authenticate"), {"code": code}).content.decode()
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret, offset=1)})
        assert attempts.LOCKED_MESSAGE in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_a_used_code_counts_on_allauths_rate_limit(self, client, person, settings):
        user, secret = person
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "1/5m/key"}
        code = totp_code(secret)
        self._use(user, code)
        sign_in(client, user)
        assert mfa.USED_CODE_MESSAGE in client.post(reverse("mfa_authenticate"), {"code": code}).content.decode()
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret, offset=1)})
        assert response.status_code == 200
        assert "Too many failed attempts to sign in" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_confirming_its_you_refuses_a_used_code_with_its_own_message(self, client, person):
        user, secret = person
        code = totp_code(secret)
        sign_in(client, user)
        assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
        prompt = f"{reverse('mfa_reauthenticate')}?next={reverse('identity:account')}"
        response = client.post(prompt, {"code": code})
        assert response.status_code == 200
        assert response.context["form"].errors == {"code": [mfa.USED_CODE_MESSAGE]}
        assert attempts.count(user) == 1
        assert client.post(prompt, {"code": totp_code(secret, offset=1)}).status_code == 302
        assert attempts.count(user) == 0

    def test_api_token_creation_refuses_a_used_code_with_its_own_message(self, client, person):
        user, secret = person
        code = totp_code(secret)
        self._use(user, code)
        client.force_login(user)
        url = reverse("identity-api:tokens")
        data = {"name": "MIS", "password": TEST_PASSWORD}
        response = client.post(url, {**data, "otp_code": code}, "application/json")
        assert response.status_code == 400
        assert mfa.USED_CODE_MESSAGE in response.content.decode()
        assert attempts.count(user) == 1
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        response = client.post(url, {**data, "otp_code": wrong}, "application/json")
        assert response.status_code == 400
        assert "The code is not correct or has already been used" in response.content.decode()
        assert mfa.USED_CODE_MESSAGE not in response.content.decode()
        assert not ApiToken.objects.exists()
        response = client.post(url, {**data, "otp_code": totp_code(secret, offset=1)}, "application/json")
        assert response.status_code == 201
