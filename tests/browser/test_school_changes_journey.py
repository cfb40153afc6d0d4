"""A programme admin reviews the register's changes in the browser, with axe on every page: finds them from the
landing page's tasks, answers a conflict (error summary first), applies a conversion, sees the old school's page point
to the successor, undoes nothing, and dismisses the rest with a reason."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import ProgrammeRole
from schools.models import School, SchoolChange
from tests.accounts.factories import ProgrammeRoleFactory, SchoolFactory, SchoolMembershipFactory, UserFactory
from tests.accounts.test_identity_support import give_totp

from .test_audit_journey import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def changes():
    from schools.models import BasicCommandUnit, LocalAuthority
    from schools.reference_data import load_reference_data

    if not LocalAuthority.objects.exists():
        load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)
    admin = ProgrammeRoleFactory(user=UserFactory(full_name="Pat Admin"), kind=ProgrammeRole.Kind.PROGRAMME_ADMIN).user
    give_totp(admin)
    old = SchoolFactory(name="Mare Street High School")
    new = SchoolFactory(name="Mare Street Academy")
    SchoolMembershipFactory(school=old, headteacher=True)
    SchoolMembershipFactory(school=new, headteacher=True)
    conversion = SchoolChange.objects.create(
        kind=SchoolChange.Kind.SUCCESSION, school=old, successor=new, link_type="Successor", found_at=timezone.now()
    )
    closure = SchoolChange.objects.create(
        kind=SchoolChange.Kind.CLOSURE, school=SchoolFactory(name="Wick Road Primary"), found_at=timezone.now()
    )
    return {"admin": admin, "conversion": conversion, "closure": closure, "old": old, "new": new}


def test_programme_admin_reviews_a_conversion_and_dismisses_a_closure(page, live_server, axe_check, changes):
    sign_in_as(page, live_server, changes["admin"])
    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Closures and successions to review").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", level=1)).to_have_text("Register changes to review")
    expect(page.locator("table").first).to_contain_text("Mare Street Academy")
    expect(page.locator("table").first).to_contain_text("Needs an answer")
    axe_check(page)

    page.get_by_role("link", name="Succession of Mare Street High School").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("body")).to_contain_text("School staff: 1 membership moves")
    axe_check(page)
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose what to do")
    axe_check(page)

    page.get_by_label("Keep both as headteachers").check()
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("body")).to_contain_text("Applied: Mare Street High School is closed.")
    expect(page.locator("body")).to_contain_text("Memberships moved: 1")
    expect(page.get_by_role("button", name="Undo")).to_be_visible()
    axe_check(page)
    assert School.objects.get(pk=changes["old"].pk).status == School.Status.CLOSED

    page.get_by_role("link", name="Mare Street High School (URN").first.click()
    page.wait_for_load_state("networkidle")
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("This school has closed")
    expect(banner.get_by_role("link")).to_contain_text("Mare Street Academy")
    axe_check(page)

    page.goto(live_server.url + "/schools/changes/")
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Dismiss all").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Dismiss all").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give a reason for dismissing")
    axe_check(page)
    page.get_by_label("Why dismiss it?").fill("Wick Road is not closing: GIAS will correct it")
    page.get_by_role("button", name="Dismiss all").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("body")).to_contain_text("1 change dismissed.")
    expect(page.locator("body")).to_contain_text("Nothing is waiting for review.")
    axe_check(page)
    page.screenshot(path="/tmp/gias_changes_journey.png", full_page=True)
    assert SchoolChange.objects.get(pk=changes["closure"].pk).status == SchoolChange.Status.DISMISSED
