"""Toolkit downloads in the browser, with axe: a visitor clicks one file before accepting the terms and, after
accepting, is back on the resource with the file downloading; a teacher searches "first aid bleeding", ticks two
files of two resources from the results and gets one zip of exactly those; ticks on two result pages go in one zip;
an editor adds a search synonym."""

import importlib
import re
import zipfile

import pytest
from playwright.sync_api import expect

from education_toolkit.models import SearchSynonym
from education_toolkit.samples import pdf_bytes
from schools.models import BasicCommandUnit, LocalAuthority
from schools.reference_data import load_reference_data
from tests.accounts.factories import SchoolMembershipFactory, UserFactory
from tests.accounts.test_identity_support import give_totp
from tests.education_toolkit.factories import ResourceFactory, toolkit_editor, with_file

from .test_toolkit_journey import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    """A transactional test before this one flushed the tables, data-migrated rows included (synonyms too)."""
    load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)
    starting = importlib.import_module("education_toolkit.migrations.0004_starting_synonyms").STARTING_SYNONYMS
    for term, alternatives in starting.items():
        SearchSynonym.objects.get_or_create(term=term, defaults={"alternatives": alternatives})


def test_one_file_before_the_terms_downloads_after_accepting_them(live_server, page, axe_check):
    resource = ResourceFactory(title="Stop the bleed")
    with_file(resource, title="Slides", content=pdf_bytes("Stop the bleed: Slides"))
    page.goto(f"{live_server.url}/toolkit/resources/{resource.slug}/")
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Download Slides on its own").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", level=1)).to_have_text("Terms of use for the toolkit")
    axe_check(page)
    page.get_by_label(re.compile("^I accept the terms of use")).check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Accept and continue").click()
    assert download_info.value.suggested_filename == f"{resource.slug}_slides_v1.pdf"
    page.wait_for_load_state("networkidle")
    expect(page).to_have_url(f"{live_server.url}/toolkit/resources/{resource.slug}/")
    expect(page.locator("#download-started")).to_contain_text("Your download has started")
    axe_check(page)


def test_teacher_ticks_files_of_two_search_results_and_gets_one_zip_of_exactly_those(
    live_server, page, axe_check, tmp_path
):
    bleed = ResourceFactory(title="Stop the bleed", summary="What to do until the ambulance arrives")
    with_file(bleed, title="Slides")
    with_file(bleed, title="Teacher notes")
    assembly = ResourceFactory(title="Minutes that matter", summary="An assembly", tags=[("topic", "first_aid")])
    with_file(assembly, title="Script")
    with_file(assembly, title="Poster")
    ResourceFactory(title="Online conflict", summary="Group chats", content_guidance="Hard topics.")
    teacher = SchoolMembershipFactory(user=UserFactory(full_name="Tom Teacher")).user
    sign_in_as(page, live_server, teacher)
    page.goto(f"{live_server.url}/toolkit/")
    page.wait_for_load_state("networkidle")
    page.get_by_label("Search").fill("first aid bleeding")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#results h2")).to_have_text(["Stop the bleed", "Minutes that matter"])
    # Each result's files, grouped under it.
    expect(page.get_by_role("group", name="Files of Stop the bleed to add to one download")).to_be_visible()
    axe_check(page)
    page.get_by_label(re.compile(r"^Teacher notes \(Stop the bleed\)")).check()
    page.get_by_label(re.compile(r"^Script \(Minutes that matter\)")).check()
    page.get_by_role("button", name="Download ticked files (zip)").click()  # terms not accepted yet
    page.wait_for_load_state("networkidle")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Accept the terms of use")
    expect(page.get_by_role("group", name="Stop the bleed").get_by_label(re.compile("^Teacher notes"))).to_be_checked()
    axe_check(page)
    page.get_by_label(re.compile("^I accept the terms of use")).check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download ticked files (zip)").click()
    download = download_info.value
    assert download.suggested_filename == "toolkit_2-resources_files.zip"
    download.save_as(tmp_path / "several.zip")
    with zipfile.ZipFile(tmp_path / "several.zip") as archive:
        assert archive.namelist() == [f"{bleed.slug}_teacher-notes_v1.pdf", f"{assembly.slug}_script_v1.pdf"]


def test_ticks_on_two_result_pages_go_in_one_zip_and_can_be_cleared(live_server, page, axe_check, tmp_path):
    """Ticks were lost on moving to the next page of results: they are kept for the tab, listed under the download
    button, sent with it, and cleared with one button."""
    from education_toolkit import services

    resources = [ResourceFactory(title=f"Resource {n:02}") for n in range(1, 23)]
    for resource in resources:
        with_file(resource, title="Plan")
    teacher = SchoolMembershipFactory(user=UserFactory(full_name="Tom Teacher")).user
    services.terms_accept(user=teacher)
    sign_in_as(page, live_server, teacher)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/toolkit/")
    page.wait_for_load_state("networkidle")
    page.get_by_label(re.compile(r"^Plan \(Resource 01\)")).check()
    page.get_by_role("link", name=re.compile("^Next")).first.click()
    page.wait_for_load_state("networkidle")
    elsewhere = page.locator("[data-ticked-elsewhere]")
    expect(elsewhere).to_contain_text("You also ticked 1 file on another page:")
    expect(elsewhere).to_contain_text("Plan (Resource 01) PDF")
    page.get_by_label(re.compile(r"^Plan \(Resource 22\)")).check()
    axe_check(page)
    page.screenshot(path=str(tmp_path / "ticked-elsewhere-320.png"), full_page=True)
    page.go_back()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_label(re.compile(r"^Plan \(Resource 01\)"))).to_be_checked()
    expect(elsewhere).to_contain_text("Plan (Resource 22)")
    page.reload()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_label(re.compile(r"^Plan \(Resource 01\)"))).to_be_checked()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download ticked files (zip)").click()
    download_info.value.save_as(tmp_path / "two-pages.zip")
    with zipfile.ZipFile(tmp_path / "two-pages.zip") as archive:
        expected = sorted([f"{resources[0].slug}_plan_v1.pdf", f"{resources[21].slug}_plan_v1.pdf"])
        assert sorted(archive.namelist()) == expected
    page.get_by_role("button", name="Clear all ticks").click()
    expect(page.get_by_label(re.compile(r"^Plan \(Resource 01\)"))).not_to_be_checked()
    expect(elsewhere).to_be_hidden()
    page.reload()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_label(re.compile(r"^Plan \(Resource 01\)"))).not_to_be_checked()


def test_editor_adds_a_search_synonym(live_server, page, axe_check):
    editor = toolkit_editor(full_name="Erin Editor")
    give_totp(editor)
    sign_in_as(page, live_server, editor)
    page.goto(f"{live_server.url}/toolkit/editor/synonyms/")
    page.wait_for_load_state("networkidle")
    axe_check(page)
    page.get_by_role("button", name="Add").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a word or phrase people search for")
    axe_check(page)
    page.get_by_label("Word or phrase people search for").fill("trapping")
    page.get_by_label("Other words or phrases meaning the same").fill("county lines, cuckooing")
    page.get_by_role("button", name="Add").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#synonyms")).to_contain_text("county lines, cuckooing")
    assert SearchSynonym.objects.filter(term="trapping").exists()
    page.get_by_role("link", name="Change trapping").click()
    page.wait_for_load_state("networkidle")
    axe_check(page)
