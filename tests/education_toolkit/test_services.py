"""Toolkit services: the workflow, upload checks, versions and update emails, access levels, downloads, follow-ups."""

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage

from core.errors import Conflict, DomainError, InvalidTransition
from core.models import AuditEvent
from education_toolkit import services, uploads
from education_toolkit.models import DeliveryReport, Download, FileVersion, Resource, ResourceFile, UpdateSubscription
from education_toolkit.samples import docx_bytes, pdf_bytes, pptx_bytes
from tests.accounts.factories import OrganisationMembershipFactory, UserFactory

from .factories import ResourceFactory, with_file

pytestmark = pytest.mark.django_db

DESCRIPTION = {
    "title": "Consequences: a lesson on knife crime",
    "summary": "Pupils follow one evening from three points of view.",
    "resource_type": "lesson_plan",
    "content_guidance": "Describes a stabbing and its aftermath.",
    "safeguarding_notes": "Check with the designated safeguarding lead which pupils may be affected.",
    "access_level": "public",
}


def stored_toolkit_files():
    try:
        return default_storage.listdir("toolkit")[1]
    except FileNotFoundError:
        return []


class TestWorkflow:
    def test_editor_creates_a_draft_with_facets_and_history(self, editor):
        resource = services.resource_create(
            actor=editor, facets={"key_stage": ["ks3", "ks4"], "audience": ["schools"]}, **DESCRIPTION
        )
        assert resource.status == Resource.Status.DRAFT
        assert resource.slug == "consequences-a-lesson-on-knife-crime"
        assert sorted(resource.tag_values("key_stage")) == ["ks3", "ks4"]
        assert AuditEvent.objects.filter(verb="toolkit_resource.created", target_id=str(resource.pk)).exists()

    def test_only_editors_write(self, teacher):
        with pytest.raises(PermissionDenied):
            services.resource_create(actor=teacher, **DESCRIPTION)
        assert not Resource.objects.exists()

    def test_missing_safeguarding_notes_are_refused(self, editor):
        with pytest.raises(DomainError) as error:
            services.resource_create(actor=editor, **{**DESCRIPTION, "safeguarding_notes": "  "})
        assert error.value.field == "safeguarding_notes"
        assert not Resource.objects.exists()

    def test_unknown_facet_value_is_refused(self, editor):
        with pytest.raises(DomainError):
            services.resource_create(actor=editor, facets={"key_stage": ["ks9"]}, **DESCRIPTION)
        assert not Resource.objects.exists()

    def test_publish_needs_a_file_then_archive_and_restore(self, editor):
        resource = ResourceFactory(draft=True)
        with pytest.raises(Conflict, match="Add at least one file"):
            services.resource_publish(actor=editor, resource_id=resource.pk)
        with_file(resource)
        services.resource_publish(actor=editor, resource_id=resource.pk)
        resource.refresh_from_db()
        assert resource.status == "published" and resource.published_at is not None
        with pytest.raises(InvalidTransition):
            services.resource_publish(actor=editor, resource_id=resource.pk)
        services.resource_archive(actor=editor, resource_id=resource.pk, reason="Out of date")
        services.resource_publish(actor=editor, resource_id=resource.pk)
        verbs = list(
            AuditEvent.objects.filter(target_id=str(resource.pk), verb__startswith="toolkit_resource.").values_list(
                "verb", flat=True
            )
        )
        assert verbs == ["toolkit_resource.published", "toolkit_resource.archived", "toolkit_resource.published"]

    def test_edit_records_which_fields_changed(self, editor):
        resource = ResourceFactory()
        services.resource_update(
            actor=editor, resource_id=resource.pk, title="New title", facets={"topic": ["first_aid"]}
        )
        event = AuditEvent.objects.get(verb="toolkit_resource.edited")
        assert event.data["fields"] == ["title", "topic"]


