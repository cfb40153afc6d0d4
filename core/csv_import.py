"""The one CSV reader of every import: bytes in, checked rows with their line numbers out, or `CsvRejected`.

Every import (wands dispatch and earlier deliveries, officers, Stepping Stones cohorts, headteacher invitations, GIAS)
reads its file here, so a hostile file meets the same checks everywhere: a size limit, one encoding (with a message
saying how to save the file properly), no NUL bytes, no field over the csv module's limit, quotes that close (an
unclosed quote is reported at the line where it opened, not as a swallowed row), the headers the import needs, and
each declared column's length and whole-number range taken from the model field it is stored in. Unicode digits such
as "²" or "٣" are not numbers. Cell values are never echoed in messages: a file may hold pupils' data.

    from core.csv_import import Column, CsvRejected, read_csv

    table = read_csv(
        data,                                             # the upload's bytes (see `upload_bytes`)
        columns=[
            Column("reference"),                          # header must be present; text, any length up to 128 KB
            Column.for_field(WandRequest, "courier"),     # max_length from the model field
            Column.for_field(School, "urn", name="urn"),  # a whole number in the field's range, as int (or None)
            Column("serials", required=False),            # used when the file has it
        ],
        encoding="utf-8",      # "utf-8" (a byte-order mark is tolerated) for the portal's imports; "cp1252" for GIAS
        max_bytes=2_000_000,
        bad_rows="reject",     # a bad row rejects the file; "skip" leaves it out and lists it in table.skipped
    )
    for row in table.rows:     # blank lines are left out
        row.line, row["courier"], row["urn"]

`read_csv` raises `CsvRejected` (a `DomainError` on the field "file", with `problems`: a list of (line, message)) for a
file it cannot read at all, and in "reject" mode for any bad row. Services add their own row checks and raise the
same error with `CsvRejected.for_rows(problems, ...)`; pages show `problems` in the error summary, the API answers 400
problem details with every bad line in `rows` (core.api.exceptions).
"""

import codecs
import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations

from .errors import DomainError
from .uploads import upload_too_large

# The csv module's own limit on one field (131,072 characters); it is process-wide, so it is not changed here.
FIELD_LIMIT = 131_072
DEFAULT_MAX_BYTES = 2_000_000
PROBLEMS_SHOWN = 100  # problems listed at most (a file of 10,000 bad rows would make a page nobody reads)

HOW_TO_SAVE = {
    "utf-8": "Save it from your spreadsheet as 'CSV UTF-8 (comma delimited)' and upload it again.",
    "cp1252": "GIAS extracts are Windows-1252 (cp1252): use the file as downloaded from GIAS.",
}


class CsvProblem(NamedTuple):
    line: int
    message: str


class CsvRejected(DomainError):
    """A CSV that cannot be used: nothing was written. `problems` lists (line, message) for every bad line found."""

    code = "csv_rejected"

    def __init__(self, message: str, *, problems: Iterable[tuple[int, str]] = ()):
        super().__init__(message, field="file")
        self.problems = [CsvProblem(line, text) for line, text in problems]

    @classmethod
    def at_line(cls, line: int, message: str) -> "CsvRejected":
        """The whole file is refused because of one line (encoding, quotes, headers)."""
        return cls(f"Line {line}: {message}", problems=[(line, message)])

    @classmethod
    def for_rows(cls, problems: Sequence[tuple[int, str]], *, action: str = "Nothing was imported") -> "CsvRejected":
        """Some rows are bad: `action` says what did not happen ("Nothing was dispatched")."""
        lines = len({line for line, _ in problems})
        rows = "1 row needs" if lines == 1 else f"{lines} rows need"
        return cls(f"{action}: {rows} fixing.", problems=sorted(problems)[:PROBLEMS_SHOWN])


