"""Toolkit pages through HTTP: browse and filter, downloads, bad input, editors, analytics, query counts."""

import io
import zipfile

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from education_toolkit import services
from education_toolkit.models import Download, FileVersion, Resource, ResourceTag, TermsAcceptance
from education_toolkit.samples import pdf_bytes
from tests.accounts.factories import UserFactory

from .factories import ResourceFactory, with_file

pytestmark = pytest.mark.django_db
CATALOGUE = reverse("toolkit:catalogue")


def _zip_names(response) -> list[str]:
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()


def _catalogue_of(size: int):
    resources = ResourceFactory.create_batch(size)
    ResourceTag.objects.bulk_create(
        [ResourceTag(resource=r, kind="key_stage", value="ks3" if i % 2 else "ks4") for i, r in enumerate(resources)]
        + [ResourceTag(resource=r, kind="audience", value="schools") for r in resources]
    )
    return resources


class TestCatalogue:
    def test_filters_with_counts(self, client):
        ks3_plan = ResourceFactory(title="Stop and think", tags=[("key_stage", "ks3")])
        ResourceFactory(title="Assembly on loss", resource_type="assembly", tags=[("key_stage", "ks3")])
        ResourceFactory(title="Sixth form debate", tags=[("key_stage", "ks5")])
        ResourceFactory(title="Draft plan", draft=True, tags=[("key_stage", "ks3")])

        response = client.get(CATALOGUE, {"key_stage": "ks3", "resource_type": "lesson_plan"})

        assert response.status_code == 200
        assert [r.title for r in response.context["page"].object_list] == [ks3_plan.title]
        page = response.content.decode()
        assert "Key stage 3 (ages 11 to 14) (1)" in page
        assert "Remove filter: Lesson plan" in page
        counts = {g["name"]: {o["value"]: o["label"] for o in g["options"]} for g in response.context["groups"]}
        assert counts["key_stage"]["ks5"].endswith("(0)")

    def test_search_finds_words_in_the_summary(self, client):
        ResourceFactory(title="Bleeding control", summary="How to stop a bleed until the ambulance arrives")
        ResourceFactory(title="Peer pressure")
        response = client.get(CATALOGUE, {"q": "ambulance"})
        assert [r.title for r in response.context["page"].object_list] == ["Bleeding control"]

    def test_bad_filter_values_show_an_error_not_a_500(self, client):
        response = client.get(CATALOGUE, {"key_stage": "ks99", "resource_type": "<script>"})
        assert response.status_code == 200
        page = response.content.decode()
        assert "govuk-error-summary" in page
        assert "<title>Error: London Needs You Alive toolkit" in page
        # Served again from the cached fragment: the same error, the same title.
        again = client.get(CATALOGUE, {"key_stage": "ks99", "resource_type": "<script>"}).content.decode()
        assert "govuk-error-summary" in again and "<title>Error: London Needs You Alive toolkit" in again
        assert "<title>London Needs You Alive toolkit" in client.get(CATALOGUE).content.decode()

    def test_a_refused_filter_value_keeps_the_filters_that_were_understood(self, client):
        ResourceFactory(title="Stop and think", tags=[("key_stage", "ks3")])
        ResourceFactory(title="Sixth form debate", tags=[("key_stage", "ks5")])
        response = client.get(CATALOGUE, {"key_stage": ["ks3", "ks99"]})
        page = response.content.decode()
        assert "Choose key stage from the list" in page and "Select a valid choice" not in page
        assert [r.title for r in response.context["page"].object_list] == ["Stop and think"]
        assert '<details class="govuk-details" id="filters" open>' in page  # the refused filter is in view
        assert 'href="#id_key_stage_0"' in page and 'id="id_key_stage_0"' in page  # the summary's link lands on it

    @pytest.mark.parametrize("size", [10, 1000])
    def test_query_count_does_not_grow_with_the_catalogue(self, client, size, django_assert_num_queries):
        _catalogue_of(size)
        # count, page, tags of the page, current files of the page (to tick), facet counts (tags, types)
        with django_assert_num_queries(6):
            response = client.get(CATALOGUE, {"audience": "schools"})
        assert response.context["page"].paginator.count == size


