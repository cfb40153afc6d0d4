"""The toolkit in the browser, with axe on every page: a teacher filters to key stage 3 lesson plans and downloads
three files as one zip; a community group is refused a verified-professionals item until it is verified; an editor
publishes a new version and an earlier downloader gets the email."""

import re
import zipfile

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from education_toolkit import services
from education_toolkit.models import Download, FileVersion
from education_toolkit.samples import pdf_bytes
from schools.models import BasicCommandUnit, LocalAuthority
from schools.reference_data import load_reference_data
from tests.accounts.factories import (
    OrganisationMembershipFactory,
    SchoolMembershipFactory,
    UserFactory,
    programme_admin,
)
from tests.accounts.test_identity_support import give_totp
from tests.education_toolkit.factories import ResourceFactory, toolkit_editor, with_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    """A transactional test before this one flushed the tables, data-migrated rows included."""
    load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)


def sign_in_as(page, live_server, user):
    """A signed-in session handed to the browser, as the identity journeys cover sign-in."""
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


def test_teacher_filters_key_stage_3_lesson_plans_and_downloads_three_files_as_a_zip(
    live_server, page, axe_check, tmp_path
):
    lesson = ResourceFactory(
        title="Consequences: one evening, three lives", tags=[("key_stage", "ks3"), ("audience", "schools")]
    )
    for title in ("Lesson plan", "Slides", "Worksheet", "Extension activity"):
        with_file(lesson, title=title, content=pdf_bytes(f"{lesson.title}: {title}"))
    ResourceFactory(title="Sixth form debate", tags=[("key_stage", "ks5")])
    ResourceFactory(title="Assembly on loss", resource_type="assembly", tags=[("key_stage", "ks3")])
    teacher = SchoolMembershipFactory(user=UserFactory(full_name="Tia Teacher")).user
    sign_in_as(page, live_server, teacher)

    page.goto(live_server.url + "/toolkit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("London Needs You Alive toolkit")
    expect(page.locator("#result-count")).to_contain_text("3 resources")
    axe_check(page)
    page.get_by_text("Filter resources").click()  # the filters fold away under the search (a phone reaches results)
    page.get_by_label(re.compile(r"^Key stage 3 \(ages 11 to 14\) \(2\)$")).check()
    page.get_by_label(re.compile(r"^Lesson plan \(\d+\)$")).check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#result-count")).to_contain_text("1 resource")
    expect(page.get_by_role("link", name="Remove filter: Lesson plan")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name=lesson.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(lesson.title)
    expect(page.locator("#safeguarding-notes")).to_contain_text(lesson.safeguarding_notes)
    axe_check(page)
    page.get_by_role("button", name="Download selected files (zip)").click()  # nothing ticked, terms not accepted
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select at least one file to download")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Accept the terms of use")
    axe_check(page)
    for title in ("Lesson plan", "Slides", "Worksheet"):
        page.get_by_label(title, exact=True).check()
    page.get_by_label(re.compile("^I accept the terms of use")).check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download selected files (zip)").click()
    download = download_info.value
    assert download.suggested_filename == f"{lesson.slug}_files.zip"
    path = tmp_path / "toolkit.zip"
    download.save_as(path)
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == [f"{lesson.slug}_{t}_v1.pdf" for t in ("lesson-plan", "slides", "worksheet")]
        assert archive.read(f"{lesson.slug}_slides_v1.pdf") == pdf_bytes(f"{lesson.title}: Slides")
    assert Download.objects.filter(user=teacher, as_zip=True).count() == 3


def test_community_group_is_refused_a_verified_item_until_verified(live_server, page, axe_check):
    guidance = ResourceFactory(title="County lines: guidance for staff", resource_type="guidance", verified=True)
    with_file(guidance, title="Guidance", content=pdf_bytes("County lines"))
    member = OrganisationMembershipFactory(
        organisation__status="pending",
        organisation__type="community",
        organisation__name="Peckham Mums Together",
        user=UserFactory(full_name="Cara Community"),
    ).user
    sign_in_as(page, live_server, member)

    page.goto(f"{live_server.url}/toolkit/resources/{guidance.slug}/")
    expect(page.locator("#download-refusal")).to_contain_text("once your organisation is verified")
    expect(page.get_by_role("button", name="Download all files (zip)")).to_have_count(0)
    axe_check(page)
    response = page.goto(f"{live_server.url}/toolkit/files/{guidance.files.get().current_version_id}/download/")
    assert response.status == 403
    axe_check(page)
    assert not Download.objects.exists()

    from accounts.services.organisations import organisation_verify

    admin = programme_admin()
    give_totp(admin)
    organisation_verify(actor=admin, organisation_id=member.organisation_memberships.get().organisation_id)

    page.goto(f"{live_server.url}/toolkit/resources/{guidance.slug}/")
    expect(page.locator("#download-refusal")).to_have_count(0)
    axe_check(page)
    page.get_by_label(re.compile("^I accept the terms of use")).check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download all files (zip)").click()
    assert download_info.value.suggested_filename == f"{guidance.slug}_files.zip"
    assert Download.objects.get().organisation_type == "community"


def test_editor_publishes_a_new_version_and_an_earlier_downloader_is_emailed(live_server, page, axe_check, tmp_path):
    resource = ResourceFactory(title="Stop the bleed: emergency first aid", resource_type="slides")
    file = with_file(resource, title="Slides", content=pdf_bytes("Version 1"))
    teacher = SchoolMembershipFactory(user=UserFactory(full_name="Tia Teacher")).user
    services.terms_accept(user=teacher)
    services.downloads_record(user=teacher, resource=resource, subscribe=True)
    editor = toolkit_editor(full_name="Eddie Editor")
    give_totp(editor)  # VRU roles need two-factor sign-in
    mail.outbox.clear()
    sign_in_as(page, live_server, editor)

    page.goto(live_server.url + "/toolkit/editor/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Toolkit resources")
    axe_check(page)
    page.get_by_role("link", name=resource.title).click()
    expect(page.locator("#resource-status")).to_have_text("Published")
    axe_check(page)
    page.get_by_role("link", name="Upload a new version of Slides").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload a new version")
    axe_check(page)

    wrong = tmp_path / "slides.pdf"
    wrong.write_bytes(b"GIF89a this is an image, not a PDF")
    page.get_by_label("Upload the new version").set_input_files(str(wrong))
    page.get_by_label("What changed").fill("Updated the helpline numbers")
    page.get_by_role("button", name="Publish new version").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("content is not a PDF")
    axe_check(page)
    assert FileVersion.objects.filter(file=file).count() == 1 and mail.outbox == []

    right = tmp_path / "stop-the-bleed.pdf"
    right.write_bytes(pdf_bytes("Version 2"))
    page.get_by_label("Upload the new version").set_input_files(str(right))
    page.get_by_label("What changed").fill("Updated the helpline numbers")
    page.get_by_role("button", name="Publish new version").click()
    expect(page.get_by_text("Version 2 of Slides is published")).to_be_visible()
    axe_check(page)

    assert [m.to for m in mail.outbox] == [[teacher.email]]
    assert "Updated the helpline numbers" in mail.outbox[0].body
    page.get_by_role("link", name="History").click()
    expect(page.locator(".portal-timeline")).to_contain_text("Updated the helpline numbers")
    axe_check(page)

    sign_in_as(page, live_server, teacher)
    page.goto(f"{live_server.url}/toolkit/resources/{resource.slug}/")
    expect(page.get_by_text("Updated", exact=False).first).to_be_visible()
    expect(page.locator(".govuk-checkboxes__hint").first).to_contain_text("version 2")
    axe_check(page)


def test_editor_creates_previews_and_publishes_and_every_other_page_passes_axe(live_server, page, axe_check, tmp_path):
    editor = toolkit_editor(full_name="Eddie Editor")
    give_totp(editor)
    teacher = SchoolMembershipFactory(user=UserFactory(full_name="Tia Teacher")).user
    sign_in_as(page, live_server, editor)

    page.goto(live_server.url + "/toolkit/editor/new/")
    axe_check(page)
    page.get_by_role("button", name="Create draft").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a title")
    axe_check(page)
    page.get_by_label("Title").fill("Worksheet: whose choice?")
    page.get_by_label("Summary").fill("Scenario cards about choices.")
    page.get_by_label("Resource type").select_option("worksheet")
    page.get_by_label("Content guidance").fill("Mentions a stabbing.")
    page.get_by_label("Safeguarding preparation").fill("Tell the safeguarding lead first.")
    page.get_by_label("Verified professionals").check()
    page.get_by_label("Key stage 3 (ages 11 to 14)").check()
    page.get_by_role("button", name="Create draft").click()
    expect(page.locator("#resource-status")).to_have_text("Draft")
    axe_check(page)

    page.get_by_role("link", name="Add a file").click()
    axe_check(page)
    worksheet = tmp_path / "worksheet.pdf"
    worksheet.write_bytes(pdf_bytes("Whose choice?"))
    page.get_by_label("File title").fill("Worksheet")
    page.get_by_label("Upload a file").set_input_files(str(worksheet))
    page.get_by_role("button", name="Upload file").click()
    expect(page.get_by_text("File added.")).to_be_visible()

    page.get_by_role("link", name="Preview").click()
    expect(page.get_by_text("This is how the resource will look")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Publish it").click()
    axe_check(page)
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#resource-status")).to_have_text("Published")

    resource = FileVersion.objects.get().file.resource
    services.terms_accept(user=teacher)
    services.downloads_record(user=teacher, resource=resource)
    page.goto(live_server.url + "/toolkit/analytics/")
    expect(page.locator("#total-downloads")).to_have_text("1")
    axe_check(page)
    page.goto(f"{live_server.url}/toolkit/editor/{resource.pk}/archive/")
    axe_check(page)

    sign_in_as(page, live_server, teacher)
    page.goto(f"{live_server.url}/toolkit/resources/{resource.slug}/")
    page.get_by_role("link", name=re.compile("Did you deliver it")).click()
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter how many young people took part")
    axe_check(page)
    page.get_by_label("How many young people took part?").fill("28")
    page.get_by_label("Classroom").check()
    page.get_by_label("Date you delivered it").fill("2026-03-02")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Thank you for telling us you delivered it.")).to_be_visible()
    axe_check(page)

    page.context.clear_cookies()
    page.goto(live_server.url + "/toolkit/terms/")
    axe_check(page)
