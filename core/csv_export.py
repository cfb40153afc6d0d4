"""CSV exports that open safely in Excel and stream, so memory stays flat whatever the row count.

A cell starting with `=`, `+`, `-`, `@`, tab or carriage return is read by spreadsheets as a formula (CSV injection,
OWASP): such text gets a leading apostrophe. Numbers stay numbers, so a negative quantity is still a number.
"""

import csv
import datetime
import re
import unicodedata
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils import timezone

# Full-width forms too: some spreadsheets fold them to their ASCII twins before parsing.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
UTF8_BOM = "\ufeff"
ROWS_PER_CHUNK = 200


def csv_safe(value) -> str | int | float | Decimal:
    """One cell: numbers as they are, None as empty, dates in ISO form, text neutralised against formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    text = str(value)
    if text.lstrip(" ").startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write() hands back the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(*, header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The CSV text in chunks of a few hundred rows: BOM and header first, then one row at a time from `rows`."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield UTF8_BOM + writer.writerow([csv_safe(cell) for cell in header])
    chunk: list[str] = []
    for row in rows:
        chunk.append(writer.writerow([csv_safe(cell) for cell in row]))
        if len(chunk) >= ROWS_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def safe_filename(filename: str) -> str:
    """A download name that cannot break the header or the file system: ASCII letters, digits, `.`, `-`, `_`."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    stem = ascii_name[:-4] if ascii_name.lower().endswith(".csv") else ascii_name
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem)
    stem = re.sub(r"-{2,}", "-", stem).strip(".-_")[:100]
    return f"{stem or 'export'}.csv"


def csv_streaming_response(*, filename: str, header: list[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    """Stream `rows` (pass `queryset.values_list(...).iterator()`) as a CSV download Excel opens as UTF-8."""
    response = StreamingHttpResponse(csv_lines(header=header, rows=rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename)}"'
    # Exports hold personal data: no shared or browser caches.
    response["Cache-Control"] = "private, no-store"
    return response
