"""A programme admin registers a council's system: the form's error summary first, then the secret shown once; the
system gets a token with it and reads the register; the admin revokes it and the token stops working. axe reports
0 violations on every page visited."""

import pytest
import requests
from allauth.account.models import EmailAddress
from django.urls import reverse
from playwright.sync_api import expect

from accounts.identity.services import totp_activate
from schools.models import BasicCommandUnit, LocalAuthority
from schools.reference_data import load_reference_data
from tests.accounts.factories import programme_admin
from tests.browser.test_allauth_pages import fresh_totp, on_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    """An earlier transactional test flushed the tables, the data-migrated authorities and BCUs included."""
    load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)


def test_admin_registers_a_system_sees_the_secret_once_and_revokes_it(live_server, page, axe_check):
    base = live_server.url
    admin = programme_admin(email="admin@vru.example.org")
    EmailAddress.objects.create(user=admin, email=admin.email, primary=True, verified=True)
    totp_activate(user=admin, secret=ADMIN_SECRET)

    sign_in(page, axe_check, base, admin.email)
    on_page(page, axe_check, "Check your authenticator app")
    page.get_by_label("Enter the 6-digit code").fill(fresh_totp(ADMIN_SECRET, set()))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()

    page.goto(base + reverse("accounts:programme_roles"))
    page.get_by_role("link", name="API clients for systems").click()
    on_page(page, axe_check, "API clients for systems")
    expect(page.locator("main")).to_contain_text("No systems are registered.")
    page.get_by_role("link", name="Register a system").click()
    on_page(page, axe_check, "Register a system")

    # Nothing filled in: the error summary names each field, and nothing is registered.
    page.get_by_role("button", name="Register system").click()
    on_page(page, axe_check, "Register a system", error=True)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a name for the system")
    expect(summary).to_contain_text("Select a local authority or a verified organisation")
    expect(summary).to_contain_text("Select what the system may read")

    page.get_by_label("Name of the system").fill("Camden nightly schools import")
    page.get_by_label("Local authority").select_option(label="Camden")
    page.get_by_label("Read the London schools register: schools, local authorities and BCUs").check()
    page.get_by_label("180 days").check()
    page.get_by_role("button", name="Register system").click()
    expect(page.locator("h1")).to_have_text("System registered")
    axe_check(page)
    client_id = page.get_by_label("Client ID").input_value()
    secret = page.get_by_label("Client secret").input_value()
    assert client_id and len(secret) >= 40

    page.get_by_role("link", name="I have copied the secret").click()
    on_page(page, axe_check, "Camden nightly schools import")
    assert secret not in page.content()
    expect(page.locator("main")).to_contain_text("Active")

    # The council's system: a token with the credentials, then a read of the register.
    token = requests.post(
        base + "/oauth/token/", data={"grant_type": "client_credentials"}, auth=(client_id, secret), timeout=10
    )
    assert token.status_code == 200, token.text
    bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert requests.get(base + "/api/v1/local-authorities/", headers=bearer, timeout=10).status_code == 200
    refused = requests.get(base + "/api/v1/open/figures/", headers=bearer, timeout=10)
    assert refused.status_code == 403 and "figures:read" in refused.text

    page.reload()
    on_page(page, axe_check, "Camden nightly schools import")
    expect(page.locator("main")).to_contain_text("/api/v1/local-authorities/")  # the access log
    page.get_by_role("link", name="Revoke").click()
    on_page(page, axe_check, "Revoke 'Camden nightly schools import'?", title="Revoke Camden nightly schools import")
    page.get_by_label("Why are you revoking it? (optional)").fill("The council moved to a new system")
    page.get_by_role("button", name="Revoke").click()
    on_page(page, axe_check, "API clients for systems")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("was revoked")
    expect(page.locator("main")).to_contain_text("Revoked")

    assert requests.get(base + "/api/v1/local-authorities/", headers=bearer, timeout=10).status_code == 401
    again = requests.post(
        base + "/oauth/token/", data={"grant_type": "client_credentials"}, auth=(client_id, secret), timeout=10
    )
    assert again.status_code == 401
