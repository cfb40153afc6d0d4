"""Storage that refuses writes (a read-only volume, a full disk, the bucket down): adding a toolkit file or a new
version shows the form again with "We could not save the file. Try again later." (503), keeps what was typed, and
writes nothing."""

from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core import outage
from core.models import AuditEvent
from education_toolkit.models import FileVersion, ResourceFile

from .factories import ResourceFactory, with_file

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%%EOF\n"
MESSAGE = "We could not save the file. Try again later."


@pytest.fixture(autouse=True)
def _fresh_outage_log():
    outage.reset()
    yield
    outage.reset()


@pytest.fixture
def signed_in(client, editor):
    client.force_login(editor)
    return client


def storage_read_only():
    return mock.patch.object(default_storage, "save", side_effect=PermissionError(30, "Read-only file system"))


@pytest.fixture
def read_only_storage():
    with storage_read_only():
        yield


def test_adding_a_file_keeps_the_form_and_answers_503(signed_in, read_only_storage):
    resource = ResourceFactory(draft=True)
    audit_before = AuditEvent.objects.count()
    response = signed_in.post(
        reverse("toolkit:editor_file_add", kwargs={"pk": resource.pk}),
        {"title": "Teacher notes for week 3", "file": SimpleUploadedFile("notes.pdf", PDF)},
    )
    assert response.status_code == 503
    html = response.content.decode()
    assert MESSAGE in html
    assert "govuk-error-summary" in html
    assert 'value="Teacher notes for week 3"' in html  # what the editor typed is still there
    assert not ResourceFile.objects.filter(resource=resource).exists()
    assert AuditEvent.objects.count() == audit_before


def test_a_new_version_keeps_the_form_and_answers_503(signed_in):
    resource = ResourceFactory(draft=True)
    file = with_file(resource)
    versions_before = FileVersion.objects.filter(file=file).count()
    with storage_read_only():
        response = signed_in.post(
            reverse("toolkit:editor_version_upload", kwargs={"file_id": file.pk}),
            {"file": SimpleUploadedFile("v2.pdf", PDF), "change_note": "Updated the figures on page 4"},
        )
    assert response.status_code == 503
    html = response.content.decode()
    assert MESSAGE in html
    assert "Updated the figures on page 4" in html
    assert FileVersion.objects.filter(file=file).count() == versions_before


def test_it_is_logged_once_a_minute_without_the_file_name(signed_in, read_only_storage, caplog):
    resource = ResourceFactory(draft=True)
    for _ in range(3):
        signed_in.post(
            reverse("toolkit:editor_file_add", kwargs={"pk": resource.pk}),
            {"title": "Notes", "file": SimpleUploadedFile("secret-plan.pdf", PDF)},
        )
    lines = [r for r in caplog.records if r.name == "portal.outage"]
    assert len(lines) == 1
    assert lines[0].kind == "storage:toolkit"
    assert "secret-plan" not in lines[0].getMessage()
