"""Browser journeys for the identity layer (Debian Chromium, axe on every page and on the open warning):
the "You'll be signed out soon" warning, and a programme admin viewing as someone (banner, writes refused, stop)."""

import time

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from playwright.sync_api import expect

from accounts.identity import sessions
from accounts.identity.services import totp_activate
from accounts.models import ApiToken
from core.models import AuditEvent
from schools.models import BasicCommandUnit, LocalAuthority
from schools.reference_data import load_reference_data
from tests.accounts.factories import SchoolMembershipFactory, UserFactory, programme_admin
from tests.browser.conftest import assert_no_axe_violations as axe_check
from tests.browser.test_allauth_pages import PASSWORD, fresh_totp, on_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    """An earlier transactional test flushed the tables, the data-migrated authorities and BCUs included."""
    load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)


def test_signed_out_soon_warning_stay_signed_in_then_signed_out(live_server, page, settings, monkeypatch):
    settings.SESSION_IDLE_TIMEOUT = 10
    monkeypatch.setattr(sessions, "WARNING_SECONDS", 7)
    user = UserFactory(email="teacher@school.example.org")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    sign_in(page, axe_check, live_server.url, user.email)
    page.goto(live_server.url + reverse("identity:account"))
    on_page(page, axe_check, "My account")

    dialog = page.get_by_role("dialog", name="You'll be signed out soon")
    expect(dialog).to_be_visible(timeout=8000)
    expect(dialog).to_contain_text("We will sign you out in")
    stay = dialog.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    axe_check(page)
    stay.click()
    expect(dialog).to_be_hidden()
    # The keep-alive counted: the page still works after the original idle limit has passed.
    time.sleep(4)
    expect(dialog).to_be_visible(timeout=8000)
    page.keyboard.press("Escape")  # Escape also means "stay signed in"
    expect(dialog).to_be_hidden()

    # Left alone, the warning counts down and the person lands on the signed-out page, really signed out.
    expect(dialog).to_be_visible(timeout=8000)
    expect(page.locator("h1")).to_have_text("You have been signed out", timeout=15000)
    axe_check(page)
    page.goto(live_server.url + reverse("identity:account"))
    expect(page.locator("h1")).to_have_text("Sign in")


def test_programme_admin_views_as_a_member_of_staff(live_server, page):
    admin = programme_admin(email="admin@vru.example.org", full_name="Vera Admin")
    EmailAddress.objects.create(user=admin, email=admin.email, primary=True, verified=True)
    totp_activate(user=admin, secret=ADMIN_SECRET)
    staff = SchoolMembershipFactory(user=UserFactory(email="teacher@school.example.org", full_name="Sam Teacher")).user
    base = live_server.url

    sign_in(page, axe_check, base, admin.email)
    on_page(page, axe_check, "Check your authenticator app")
    page.get_by_label("Enter the 6-digit code").fill(fresh_totp(ADMIN_SECRET, set()))
    page.get_by_role("button", name="Continue").click()
    page.goto(base + reverse("identity:account"))
    on_page(page, axe_check, "My account")
    page.get_by_role("link", name="View the service as another user").click()
    on_page(page, axe_check, "View the service as another user")
    page.get_by_role("button", name="Start viewing as this user").click()
    on_page(page, axe_check, "View the service as another user", error=True)
    page.get_by_label("Email address of the person").fill(staff.email)
    page.get_by_label("Why do you need to view the service as this person?").fill("Support call 42")
    page.get_by_role("button", name="Start viewing as this user").click()

    on_page(page, axe_check, "My account")
    banner = page.get_by_role("region", name="Viewing as another user")
    expect(banner).to_contain_text("You are viewing as Sam Teacher (teacher@school.example.org)")
    expect(page.locator("main")).to_contain_text("School staff")
    page.goto(base + reverse("schools:list"))
    expect(banner).to_be_visible()
    axe_check(page)

    # A write is refused and nothing happens.
    page.goto(base + reverse("identity:token_create"))
    on_page(page, axe_check, "Create an API token")
    page.get_by_label("What is the token for?").fill("MIS")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Create token").click()
    on_page(page, axe_check, "You cannot make changes while viewing as someone")
    assert not ApiToken.objects.exists()

    banner.get_by_role("button", name="Stop viewing as teacher@school.example.org").click()
    on_page(page, axe_check, "My account")
    expect(page.get_by_role("region", name="Viewing as another user")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("admin@vru.example.org")
    assert list(AuditEvent.objects.filter(verb__startswith="view_as.").values_list("verb", "reason")) in (
        [("view_as.started", "Support call 42"), ("view_as.ended", "stopped by the admin")],
        [("view_as.ended", "stopped by the admin"), ("view_as.started", "Support call 42")],
    )