class TestUploadChecks:
    def _resource(self):
        return ResourceFactory(draft=True)

    @pytest.mark.parametrize(
        ("name", "content", "kind"),
        [
            ("Lesson plan.pdf", pdf_bytes("Lesson"), "pdf"),
            ("slides.pptx", pptx_bytes("Slides"), "pptx"),
            ("notes.docx", docx_bytes("Notes"), "docx"),
            ("poster.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "png"),
            ("film.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64, "mp4"),
            ("helplines.csv", "service,phone\nCafé Talk,0800 1111\n".encode(), "csv"),
        ],
    )
    def test_allowed_types_are_stored_under_a_generated_name(self, editor, upload, name, content, kind):
        resource = self._resource()
        file = services.file_add(actor=editor, resource_id=resource.pk, upload=upload(name, content), title="File")
        version = file.current_version
        assert version.kind == kind
        assert version.size == len(content)
        assert version.filename == name.replace(" ", "-")
        assert version.stored.name.startswith("toolkit/") and name not in version.stored.name
        with default_storage.open(version.stored.name) as stored:
            assert stored.read() == content

    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("lesson.pdf", b"this is not a pdf", "content is not a PDF"),
            ("slides.pptx", docx_bytes("A Word file"), "content is not a PPTX"),
            ("slides.pptx", b"PK\x03\x04 broken zip", "content is not a PPTX"),
            ("table.csv", b"caf\xe9,1\n", "content is not a CSV"),
            ("script.exe", b"MZ\x90\x00", "must be a PDF"),
            ("empty.pdf", b"", "empty"),
        ],
    )
    def test_bad_files_are_refused_and_nothing_is_written(self, editor, upload, name, content, message):
        resource = self._resource()
        before = stored_toolkit_files()
        with pytest.raises(uploads.UploadRejected, match=message) as error:
            services.file_add(actor=editor, resource_id=resource.pk, upload=upload(name, content), title="File")
        assert error.value.field == "file"
        assert not ResourceFile.objects.exists() and not FileVersion.objects.exists()
        assert stored_toolkit_files() == before

    def test_oversized_upload_is_refused(self, editor, upload, monkeypatch):
        monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 1024)
        resource = self._resource()
        before = stored_toolkit_files()
        with pytest.raises(uploads.UploadRejected, match="smaller than"):
            services.file_add(
                actor=editor, resource_id=resource.pk, upload=upload("big.pdf", pdf_bytes("x") + b"0" * 2048), title="F"
            )
        assert stored_toolkit_files() == before

    def test_real_size_limit_is_50_mb(self):
        assert uploads.MAX_UPLOAD_BYTES == 50 * 1024 * 1024

    @pytest.mark.parametrize("name", ["../../etc/lesson.pdf", "C:\\Users\\me\\lesson.pdf", ".hidden.pdf"])
    def test_a_name_with_path_parts_is_refused(self, name):
        with pytest.raises(uploads.UploadRejected, match="without folders"):
            uploads.safe_filename(name)

    def test_path_parts_never_reach_storage(self, editor, upload):
        """Django drops a browser's path parts before the service sees the name; storage uses a generated name."""
        resource = self._resource()
        file = services.file_add(
            actor=editor, resource_id=resource.pk, upload=upload("../../etc/passwd.pdf", pdf_bytes("x")), title="F"
        )
        assert file.current_version.filename == "passwd.pdf"
        assert file.current_version.stored.name.startswith("toolkit/") and ".." not in file.current_version.stored.name

    def test_odd_characters_are_removed_from_the_name(self):
        assert uploads.safe_filename("Knife crime – lesson (v2) <final>.PDF") == "Knife-crime-lesson-v2-final.pdf"


