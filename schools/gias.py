"""Reading the DfE's GIAS extract (`edubasealldataYYYYMMDD.csv`): encoding, headers, and one row to School values.

No database here: `schools.services.gias_import_run` decides what to write. Columns are found by header name only,
because GIAS adds, drops and reorders its ~135 columns from one extract to the next.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.csv_import import Column, CsvRejected, read_csv

from .models import School

ENCODING = "cp1252"
# The national extract is about 60 MB; anything far bigger is not one.
MAX_BYTES = 400_000_000

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


# The file is not a GIAS extract we can read (encoding, quotes, headers, empty): nothing is written. The one error of
# every CSV import; the name stays for the callers that catch it.
GiasFileRefused = CsvRejected


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

Parser = tuple[str, str, Callable[[str, str], Any]]  # (column, School field, parse)

# Text columns stored as they are: their length is checked by the reader, from the School field.
_STORED_AS_TEXT = {column: field_name for column, (field_name, parse) in COLUMNS.items() if field_name in {
    "name", "type_name", "establishment_number", "type_group_name", "gender", "religious_character", "street",
    "locality", "address3", "town", "website", "telephone",
}}  # fmt: skip


def _reader_columns() -> list[Column]:
    required = set(REQUIRED_HEADERS)
    columns = [Column(name, required=name in required) for name in (URN, LA_CODE, LA_NAME)]
    for column in COLUMNS:
        if column in _STORED_AS_TEXT:
            stored = Column.for_field(School, _STORED_AS_TEXT[column], name=column, required=column in required)
        else:
            stored = Column(column, required=column in required)  # parsed below: numbers, dates, choices
        columns.append(stored)
    return columns


@dataclass(frozen=True)
class GiasRow:
    """A data row as read: the physical line it starts on, and the known columns' values (stripped)."""

    line: int
    values: dict[str, str]


@dataclass
class GiasExtract:
    """A decoded, checked extract: its headers, every readable data row, and the rows the reader skipped."""

    file_name: str
    headers: list[str]
    rows: list[GiasRow]
    skipped: list[tuple[GiasRow, str]] = field(default_factory=list)  # (row, reason): bad cells or field count
    present: frozenset[str] = frozenset()

    @property
    def has_coordinates(self) -> bool:
        return EASTING in self.present and NORTHING in self.present

    def value_parsers(self) -> list[Parser]:
        """Parsers of the known columns present (easting/northing only as a pair)."""
        return [
            (column, field_name, parse)
            for column, (field_name, parse) in COLUMNS.items()
            if column in self.present and (self.has_coordinates or column not in (EASTING, NORTHING))
        ]

    def school_fields(self) -> list[str]:
        """The School fields this file sets; fields whose column is absent are left as they are."""
        fields = [field_name for _, field_name, _ in self.value_parsers()]
        return fields + (["latitude", "longitude"] if self.has_coordinates else [])


def read_gias_file(path: str | Path) -> GiasExtract:
    """Read and check a GIAS extract; raise GiasFileRefused (before anything is written) if it is not one."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise GiasFileRefused(f"Cannot read {path}: {exc.strerror or exc}.") from None
    return read_gias_bytes(data, file_name=path.name)


def read_gias_bytes(data: bytes, *, file_name: str) -> GiasExtract:
    """A GIAS extract's rows through the one CSV reader (cp1252, as GIAS publishes it). The whole file is refused for
    what makes it unreadable (encoding, NUL bytes, an unclosed quote: at the line it opened, missing headers); a row
    with a bad cell or the wrong number of fields is skipped and reported, as GIAS rows always have been."""
    try:
        table = read_csv(data, columns=_reader_columns(), encoding=ENCODING, max_bytes=MAX_BYTES, bad_rows="skip",
                         exact_width=True)  # fmt: skip
    except CsvRejected as refused:
        raise GiasFileRefused(
            f"{file_name} is not a GIAS extract we can read. {refused.message}", problems=refused.problems
        ) from None
    return GiasExtract(
        file_name=file_name,
        headers=table.headers,
        rows=[GiasRow(line=row.line, values=row.values) for row in table.rows],
        skipped=[(GiasRow(line=row.line, values=row.values), "; ".join(row.problems)) for row in table.skipped],
        present=table.present,
    )


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
    cells = row.values
    values = {field_name: parse(cells[column], column) for column, field_name, parse in parsers}
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