class TestResourcePage:
    def test_shows_guidance_files_type_and_size(self, client):
        resource = ResourceFactory(title="Consequences", tags=[("topic", "law")])
        with_file(resource, title="Teacher notes")
        related = ResourceFactory(title="The law explained", tags=[("topic", "law")])
        page = client.get(reverse("toolkit:resource", kwargs={"slug": resource.slug})).content.decode()
        assert "Safeguarding preparation" in page and resource.safeguarding_notes in page
        assert "Teacher notes" in page and "PDF" in page and "bytes" in page
        assert related.title in page

    def test_drafts_are_not_found_except_in_preview(self, client, editor):
        resource = ResourceFactory(draft=True)
        assert client.get(reverse("toolkit:resource", kwargs={"slug": resource.slug})).status_code == 404
        client.force_login(editor)
        preview = client.get(reverse("toolkit:editor_preview", kwargs={"pk": resource.pk}))
        assert preview.status_code == 200 and "This is how the resource will look" in preview.content.decode()

    def test_unverified_community_group_sees_why_it_cannot_download(self, client, community_member):
        resource = ResourceFactory(verified=True)
        file = with_file(resource)
        client.force_login(community_member)
        page = client.get(reverse("toolkit:resource", kwargs={"slug": resource.slug})).content.decode()
        assert "once your organisation is verified" in page
        response = client.get(reverse("toolkit:download_file", kwargs={"version_id": file.current_version_id}))
        assert response.status_code == 403
        response = client.post(reverse("toolkit:download_selected", kwargs={"slug": resource.slug}), {"all": "1"})
        assert response.status_code == 403
        assert not Download.objects.exists()

    def test_signed_out_restricted_download_goes_to_sign_in(self, client):
        resource = ResourceFactory(registered=True)
        file = with_file(resource)
        response = client.get(reverse("toolkit:download_file", kwargs={"version_id": file.current_version_id}))
        assert response.status_code == 302 and "/account/login/" in response["Location"]
        assert not Download.objects.exists()


