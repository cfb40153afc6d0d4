"""Office files are zips: one that would inflate far beyond a real document (a zip bomb) is refused from the archive's
own directory, without expanding it; real documents with large media pass."""

import io
import os
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from education_toolkit import uploads


def _office(entries: dict[str, bytes], name="lesson.docx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for part, data in entries.items():
            archive.writestr(part, data)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_a_document_with_large_photos_is_accepted():
    photo = os.urandom(3 * 1024 * 1024)  # incompressible, like a JPEG
    checked = uploads.check_upload(
        _office({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>" * 5000, "word/media/1.jpg": photo})
    )
    assert checked.kind == "docx"


def test_a_part_that_inflates_hundreds_of_times_is_refused():
    with pytest.raises(uploads.UploadRejected, match="would expand to far more than a real document"):
        slide = b"\x00" * (20 * 1024 * 1024)
        uploads.check_upload(_office({"[Content_Types].xml": b"<Types/>", "ppt/slides/slide1.xml": slide}, "a.pptx"))


def test_too_many_parts_is_refused():
    entries = {"[Content_Types].xml": b"<Types/>"} | {f"xl/p{n}.xml": b"" for n in range(uploads.MAX_OOXML_PARTS)}
    with pytest.raises(uploads.UploadRejected, match="would expand"):
        uploads.check_upload(_office(entries, "book.xlsx"))


def test_the_declared_total_is_limited(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_OOXML_EXPANDED_BYTES", 1024 * 1024)
    with pytest.raises(uploads.UploadRejected, match="would expand"):
        uploads.check_upload(
            _office({"[Content_Types].xml": b"<Types/>", "word/media/1.jpg": os.urandom(2 * 1024 * 1024)})
        )
