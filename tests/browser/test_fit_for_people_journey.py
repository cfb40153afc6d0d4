"""The pages changed so they fit the people who use them, in the browser with axe: a headteacher back on the wand
request form sees what was sent and is asked before sending again; a programme admin filters the queue with day,
month and year boxes; a secondary's Stepping Stones lead opening the referral start page is told referrals come from
primaries, sees their pupils by name and is not offered Accept when the school is full; a signed-in invitee sees the
invitation; anyone can open the feedback page."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone
from playwright.sync_api import expect

from accounts import services as account_services
from schools.models import BasicCommandUnit, LocalAuthority
from schools.reference_data import load_reference_data
from stepping_stones import services as ss_services
from tests.accounts.factories import SchoolFactory, UserFactory, headteacher_of, programme_admin, with_two_factor
from tests.accounts.test_identity_support import give_totp
from tests.stepping_stones.factories import (
    CohortFactory,
    ParticipatingSchoolFactory,
    lead_of,
    primary_school,
    refer,
    secondary_school,
)
from wands import services as wand_services
from wands.models import AllowanceRule, StockLevel

from .test_toolkit_journey import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)
    AllowanceRule.objects.get_or_create(phase="secondary", min_pupils=0, defaults={"wands": 6})
    StockLevel.objects.get_or_create(pk=1)


def test_head_back_on_the_request_form_sees_what_was_sent_and_is_asked_before_sending_again(
    live_server, page, axe_check
):
    school = SchoolFactory(name="Clapton Girls' Academy", number_of_pupils=1100, postcode="E5 0RB")
    head = headteacher_of(school, full_name="Hana Head")
    give_totp(head)
    sent = wand_services.wand_request_submit(
        actor=head,
        school=school,
        quantity=2,
        contact_name="Sam Site",
        contact_phone="020 7946 0000",
        delivery_address="Laura Place\nLondon",
        delivery_postcode="E5 0RB",
        policy_confirmed=True,
    )
    sign_in_as(page, live_server, head)
    page.goto(f"{live_server.url}/wands/schools/{school.pk}/request/")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#already-sent")).to_contain_text(f"You sent {sent.reference} at")
    expect(page.locator("#already-sent").get_by_role("link", name="view it")).to_be_visible()
    axe_check(page)
    page.get_by_label("How many wands do you need?").fill("1")
    page.get_by_label("Our behaviour policy says staff may screen pupils for weapons").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".govuk-error-summary")).to_contain_text(f"Your school sent {sent.reference} less than a day")
    axe_check(page)


def test_admin_filters_the_queue_with_day_month_and_year_boxes(live_server, page, axe_check):
    admin = programme_admin(full_name="Pat Admin")
    give_totp(admin)
    sign_in_as(page, live_server, admin)
    page.goto(f"{live_server.url}/wands/queue/")
    page.wait_for_load_state("networkidle")
    assert page.locator('input[type="date"]').count() == 0
    group = page.get_by_role("group", name="Submitted to")
    group.get_by_label("Day").fill("31")
    group.get_by_label("Month").fill("2")
    group.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Submitted to must be a real date")
    expect(page).to_have_title("Error: Wand requests – London Schools Safety Portal")
    # The summary is the first thing in the main content, above the heading (GOV.UK error summary).
    assert page.locator("main h1").evaluate(
        "h1 => (h1.compareDocumentPosition(document.querySelector('.govuk-error-summary'))"
        " & Node.DOCUMENT_POSITION_PRECEDING) !== 0"
    )
    expect(page.get_by_role("link", name="Download these requests (CSV)")).to_have_count(0)
    axe_check(page)
    # Corrected, then the browser's Back button: the boxes show the date the error is about, not the corrected one
    # (Chromium put back what was typed on that page while the page said the old date was wrong).
    group.get_by_label("Day").fill("28")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    page.go_back()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Submitted to must be a real date")
    expect(group.get_by_label("Day")).to_have_value("31")
    page.go_forward()
    page.wait_for_load_state("networkidle")
    expect(group.get_by_label("Day")).to_have_value("28")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)


def test_secondary_lead_is_told_where_referrals_come_from_sees_names_and_no_accept_when_full(
    live_server, page, axe_check
):
    cohort = CohortFactory(transition_year=2026)
    primary = primary_school(name="Rushmore Primary School")
    secondary = secondary_school(name="Clapton Girls' Academy")
    ParticipatingSchoolFactory(cohort=cohort, school=secondary, places=1, feeder_primaries=[primary])
    primary_lead = with_two_factor(lead_of(primary, full_name="Priya Primary"))
    secondary_lead = with_two_factor(lead_of(secondary, full_name="Sam Secondary"))
    placed = refer(actor=primary_lead, cohort=cohort, referring_school=primary, receiving_school=secondary, n=1)
    ss_services.referral_accept(actor=secondary_lead, referral=placed)
    waiting = refer(
        actor=primary_lead,
        cohort=cohort,
        referring_school=primary,
        receiving_school=secondary,
        n=2,
        first_name="Marigold",
        last_name="Thistlewaite",
    )
    sign_in_as(page, live_server, secondary_lead)
    page.goto(f"{live_server.url}/stepping-stones/refer/")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals come from primary schools")
    axe_check(page)
    page.get_by_role("link", name="Answer the referrals to your school").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("cell", name="Marigold Thistlewaite")).to_be_visible()
    assert "Marigold" not in page.url
    axe_check(page)
    page.goto(f"{live_server.url}/stepping-stones/referrals/{waiting.reference}/decision/")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#no-places")).to_contain_text("has no places left")
    assert page.get_by_label("Accept: offer the pupil a place").count() == 0
    axe_check(page)


def test_a_signed_in_invitee_sees_the_invitation_and_anyone_the_feedback_page(live_server, page, axe_check):
    school = SchoolFactory(name="Invited Academy")
    invitation, _token = account_services.headteacher_invite(
        actor=programme_admin(), school=school, email="new.head@example.org"
    )
    user = UserFactory(email="new.head@example.org", full_name="Nadia New")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    page.goto(f"{live_server.url}/feedback")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Give feedback")
    axe_check(page)
    sign_in_as(page, live_server, user)
    page.goto(f"{live_server.url}/")
    page.wait_for_load_state("networkidle")
    expect(page.locator(f"#invitation-{invitation.pk}")).to_contain_text("You are invited to join Invited Academy")
    axe_check(page)
    page.get_by_role("button", name="Accept invitation to Invited Academy").click()
    page.wait_for_load_state("networkidle")
    assert invitation.__class__.objects.get(pk=invitation.pk).accepted_at is not None
    assert timezone.now() - invitation.__class__.objects.get(pk=invitation.pk).accepted_at < timedelta(minutes=5)
