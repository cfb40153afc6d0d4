"""Issue 16, walked as people would in Chromium at 320 and 1,280 CSS pixels, with axe: a teacher on a phone reaches the
search before the filters and ticks files of two resources for one zip; a visitor on a registered-only resource is
shown how to get an account; the open figures have a London map, the City of London's note, and chart labels at least
12 CSS pixels tall at both widths. Screenshots go to $SCREENSHOT_DIR when it is set (looked at by hand)."""

import importlib
import os
import re
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from playwright.sync_api import expect

from education_toolkit import services
from education_toolkit.models import SearchSynonym
from officers.models import Assignment
from schools.models import BasicCommandUnit, LocalAuthority
from schools.reference_data import load_reference_data
from tests.accounts.factories import SchoolFactory, SchoolMembershipFactory, UserFactory, london_authority
from tests.education_toolkit.factories import ResourceFactory, with_file
from tests.officers.factories import OfficerFactory
from tests.wands.factories import WandRequestFactory

from .test_toolkit_journey import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = [320, 1280]


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    """A transactional test before this one flushed the tables, data-migrated rows included."""
    load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)
    starting = importlib.import_module("education_toolkit.migrations.0004_starting_synonyms").STARTING_SYNONYMS
    for term, alternatives in starting.items():
        SearchSynonym.objects.get_or_create(term=term, defaults={"alternatives": alternatives})


