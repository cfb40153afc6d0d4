"""Issue 3's journey: a programme admin invites a headteacher, who creates an account, confirms the email, accepts,
sets up two-factor sign-in and invites a member of staff; the staff member joins; the headteacher grants them the
wand-requests duty, which they then see. axe reports 0 violations on every page visited."""

import re
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from accounts.identity.services import totp_activate
from accounts.models import SchoolDuty, SchoolMembership
from schools.models import BasicCommandUnit, LocalAuthority
from schools.reference_data import load_reference_data
from tests.accounts.factories import SchoolFactory, programme_admin
from tests.browser.test_allauth_pages import (
    PASSWORD,
    confirm_its_me_if_asked,
    fresh_totp,
    on_page,
    sign_in,
    sign_out,
    wait_for_email,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
HEAD_EMAIL = "head@hackney-academy.example.org"
STAFF_EMAIL = "teacher@hackney-academy.example.org"


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    """An earlier transactional test flushed the tables, the data-migrated authorities and BCUs included."""
    load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)


def invitation_path(message) -> str:
    """The invitation link points at SITE_URL; the journey follows its path on the live server."""
    match = re.search(r"https?://\S+/invitations/accept/\S+/", message.body)
    assert match, message.body
    return urlsplit(match.group(0)).path


def create_account_from_invitation(page, axe_check, base: str, link_path: str, email: str, school_name: str):
    """Open the invitation, create an account with the invited address, confirm it from the email, sign in,
    open the invitation again and accept it."""
    page.goto(base + link_path)
    on_page(page, axe_check, "Accept your invitation")
    expect(page.locator("main")).to_contain_text(school_name)
    page.get_by_role("link", name="Create an account").click()
    on_page(page, axe_check, "Create an account")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Confirm your password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    on_page(page, axe_check, "Check your email")

    confirmation = wait_for_email(email, subject_contains="Confirm your email address")
    page.goto(re.search(r"https?://\S+", confirmation.body).group(0))
    on_page(page, axe_check, "Confirm your email address")
    page.get_by_role("button", name="Confirm email address").click()
    on_page(page, axe_check, "Sign in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()
    axe_check(page)

    page.goto(base + link_path)
    on_page(page, axe_check, "Accept your invitation")
    page.get_by_role("button", name="Accept invitation").click()


def test_admin_invites_headteacher_who_invites_staff_and_grants_wand_duty(live_server, page, axe_check):
    base = live_server.url
    school = SchoolFactory(name="Hackney Community Academy")
    admin = programme_admin(email="admin@vru.example.org")
    EmailAddress.objects.create(user=admin, email=admin.email, primary=True, verified=True)
    totp_activate(user=admin, secret=ADMIN_SECRET)
    used_codes: set[str] = set()

    # 1. The programme admin signs in with two-factor and invites the headteacher
    sign_in(page, axe_check, base, admin.email)
    on_page(page, axe_check, "Check your authenticator app")
    page.get_by_label("Enter the 6-digit code").fill(fresh_totp(ADMIN_SECRET, used_codes))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()
    axe_check(page)
    page.goto(base + reverse("accounts:invite_headteacher"))
    on_page(page, axe_check, "Invite a headteacher")
    page.get_by_label("School URN").fill("999999")
    page.get_by_label("Email address").fill(HEAD_EMAIL)
    page.get_by_role("button", name="Send invitation").click()
    on_page(page, axe_check, "Invite a headteacher", error=True)
    page.get_by_label("School URN").fill(str(school.urn))
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("h1")).to_have_text("Invitation sent")
    axe_check(page)
    sign_out(page, axe_check)

    # 2. The headteacher creates an account from the invitation, accepts it, and must set up two-factor first
    invitation = wait_for_email(HEAD_EMAIL, subject_contains="invited")
    head_link = invitation_path(invitation)
    create_account_from_invitation(page, axe_check, base, head_link, HEAD_EMAIL, school.name)
    confirm_its_me_if_asked(page, axe_check)
    on_page(page, axe_check, "Set up two-factor authentication")
    head_secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Enter the 6-digit code").fill(fresh_totp(head_secret, used_codes))
    page.get_by_role("button", name="Continue").click()
    on_page(page, axe_check, "Your recovery codes")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state("networkidle")  # as a person does: the next page has arrived before it is checked
    expect(page.locator("h1")).to_be_visible()
    axe_check(page)
    head = get_user_model().objects.get(email=HEAD_EMAIL)
    assert SchoolMembership.objects.filter(
        user=head, school=school, role=SchoolMembership.Role.HEADTEACHER, ended_at__isnull=True
    ).exists()

    # 3. The headteacher invites a member of staff from the school's people page
    page.goto(base + reverse("accounts:my_schools"))
    on_page(page, axe_check, "Your schools")
    page.get_by_role("link", name=school.name, exact=True).click()
    on_page(page, axe_check, "Your school's people", title=f"{school.name}: people")
    page.get_by_role("link", name="Invite a member of staff").click()
    on_page(page, axe_check, "Invite a member of staff")
    page.get_by_label("Email address").fill(STAFF_EMAIL)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("h1")).to_have_text("Invitation sent")
    axe_check(page)
    sign_out(page, axe_check)

    # 4. The member of staff creates an account from their invitation and joins (no two-factor needed for staff)
    staff_link = invitation_path(wait_for_email(STAFF_EMAIL, subject_contains="invited"))
    create_account_from_invitation(page, axe_check, base, staff_link, STAFF_EMAIL, school.name)
    on_page(page, axe_check, "Your schools")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(school.name)
    staff_row = page.locator("tr", has_text=school.name)
    expect(staff_row).to_contain_text("Staff")
    expect(staff_row).to_contain_text("None")
    sign_out(page, axe_check)

    # 5. The headteacher signs in again (password and a new code) and grants the wand-requests duty
    sign_in(page, axe_check, base, HEAD_EMAIL)
    on_page(page, axe_check, "Check your authenticator app")
    page.get_by_label("Enter the 6-digit code").fill(fresh_totp(head_secret, used_codes))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()
    page.goto(base + reverse("accounts:school_people", args=[school.urn]))
    on_page(page, axe_check, "Your school's people", title=f"{school.name}: people")
    page.get_by_role("link", name=re.compile(rf"Change duties of {re.escape(STAFF_EMAIL)}")).click()
    expect(page.locator("h1")).to_have_text(f"Duties of {STAFF_EMAIL}")
    axe_check(page)
    page.get_by_label("Wand requests").check()
    page.get_by_role("button", name="Save duties").click()
    on_page(page, axe_check, "Your school's people", title=f"{school.name}: people")
    expect(page.locator("tr", has_text=STAFF_EMAIL)).to_contain_text("Wand requests")
    staff = get_user_model().objects.get(email=STAFF_EMAIL)
    assert SchoolDuty.objects.filter(
        membership__user=staff, membership__school=school, duty=SchoolDuty.Duty.WAND_REQUESTS
    ).exists()
    sign_out(page, axe_check)

    # 6. The member of staff sees the duty
    sign_in(page, axe_check, base, STAFF_EMAIL)
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()
    page.goto(base + reverse("accounts:my_schools"))
    on_page(page, axe_check, "Your schools")
    expect(page.locator("tr", has_text=school.name)).to_contain_text("Wand requests")


