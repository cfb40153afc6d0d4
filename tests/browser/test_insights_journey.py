"""Insights in the browser, with axe on every page: a programme admin switches the London map between measures and
filters it (no JavaScript needed: a select and a button); a headteacher finds their school's safety profile by name
and opens it."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from schools.models import LocalAuthority
from stepping_stones.models import Cohort, ParticipatingSchool
from tests.accounts.factories import SchoolFactory, headteacher_of, programme_admin
from tests.accounts.test_identity_support import give_totp
from tests.browser.test_wands_journey import sign_in_as
from tests.officers.factories import AssignmentFactory, OfficerFactory
from tests.wands.factories import WandRequestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people():
    hackney = LocalAuthority.objects.get(code=204)
    camden = LocalAuthority.objects.get(code=202)
    school = SchoolFactory(name="Clapton Girls' Academy", local_authority=hackney, number_of_pupils=1100)
    others = [SchoolFactory(local_authority=hackney) for _ in range(3)] + [SchoolFactory(local_authority=camden)]
    WandRequestFactory(school=school, delivered=True, quantity=4)
    WandRequestFactory(school=others[-1], approved=True)
    AssignmentFactory(school=school, officer=OfficerFactory(name="Sam Beat"), start_date=date(2025, 9, 1))
    cohort = Cohort.objects.create(transition_year=2026, ends_on=date(2027, 7, 31))
    ParticipatingSchool.objects.create(cohort=cohort, school=school, places=60, places_taken=14)
    head = headteacher_of(school, full_name="Hana Head")
    admin = programme_admin(full_name="Pat Admin")
    for user in (head, admin):
        give_totp(user)
    return {"school": school, "head": head, "admin": admin}


def test_admin_switches_the_borough_map_between_measures(page, live_server, axe_check, people):
    sign_in_as(page, live_server, people["admin"])
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Insights").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schools safety across London")
    map_svg = page.locator("svg[data-measure]")
    expect(map_svg).to_have_attribute("data-measure", "wand_take_up_percent")
    expect(page.locator("g.insights-tile")).to_have_count(33)
    expect(page.locator('g.insights-tile[data-la-code="204"]')).to_have_attribute("data-value", "25%")
    axe_check(page)

    page.get_by_label("Colour the map by").select_option(label="Wands delivered")
    page.get_by_role("button", name="Show").click()
    expect(map_svg).to_have_attribute("data-measure", "wands_delivered")
    expect(page.get_by_role("heading", name="London map: Wands delivered")).to_be_visible()
    expect(page.locator('g.insights-tile[data-la-code="204"]')).to_have_attribute("data-value", "4")
    expect(page.locator("#map-table tr[data-la-code='204']")).to_contain_text("4")
    axe_check(page)

    page.get_by_label("Colour the map by").select_option(label="Open schools with a named police contact (%)")
    page.get_by_label("Basic Command Unit (BCU)").select_option(label="Central East")
    page.get_by_role("button", name="Show").click()
    expect(page.locator('g.insights-tile[data-la-code="204"]')).to_have_attribute("data-value", "25%")
    expect(page.locator('g.insights-tile[data-la-code="202"]')).to_have_attribute("data-value", "–")
    expect(page.locator("#borough-table tbody tr")).to_have_count(2)  # Hackney and Tower Hamlets
    expect(page.get_by_text("Showing the Central East BCU")).to_be_visible()
    axe_check(page)

    page.get_by_label("Colour the map by").select_option(label="Stepping Stones pupils with a place")
    page.get_by_label("Basic Command Unit (BCU)").select_option(label="All of London")
    page.get_by_role("button", name="Show").click()
    # 14 pupils, to a programme admin: rounded to the nearest 5 (core.suppression).
    expect(page.locator('g.insights-tile[data-la-code="204"]')).to_have_attribute("data-value", "15")
    axe_check(page)


def test_headteacher_opens_their_school_profile(page, live_server, axe_check, people):
    sign_in_as(page, live_server, people["head"])
    page.goto(f"{live_server.url}/insights/schools/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a school's safety profile")
    search = page.locator("main form")
    search.get_by_role("button", name="Search").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a school name or URN")
    expect(page).to_have_title(re.compile(r"^Error: "))
    axe_check(page)
    search.get_by_label("School name or URN").fill("clapton girls")
    search.get_by_role("button", name="Search").click()
    expect(page.locator("#results-count")).to_have_text("1 school matches ‘clapton girls’")
    expect(page.locator("#search-results tbody tr")).to_have_count(1)  # their own school: no one else's
    axe_check(page)
    page.locator("#search-results").get_by_role("link", name="Clapton Girls' Academy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clapton Girls' Academy")
    expect(page.get_by_role("heading", name="Knife wands")).to_be_visible()
    expect(page.locator("#wand-requests")).to_contain_text("Delivered")
    # At a glance names the police contact and links to the section with their contact details.
    page.locator("#activity").get_by_role("link", name="Police Constable Sam Beat").click()
    expect(page).to_have_url(re.compile("#police$"))
    expect(page.get_by_text("Police Constable Sam Beat (")).to_be_visible()
    expect(page.get_by_text("Pupils holding a place")).to_be_visible()
    axe_check(page)
    page.locator("#wand-requests a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("KW-")
    axe_check(page)

    other = SchoolFactory(name="Somebody Else's School")
    page.goto(f"{live_server.url}/insights/schools/{other.pk}/")  # another school: not theirs
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
