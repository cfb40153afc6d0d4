"""Every CSV import refuses an oversize upload by the size the server already recorded, before reading any of it.

Two layers: the helpers and forms are given a file whose read() fails the test, with a size over the limit; the pages
and endpoints get a real file just over 2 MB while every server-side upload object's read() fails the test. Either
would fail if a file were read first and its length checked afterwards. Nothing is written, and the person is told.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import InMemoryUploadedFile, TemporaryUploadedFile, UploadedFile
from django.test import Client
from django.urls import reverse

from core.uploads import MaxUploadSize, upload_too_large
from tests.accounts.factories import programme_admin, with_two_factor
from tests.officers.factories import allocator
from tests.wands.factories import fulfilment_staff

from .probes import changed_tables, database_snapshot

pytestmark = pytest.mark.django_db

TWO_MB = 2 * 1024 * 1024


class UnreadableUpload(UploadedFile):
    """An upload that knows its size but fails the test if anything tries to read it."""

    def __init__(self, size: int, name: str = "list.csv"):
        super().__init__(file=io.BytesIO(b""), name=name, content_type="text/csv", size=size)

    def read(self, *args, **kwargs):
        pytest.fail("the upload was read before its size was checked")

    def chunks(self, *args, **kwargs):
        pytest.fail("the upload was read before its size was checked")

    def __iter__(self):
        pytest.fail("the upload was read before its size was checked")


# --- the helpers and forms, with a file that must not be read ---------------------------------------------------


def test_the_core_helper_judges_by_size_alone():
    assert upload_too_large(UnreadableUpload(TWO_MB + 1), max_bytes=TWO_MB)
    assert not upload_too_large(UnreadableUpload(TWO_MB), max_bytes=TWO_MB)
    assert upload_too_large(object(), max_bytes=TWO_MB), "an upload of unknown size is refused, not read"
    with pytest.raises(Exception, match="too big") as error:
        MaxUploadSize(TWO_MB, "too big")(UnreadableUpload(TWO_MB + 1))
    assert error.value.code == "file_too_large"


def test_the_wands_imports_refuse_an_oversize_upload_without_reading_it():
    from wands import services

    with pytest.raises(services.CsvRejected, match="larger than 2 MB"):
        services.csv_upload_read(UnreadableUpload(services.MAX_CSV_BYTES + 1))


def test_the_wands_helper_still_reads_a_file_within_the_limit():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from wands import services

    assert services.csv_upload_read(SimpleUploadedFile("list.csv", b"reference\r\n")) == b"reference\r\n"


@pytest.mark.parametrize(
    "form_path, message",
    [
        ("officers.forms.CsvUploadForm", "The file is larger than 2 MB."),
        ("stepping_stones.forms.CsvUploadForm", "The file must be smaller than 2 MB."),
    ],
)
def test_the_import_forms_refuse_an_oversize_upload_without_reading_it(form_path, message):
    from django.utils.module_loading import import_string

    form = import_string(form_path)(data={}, files={"file": UnreadableUpload(TWO_MB + 1)})
    assert not form.is_valid()
    assert form.errors["file"] == [message]
    assert import_string(form_path)(data={}, files={"file": UnreadableUpload(1024)}).is_valid()


def test_the_stepping_stones_import_endpoint_refuses_an_oversize_upload_without_reading_it():
    from stepping_stones.api.serializers import SteppingStonesImportSerializer

    data = SteppingStonesImportSerializer(data={"file": UnreadableUpload(TWO_MB + 1)})
    assert not data.is_valid()
    assert data.errors["file"] == ["The file must be smaller than 2 MB."]


# --- the pages and endpoints, end to end ------------------------------------------------------------------------


@pytest.fixture
def uploads_must_not_be_read(monkeypatch):
    """Whatever upload object the server builds from the request, reading it fails the test."""

    def refuse(self, *args, **kwargs):
        pytest.fail(f"{type(self).__name__} {self.name!r} was read before its size was checked")

    for cls in (InMemoryUploadedFile, TemporaryUploadedFile):
        for method in ("read", "chunks", "readline", "readlines", "__iter__"):
            monkeypatch.setattr(cls, method, refuse, raising=False)


def _stepping_stones_coordinator():
    from tests.stepping_stones.factories import CohortFactory, coordinator

    CohortFactory(transition_year=2026)
    return with_two_factor(coordinator())


@dataclass
class Import:
    url_name: str
    user: Callable
    api: bool = False
    kwargs: dict | None = None
    message: str = "2 MB"


IMPORTS = [
    Import("wands:dispatch_upload", lambda: with_two_factor(fulfilment_staff())),
    Import("wands-api:dispatch-csv", lambda: with_two_factor(fulfilment_staff()), api=True),
    Import("wands:existing_import", lambda: with_two_factor(programme_admin())),
    Import("wands-api:existing-deliveries", lambda: with_two_factor(programme_admin()), api=True),
    Import("officers:officer_import", allocator),
    Import("officers-api:officer-import", allocator, api=True),
    Import("stepping_stones:cohort_import", _stepping_stones_coordinator, kwargs={"year": 2026}),
    Import("stepping_stones-api:cohort-import", _stepping_stones_coordinator, api=True, kwargs={"year": 2026}),
    Import("accounts:invite_headteacher_csv", lambda: with_two_factor(programme_admin()), message="1 MB"),
]


@pytest.mark.parametrize("upload", IMPORTS, ids=lambda u: u.url_name)
def test_an_oversize_import_is_refused_before_any_of_it_is_read(upload, uploads_must_not_be_read):
    client = Client()
    client.force_login(upload.user())
    client.get(reverse("healthz"))
    row = b"reference,courier,tracking,serials,urn,quantity,date,email,name\r\n"
    big = io.BytesIO(row * (TWO_MB // len(row) + 2))  # just over 2 MB; the test client reads this one, not the server
    big.name = "list.csv"
    before = database_snapshot()
    response = client.post(reverse(upload.url_name, kwargs=upload.kwargs), {"file": big})
    assert not changed_tables(before, database_snapshot())
    body = response.content.decode()
    if upload.api:
        assert response.status_code == 400, (upload.url_name, response.status_code, body[:300])
        assert upload.message in " ".join(response.json()["errors"]["file"]), response.json()
    else:
        assert response.status_code in {200, 400}, (upload.url_name, response.status_code)
        assert "govuk-error-summary" in body and upload.message in body, upload.url_name