class TestDownloads:
    def test_zip_of_ticked_files_contains_exactly_those(self, client, teacher):
        resource = ResourceFactory()
        files = [with_file(resource, title=t) for t in ("Plan", "Slides", "Worksheet", "Answers")]
        client.force_login(teacher)
        response = client.post(
            reverse("toolkit:download_selected", kwargs={"slug": resource.slug}),
            {"files": [files[0].current_version_id, files[1].current_version_id, files[2].current_version_id]},
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        assert response.streaming
        assert _zip_names(response) == [f"{resource.slug}_{t}_v1.pdf" for t in ("plan", "slides", "worksheet")]
        assert response["Content-Disposition"] == f'attachment; filename="{resource.slug}_files.zip"'
        assert Download.objects.filter(as_zip=True).count() == 3

    def test_all_files(self, client, teacher):
        resource = ResourceFactory()
        for t in ("Plan", "Slides"):
            with_file(resource, title=t)
        client.force_login(teacher)
        response = client.post(reverse("toolkit:download_selected", kwargs={"slug": resource.slug}), {"all": "1"})
        assert _zip_names(response) == [f"{resource.slug}_plan_v1.pdf", f"{resource.slug}_slides_v1.pdf"]

    def test_a_file_of_another_resource_is_refused(self, client, teacher):
        resource, other = ResourceFactory(), ResourceFactory()
        mine, theirs = with_file(resource), with_file(other)
        client.force_login(teacher)
        response = client.post(
            reverse("toolkit:download_selected", kwargs={"slug": resource.slug}),
            {"files": [mine.current_version_id, theirs.current_version_id]},
        )
        assert response.status_code == 400
        assert "Choose files of this resource only" in response.content.decode()
        assert not Download.objects.exists()

    def test_nothing_ticked(self, client, teacher):
        resource = ResourceFactory()
        with_file(resource)
        client.force_login(teacher)
        response = client.post(reverse("toolkit:download_selected", kwargs={"slug": resource.slug}), {})
        assert response.status_code == 400
        assert "Select at least one file to download" in response.content.decode()

    def test_terms_accepted_once_with_the_download_and_one_control_for_update_emails(self, client):
        user = UserFactory()
        resource = ResourceFactory()
        file = with_file(resource)
        client.force_login(user)
        url = reverse("toolkit:download_selected", kwargs={"slug": resource.slug})
        before = client.get(reverse("toolkit:resource", kwargs={"slug": resource.slug})).content.decode()
        # One control for update emails (the issue: a checkbox in the download form and a button said the same).
        assert before.count("Email me") == 1 and 'name="subscribe"' not in before
        refused = client.post(url, {"files": [file.current_version_id]})
        assert refused.status_code == 400 and "Accept the terms of use" in refused.content.decode()
        assert not Download.objects.exists()
        response = client.post(url, {"files": [file.current_version_id], "accept_terms": "on"})
        assert response.status_code == 200
        assert TermsAcceptance.objects.filter(user=user).count() == 1
        page = client.get(reverse("toolkit:resource", kwargs={"slug": resource.slug})).content.decode()
        assert 'name="accept_terms"' not in page  # asked once
        client.post(reverse("toolkit:updates", kwargs={"slug": resource.slug}), {"wanted": "yes"})
        assert resource.subscriptions.filter(user=user).exists()
        following = client.get(reverse("toolkit:resource", kwargs={"slug": resource.slug})).content.decode()
        assert "Stop update emails" in following and "Email me" not in following

    def test_single_file_streamed_by_the_storage(self, client, teacher):
        resource = ResourceFactory()
        file = with_file(resource, title="Plan", content=pdf_bytes("The plan"))
        client.force_login(teacher)
        response = client.get(reverse("toolkit:download_file", kwargs={"version_id": file.current_version_id}))
        assert response.status_code == 200 and response.streaming
        assert b"".join(response.streaming_content) == pdf_bytes("The plan")
        assert f'filename="{resource.slug}_plan_v1.pdf"' in response["Content-Disposition"]
        assert Download.objects.get().organisation_type == "school"

    def test_single_file_asks_for_terms_first(self, client):
        resource = ResourceFactory()
        file = with_file(resource)
        url = reverse("toolkit:download_file", kwargs={"version_id": file.current_version_id})
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("toolkit:terms"))
        client.post(reverse("toolkit:terms"), {"accept_terms": "on", "next": url})
        assert client.get(url).status_code == 200  # an anonymous visitor: remembered for the session

    def test_after_accepting_the_terms_the_file_downloads_from_the_resource_page(self, client):
        """The issue: after accepting, people stayed on the terms page with no way on."""
        resource = ResourceFactory()
        file = with_file(resource, title="Slides")
        url = reverse("toolkit:download_file", kwargs={"version_id": file.current_version_id})
        to_terms = client.get(url)["Location"]
        terms_page = client.get(to_terms).content.decode()
        assert f'name="download" value="{file.current_version_id}"' in terms_page
        assert 'data-prevent-double-click="true">Accept and continue' in terms_page
        back = client.post(
            reverse("toolkit:terms"),
            {
                "accept_terms": "on",
                "next": reverse("toolkit:resource", kwargs={"slug": resource.slug}),
                "download": str(file.current_version_id),
            },
        )
        assert back["Location"] == reverse("toolkit:resource", kwargs={"slug": resource.slug})
        page = client.get(back["Location"]).content.decode()
        assert "Your download has started" in page
        assert f'<meta http-equiv="refresh" content="0;url={url}">' in page
        assert client.get(url).status_code == 200
        again = client.get(back["Location"]).content.decode()
        assert "Your download has started" not in again and 'http-equiv="refresh"' not in again  # once

    def test_a_download_number_for_another_resource_starts_nothing(self, client):
        resource, other = ResourceFactory(), ResourceFactory()
        with_file(resource)
        elsewhere = with_file(other)
        client.post(
            reverse("toolkit:terms"),
            {
                "accept_terms": "on",
                "next": reverse("toolkit:resource", kwargs={"slug": resource.slug}),
                "download": str(elsewhere.current_version_id),
            },
        )
        page = client.get(reverse("toolkit:resource", kwargs={"slug": resource.slug})).content.decode()
        assert "Your download has started" not in page

    def test_terms_never_redirect_off_site(self, client):
        response = client.post(reverse("toolkit:terms"), {"accept_terms": "on", "next": "https://evil.example/"})
        assert response["Location"] == CATALOGUE

    def test_archived_versions_are_not_served(self, client, teacher, editor):
        resource = ResourceFactory()
        file = with_file(resource)
        old = file.current_version_id
        services.file_version_upload(
            actor=editor, file_id=file.pk, upload=SimpleUploadedFile("a.pdf", pdf_bytes("2")), change_note="New"
        )
        client.force_login(teacher)
        assert client.get(reverse("toolkit:download_file", kwargs={"version_id": old})).status_code == 404


class TestDeliveryReport:
    def test_report_and_bad_input(self, client, teacher):
        resource = ResourceFactory()
        client.force_login(teacher)
        url = reverse("toolkit:delivery_report", kwargs={"slug": resource.slug})
        bad = client.post(url, {"young_people": "-3", "setting": "", "delivered_on": "31 2 2026"})
        assert bad.status_code == 200 and "govuk-error-summary" in bad.content.decode()
        assert not resource.delivery_reports.exists()
        ok = client.post(url, {"young_people": "28", "setting": "classroom", "delivered_on": "2026-03-02"})
        assert ok.status_code == 302
        assert resource.delivery_reports.get().young_people == 28


