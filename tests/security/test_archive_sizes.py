"""Issue 17, finding 10: a zip upload (an Office file) whose central directory under-declares its entries' sizes is
refused: the stored sizes must add up to the file, or the expansion checks would be judging made-up numbers."""

import io
import os
import struct
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from education_toolkit import uploads


def _docx(body: bytes, *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", body)
    return buffer.getvalue()


def _declare(data: bytes, part: str, *, compressed: int, expanded: int) -> bytes:
    """The same bytes with the central directory's sizes of `part` rewritten (the local header left as it was)."""
    data = bytearray(data)
    position = data.find(b"PK\x01\x02")
    while position != -1:
        (name_length,) = struct.unpack_from("<H", data, position + 28)
        if data[position + 46 : position + 46 + name_length] == part.encode():
            struct.pack_into("<II", data, position + 20, compressed, expanded)
            return bytes(data)
        position = data.find(b"PK\x01\x02", position + 4)
    raise AssertionError(f"{part} is not in the archive")


def _upload(data: bytes, name="lesson.docx"):
    return SimpleUploadedFile(name, data)


def test_an_honest_document_passes():
    assert uploads.check_upload(_upload(_docx(b"<w/>" * 50_000))).kind == "docx"
    assert uploads.check_upload(_upload(_docx(os.urandom(300_000), compression=zipfile.ZIP_STORED))).kind == "docx"


def test_entries_declared_far_smaller_than_they_are_stored_are_refused():
    # 20 MB of zeros inflate from about 20 KB; random bytes make the stored part large too, as in the probe.
    honest = _docx(b"\x00" * (20 * 1024 * 1024) + os.urandom(200_000))
    forged = _declare(honest, "word/document.xml", compressed=1024, expanded=1024)
    assert zipfile.ZipFile(io.BytesIO(forged)).getinfo("word/document.xml").file_size == 1024
    with pytest.raises(uploads.UploadRejected, match="would expand"):
        uploads.check_upload(_upload(forged))


def test_an_entry_declared_larger_than_the_file_is_refused():
    honest = _docx(b"<w/>" * 1000)
    info = zipfile.ZipFile(io.BytesIO(honest)).getinfo("word/document.xml")
    forged = _declare(honest, "word/document.xml", compressed=info.compress_size + 5000, expanded=info.file_size)
    with pytest.raises(uploads.UploadRejected):
        uploads.check_upload(_upload(forged))


def test_bytes_hidden_before_the_first_entry_are_refused():
    with pytest.raises(uploads.UploadRejected):
        uploads.check_upload(_upload(b"\x00" * 4096 + _docx(b"<w/>")))
