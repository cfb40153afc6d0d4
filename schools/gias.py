"""Reading the DfE's GIAS extract (`edubasealldataYYYYMMDD.csv`): encoding, headers, and one row to School values.

No database here: `schools.services.gias_import_run` decides what to write. Columns are found by header name only,
because GIAS adds, drops and reorders its ~135 columns from one extract to the next.
"""

import codecs
import csv
import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.errors import DomainError

from .models import School

ENCODING = "cp1252"

URN = "URN"
LA_CODE = "LA (code)"
LA_NAME = "LA (name)"
NAME = "EstablishmentName"
TYPE = "TypeOfEstablishment (name)"
STATUS = "EstablishmentStatus (name)"
PHASE = "PhaseOfEducation (name)"
EASTING = "Easting"
NORTHING = "Northing"
REQUIRED_HEADERS = (URN, LA_CODE, LA_NAME, NAME, TYPE, STATUS, PHASE)

LONDON_LA_CODES = frozenset(range(201, 214)) | frozenset(range(301, 321))
# DfE LA codes are three digits; anything else in the column is not an authority we can file a school under.
LA_CODE_RANGE = range(100, 1000)

STATUS_BY_NAME = {
    "open": School.Status.OPEN,
    "open, but proposed to close": School.Status.OPEN_PROPOSED_TO_CLOSE,
    "proposed to open": School.Status.PROPOSED_TO_OPEN,
    "closed": School.Status.CLOSED,
}
PHASE_BY_NAME = {
    "not applicable": School.Phase.NOT_APPLICABLE,
    "nursery": School.Phase.NURSERY,
    "primary": School.Phase.PRIMARY,
    "middle deemed primary": School.Phase.MIDDLE_PRIMARY,
    "secondary": School.Phase.SECONDARY,
    "middle deemed secondary": School.Phase.MIDDLE_SECONDARY,
    "16 plus": School.Phase.SIXTEEN_PLUS,
    "all-through": School.Phase.ALL_THROUGH,
    "all through": School.Phase.ALL_THROUGH,  # the spelling of older extracts
}


class GiasFileRefused(DomainError):
    """The file is not a GIAS extract we can read (encoding, headers, empty): nothing is written."""

    code = "gias_file_refused"


class RowProblem(ValueError):
    """One row cannot be imported; the reason names the column and the value."""


# Value parsers: each takes the raw cell and its column name and returns the School value, or raises RowProblem.


def _text(max_length: int) -> Callable[[str, str], str]:
    def parse(raw: str, column: str) -> str:
        value = raw.strip()
        if len(value) > max_length:
            raise RowProblem(f"{column} is longer than {max_length} characters")
        return value

    return parse


def _required_text(max_length: int) -> Callable[[str, str], str]:
    text = _text(max_length)

    def parse(raw: str, column: str) -> str:
        value = text(raw, column)
        if not value:
            raise RowProblem(f"{column} is empty")
        return value

    return parse


def _whole_number(maximum: int) -> Callable[[str, str], int | None]:
    def parse(raw: str, column: str) -> int | None:
        value = raw.strip()
        if not value:
            return None
        if not (value.isascii() and value.isdigit()):
            raise RowProblem(f"{column} {value!r} is not a whole number")
        number = int(value)
        if number > maximum:
            raise RowProblem(f"{column} {value!r} is larger than {maximum:,}")
        return number

    return parse


@lru_cache(maxsize=8192)
def _calendar_date(value: str) -> datetime.date:
    """dd-mm-yyyy (GIAS) or dd/mm/yyyy (the same file re-saved by a spreadsheet); ValueError otherwise."""
    parts = value.replace("/", "-").split("-")
    if len(parts) != 3 or len(parts[2]) != 4 or not all(part.isascii() and part.isdigit() for part in parts):
        raise ValueError(value)
    day, month, year = (int(part) for part in parts)
    return datetime.date(year, month, day)


def _date(raw: str, column: str) -> datetime.date | None:
    value = raw.strip()
    if not value:
        return None
    try:
        return _calendar_date(value)  # far faster than strptime, and GIAS dates repeat
    except ValueError:
        raise RowProblem(f"{column} {value!r} is not a date (dd-mm-yyyy)") from None


