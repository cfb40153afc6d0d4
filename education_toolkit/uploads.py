"""Checking uploaded files by their content, not their name: allowed types, size limit, a safe filename."""

import codecs
import os
import re
import struct
import unicodedata
import zipfile
from dataclasses import dataclass

from core.errors import DomainError

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
CHUNK = 64 * 1024

# extension → (kind, content type)
ALLOWED = {
    ".pdf": ("pdf", "application/pdf"),
    ".docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".pptx": ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ".xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".png": ("png", "image/png"),
    ".jpg": ("jpeg", "image/jpeg"),
    ".jpeg": ("jpeg", "image/jpeg"),
    ".mp4": ("mp4", "video/mp4"),
    ".txt": ("text", "text/plain; charset=utf-8"),
    ".csv": ("csv", "text/csv; charset=utf-8"),
}
ALLOWED_LIST = "PDF, Word (.docx), PowerPoint (.pptx), Excel (.xlsx), PNG, JPEG, MP4, text (.txt) or CSV"
OOXML_PART = {"docx": "word/", "pptx": "ppt/", "xlsx": "xl/"}
# An Office file is a zip: refuse one that would inflate far beyond a real document when a school opens it (a zip
# bomb). Judged from the archive's own directory, never by expanding it on the server.
MAX_OOXML_EXPANDED_BYTES = 250 * 1024 * 1024
MAX_OOXML_PARTS = 5_000
MAX_OOXML_RATIO = 200  # for parts over 1 MB; real XML parts compress about 5-20 times, media hardly at all


class UploadRejected(DomainError):
    code = "upload_rejected"

    def __init__(self, message: str):
        super().__init__(message, field="file")


@dataclass(frozen=True)
class CheckedUpload:
    filename: str
    extension: str
    kind: str
    content_type: str
    size: int


def safe_filename(name: str) -> str:
    """A name without path parts or odd characters; refuses names that carry a path.

    Through the pages Django has already kept only the last part of a name with folders (the views say what the file
    was saved as); a name that still has them came another way, and is refused naming the problem."""
    if "/" in name or "\\" in name:
        raise UploadRejected(
            "The file name includes folders (a / or \\). Upload the file with a plain name, without folders "
            "(for example lesson-plan.pdf)."
        )
    if not name or name.startswith(".") or "\x00" in name:
        raise UploadRejected("The file name must be a plain name, without folders (for example lesson-plan.pdf).")
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem, ext = os.path.splitext(name)
    stem = re.sub(r"[^A-Za-z0-9._ -]+", "", stem).strip(" .-_")[:100] or "file"
    stem = re.sub(r"-{2,}", "-", re.sub(r"\s+", "-", stem))
    return f"{stem}{ext.lower()}"


class _ZipBomb(Exception):
    pass


def _check_expansion(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_OOXML_PARTS:
        raise _ZipBomb
    if sum(info.file_size for info in infos) > MAX_OOXML_EXPANDED_BYTES:
        raise _ZipBomb
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size > MAX_OOXML_RATIO * max(info.compress_size, 1):
            raise _ZipBomb


LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, then the name and extra-field lengths at bytes 26 and 28
DATA_DESCRIPTOR_MAX = 24  # signature, CRC and two 8-byte sizes (zip64)


def _check_sizes_add_up(upload, infos: list[zipfile.ZipInfo], start_dir: int) -> None:
    """Every byte from the start of the file to the central directory belongs to an entry, as the directory declares it.

    The expansion checks trust the sizes in the central directory; an archive that declares 1 KB for an entry holding
    20 MB of compressed data would pass them and inflate on a school's computer. So each entry's stored (compressed)
    size, with its local header, must fill the space up to the next entry exactly (a data descriptor may follow it).
    """
    entries = sorted(infos, key=lambda info: info.header_offset)
    if not entries or entries[0].header_offset != 0:
        raise _ZipBomb
    ends = [info.header_offset for info in entries[1:]] + [start_dir]
    for info, end in zip(entries, ends, strict=True):
        upload.seek(info.header_offset)
        header = upload.read(LOCAL_HEADER.size)
        if len(header) != LOCAL_HEADER.size:
            raise _ZipBomb
        signature, name_length, extra_length = LOCAL_HEADER.unpack(header)
        if signature != b"PK\x03\x04":
            raise _ZipBomb
        declared_end = info.header_offset + LOCAL_HEADER.size + name_length + extra_length + info.compress_size
        slack = DATA_DESCRIPTOR_MAX if info.flag_bits & 0x08 else 0
        if not (declared_end <= end <= declared_end + slack):
            raise _ZipBomb


def _is_ooxml(upload, kind: str) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            start_dir = archive.start_dir
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)
    try:
        _check_sizes_add_up(upload, infos, start_dir)
    finally:
        upload.seek(0)
    _check_expansion(infos)
    names = [info.filename for info in infos]
    return "[Content_Types].xml" in names and any(n.startswith(OOXML_PART[kind]) for n in names)


def _is_utf8_text(upload) -> bool:
    upload.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in upload.chunks(CHUNK):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return True


def _content_matches(upload, kind: str) -> bool:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if kind == "pdf":
        return head.startswith(b"%PDF-")
    if kind in OOXML_PART:
        return head.startswith(b"PK\x03\x04") and _is_ooxml(upload, kind)
    if kind == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if kind == "jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if kind == "mp4":
        return len(head) >= 12 and head[4:8] == b"ftyp"
    return _is_utf8_text(upload)


def check_upload(upload) -> CheckedUpload:
    """Refuse anything that is too big, empty, of a type we do not take, or whose content is not what its name says."""
    filename = safe_filename(getattr(upload, "name", "") or "")
    extension = os.path.splitext(filename)[1].lower()
    if extension not in ALLOWED:
        raise UploadRejected(f"The file must be a {ALLOWED_LIST} file.")
    size = upload.size
    if size is None or size == 0:
        raise UploadRejected("The selected file is empty.")
    if size > MAX_UPLOAD_BYTES:
        raise UploadRejected(f"The file must be smaller than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    kind, content_type = ALLOWED[extension]
    try:
        matches = _content_matches(upload, kind)
    except _ZipBomb:
        raise UploadRejected(
            f"The {extension} file would expand to far more than a real document when opened, so it may be damaged "
            "or unsafe. Save it again from Word, PowerPoint or Excel and upload that copy."
        ) from None
    if not matches:
        raise UploadRejected(
            f"The file's content is not a {ALLOWED[extension][0].upper()} file, although its name ends {extension}. "
            "Check you chose the right file."
        )
    return CheckedUpload(filename=filename, extension=extension, kind=kind, content_type=content_type, size=size)
