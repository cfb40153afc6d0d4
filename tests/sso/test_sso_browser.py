"""Single sign-on in Chromium against the real test provider (tests/sso/provider): a first sign-in with DfE Sign-in
that suggests the school, a headteacher whose provider asserted multi-factor, one whose provider did not (the
portal's code step follows), and linking Entra ID from My account. axe on every portal page."""

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import JoinRequest, SchoolMembership
from schools.models import BasicCommandUnit, LocalAuthority
from schools.reference_data import load_reference_data
from tests.accounts.factories import SchoolFactory, SchoolMembershipFactory, UserFactory
from tests.browser.conftest import assert_no_axe_violations as axe_check
from tests.browser.test_allauth_pages import PASSWORD as PORTAL_PASSWORD
from tests.browser.test_allauth_pages import fresh_totp

from .conftest import PASSWORD, SCHOOL_URN, _callback_uris, provider_apps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def portal(live_server, settings, oidc_provider, transactional_db):
    load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)
    requests.post(f"{oidc_provider}/test-setup/redirect-uris", json=_callback_uris(live_server.url), timeout=10)
    settings.SOCIALACCOUNT_PROVIDERS = provider_apps(oidc_provider)
    from django.core.cache import cache

    cache.clear()
    return live_server.url


@pytest.fixture
def school(portal):
    return SchoolFactory(urn=SCHOOL_URN, name="Hackney Harewood Academy")


def _at_provider(page, email: str):
    page.wait_for_url(lambda url: "/accounts/login/" in url)  # the provider's sign-in page, not the portal's
    page.locator('input[name="login"]').fill(email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('button[type="submit"]').last.click()


def _provider_sign_in(page, button: str, email: str):
    page.get_by_role("button", name=button).click()
    _at_provider(page, email)


def test_first_sign_in_with_dfe_suggests_the_school_and_the_person_asks_to_join(page, portal, school):
    page.goto(portal + reverse("account_login"))
    axe_check(page)
    _provider_sign_in(page, "Sign in with DfE Sign-in", "staff@harewood.sch.uk")

    expect(page.locator("h1")).to_have_text("Ask to join a school")
    expect(page.locator(".govuk-inset-text")).to_contain_text("DfE Sign-in says you work at Hackney Harewood Academy")
    expect(page.get_by_label("URN")).to_have_value(str(SCHOOL_URN))
    axe_check(page)
    page.get_by_role("button", name="Send request").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Request sent")
    request = JoinRequest.objects.get(user__email="staff@harewood.sch.uk")
    assert request.school_id == SCHOOL_URN and request.status == JoinRequest.Status.PENDING
    assert not SchoolMembership.objects.filter(user__email="staff@harewood.sch.uk").exists()


def test_headteacher_whose_provider_asserted_mfa_goes_straight_in(page, portal, school):
    head = UserFactory(email="head.mfa@harewood.sch.uk")
    SchoolMembershipFactory(user=head, school=school, role=SchoolMembership.Role.HEADTEACHER)
    EmailAddress.objects.create(user=head, email=head.email, primary=True, verified=True)
    page.goto(portal + reverse("account_login"))
    _provider_sign_in(page, "Sign in with DfE Sign-in", "head.mfa@harewood.sch.uk")

    expect(page.locator("h1")).not_to_have_text("Check your authenticator app")
    page.goto(portal + reverse("identity:account"))
    expect(page.locator("h1")).to_have_text("My account")
    axe_check(page)
    assert SocialAccount.objects.get(provider="dfe").user == head  # linked: DfE is trusted for harewood.sch.uk


def test_headteacher_whose_provider_did_not_assert_mfa_enters_the_portal_code(page, portal, school):
    from accounts.identity.services import totp_activate

    head = UserFactory(email="head.pwd@harewood.sch.uk")
    SchoolMembershipFactory(user=head, school=school, role=SchoolMembership.Role.HEADTEACHER)
    EmailAddress.objects.create(user=head, email=head.email, primary=True, verified=True)
    totp_activate(user=head, secret=SECRET)
    page.goto(portal + reverse("account_login"))
    _provider_sign_in(page, "Sign in with DfE Sign-in", "head.pwd@harewood.sch.uk")

    expect(page.locator("h1")).to_have_text("Check your authenticator app")
    axe_check(page)
    page.get_by_label("Enter the 6-digit code").fill(fresh_totp(SECRET, set()))
    page.get_by_role("button", name="Continue").click()
    page.goto(portal + reverse("identity:account"))
    expect(page.locator("h1")).to_have_text("My account")


def test_link_entra_from_my_account_then_sign_in_with_it(page, portal):
    person = UserFactory(email="officer.pwd@met.police.uk")
    EmailAddress.objects.create(user=person, email=person.email, primary=True, verified=True)
    page.goto(portal + reverse("account_login"))
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(PORTAL_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("h1")).not_to_have_text("Sign in")
    page.goto(portal + reverse("identity:account"))
    page.get_by_role("link", name="Manage sign-in services").click()
    expect(page.locator("h1")).to_have_text("Sign-in services")
    axe_check(page)
    page.locator("button", has_text="Link Met or GLA account").click()
    _at_provider(page, "officer.pwd@met.police.uk")

    expect(page.locator("h1")).to_have_text("Sign-in services")
    expect(page.locator(".govuk-radios")).to_contain_text("Met or GLA account")
    axe_check(page)
    assert SocialAccount.objects.get(provider="entra").user == person