def _shot(page, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _no_sideways_scroll(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _open(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_teacher_searches_first_and_ticks_files_of_two_resources(live_server, page, axe_check, tmp_path, width):
    page.set_viewport_size({"width": width, "height": 900})
    bleed = ResourceFactory(title="Stop the bleed", tags=[("key_stage", "ks4"), ("key_stage", "ks5")])
    with_file(bleed, title="Slides")
    with_file(bleed, title="Teacher notes")
    assembly = ResourceFactory(title="Bleeding control assembly", tags=[("topic", "first_aid")])
    with_file(assembly, title="Script")
    for n in range(6):
        ResourceFactory(title=f"Other resource {n}", tags=[("key_stage", "ks3")])
    teacher = SchoolMembershipFactory(user=UserFactory(full_name="Tom Teacher")).user
    sign_in_as(page, live_server, teacher)
    _open(page, f"{live_server.url}/toolkit/")
    search = page.get_by_label("Search")
    filters = page.locator("#filters")
    # Search comes before the filters, which are folded away: the first checkbox is not shown until asked for.
    assert search.bounding_box()["y"] < filters.bounding_box()["y"]
    expect(page.locator("#id_key_stage_0")).to_be_hidden()
    if width == 320:
        assert filters.bounding_box()["y"] < 900  # reached on the first screen, not after 35 checkboxes
    _no_sideways_scroll(page, width)
    axe_check(page)
    _shot(page, f"toolkit-catalogue-{width}")
    search.fill("bleeding")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#results h2").nth(0)).to_have_text(re.compile("Stop the bleed|Bleeding control assembly"))
    page.get_by_label(re.compile(r"^Slides \(Stop the bleed\)")).check()
    page.get_by_label(re.compile(r"^Script \(Bleeding control assembly\)")).check()
    page.get_by_label(re.compile("^I accept the terms of use")).check()
    _shot(page, f"toolkit-ticked-{width}")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download ticked files (zip)").click()
    download_info.value.save_as(tmp_path / "ticked.zip")
    with zipfile.ZipFile(tmp_path / "ticked.zip") as archive:
        assert archive.namelist() == [f"{assembly.slug}_script_v1.pdf", f"{bleed.slug}_slides_v1.pdf"]
    _open(page, f"{live_server.url}/toolkit/resources/{bleed.slug}/")
    expect(page.locator("#resource-ages")).to_have_text("14 to 18")
    _no_sideways_scroll(page, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_visitor_is_shown_how_to_get_access_to_a_registered_only_resource(live_server, page, axe_check, width):
    page.set_viewport_size({"width": width, "height": 900})
    resource = ResourceFactory(title="Stop the bleed", registered=True)
    with_file(resource, title="Slides")
    _open(page, f"{live_server.url}/toolkit/resources/{resource.slug}/")
    refusal = page.locator("#download-refusal")
    expect(refusal).to_contain_text("Anyone can create an account")
    expect(refusal.get_by_role("link", name="Sign in")).to_be_visible()
    _no_sideways_scroll(page, width)
    axe_check(page)
    _shot(page, f"toolkit-registered-visitor-{width}")
    refusal.get_by_role("link", name="Create an account").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
    assert f"next=/toolkit/resources/{resource.slug}/" in page.url


def _figures_data():
    officer = OfficerFactory()
    for code, schools, taken in [(204, 8, 6), (202, 10, 2), (210, 6, 5), (206, 5, 1), (208, 7, 0), (209, 9, 9)]:
        made = [SchoolFactory(local_authority=london_authority(code)) for _ in range(schools)]
        for school in made[:taken]:
            WandRequestFactory(school=school, delivered=True, quantity=2)
        for school in made[: schools // 2]:
            Assignment.objects.create(officer=officer, school=school, start_date="2026-01-01", weight=1)
    for type_name in ("Voluntary aided school", "Academy sponsor led", "Foundation school"):
        SchoolFactory(local_authority=london_authority(201), type_name=type_name)
    resource = ResourceFactory()
    plan = with_file(resource)
    for _ in range(3):
        services.downloads_record(user=AnonymousUser(), resource=resource, version_ids=[plan.current_version_id])


LABEL_SIZES = """() => {
  const visible = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const sizes = [];
  for (const el of document.querySelectorAll('.portal-chart text, .portal-hbars__label, .portal-hbars__value')) {
    if (!visible(el) || el.closest('.portal-map-scroll')) continue;
    sizes.push(el.getBoundingClientRect().height);
  }
  return sizes;
}"""
MAP_LABEL_SIZES = """() => Array.from(document.querySelectorAll('.portal-map-scroll svg text'))
  .filter(el => el.getClientRects().length > 0)
  .map(el => parseFloat(getComputedStyle(el).fontSize) * el.closest('svg').getBoundingClientRect().width
             / el.closest('svg').viewBox.baseVal.width)"""


@pytest.mark.parametrize("width", WIDTHS)
def test_open_figures_have_a_map_the_city_note_and_readable_chart_labels(live_server, page, axe_check, width):
    page.set_viewport_size({"width": width, "height": 900})
    _figures_data()
    _open(page, f"{live_server.url}/figures")
    # Two London maps, each with a key and the table after it.
    for map_id in ("map-wands-take-up", "map-police-contacts"):
        expect(page.locator(f"#{map_id} g.insights-tile")).to_have_count(33)
    expect(page.locator("#take-up-map-notes")).to_contain_text("City of London has 3 open schools")
    expect(page.locator('#police-boroughs tr[data-code="201"]')).to_contain_text("Not applicable")
    expect(page.locator('#police-boroughs tr[data-code="201"]')).to_contain_text("City of London Police")
    # Chart labels: at least 12 CSS pixels tall, at both widths (HTML rows on a phone, the drawing on a desktop).
    sizes = page.evaluate(LABEL_SIZES)
    assert sizes and min(sizes) >= 12, sorted(sizes)[:5]
    if width == 320:
        expect(page.locator("#wands-take-up .portal-chart-narrow")).to_be_visible()
        expect(page.locator("#wands-take-up .portal-chart-wide")).to_be_hidden()
        expect(page.locator("#toolkit-downloads .portal-chart-narrow svg")).to_have_count(1)
    else:
        expect(page.locator("#wands-take-up .portal-chart-wide")).to_be_visible()
        expect(page.locator("#wands-take-up .portal-chart-narrow")).to_be_hidden()
    # The map keeps its labels readable and scrolls in its own region; the page never scrolls sideways.
    assert min(page.evaluate(MAP_LABEL_SIZES)) >= 12
    _no_sideways_scroll(page, width)
    axe_check(page)
    _shot(page, f"figures-{width}")