@dataclass(frozen=True)
class Column:
    """A column an import reads. `name` matches the header case-insensitively, surrounding spaces ignored."""

    name: str
    required: bool = True  # the header must be in the file
    max_length: int | None = None
    integer: bool = False  # ASCII digits only, as an int (None when blank)
    min_value: int | None = None
    max_value: int | None = None
    label: str = ""  # how messages name the column (its header by default)

    @classmethod
    def for_field(cls, model: type[models.Model], field_name: str, *, name: str = "", required: bool = True):
        """A column stored in `model.field_name`: its max_length, or its whole-number range (database and validators).

        A foreign key reads as its target's primary key (a URN column for School).
        """
        model_field = model._meta.get_field(field_name)
        if isinstance(model_field, models.ForeignKey):
            model_field = model_field.target_field
        name = name or field_name
        internal = model_field.get_internal_type()
        if internal in BaseDatabaseOperations.integer_field_ranges:
            low, high = BaseDatabaseOperations.integer_field_ranges[internal]
            for validator in model_field.validators:
                limit = getattr(validator, "limit_value", None)
                if isinstance(limit, int) and validator.code == "min_value":
                    low = max(low, limit)
                elif isinstance(limit, int) and validator.code == "max_value":
                    high = min(high, limit)
            return cls(name, required=required, integer=True, min_value=low, max_value=high)
        return cls(name, required=required, max_length=getattr(model_field, "max_length", None))

    def check(self, raw: str) -> tuple[Any, str | None]:
        """(value, problem): the cell as stored, or a message naming the column (never the value)."""
        label = self.label or self.name
        value = raw.strip()
        if self.integer:
            if not value:
                return None, None
            digits = value[1:] if value[0] in "+-" else value
            if not (digits.isascii() and digits.isdigit()):
                return None, f"{label} must be a whole number written with the digits 0 to 9"
            number = int(value)
            if self.min_value is not None and number < self.min_value:
                return None, f"{label} must be {self.min_value:,} or more"
            if self.max_value is not None and number > self.max_value:
                return None, f"{label} must be {self.max_value:,} or less"
            return number, None
        if self.max_length is not None and len(value) > self.max_length:
            return None, f"{label} is longer than {self.max_length:,} characters"
        return value, None


@dataclass
class CsvRow:
    """One data row: the line it starts on, and the declared columns' values (columns absent from the file: "")."""

    line: int
    values: dict[str, Any]
    problems: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


@dataclass
class CsvTable:
    headers: list[str]  # as in the file, stripped
    rows: list[CsvRow]  # good rows, in file order
    skipped: list[CsvRow] = field(default_factory=list)  # "skip" mode: bad rows, each with its problems
    present: frozenset[str] = frozenset()  # names of declared columns the file has

    def has(self, name: str) -> bool:
        return name in self.present


