"""A member of the public finds a school: home page -> Find a school -> search -> filter by borough -> the school."""

import re

import pytest
from playwright.sync_api import expect

from schools.models import BasicCommandUnit, LocalAuthority
from schools.reference_data import load_reference_data
from tests.schools.factories import SchoolFactory, local_authority

CAMDEN, HACKNEY, CITY_OF_LONDON = 202, 204, 201

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    """A transactional test before this one flushed the tables, data-migrated authorities and BCUs included."""
    load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)


def test_find_a_school_by_name_and_borough(live_server, page, axe_check):
    wanted = SchoolFactory(
        name="Parliament Hill School",
        secondary=True,
        local_authority=local_authority(CAMDEN),
        number_of_pupils=1350,
        street="Highgate Road",
        town="London",
        postcode="NW5 1RL",
        website="www.parliamenthill.camden.sch.uk",
    )
    SchoolFactory(name="Hill Mead Primary School", local_authority=local_authority(HACKNEY))
    SchoolFactory(name="Hill House Closed School", local_authority=local_authority(CAMDEN), closed=True)
    for n in range(30):
        SchoolFactory(name=f"Camden School {n:02d}", local_authority=local_authority(CAMDEN))

    page.goto(live_server.url + "/")
    expect(page).to_have_title("Home – London Schools Safety Portal")
    axe_check(page)

    page.locator("#main-content").get_by_role("link", name="Find a school", exact=True).click()
    expect(page).to_have_title("Find a school – London Schools Safety Portal")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a school")
    expect(page.locator("#results-count")).to_have_text("32 schools")
    expect(page.get_by_role("navigation", name="Pagination")).to_be_visible()
    axe_check(page)

    page.get_by_label("Name, URN or postcode").fill("hill")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-count")).to_have_text("2 schools")
    expect(page.get_by_role("link", name="Hill Mead Primary School")).to_be_visible()
    expect(page.get_by_role("link", name="Hill House Closed School")).to_have_count(0)
    axe_check(page)

    page.get_by_label("Borough").select_option(label="Camden")
    page.get_by_label("Secondary", exact=True).check()
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"q=hill.*borough=202.*phase=secondary"))
    expect(page.get_by_label("Secondary", exact=True)).to_be_checked()
    expect(page.locator("#results-count")).to_have_text("1 school")
    expect(page.get_by_label("Name, URN or postcode")).to_have_value("hill")
    axe_check(page)

    page.get_by_role("link", name="Parliament Hill School").click()
    expect(page).to_have_url(f"{live_server.url}/schools/{wanted.urn}/")
    expect(page).to_have_title("Parliament Hill School – London Schools Safety Portal")
    summary = page.locator(".govuk-summary-list")
    expect(summary).to_contain_text(str(wanted.urn))
    expect(summary).to_contain_text("Secondary")
    expect(summary).to_contain_text("1,350")
    expect(summary).to_contain_text("Camden (202)")
    expect(summary).to_contain_text("Central North")
    axe_check(page)

    page.get_by_role("link", name="Back to Find a school").click()
    expect(page).to_have_title("Find a school – London Schools Safety Portal")


def test_bad_filters_and_pagination(live_server, page, axe_check):
    for n in range(30):
        SchoolFactory(name=f"Westminster School {n:02d}", local_authority=local_authority(213))
    city = SchoolFactory(name="City of London School", local_authority=local_authority(CITY_OF_LONDON))

    page.goto(f"{live_server.url}/schools/?borough=204&bcu=central-west")
    expect(page).to_have_title("Error: Find a school – London Schools Safety Portal")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Hackney is not in Central West")
    axe_check(page)
    summary.get_by_role("link").click()
    expect(page.locator("#id_bcu")).to_be_focused()

    page.goto(f"{live_server.url}/schools/?bcu=central-west")
    expect(page.locator("#results-count")).to_have_text("30 schools")
    page.get_by_role("link", name="Next page").click()
    expect(page).to_have_title("Find a school (page 2 of 2) – London Schools Safety Portal")
    expect(page).to_have_url(re.compile(r"bcu=central-west&page=2"))
    expect(page.get_by_role("link", name=re.compile("^Westminster School"))).to_have_count(5)
    axe_check(page)

    page.goto(f"{live_server.url}/schools/{city.urn}/")
    expect(page.locator(".govuk-summary-list")).to_contain_text("City of London Police (not covered by the Met)")
    axe_check(page)