def _choice(mapping: dict[str, str], what: str) -> Callable[[str, str], str]:
    def parse(raw: str, column: str) -> str:
        value = raw.strip()
        try:
            return mapping[value.lower()]
        except KeyError:
            raise RowProblem(f"unknown {what} {value!r}" if value else f"{column} is empty") from None

    return parse


def _postcode(raw: str, column: str) -> str:
    value = " ".join(raw.upper().split())
    if len(value) > 10:
        raise RowProblem(f"{column} {value!r} is longer than 10 characters")
    return value


# GIAS column -> (School field, parser). The first four are required columns; the rest are used when present.
COLUMNS: dict[str, tuple[str, Callable[[str, str], Any]]] = {
    NAME: ("name", _required_text(255)),
    TYPE: ("type_name", _required_text(120)),
    STATUS: ("status", _choice(STATUS_BY_NAME, "establishment status")),
    PHASE: ("phase", _choice(PHASE_BY_NAME, "phase of education")),
    "EstablishmentNumber": ("establishment_number", _text(4)),
    "EstablishmentTypeGroup (name)": ("type_group_name", _text(80)),
    "StatutoryLowAge": ("statutory_low_age", _whole_number(99)),
    "StatutoryHighAge": ("statutory_high_age", _whole_number(99)),
    "NumberOfPupils": ("number_of_pupils", _whole_number(100_000)),
    "Gender (name)": ("gender", _text(20)),
    "ReligiousCharacter (name)": ("religious_character", _text(80)),
    "Street": ("street", _text(120)),
    "Locality": ("locality", _text(120)),
    "Address3": ("address3", _text(120)),
    "Town": ("town", _text(80)),
    "Postcode": ("postcode", _postcode),
    "SchoolWebsite": ("website", _text(255)),
    "TelephoneNum": ("telephone", _text(20)),
    EASTING: ("easting", _whole_number(800_000)),
    NORTHING: ("northing", _whole_number(1_300_000)),
    "OpenDate": ("open_date", _date),
    "CloseDate": ("close_date", _date),
}

Parser = tuple[int, str, str, Callable[[str, str], Any]]  # (position, column, School field, parse)


@dataclass(frozen=True)
class GiasRow:
    """A data row as read: the physical line it starts on, and its cells."""

    line: int
    cells: list[str]


@dataclass
class GiasExtract:
    """A decoded, header-checked extract: where each column is, and every data row."""

    file_name: str
    headers: list[str]
    rows: list[GiasRow]
    index: dict[str, int] = field(init=False)

    def __post_init__(self):
        self.index = {name: position for position, name in enumerate(self.headers)}

    @property
    def has_coordinates(self) -> bool:
        return EASTING in self.index and NORTHING in self.index

    def value_parsers(self) -> list[Parser]:
        """Parsers of the known columns present, in file order (easting/northing only as a pair)."""
        parsers = []
        for column, (field_name, parse) in COLUMNS.items():
            if column in self.index and (self.has_coordinates or column not in (EASTING, NORTHING)):
                parsers.append((self.index[column], column, field_name, parse))
        return sorted(parsers, key=lambda parser: parser[0])

    def school_fields(self) -> list[str]:
        """The School fields this file sets; fields whose column is absent are left as they are."""
        fields = [field_name for _, _, field_name, _ in self.value_parsers()]
        return fields + (["latitude", "longitude"] if self.has_coordinates else [])


def _line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _looks_like_utf8(data: bytes) -> bool:
    """A cp1252 file with accents is almost never valid UTF-8; a UTF-8 file with any non-ASCII text always is."""
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_gias_bytes(data: bytes, *, file_name: str) -> str:
    """The text of a GIAS extract, or GiasFileRefused saying why the bytes are not one."""
    if not data.strip():
        raise GiasFileRefused(f"{file_name} is empty: it is not a GIAS extract.")
    as_downloaded = "GIAS extracts are Windows-1252 (cp1252): use the file as downloaded from GIAS."
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise GiasFileRefused(f"{file_name} is UTF-16 text. {as_downloaded}")
    if data.startswith(codecs.BOM_UTF8):
        raise GiasFileRefused(f"{file_name} starts with a UTF-8 byte-order mark: it was re-saved. {as_downloaded}")
    if b"\x00" in data:
        raise GiasFileRefused(f"{file_name} is not a text file (it has NUL bytes): it is not a GIAS extract.")
    try:
        text = data.decode(ENCODING)
    except UnicodeDecodeError as exc:
        raise GiasFileRefused(
            f"{file_name} is not Windows-1252 text: byte 0x{data[exc.start]:02X} on line "
            f"{_line_of_offset(data, exc.start)} is not a cp1252 character. {as_downloaded}"
        ) from None
    if _looks_like_utf8(data):
        raise GiasFileRefused(
            f"{file_name} is UTF-8 text (its accented letters would be read wrongly). {as_downloaded}"
        )
    return text


