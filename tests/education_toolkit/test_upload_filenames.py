"""A toolkit upload whose name carries folders ("..\\evil.pdf", "a/b.pdf").

Through the page, Django's multipart parser keeps only the last part of the name before any of our code runs, so the
file is saved under its plain name and the confirmation says which name that is. A name that still carries folders
when it reaches the form and service (another route, or a Django that stopped cutting it) is refused with a message
naming the problem, and nothing is written."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import multipartparser
from django.urls import reverse

from core.models import AuditEvent
from education_toolkit import services, uploads
from education_toolkit.models import FileVersion, ResourceFile

from .factories import ResourceFactory, with_file

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%%EOF\n"
FOLDERS_MESSAGE = "The file name includes folders"


@pytest.fixture
def signed_in(client, editor):
    client.force_login(editor)
    return client


def _add(client, resource, name):
    return client.post(
        reverse("toolkit:editor_file_add", kwargs={"pk": resource.pk}),
        {"title": "Teacher notes", "file": SimpleUploadedFile(name, PDF)},
    )


@pytest.mark.parametrize("name, saved", [("..\\evil.pdf", "evil.pdf"), ("a/b.pdf", "b.pdf")])
def test_the_page_saves_the_plain_name_and_says_so(signed_in, name, saved):
    resource = ResourceFactory(draft=True)
    response = _add(signed_in, resource, name)
    assert response.status_code == 302, response.content.decode()[:500]
    version = FileVersion.objects.get(file__resource=resource)
    assert version.filename == saved
    assert "/" not in version.stored.name.removeprefix("toolkit/") and "\\" not in version.stored.name
    assert [str(m) for m in get_messages(response.wsgi_request)] == [f"File added. Saved as {saved}."]


def test_a_new_version_says_what_name_it_was_saved_as(signed_in):
    resource = ResourceFactory(draft=True)
    file = with_file(resource)
    response = signed_in.post(
        reverse("toolkit:editor_version_upload", kwargs={"file_id": file.pk}),
        {"file": SimpleUploadedFile("slides\\v2.pdf", PDF), "change_note": "Updated figures"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "saved as v2.pdf" in message


@pytest.fixture
def django_keeps_the_folders(monkeypatch):
    """As if the name reached our code uncut: the parser passes it through unchanged."""
    monkeypatch.setattr(multipartparser.MultiPartParser, "sanitize_file_name", lambda self, name: name)


def test_a_name_that_still_has_folders_gets_a_clear_message_on_the_page(signed_in, django_keeps_the_folders):
    resource = ResourceFactory(draft=True)
    audit_before = AuditEvent.objects.count()
    response = _add(signed_in, resource, "..\\evil.pdf")
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and FOLDERS_MESSAGE in page
    assert not ResourceFile.objects.filter(resource=resource).exists()
    assert not FileVersion.objects.exists()
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.parametrize("name", ["..\\evil.pdf", "a\\b.pdf", "C:\\Users\\me\\lesson.pdf"])
def test_the_service_refuses_a_name_with_folders_naming_the_problem(editor, name):
    resource = ResourceFactory(draft=True)
    with pytest.raises(uploads.UploadRejected, match=FOLDERS_MESSAGE) as error:
        services.file_add(actor=editor, resource_id=resource.pk, upload=SimpleUploadedFile(name, PDF), title="F")
    assert error.value.field == "file"
    assert not FileVersion.objects.exists()


def test_a_plain_name_is_taken_as_it_is(editor):
    resource = ResourceFactory(draft=True)
    file = services.file_add(
        actor=editor, resource_id=resource.pk, upload=SimpleUploadedFile("lesson.pdf", PDF), title="F"
    )
    assert file.current_version.filename == "lesson.pdf"
