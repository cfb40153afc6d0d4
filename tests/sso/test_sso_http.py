"""Single sign-on over plain HTTP against the real test provider: first sign-in, linking rules, the DfE organisation
claim, two-factor from `amr`/`acr`, sessions, signing out at the provider, and every failure the issue lists."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import JoinRequest, SchoolMembership
from accounts.sso import trust
from core.models import AuditEvent
from tests.accounts.factories import SchoolFactory, SchoolMembershipFactory, UserFactory, with_two_factor

from .conftest import SCHOOL_URN, ProviderBrowser, provider_apps, sign_in, start_sign_in

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def school():
    return SchoolFactory(urn=SCHOOL_URN, name="Hackney Harewood Academy")


def _signed_in_as(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def test_first_sign_in_with_dfe_creates_an_account_with_no_role_and_offers_the_join_request(client, sso, school):
    response = sign_in(client, sso, "dfe", "staff@harewood.sch.uk")

    user = _signed_in_as(client)
    assert user is not None and user.email == "staff@harewood.sch.uk" and user.full_name == "Sam Staff"
    assert not user.has_usable_password()
    assert SocialAccount.objects.filter(user=user, provider="dfe").count() == 1
    assert not SchoolMembership.objects.filter(user=user).exists()  # identity, not authority
    assert user.emailaddress_set.get().verified  # DfE Sign-in is trusted for harewood.sch.uk
    # The organisation claim arrived as a JSON-encoded string and names a school in the register.
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:join_request_create')}?urn={SCHOOL_URN}"
    page = client.get(response["Location"])
    assert "DfE Sign-in says you work at Hackney Harewood Academy" in page.content.decode()
    assert f'value="{SCHOOL_URN}"' in page.content.decode()
    assert not JoinRequest.objects.filter(user=user).exists()  # prefilled, not sent: the person sends it


def test_organisation_claim_as_a_json_object_is_read_too(client, sso, school):
    sign_in(client, sso, "dfe", "head.mfa@harewood.sch.uk")
    assert client.session[trust.SESSION_ORGANISATION_KEY] == {"name": "Hackney Harewood Academy", "urn": SCHOOL_URN}


def test_a_trust_is_shown_but_offers_no_school(client, sso, school):
    response = sign_in(client, sso, "dfe", "trust@harewood.sch.uk")
    assert client.session[trust.SESSION_ORGANISATION_KEY]["urn"] is None
    assert response["Location"] == "/"


def test_existing_account_in_a_trusted_domain_is_linked_automatically_and_audited(client, sso):
    person = UserFactory(email="officer@met.police.uk")
    sign_in(client, sso, "entra", "officer@met.police.uk")

    assert _signed_in_as(client) == person
    account = SocialAccount.objects.get(user=person, provider="entra")
    assert account.user == person
    event = AuditEvent.objects.get(verb="sso.linked", target_id=str(person.pk))
    assert "trusted for met.police.uk" in event.reason


def test_email_outside_the_trusted_domains_is_not_linked(client, sso):
    person = UserFactory(email="teacher@gmail.example")
    response = sign_in(client, sso, "dfe", "teacher@gmail.example")

    assert response.status_code == 403
    assert "Sign in with your email address first" in response.content.decode()
    assert _signed_in_as(client) is None
    assert not SocialAccount.objects.filter(user=person).exists()


def test_a_token_from_another_tenant_is_refused(client, sso):
    UserFactory(email="other.tenant@met.police.uk")
    response = sign_in(client, sso, "entra", "other.tenant@met.police.uk")
    assert response.status_code == 400
    assert _signed_in_as(client) is None
    assert not SocialAccount.objects.exists()


@pytest.mark.parametrize(
    "email",
    [
        "forged@harewood.sch.uk",
        "expired@harewood.sch.uk",
        "wrong.issuer@harewood.sch.uk",
        "wrong.audience@harewood.sch.uk",
        "wrong.nonce@harewood.sch.uk",
        "no.nonce@harewood.sch.uk",
    ],
)
def test_a_bad_id_token_signs_nobody_in_and_creates_nothing(client, sso, email, caplog):
    users_before = User.objects.count()
    with caplog.at_level(logging.WARNING, logger="accounts.sso"):
        response = sign_in(client, sso, "dfe", email)

    assert response.status_code == 400
    assert "DfE Sign-in sent a sign-in we could not check" in response.content.decode()
    assert "sign in with your email address and password" in response.content.decode()
    assert _signed_in_as(client) is None
    assert User.objects.count() == users_before and not SocialAccount.objects.exists()
    logged = [r for r in caplog.records if r.name == "accounts.sso"]
    assert logged and logged[-1].problem == "rejected"
    assert all("eyJ" not in r.getMessage() and "eyJ" not in str(r.__dict__) for r in caplog.records)


def test_a_wrong_state_is_refused(client, sso):
    def swap_state(query):
        params = {k: v[0] for k, v in parse_qs(query).items()}
        params["state"] = "not-the-state-the-portal-sent"
        return urlencode(params)

    response = sign_in(client, sso, "dfe", "staff@harewood.sch.uk", callback_query=swap_state)
    assert response.status_code == 400
    assert _signed_in_as(client) is None and not User.objects.exists()


def test_provider_error_access_denied_shows_the_error_page(client, sso, caplog):
    authorize_url = start_sign_in(client, "dfe")
    state = parse_qs(urlsplit(authorize_url).query)["state"][0]
    callback = reverse("sso_callback", kwargs={"provider_id": "dfe"})
    with caplog.at_level(logging.WARNING, logger="accounts.sso"):
        response = client.get(f"{callback}?{urlencode({'error': 'access_denied', 'state': state})}")
    assert response.status_code == 400
    assert "did not finish signing in with DfE Sign-in" in response.content.decode()
    assert [r.problem for r in caplog.records if r.name == "accounts.sso"] == ["cancelled"]
    assert not User.objects.exists()


def test_provider_down_shows_the_error_page_not_a_500(client, settings, sso):
    with __import__("socket").socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings.SOCIALACCOUNT_PROVIDERS = provider_apps(sso, dfe={"server_url": dead})
    response = client.post(reverse("sso_login", kwargs={"provider_id": "dfe"}))
    assert response.status_code == 502
    assert "We could not reach DfE Sign-in" in response.content.decode()
    assert "sign in with your email address and password" in response.content.decode()


def test_an_unreadable_discovery_document_shows_the_error_page(client, settings, sso):
    settings.SOCIALACCOUNT_PROVIDERS = provider_apps(sso, dfe={"server_url": f"{sso}/test-setup/ready"})
    response = client.post(reverse("sso_login", kwargs={"provider_id": "dfe"}))
    assert response.status_code == 502
    assert "We could not reach DfE Sign-in" in response.content.decode()


def test_provider_goes_down_between_redirect_and_callback(client, settings, sso):
    authorize_url = start_sign_in(client, "dfe")
    callback = ProviderBrowser(sso).authorize(authorize_url, "staff@harewood.sch.uk")
    with __import__("socket").socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings.SOCIALACCOUNT_PROVIDERS = provider_apps(sso, dfe={"server_url": dead})
    from django.core.cache import cache

    cache.clear()
    parts = urlsplit(callback)
    response = client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 502
    assert not User.objects.exists()


def test_unconfigured_provider_is_not_found_and_not_shown(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"sso": {"APPS": []}}
    assert client.post(reverse("sso_login", kwargs={"provider_id": "dfe"})).status_code == 404
    assert "DfE Sign-in" not in client.get(reverse("account_login")).content.decode()


def test_sign_in_page_shows_each_configured_provider(client, sso):
    page = client.get(reverse("account_login")).content.decode()
    assert "Sign in with DfE Sign-in" in page and "Sign in with your Met or GLA account" in page


# Two-factor ----------------------------------------------------------------------------------------------------------


def _headteacher(email, school):
    user = UserFactory(email=email)
    SchoolMembershipFactory(user=user, school=school, role=SchoolMembership.Role.HEADTEACHER)
    return user


def test_amr_with_mfa_counts_as_two_factor_for_a_headteacher(client, sso, school):
    _headteacher("head.mfa@harewood.sch.uk", school)
    sign_in(client, sso, "dfe", "head.mfa@harewood.sch.uk")
    assert client.get(reverse("identity:account")).status_code == 200
    records = client.session["account_authentication_methods"]
    assert records[-1]["method"] == "socialaccount" and records[-1]["two_factor"] is True


def test_amr_without_mfa_means_the_portal_code_step_for_a_headteacher_with_an_app(client, sso, school):
    with_two_factor(_headteacher("head.pwd@harewood.sch.uk", school))
    response = sign_in(client, sso, "dfe", "head.pwd@harewood.sch.uk")
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_authenticate"))
    assert _signed_in_as(client) is None  # not signed in until the code is entered


def test_amr_without_mfa_and_no_app_means_setting_one_up(client, sso, school):
    _headteacher("head.pwd@harewood.sch.uk", school)
    response = sign_in(client, sso, "dfe", "head.pwd@harewood.sch.uk")
    assert response["Location"] == reverse("mfa_activate_totp")
    assert client.get(reverse("identity:account"))["Location"] == reverse("mfa_activate_totp")


def test_a_configured_acr_counts_as_two_factor(client, sso):
    from tests.accounts.factories import PoliceRoleFactory

    officer = UserFactory(email="officer.acr@met.police.uk")
    PoliceRoleFactory(user=officer)
    sign_in(client, sso, "entra", "officer.acr@met.police.uk")
    assert client.get(reverse("identity:account")).status_code == 200


def test_no_mfa_claim_for_police_means_setting_up_the_app(client, sso):
    from tests.accounts.factories import PoliceRoleFactory

    officer = UserFactory(email="officer.pwd@met.police.uk")
    PoliceRoleFactory(user=officer)
    sign_in(client, sso, "entra", "officer.pwd@met.police.uk")
    assert client.get(reverse("identity:account"))["Location"] == reverse("mfa_activate_totp")


# Sessions, signing out, confirming it's you --------------------------------------------------------------------------


def test_idle_timeout_applies_to_sso_sessions(client, sso):
    from accounts.identity import sessions

    sign_in(client, sso, "entra", "officer@met.police.uk")
    session = client.session
    session[sessions.ACTIVITY_KEY] -= 31 * 60
    session.save()
    response = client.get(reverse("identity:account"))
    assert response.status_code == 302 and _signed_in_as(client) is None


def test_absolute_timeout_applies_to_sso_sessions(client, sso):
    from accounts.identity import sessions

    sign_in(client, sso, "entra", "officer@met.police.uk")
    session = client.session
    session[sessions.STARTED_KEY] -= 12 * 60 * 60 + 1
    session.save()
    client.get(reverse("identity:account"))
    assert _signed_in_as(client) is None


def test_signing_out_ends_the_provider_session_too(client, sso):
    sign_in(client, sso, "entra", "officer@met.police.uk")
    response = client.post(reverse("account_logout"))
    assert _signed_in_as(client) is None
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{sso}/identity/o/logout"
    assert parse_qs(location.query) == {
        "client_id": ["portal-entra"],
        "post_logout_redirect_uri": ["http://testserver/account/login/"],
    }


def test_signing_out_stays_in_the_portal_when_the_provider_logout_is_off(client, settings, sso):
    settings.SOCIALACCOUNT_PROVIDERS = provider_apps(sso, entra={"rp_logout": False})
    sign_in(client, sso, "entra", "officer@met.police.uk")
    response = client.post(reverse("account_logout"))
    assert not response["Location"].startswith(sso)


def test_confirming_its_you_goes_back_to_the_provider_with_prompt_login(client, sso):
    sign_in(client, sso, "entra", "officer@met.police.uk")
    authorize_url = start_sign_in(client, "entra", action="reauthenticate", next="/account/tokens/new/")
    params = parse_qs(urlsplit(authorize_url).query)
    assert params["prompt"] == ["login"] and params["max_age"] == ["0"] and params["nonce"][0]
    # allauth's "confirm it's you" (two-factor set-up, linking) offers the provider to someone with no password.
    response = client.get(reverse("account_reauthenticate"))
    assert response["Location"].startswith(reverse("sso_reauthenticate"))
    page = client.get(f"{reverse('sso_reauthenticate')}?next=/account/").content.decode()
    assert "Confirm it's you with Met or GLA account" in page and "action=reauthenticate" in page


# Linking from My account, and removing a link ------------------------------------------------------------------------


def test_link_from_my_account_and_remove_it_both_audited(client, sso):
    from allauth.account.models import EmailAddress

    person = UserFactory(email="someone@gmail.example")  # no trusted domain: only a link made by the person
    EmailAddress.objects.create(user=person, email=person.email, primary=True, verified=True)
    client.force_login(person)
    authorize_url = start_sign_in(client, "dfe", process="connect")
    callback = ProviderBrowser(sso).authorize(authorize_url, "teacher@gmail.example")
    parts = urlsplit(callback)
    # Signed in an hour ago: linking asks to confirm it's you first, and links only then.
    response = client.get(f"{parts.path}?{parts.query}")
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not SocialAccount.objects.exists()
    response = client.post(response["Location"], {"password": "a-long-test-password"})
    account = SocialAccount.objects.get(user=person, provider="dfe")
    linked = AuditEvent.objects.filter(verb="sso.linked", target_id=str(person.pk), reason="linked from My account")
    assert linked.exists()
    page = client.get(reverse("socialaccount_connections")).content.decode()
    assert "DfE Sign-in" in page and "Remove" in page

    client.post(reverse("socialaccount_connections"), {"account": account.pk})
    assert not SocialAccount.objects.filter(user=person).exists()
    assert AuditEvent.objects.filter(verb="sso.unlinked").count() == 1

    # Signed out, the linked-then-removed identity no longer signs in as the person.
    client.logout()
    sign_in(client, sso, "dfe", "teacher@gmail.example")
    assert _signed_in_as(client) != person


# An API token for someone with no portal password ---------------------------------------------------------------------


def test_api_token_after_confirming_at_the_provider_with_prompt_login(client, sso):
    from accounts.models import ApiToken

    sign_in(client, sso, "entra", "officer@met.police.uk")
    session = client.session
    records = session["account_authentication_methods"]
    records[-1]["at"] -= 10 * 60  # signed in 10 minutes ago: too long ago to count as confirming it's you
    session["account_authentication_methods"] = records
    session.save()
    token_page = reverse("identity:token_create")
    response = client.get(token_page)
    assert response.status_code == 302 and response["Location"].startswith(reverse("sso_reauthenticate"))

    authorize_url = start_sign_in(client, "entra", action="reauthenticate", next=token_page)
    assert parse_qs(urlsplit(authorize_url).query)["prompt"] == ["login"]
    callback = ProviderBrowser(sso).authorize(authorize_url, "officer@met.police.uk")
    parts = urlsplit(callback)
    assert client.get(f"{parts.path}?{parts.query}")["Location"] == token_page

    page = client.get(token_page).content.decode()
    assert 'name="password"' not in page and 'name="otp_code"' not in page  # the provider asserted multi-factor
    response = client.post(token_page, {"name": "MIS link", "days": 30})
    assert response.status_code == 200 and "lssp_" in response.content.decode()
    assert ApiToken.objects.filter(user__email="officer@met.police.uk").count() == 1


def test_my_account_shows_the_sign_in_services_and_no_password(client, sso, school):
    sign_in(client, sso, "dfe", "staff@harewood.sch.uk")
    page = client.get(reverse("identity:account")).content.decode()
    assert "None: you sign in with your work account" in page
    assert "DfE Sign-in says you work at Hackney Harewood Academy" in page
