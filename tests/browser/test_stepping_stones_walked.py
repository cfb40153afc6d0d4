"""Stepping Stones walked again in the browser, with axe on every page (issue 16): a primary's lead finds a draft by
the pupil's name, changes an answer from check your answers and comes back to it, and the history says what changed;
a secondary's lead sees as many pupils holding a place as places filled."""

import re

import pytest
from playwright.sync_api import expect

from schools.models import BasicCommandUnit, LocalAuthority
from schools.reference_data import load_reference_data
from stepping_stones import services
from stepping_stones.models import Referral
from tests.accounts.factories import with_two_factor
from tests.stepping_stones.factories import (
    CohortFactory,
    NeedFactory,
    ParticipatingSchoolFactory,
    lead_of,
    primary_school,
    refer,
    secondary_school,
)

from .test_stepping_stones_journey import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)


@pytest.fixture
def people():
    cohort = CohortFactory(transition_year=2026)
    primary = primary_school(name="Rushmore Primary School")
    secondary = secondary_school(name="Clapton Girls' Academy")
    ParticipatingSchoolFactory(cohort=cohort, school=secondary, places=2, feeder_primaries=[primary])
    return {
        "cohort": cohort,
        "primary": primary,
        "secondary": secondary,
        "need": NeedFactory(name="Attendance"),
        "primary_lead": with_two_factor(lead_of(primary, full_name="Priya Primary")),
        "secondary_lead": with_two_factor(lead_of(secondary, full_name="Sam Secondary")),
    }


def test_a_primary_lead_finds_a_draft_by_name_and_changes_an_answer_from_check_your_answers(
    live_server, page, axe_check, people
):
    draft = refer(
        actor=people["primary_lead"],
        cohort=people["cohort"],
        referring_school=people["primary"],
        receiving_school=people["secondary"],
        needs=[people["need"]],
        submit=False,
        first_name="Marigold",
        last_name="Thistlewaite",
    )
    sign_in_as(page, live_server, people["primary_lead"])
    page.goto(live_server.url + "/stepping-stones/")
    drafts = page.locator("#drafts")
    expect(drafts).to_contain_text(f"Marigold Thistlewaite ({draft.reference})")
    axe_check(page)
    drafts.get_by_role("link", name=re.compile("Marigold Thistlewaite")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending the referral")
    axe_check(page)
    page.get_by_role("link", name="Change who knows the pupil").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who at your school knows the pupil")
    assert page.url.endswith("?return=check")
    axe_check(page)
    page.get_by_label("Name of the member of staff who knows the pupil best").fill("Mr Newteacher")
    page.get_by_role("button", name="Save and continue").click()

    # Back on check your answers, not on to the consent question.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending the referral")
    expect(page.locator(".govuk-summary-list").nth(1)).to_contain_text("Mr Newteacher")
    page.get_by_role("link", name="Change needs").click()
    page.locator(".govuk-back-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending the referral")
    page.get_by_role("button", name="Send referral").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Referral sent")

    page.goto(f"{live_server.url}/stepping-stones/referrals/{draft.reference}/")
    history = page.locator(".portal-timeline")
    expect(history).to_contain_text("Changed: who at the school knows the pupil")
    expect(history).not_to_contain_text("Referral changed")
    axe_check(page)


def test_a_secondary_lead_sees_every_place_filled_listed_once(live_server, page, axe_check, people):
    made = [
        refer(
            actor=people["primary_lead"],
            cohort=people["cohort"],
            referring_school=people["primary"],
            receiving_school=people["secondary"],
            n=n,
        )
        for n in range(3)
    ]
    lead = people["secondary_lead"]
    services.referral_accept(actor=lead, referral=made[0])
    services.referral_accept(actor=lead, referral=made[1])
    services.referral_waitlist(actor=lead, referral=made[2])
    services.referral_withdraw(actor=lead, referral=made[0], reason="Moved away")
    made[2].refresh_from_db()
    assert made[2].status == Referral.Status.OFFERED

    sign_in_as(page, live_server, lead)
    page.goto(f"{live_server.url}/stepping-stones/schools/{people['secondary'].pk}/")
    filled = page.locator(".govuk-summary-list__row", has_text="Places filled").locator("dd")
    expect(filled).to_have_text("2")
    # Each pupil is listed once: the place offered from the waiting list is where the school acts on it (to confirm),
    # the other under confirmed places; the page says places filled counts both (2026-12-07 walk: it was in both).
    confirmed = page.locator("table", has=page.locator("caption", has_text="Pupils with a confirmed place"))
    expect(confirmed.locator("tbody tr")).to_have_count(1)
    expect(confirmed).to_contain_text(made[1].reference)
    to_answer = page.locator("table", has=page.locator("caption", has_text="places offered to confirm"))
    expect(to_answer).to_contain_text(made[2].reference)
    expect(page.get_by_text("Places filled includes 1 place offered from the waiting list")).to_be_visible()
    axe_check(page)
