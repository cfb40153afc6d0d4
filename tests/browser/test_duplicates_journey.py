"""Possible duplicate referrals in the browser, with axe on every page: a second primary refers a pupil another primary
has already referred and sees an ordinary referral; the coordinator finds the pair, is stopped by an error summary
when declining without a reason, merges them, and sees the decision."""

import pytest
from playwright.sync_api import expect

from schools.models import BasicCommandUnit, LocalAuthority
from schools.reference_data import load_reference_data
from stepping_stones.models import PossibleDuplicate, Referral
from tests.accounts.factories import with_two_factor
from tests.stepping_stones.factories import (
    CohortFactory,
    ParticipatingSchoolFactory,
    coordinator,
    lead_of,
    primary_school,
    refer,
    secondary_school,
    upn_for,
    year6_dob,
)

from .test_stepping_stones_journey import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UPN = upn_for(4343)
DOB = year6_dob(2026, month=4, day=2)


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)


@pytest.fixture
def schools():
    cohort = CohortFactory(transition_year=2026)
    first, second = primary_school(name="Rushmore Primary School"), primary_school(name="Daubeney Primary School")
    secondary = secondary_school(name="Clapton Girls' Academy")
    ParticipatingSchoolFactory(cohort=cohort, school=secondary, places=60, feeder_primaries=[first, second])
    first_lead = with_two_factor(lead_of(first, full_name="Priya First"))
    existing = refer(
        actor=first_lead, cohort=cohort, referring_school=first, receiving_school=secondary, n=4343, upn=UPN
    )
    return {
        "cohort": cohort,
        "existing": existing,
        "second": second,
        "second_lead": with_two_factor(lead_of(second, full_name="Dev Second")),
        "coordinator": with_two_factor(coordinator(full_name="Cora Coordinator")),
    }


def test_a_second_referral_is_ordinary_and_the_coordinator_merges_the_pair(page, live_server, axe_check, schools):
    existing = schools["existing"]
    # The second school refers the same UPN: nothing tells it about the first school's referral.
    sign_in_as(page, live_server, schools["second_lead"])
    page.goto(live_server.url + "/stepping-stones/refer/pupil/")
    page.wait_for_load_state("networkidle")
    page.get_by_label("First name").fill("Marigold")
    page.get_by_label("Last name").fill("Thistlewaite")
    page.get_by_label("Day", exact=True).fill(str(DOB.day))
    page.get_by_label("Month", exact=True).fill(str(DOB.month))
    page.get_by_label("Year", exact=True).fill(str(DOB.year))
    page.get_by_label("UPN").fill(UPN)
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("already")
    expect(page.locator("body")).not_to_contain_text(existing.reference)
    axe_check(page)
    second = Referral.objects.exclude(pk=existing.pk).get()
    assert second.reference in page.url

    # The coordinator finds the pair.
    sign_in_as(page, live_server, schools["coordinator"])
    page.goto(live_server.url + "/stepping-stones/")
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Possible duplicate referrals").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", level=1)).to_have_text("Possible duplicate referrals")
    table = page.get_by_role("region", name="Possible duplicate referrals")
    expect(table).to_contain_text(existing.reference)
    expect(table).to_contain_text(second.reference)
    axe_check(page)
    page.get_by_role("link", name=f"Decide {existing.reference} and {second.reference}").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("body")).to_contain_text("Thistlewaite")  # both records, for the coordinators only
    axe_check(page)

    # Declining without a reason: an error summary, nothing decided.
    page.get_by_label(f"Decline {second.reference} with a reason").check()
    page.get_by_role("button", name="Save the decision").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the reason for declining")
    expect(page).to_have_title(f"Error: Possible duplicate: {existing.reference} and {second.reference} – "
                               "London Schools Safety Portal")  # fmt: skip
    axe_check(page)
    assert PossibleDuplicate.objects.get().is_open

    # Merge, keeping the first school's record.
    page.get_by_label(f"Merge: keep {existing.reference}, close {second.reference}").check()
    page.get_by_role("button", name="Save the decision").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Merged: {existing.reference} is kept")
    expect(page.locator("tbody")).to_contain_text("No possible duplicates are waiting for a decision.")
    axe_check(page)
    page.get_by_role("link", name="Decided").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("tbody")).to_contain_text(f"Merged: {existing.reference} kept")
    axe_check(page)
    second.refresh_from_db()
    assert second.status == Referral.Status.WITHDRAWN


def test_the_list_reflows_at_320_px(page, live_server, axe_check, schools):
    refer(
        actor=schools["second_lead"],
        cohort=schools["cohort"],
        referring_school=schools["second"],
        n=4343,
        upn=UPN,
        submit=False,
    )
    sign_in_as(page, live_server, schools["coordinator"])
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(live_server.url + "/stepping-stones/duplicates/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    axe_check(page)
