"""Every roles page a programme admin, a headteacher and a signed-in person visit, in Chromium, with axe on each
(the pages with their error summaries too)."""

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import SchoolMembership
from schools.models import BasicCommandUnit, LocalAuthority
from schools.reference_data import load_reference_data
from tests.browser.conftest import assert_no_axe_violations

from .factories import (
    InvitationFactory,
    JoinRequestFactory,
    OrganisationFactory,
    PoliceRoleFactory,
    SchoolDutyFactory,
    SchoolFactory,
    SchoolMembershipFactory,
    UserFactory,
    headteacher_of,
    programme_admin,
    with_two_factor,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    """An earlier transactional test may have flushed the data-migrated authorities and BCUs."""
    load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)


def sign_in_as(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def visit(page, url, heading):
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    assert_no_axe_violations(page)


def test_programme_admin_pages(live_server, page):
    base = live_server.url
    school = SchoolFactory(name="Hackney Harewood Academy")
    SchoolMembershipFactory(school=school, user=UserFactory(full_name="Sam Staff"))
    JoinRequestFactory(school=school)
    InvitationFactory(school=school)
    PoliceRoleFactory(allocator=True, bcus=[BasicCommandUnit.objects.get(slug="central-east")])
    OrganisationFactory(name="Hackney Youth Club")
    admin = with_two_factor(programme_admin())
    sign_in_as(page, live_server, admin)

    visit(page, base + reverse("accounts:invitations"), "Invitations")
    visit(page, base + reverse("accounts:invite_headteacher"), "Invite a headteacher")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_no_axe_violations(page)

    visit(page, base + reverse("accounts:invite_headteacher_csv"), "Upload a CSV of headteachers")
    page.get_by_label("Upload a CSV file").set_input_files(
        files=[{"name": "heads.csv", "mimeType": "text/csv", "buffer": b"urn,email\n999999,bad\n"}]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("table")).to_contain_text("not a school in the register")
    assert_no_axe_violations(page)
    page.get_by_label("Upload a CSV file").set_input_files(
        files=[
            {"name": "heads.csv", "mimeType": "text/csv", "buffer": f"urn,email\n{school.urn},h@example.org\n".encode()}
        ]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check the invitations")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Send 1 invitation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("1 invitations sent")

    visit(page, base + reverse("accounts:programme_roles"), "Police, VRU and fulfilment roles")
    visit(page, base + reverse("accounts:police_role_grant"), "Grant a police role")
    page.get_by_role("button", name="Grant role").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_no_axe_violations(page)
    visit(page, base + reverse("accounts:programme_role_grant"), "Grant a VRU or fulfilment role")
    visit(page, base + reverse("accounts:organisations"), "Organisations")
    page.get_by_role("link", name="Hackney Youth Club").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hackney Youth Club")
    assert_no_axe_violations(page)
    page.get_by_role("radio", name="Decline").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give a reason for declining")
    assert_no_axe_violations(page)
    visit(page, base + reverse("accounts:schools_without_headteacher"), "Schools without a headteacher")
    expect(page.get_by_role("table")).to_contain_text("Hackney Harewood Academy")
    visit(page, base + reverse("accounts:access_reviews"), "Access reviews")
    visit(page, base + reverse("accounts:school_people", args=[school.urn]), "Your school's people")


def test_headteacher_pages(live_server, page):
    base = live_server.url
    school = SchoolFactory(name="Hackney Harewood Academy")
    head = with_two_factor(headteacher_of(school))
    staff = SchoolMembershipFactory(school=school, user=UserFactory(full_name="Sam Staff"))
    SchoolDutyFactory(membership=staff, stepping_stones_lead=True)
    join_request = JoinRequestFactory(school=school, user=UserFactory(full_name="Jo Joiner"))
    sign_in_as(page, live_server, head)

    visit(page, base + reverse("accounts:school_people", args=[school.urn]), "Your school's people")
    page.get_by_role("link", name="Change duties of Sam Staff").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Duties of Sam Staff")
    assert_no_axe_violations(page)
    page.get_by_label("Wand requests").check()
    page.get_by_role("button", name="Save duties").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Duties of Sam Staff updated")
    assert_no_axe_violations(page)

    visit(page, base + reverse("accounts:staff_invite", args=[school.urn]), "Invite a member of staff")
    page.get_by_label("Email address").fill("not an email")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Email address").fill("new.teacher@example.org")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Invitation sent")
    assert_no_axe_violations(page)

    visit(
        page, base + reverse("accounts:join_request_decide", args=[join_request.pk]), "Request to join from Jo Joiner"
    )
    page.get_by_role("radio", name="Approve").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has joined")
    assert SchoolMembership.objects.current().filter(user=join_request.user, school=school).exists()

    visit(page, base + reverse("accounts:membership_end", args=[staff.pk]), "End Sam Staff's membership?")
    page.get_by_role("button", name="End membership").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give a reason")
    assert_no_axe_violations(page)
    visit(page, base + reverse("accounts:access_reviews"), "Access reviews")


def test_signed_in_person_pages(live_server, page):
    base = live_server.url
    school = SchoolFactory(name="Hackney Harewood Academy")
    InvitationFactory(token="browser-token", school=school, email="invitee@example.org", staff=True)
    visit(page, base + reverse("accounts:invitation_accept", args=["browser-token"]), "Accept your invitation")
    user = UserFactory(email="invitee@example.org")
    sign_in_as(page, live_server, user)
    visit(page, base + reverse("accounts:invitation_accept", args=["browser-token"]), "Accept your invitation")
    page.get_by_role("button", name="Accept invitation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your schools")
    assert_no_axe_violations(page)
    visit(page, base + reverse("accounts:invitation_accept", args=["browser-token"]), "already been used")

    visit(page, base + reverse("accounts:join_request_create"), "Ask to join a school")
    page.get_by_label("School URN").fill("12")
    page.get_by_role("button", name="Send request").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_no_axe_violations(page)
    visit(page, base + reverse("accounts:organisation_register"), "Register a community, faith or youth organisation")
    page.get_by_role("button", name="Register organisation").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_no_axe_violations(page)