def upload_bytes(upload, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """An uploaded file's bytes; one over the limit is refused by its recorded size before any of it is read."""
    if upload_too_large(upload, max_bytes=max_bytes):
        raise CsvRejected(_too_large(max_bytes))
    return upload.read(max_bytes + 1)


def _too_large(max_bytes: int) -> str:
    size = f"{max_bytes // 1_000_000} MB" if max_bytes >= 1_000_000 else f"{max_bytes // 1000} KB"
    return f"The file is larger than {size}: split it into smaller files."


def _line_of(text: str | bytes, offset: int) -> int:
    return text.count("\n" if isinstance(text, str) else b"\n", 0, offset) + 1


def _decode(data: bytes, encoding: str) -> str:
    how = HOW_TO_SAVE.get(encoding, "")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise CsvRejected.at_line(1, f"the file is UTF-16 text. {how}")
    if b"\x00" in data:
        raise CsvRejected.at_line(
            _line_of(data, data.index(b"\x00")), f"the file has a NUL byte on this line: it is not a text file. {how}"
        )
    if encoding == "utf-8":
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = _line_of(data, error.start)
            raise CsvRejected.at_line(
                line, f"the file is not UTF-8 text (byte 0x{data[error.start]:02X}). {how}"
            ) from None
    if encoding == "cp1252":
        if data.startswith(codecs.BOM_UTF8):
            raise CsvRejected.at_line(1, f"the file starts with a UTF-8 byte-order mark: it was re-saved. {how}")
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:
            line = _line_of(data, error.start)
            message = f"byte 0x{data[error.start]:02X} on line {line} is not a cp1252 character (Windows-1252). {how}"
            raise CsvRejected(f"In the file, {message}", problems=[(line, message)]) from None
        if not data.isascii():
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                return text
            # A cp1252 file with accents is almost never valid UTF-8; a UTF-8 file with any non-ASCII text always is.
            raise CsvRejected.at_line(1, f"the file is UTF-8 text (its accented letters would be read wrongly). {how}")
        return text
    raise ValueError(f"unsupported encoding {encoding!r}")


_FIELD_QUOTE = re.compile(r'(?:^|(?<=[,\n\r]))"', re.MULTILINE)


def _unclosed_quote_line(text: str, start: int) -> int | None:
    """The line of a quote (opening a field at or after `start`) that is never closed, or None if every one closes."""
    position = start
    while True:
        opening = _FIELD_QUOTE.search(text, position)
        if opening is None:
            return None
        position = opening.end()
        while True:  # inside a quoted field: "" is a quote, a lone " closes it
            quote = text.find('"', position)
            if quote == -1:
                return _line_of(text, opening.start())
            if text.startswith('""', quote):
                position = quote + 2
                continue
            position = quote + 1
            break


def _line_offsets(text: str) -> list[int]:
    offsets = [0]
    offsets.extend(match.end() for match in re.finditer("\n", text))
    return offsets


def _records(text: str):
    """(start line, cells) of every record, blank lines left out; CsvRejected for a record csv cannot read."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            reason = str(error)
            unclosed = _unclosed_quote_line(text, _line_offsets(text)[line - 1])
            if unclosed is not None:
                raise CsvRejected.at_line(
                    unclosed, 'a quote (") opened on this line is never closed, so the rest of the file is one field'
                ) from None
            if "field larger than field limit" in reason:
                raise CsvRejected.at_line(line, f"a field is longer than {FIELD_LIMIT:,} characters") from None
            raise CsvRejected.at_line(
                line, 'this row cannot be read as CSV: a quote (") is not where a field starts or ends'
            ) from None
        if any(cells):
            yield line, cells
        line = reader.line_num + 1


def read_csv(
    data: bytes,
    *,
    columns: Sequence[Column],
    encoding: Literal["utf-8", "cp1252"] = "utf-8",
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int | None = None,
    bad_rows: Literal["reject", "skip"] = "reject",
    exact_width: bool = False,
    allow_no_rows: bool = False,
) -> CsvTable:
    """Read and check a CSV file (see the module docstring). Headers match `columns` by name, case-insensitively.

    A row with more fields than the header (a stray comma or quote), or with a bad cell, is a bad row: with
    `bad_rows="reject"` any bad row raises CsvRejected listing every one; with "skip" it is left out and listed in
    `table.skipped`. `exact_width` also makes a row with fewer fields than the header a bad row (GIAS).
    `allow_no_rows` accepts a file of headings only (a GIAS links file may list no links), refused otherwise.
    """
    if not data or not data.strip():
        raise CsvRejected.at_line(1, "the file is empty")
    if len(data) > max_bytes:
        raise CsvRejected(_too_large(max_bytes))
    text = _decode(data, encoding)
    records = _records(text)
    try:
        header_line, header_cells = next(records)
    except StopIteration:
        raise CsvRejected.at_line(1, "the file is empty") from None
    headers = [cell.strip() for cell in header_cells]
    position = {}
    for index, header in enumerate(headers):
        position.setdefault(header.lower(), index)
    missing = [column.name for column in columns if column.required and column.name.lower() not in position]
    if missing:
        raise CsvRejected.at_line(
            header_line,
            f"the file is missing the column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            "(the first row must have the column headings)",
        )
    duplicated = sorted(
        {column.name for column in columns if [h.lower() for h in headers].count(column.name.lower()) > 1}
    )
    if duplicated:
        raise CsvRejected.at_line(header_line, f"the column heading {', '.join(duplicated)} is there more than once")
    present = [(position[column.name.lower()], column) for column in columns if column.name.lower() in position]
    present_names = frozenset(column.name for _, column in present)
    absent = {column.name: None if column.integer else "" for column in columns if column.name not in present_names}
    plain = {column.name: not column.integer and column.max_length is None for _, column in present}
    width = len(headers)
    table = CsvTable(headers=headers, rows=[], present=present_names)
    problems: list[tuple[int, str]] = []
    for line, cells in records:
        if max_rows is not None and len(table.rows) + len(table.skipped) >= max_rows:
            raise CsvRejected.at_line(line, f"the file has more than {max_rows:,} rows: split it into smaller files")
        row = CsvRow(line=line, values=dict(absent))
        if len(cells) > width and (exact_width or any(cell.strip() for cell in cells[width:])):
            row.problems.append(
                f"the row has {len(cells)} fields but the header has {width} (check for a stray comma or quote)"
            )
        elif exact_width and len(cells) < width:
            row.problems.append(f"the row has {len(cells)} fields but the header has {width}")
        values = row.values
        for index, column in present:
            cell = cells[index] if index < len(cells) else ""
            if plain[column.name]:  # text of any length: the common case, kept fast
                values[column.name] = cell.strip()
                continue
            value, problem = column.check(cell)
            values[column.name] = value
            if problem:
                row.problems.append(problem)
        if not row.problems:
            table.rows.append(row)
        elif bad_rows == "skip":
            row.values = {  # kept so the import can say which row it was (a URN, a reference), cut short
                column.name: (cells[index].strip()[:40] if index < len(cells) else "") for index, column in present
            }
            table.skipped.append(row)
        else:
            problems.extend((line, problem) for problem in row.problems)
    if problems:
        raise CsvRejected.for_rows(problems)
    if not table.rows and not table.skipped and not allow_no_rows:
        raise CsvRejected.at_line(header_line + 1, "the file has headings but no rows")
    return table