class TestVersions:
    def _downloaded_by(self, user, resource, *, follow):
        services.downloads_record(user=user, resource=resource, subscribe=follow)

    def test_new_version_archives_the_old_one_and_emails_earlier_downloaders_who_opted_in(
        self, editor, teacher, upload, django_capture_on_commit_callbacks
    ):
        resource = ResourceFactory()
        file = with_file(resource, title="Teacher notes")
        quiet = OrganisationMembershipFactory(user=UserFactory()).user
        services.terms_accept(user=quiet)
        self._downloaded_by(teacher, resource, follow=True)
        self._downloaded_by(teacher, resource, follow=True)  # twice: still one email
        self._downloaded_by(quiet, resource, follow=False)
        mail.outbox.clear()

        with django_capture_on_commit_callbacks(execute=True):
            version = services.file_version_upload(
                actor=editor, file_id=file.pk, upload=upload("notes.pdf", pdf_bytes("v2")), change_note="New helplines"
            )

        file.refresh_from_db()
        resource.refresh_from_db()
        assert version.number == 2 and file.current_version == version
        assert FileVersion.objects.get(file=file, number=1).archived_at is not None
        assert resource.is_updated
        assert [m.to for m in mail.outbox] == [[teacher.email]]
        assert "New helplines" in mail.outbox[0].body
        assert resource.title in mail.outbox[0].subject

    def test_people_who_only_downloaded_the_new_version_are_not_emailed_about_it(
        self, editor, teacher, upload, django_capture_on_commit_callbacks
    ):
        resource = ResourceFactory()
        file = with_file(resource)
        UpdateSubscription.objects.create(user=teacher, resource=resource)
        with django_capture_on_commit_callbacks(execute=True):
            services.file_version_upload(
                actor=editor, file_id=file.pk, upload=upload("a.pdf", pdf_bytes("v2")), change_note="Typo"
            )
        assert mail.outbox == []  # following without having downloaded: nothing to tell them about
        services.downloads_record(user=teacher, resource=resource)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.file_version_upload(
                actor=editor, file_id=file.pk, upload=upload("a.pdf", pdf_bytes("v3")), change_note="Another"
            )
        assert [m.to for m in mail.outbox] == [[teacher.email]]  # downloaded v2, earlier than v3

    def test_version_upload_to_an_archived_resource_is_refused(self, editor, upload):
        resource = ResourceFactory(archived=True)
        file = with_file(resource)
        before = stored_toolkit_files()
        with pytest.raises(Conflict, match="archived"):
            services.file_version_upload(
                actor=editor, file_id=file.pk, upload=upload("a.pdf", pdf_bytes("v2")), change_note="Update"
            )
        assert FileVersion.objects.filter(file=file).count() == 1
        assert stored_toolkit_files() == before

    def test_a_change_note_is_required(self, editor, upload):
        file = with_file(ResourceFactory())
        with pytest.raises(DomainError) as error:
            services.file_version_upload(
                actor=editor, file_id=file.pk, upload=upload("a.pdf", pdf_bytes("v2")), change_note=""
            )
        assert error.value.field == "change_note"


@pytest.fixture
def people(teacher, community_member):
    from tests.accounts.factories import OrganisationMembershipFactory

    registered = UserFactory()
    services.terms_accept(user=registered)
    verified_member = OrganisationMembershipFactory(organisation__type="faith").user
    services.terms_accept(user=verified_member)
    return {
        "anonymous": None,
        "registered": registered,
        "teacher": teacher,
        "community (unverified)": community_member,
        "faith (verified)": verified_member,
    }


class TestAccessLevels:
    @pytest.mark.parametrize(
        ("level", "allowed"),
        [
            ("public", {"anonymous", "registered", "teacher", "community (unverified)", "faith (verified)"}),
            ("registered", {"registered", "teacher", "community (unverified)", "faith (verified)"}),
            ("verified", {"teacher", "faith (verified)"}),
        ],
    )
    def test_who_may_download(self, people, level, allowed):
        from django.contrib.auth.models import AnonymousUser

        resource = ResourceFactory(access_level=level)
        with_file(resource)
        for name, user in people.items():
            user = user or AnonymousUser()
            if name in allowed:
                assert services.downloads_record(user=user, resource=resource), name
            else:
                with pytest.raises(PermissionDenied):
                    services.downloads_record(user=user, resource=resource)
        assert Download.objects.count() == len(allowed)

    def test_refused_until_the_organisation_is_verified(self, community_member):
        resource = ResourceFactory(verified=True)
        with_file(resource)
        with pytest.raises(PermissionDenied, match="once your organisation is verified"):
            services.downloads_record(user=community_member, resource=resource)
        organisation = community_member.organisation_memberships.get().organisation
        organisation.status = "verified"
        organisation.save()
        community_member = type(community_member).objects.get(pk=community_member.pk)  # a fresh request
        assert len(services.downloads_record(user=community_member, resource=resource)) == 1

    def test_drafts_cannot_be_downloaded(self, teacher):
        resource = ResourceFactory(draft=True)
        with_file(resource)
        with pytest.raises(PermissionDenied):
            services.downloads_record(user=teacher, resource=resource)

    def test_terms_are_needed_once(self):
        user = UserFactory()
        resource = ResourceFactory()
        with_file(resource)
        with pytest.raises(DomainError) as error:
            services.downloads_record(user=user, resource=resource)
        assert error.value.field == "accept_terms"
        services.terms_accept(user=user)
        services.terms_accept(user=user)
        assert AuditEvent.objects.filter(verb="toolkit_terms.accepted").count() == 1
        assert services.downloads_record(user=user, resource=resource)