class TestEditor:
    def test_create_add_file_publish_with_history(self, client, editor):
        client.force_login(editor)
        response = client.post(
            reverse("toolkit:editor_create"),
            {
                "title": "Knife crime: the facts",
                "summary": "Myths and facts.",
                "resource_type": "slides",
                "content_guidance": "Statistics on deaths.",
                "safeguarding_notes": "Warn pupils first.",
                "licence": "OGL",
                "language": "English",
                "access_level": "verified",
                "key_stage": ["ks3", "ks4"],
            },
        )
        resource = Resource.objects.get()
        assert response.status_code == 302 and resource.status == "draft"
        assert sorted(resource.tag_values("key_stage")) == ["ks3", "ks4"]
        publish = reverse("toolkit:editor_publish", kwargs={"pk": resource.pk})
        refused = client.post(publish, {})
        assert "Add at least one file" in refused.content.decode()
        bad = client.post(
            reverse("toolkit:editor_file_add", kwargs={"pk": resource.pk}),
            {"title": "Slides", "file": SimpleUploadedFile("slides.pdf", b"GIF89a not a pdf")},
        )
        assert bad.status_code == 200 and "content is not a PDF" in bad.content.decode()
        assert not FileVersion.objects.exists()
        client.post(
            reverse("toolkit:editor_file_add", kwargs={"pk": resource.pk}),
            {"title": "Slides", "file": SimpleUploadedFile("slides.pdf", pdf_bytes("Slides"))},
        )
        assert client.post(publish, {"reason": "Checked by Jo"}).status_code == 302
        resource.refresh_from_db()
        assert resource.status == "published"
        history = client.get(reverse("toolkit:editor_history", kwargs={"pk": resource.pk})).content.decode()
        assert "Toolkit resource published" in history and "Checked by Jo" in history

    def test_new_version_emails_an_earlier_downloader(
        self, client, editor, teacher, django_capture_on_commit_callbacks
    ):
        resource = ResourceFactory()
        file = with_file(resource)
        services.downloads_record(user=teacher, resource=resource, subscribe=True)
        client.force_login(editor)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("toolkit:editor_version_upload", kwargs={"file_id": file.pk}),
                {"file": SimpleUploadedFile("plan.pdf", pdf_bytes("v2")), "change_note": "Updated helplines"},
            )
        assert response.status_code == 302
        assert [m.to for m in mail.outbox] == [[teacher.email]]

    def test_version_upload_to_archived_resource_shows_the_reason(self, client, editor):
        resource = ResourceFactory(archived=True)
        file = with_file(resource)
        client.force_login(editor)
        response = client.post(
            reverse("toolkit:editor_version_upload", kwargs={"file_id": file.pk}),
            {"file": SimpleUploadedFile("plan.pdf", pdf_bytes("v2")), "change_note": "x"},
        )
        assert response.status_code == 200 and "archived" in response.content.decode()
        assert FileVersion.objects.count() == 1

    def test_pages_are_for_editors_only(self, client, teacher):
        client.force_login(teacher)
        assert client.get(reverse("toolkit:editor_list")).status_code == 403
        assert client.get(reverse("toolkit:analytics")).status_code == 403

    def test_analytics_page(self, client, editor, teacher):
        resource = ResourceFactory(title="Counted")
        with_file(resource)
        services.downloads_record(user=teacher, resource=resource)
        client.force_login(editor)
        page = client.get(reverse("toolkit:analytics")).content.decode()
        assert "Counted" in page and 'id="total-downloads">1<' in page


@pytest.mark.parametrize("signed_in", [False, True])
def test_resource_page_queries_do_not_grow_with_files_or_related(client, teacher, signed_in):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if signed_in:
        client.force_login(teacher)
    counts = []
    for size in (1, 12):
        resource = ResourceFactory(tags=[("topic", "law"), ("key_stage", "ks3")])
        for n in range(size):
            with_file(resource, title=f"File {n}")
        for _ in range(size):
            ResourceFactory(tags=[("topic", "law")])
        url = reverse("toolkit:resource", kwargs={"slug": resource.slug})
        client.get(url)  # warm the per-process caches (content types, site)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_back_to_the_toolkit_returns_to_the_search_the_person_came_from(client):
    """Walked as a teacher: "Back to the toolkit" from a search result went to the whole catalogue."""
    resource = ResourceFactory(title="Stop the bleed")
    url = reverse("toolkit:resource", kwargs={"slug": resource.slug})
    came_from = "http://testserver/toolkit/?q=bleeding&key_stage=ks3&page=2"
    page = client.get(url, HTTP_REFERER=came_from).content.decode()
    assert 'href="/toolkit/?q=bleeding&amp;key_stage=ks3&amp;page=2" class="govuk-back-link"' in page
    for elsewhere in ("https://evil.example/toolkit/?q=x", "http://testserver/schools/?q=x", ""):
        page = client.get(url, HTTP_REFERER=elsewhere).content.decode()
        assert 'href="/toolkit/" class="govuk-back-link"' in page