def test_admin_sends_expired_invitations_again(live_server, page, axe_check):
    """Issue 15: invitations that expired while people were locked out are listed, selected and sent again."""
    from tests.accounts.factories import InvitationFactory

    base = live_server.url
    admin = programme_admin(email="admin@vru.example.org")
    EmailAddress.objects.create(user=admin, email=admin.email, primary=True, verified=True)
    totp_activate(user=admin, secret=ADMIN_SECRET)
    first = InvitationFactory(expired=True, email="locked.out@school-one.example.org")
    InvitationFactory(expired=True, email="also.expired@school-two.example.org")

    sign_in(page, axe_check, base, admin.email)
    on_page(page, axe_check, "Check your authenticator app")
    page.get_by_label("Enter the 6-digit code").fill(fresh_totp(ADMIN_SECRET, set()))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()
    page.goto(base + reverse("accounts:invitations"))
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Send expired invitations again").click()
    on_page(page, axe_check, "Expired invitations")
    page.get_by_role("button", name="Send again").click()
    on_page(page, axe_check, "Expired invitations", error=True)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the invitations to send again")
    page.get_by_label(re.compile(re.escape(first.email))).check()
    page.get_by_role("button", name="Send again").click()
    expect(page.locator("h1")).to_have_text("Invitations")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("1 invitation sent again")
    axe_check(page)
    wait_for_email(first.email, subject_contains="invited")
    page.goto(base + reverse("accounts:invitations_expired"))
    expect(page.locator("main")).not_to_contain_text(first.email)
    expect(page.locator("main")).to_contain_text("also.expired@school-two.example.org")
