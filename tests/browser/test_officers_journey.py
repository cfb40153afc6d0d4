"""School officers in the browser, with axe on every page: an allocator assigns from a suggestion, overrides with a
reason, runs the optimiser for a BCU and applies it; a headteacher sees the named officer and asks for a change."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from officers import selectors
from officers.models import OfficerRequest
from schools.models import BasicCommandUnit, LocalAuthority
from schools.reference_data import load_reference_data
from tests.accounts.factories import SchoolFactory, headteacher_of
from tests.accounts.test_identity_support import give_totp
from tests.officers.factories import OfficerFactory, allocator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)


@pytest.fixture
def people():
    school = SchoolFactory(name="Clapton Girls' Academy", latitude=51.556, longitude=-0.052, postcode="E5 0RB")
    other = SchoolFactory(name="Hackney New School", latitude=51.548, longitude=-0.061, postcode="E8 1LP")
    near = OfficerFactory(name="Sam Near", base_latitude=51.555, base_longitude=-0.053)
    far = OfficerFactory(name="Kit Far", base_latitude=51.53, base_longitude=-0.02)
    head = headteacher_of(school, full_name="Hana Head")
    give_totp(head)
    return {"school": school, "other": other, "near": near, "far": far, "head": head, "allocator": allocator()}


def sign_in_as(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_allocator_assigns_from_a_suggestion_overrides_and_runs_the_optimiser(page, live_server, axe_check, people):
    sign_in_as(page, live_server, people["allocator"])
    # From the home page's task, as an allocator starts the day: the queue shows just the schools it counted.
    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Schools without a named officer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schools in your queue")
    expect(page.get_by_label("Schools to show")).to_have_value("no-officer")
    expect(page.locator("#queue-count")).to_have_text("2 of the 2 schools in the queue have no named officer.")
    axe_check(page)
    page.get_by_role("link", name="Clapton Girls' Academy").click()
    expect(page.get_by_text("same BCU, 0.1 km from base")).to_be_visible()
    axe_check(page)
    page.get_by_label("Sam Near").check()
    page.get_by_role("button", name="Make named officer").click()
    expect(page.locator("#current-officer")).to_contain_text("Sam Near")
    axe_check(page)

    # A lower-ranked officer for the other school: asked why, then recorded.
    page.goto(live_server.url + f"/officers/schools/{people['other'].pk}/")
    page.get_by_label("Kit Far").check()
    page.get_by_role("button", name="Make named officer").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("not the top suggestion")
    axe_check(page)
    page.get_by_label("Kit Far").check()
    page.get_by_label("Reason").fill("Kit already runs the school's mentoring scheme")
    page.get_by_role("button", name="Make named officer").click()
    expect(page.locator("#current-officer")).to_contain_text("Kit Far")

    # The optimiser for the BCU proposes a named officer for a new school; the allocator applies it.
    third = SchoolFactory(name="Stoke Newington School", latitude=51.561, longitude=-0.075)
    page.goto(live_server.url + "/officers/optimiser/")
    axe_check(page)
    page.get_by_role("button", name="Propose", exact=True).click()
    expect(page.get_by_role("heading", name="Proposal for Central East")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Apply ticked assignments").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("have a named officer")
    axe_check(page)
    assert selectors.named_officer_for(third) is not None

    # What if Sam Near left: a read-only simulation.
    page.goto(live_server.url + "/officers/what-if/")
    axe_check(page)
    page.get_by_label("Sam Near").check()
    page.get_by_role("button", name="Simulate").click()
    expect(page.get_by_role("heading", name="If 1 officer left Central East")).to_be_visible()
    axe_check(page)


def test_headteacher_sees_the_named_officer_and_asks_for_a_change(page, live_server, axe_check, people):
    from officers import services

    services.assignment_create(actor=people["allocator"], school_urn=people["school"].pk, officer_id=people["near"].pk)
    sign_in_as(page, live_server, people["head"])
    page.goto(live_server.url + "/officers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your school's police officer")
    expect(page.get_by_text("Police Constable Sam Near")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Ask for a different officer").click()
    axe_check(page)
    page.get_by_role("button", name="Send request").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Tell us why you are asking")
    axe_check(page)
    page.get_by_label("Why are you asking?").fill("We have not had a visit this term")
    page.get_by_role("button", name="Send request").click()
    expect(
        page.get_by_text("your school asked for a different officer: “We have not had a visit this term”")
    ).to_be_visible()
    axe_check(page)
    assert OfficerRequest.objects.get().kind == "change"


def test_allocator_runs_the_optimiser_for_all_bcus_in_the_background_and_edits_an_officer(
    page, live_server, axe_check, people
):
    from officers import services

    sign_in_as(page, live_server, people["allocator"])
    page.goto(live_server.url + "/officers/optimiser/")
    page.get_by_role("button", name="Propose for all your BCUs").click()
    # The test settings run tasks at once, so the run has finished by the time the page loads.
    expect(page.get_by_role("heading", level=1)).to_have_text("Optimiser proposal for 1 BCU")
    expect(page.locator("#run-status")).to_have_text("Ready to review")
    expect(page.get_by_role("heading", name="Proposal for Central East")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Apply ticked assignments").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("2 schools have a named officer")
    axe_check(page)
    assert selectors.named_officer_for(people["school"]) is not None

    # Sam Near changes BCU: the confirmation lists the schools that go back to the queue.
    services.officer_update(actor=people["allocator"], officer_id=people["near"].pk, capacity=200)
    mover = allocator("central-east", "north-west")
    sign_in_as(page, live_server, mover)
    page.goto(live_server.url + f"/officers/people/{people['near'].pk}/")
    page.get_by_role("link", name="Change details").click()
    axe_check(page)
    page.get_by_label("Capacity (weighted load)").fill("0")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe_check(page)
    page.get_by_label("Capacity (weighted load)").fill("150")
    page.get_by_label("BCU").select_option(label="North West")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Move Sam Near to North West?")
    axe_check(page)
    page.get_by_role("button", name="Move and put").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("back in the queue")
    axe_check(page)