class TestDownloads:
    def test_chosen_files_in_order_one_record_each_with_organisation_not_person(self, teacher):
        resource = ResourceFactory()
        files = [with_file(resource, title=t) for t in ("Plan", "Slides", "Worksheet")]
        chosen = services.downloads_record(
            user=teacher,
            resource=resource,
            version_ids=[files[2].current_version_id, files[0].current_version_id],
            as_zip=True,
        )
        assert [f.name for f in chosen] == [f"{resource.slug}_plan_v1.pdf", f"{resource.slug}_worksheet_v1.pdf"]
        rows = list(Download.objects.values_list("organisation_type", "borough__code", "as_zip"))
        assert rows == [("school", 204, True)] * 2

    def test_a_file_of_another_resource_is_refused_and_nothing_recorded(self, teacher):
        resource, other = ResourceFactory(), ResourceFactory()
        mine, theirs = with_file(resource), with_file(other)
        with pytest.raises(DomainError, match="this resource only"):
            services.downloads_record(
                user=teacher, resource=resource, version_ids=[mine.current_version_id, theirs.current_version_id]
            )
        assert not Download.objects.exists()

    def test_an_earlier_version_is_refused(self, teacher, editor, upload):
        resource = ResourceFactory()
        file = with_file(resource)
        old = file.current_version_id
        services.file_version_upload(
            actor=editor, file_id=file.pk, upload=upload("a.pdf", pdf_bytes("v2")), change_note="New"
        )
        with pytest.raises(DomainError):
            services.downloads_record(user=teacher, resource=resource, version_ids=[old])

    def test_nothing_chosen_is_refused(self, teacher):
        resource = ResourceFactory()
        with_file(resource)
        with pytest.raises(DomainError, match="Select at least one"):
            services.downloads_record(user=teacher, resource=resource, version_ids=[])


class TestDeliveryReports:
    def test_report_counts_reach(self, teacher):
        resource = ResourceFactory()
        report = services.delivery_report_submit(
            actor=teacher, resource=resource, young_people=28, setting="classroom", delivered_on=date.today()
        )
        assert report.organisation_type == "school" and report.young_people == 28

    @pytest.mark.parametrize(
        ("young_people", "setting", "days", "field"),
        [(0, "classroom", 0, "young_people"), (10, "moon", 0, "setting"), (10, "classroom", -3, "delivered_on")],
    )
    def test_bad_reports_are_refused(self, teacher, young_people, setting, days, field):
        with pytest.raises(DomainError) as error:
            services.delivery_report_submit(
                actor=teacher,
                resource=ResourceFactory(),
                young_people=young_people,
                setting=setting,
                delivered_on=date.today() - timedelta(days=days),
            )
        assert error.value.field == field
        assert not DeliveryReport.objects.exists()


def test_zip_contains_exactly_the_chosen_files(teacher):
    from education_toolkit.zips import zip_stream

    resource = ResourceFactory()
    files = [with_file(resource, title=t, content=pdf_bytes(t)) for t in ("Plan", "Slides", "Worksheet", "Extra")]
    chosen = services.downloads_record(
        user=teacher, resource=resource, version_ids=[f.current_version_id for f in files[:3]]
    )
    data = b"".join(zip_stream([(c.name, c.stored_name) for c in chosen]))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = [f"{resource.slug}_{t}_v1.pdf" for t in ("plan", "slides", "worksheet")]
        assert archive.namelist() == names
        assert archive.read(names[1]) == pdf_bytes("Slides")
        assert archive.testzip() is None