def read_gias_file(path: str | Path) -> GiasExtract:
    """Read and check a GIAS extract; raise GiasFileRefused (before anything is written) if it is not one."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise GiasFileRefused(f"Cannot read {path}: {exc.strerror or exc}.") from None
    return parse_gias_text(decode_gias_bytes(data, file_name=path.name), file_name=path.name)


def parse_gias_text(text: str, *, file_name: str) -> GiasExtract:
    """Headers and rows of decoded GIAS text; refuse it if a required column is missing or it has no rows."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headers = [name.strip() for name in next(reader)]
    except csv.Error as exc:
        raise GiasFileRefused(f"{file_name} is not a CSV file ({exc}).") from None
    missing = [name for name in REQUIRED_HEADERS if name not in headers]
    if missing:
        raise GiasFileRefused(
            f"{file_name} is not a GIAS extract: it has no {', '.join(repr(name) for name in missing)} "
            f"column{'s' if len(missing) > 1 else ''} (columns are found by their GIAS header names)."
        )
    duplicated = sorted({name for name in headers if headers.count(name) > 1 and (name in COLUMNS or name in (URN,))})
    if duplicated:
        raise GiasFileRefused(f"{file_name} has more than one {', '.join(map(repr, duplicated))} column.")
    rows = []
    line = reader.line_num + 1
    try:
        for cells in reader:
            if any(cells):  # skip blank lines
                rows.append(GiasRow(line=line, cells=cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise GiasFileRefused(f"{file_name} is not a readable CSV file near line {line} ({exc}).") from None
    if not rows:
        raise GiasFileRefused(f"{file_name} has GIAS headers but no schools.")
    return GiasExtract(file_name=file_name, headers=headers, rows=rows)


def parse_urn(raw: str) -> int:
    value = raw.strip()
    if not (value.isascii() and value.isdigit() and len(value) == 6 and value[0] != "0"):
        raise RowProblem(f"URN {value!r} is not a six-digit number" if value else "URN is empty")
    return int(value)


def parse_la_code(raw: str) -> int:
    value = raw.strip()
    if not (value.isascii() and value.isdigit()) or int(value) not in LA_CODE_RANGE:
        raise RowProblem(f"unknown LA code {value!r}" if value else "LA (code) is empty")
    return int(value)


def parse_school_values(row: GiasRow, parsers: Iterable[Parser]) -> dict[str, Any]:
    """School field values of one row (easting/northing; latitude/longitude are added later, for all rows at once)."""
    cells = row.cells
    values = {field_name: parse(cells[position], column) for position, column, field_name, parse in parsers}
    if "easting" in values and (not values["easting"] or not values["northing"]):
        # GIAS leaves both empty (or 0) when it has no site position.
        values["easting"] = values["northing"] = None
    low, high = values.get("statutory_low_age"), values.get("statutory_high_age")
    if low is not None and high is not None and low > high:
        raise RowProblem(f"StatutoryLowAge {low} is above StatutoryHighAge {high}")
    return values


@lru_cache(maxsize=1)
def _grid_transformer():
    from pyproj import Transformer

    # British National Grid -> WGS84; always_xy keeps (easting, northing) in and (longitude, latitude) out.
    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def grid_to_latlon(eastings: list[float], northings: list[float]) -> list[tuple[float, float]]:
    """(latitude, longitude) for each easting/northing pair, rounded to 6 places (about 0.1 m), in one call."""
    if not eastings:
        return []
    longitudes, latitudes = _grid_transformer().transform(eastings, northings)
    return [(round(lat, 6), round(lon, 6)) for lat, lon in zip(latitudes, longitudes, strict=True)]
