"""Small GIAS-format files that the tests write themselves (never the shared sample)."""

import csv
import io
from pathlib import Path

# The 27 columns of the real London sample, plus the three more the importer reads.
GIAS_HEADERS = [
    "URN",
    "LA (code)",
    "LA (name)",
    "EstablishmentNumber",
    "EstablishmentName",
    "TypeOfEstablishment (name)",
    "EstablishmentTypeGroup (name)",
    "EstablishmentStatus (name)",
    "OpenDate",
    "CloseDate",
    "PhaseOfEducation (name)",
    "StatutoryLowAge",
    "StatutoryHighAge",
    "Gender (name)",
    "ReligiousCharacter (name)",
    "NumberOfPupils",
    "UKPRN",
    "Street",
    "Locality",
    "Address3",
    "Town",
    "County (name)",
    "Postcode",
    "SchoolWebsite",
    "TelephoneNum",
    "HeadFirstName",
    "HeadLastName",
    "GOR (name)",
    "Easting",
    "Northing",
]
REQUIRED_ONLY = [
    "URN",
    "LA (code)",
    "LA (name)",
    "EstablishmentName",
    "TypeOfEstablishment (name)",
    "EstablishmentStatus (name)",
    "PhaseOfEducation (name)",
]


def gias_row(number: int = 100001, **values: str) -> dict[str, str]:
    """An open London primary school row; keyword arguments replace columns (spaces and brackets as `_`)."""
    row = {
        "URN": str(number),
        "LA (code)": "204",
        "LA (name)": "Hackney",
        "EstablishmentNumber": "2001",
        "EstablishmentName": f"Oakfield Primary School {number}",
        "TypeOfEstablishment (name)": "Community school",
        "EstablishmentTypeGroup (name)": "Local authority maintained schools",
        "EstablishmentStatus (name)": "Open",
        "OpenDate": "",
        "CloseDate": "",
        "PhaseOfEducation (name)": "Primary",
        "StatutoryLowAge": "3",
        "StatutoryHighAge": "11",
        "Gender (name)": "Mixed",
        "ReligiousCharacter (name)": "Does not apply",
        "NumberOfPupils": "420",
        "UKPRN": "10012345",
        "Street": "Mare Street",
        "Locality": "",
        "Address3": "",
        "Town": "London",
        "County (name)": "",
        "Postcode": "E8 1HR",
        "SchoolWebsite": "http://www.oakfield.hackney.sch.uk/",
        "TelephoneNum": "02072541234",
        "HeadFirstName": "",
        "HeadLastName": "",
        "GOR (name)": "London",
        "Easting": "534500",
        "Northing": "184500",
    }
    for key, value in values.items():
        column = COLUMN_ALIASES.get(key, key)
        assert column in row, f"unknown GIAS column {key}"
        row[column] = value
    return row


COLUMN_ALIASES = {
    "la_code": "LA (code)",
    "la_name": "LA (name)",
    "name": "EstablishmentName",
    "type": "TypeOfEstablishment (name)",
    "status": "EstablishmentStatus (name)",
    "phase": "PhaseOfEducation (name)",
    "low_age": "StatutoryLowAge",
    "high_age": "StatutoryHighAge",
    "pupils": "NumberOfPupils",
    "open_date": "OpenDate",
    "close_date": "CloseDate",
    "postcode": "Postcode",
    "easting": "Easting",
    "northing": "Northing",
    "urn": "URN",
}


def gias_bytes(rows: list[dict[str, str]], *, headers: list[str] | None = None, encoding: str = "cp1252") -> bytes:
    """A GIAS extract as GIAS publishes it: CRLF, quoted only where needed, Windows-1252."""
    headers = headers or GIAS_HEADERS
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=headers, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def write_gias(path: Path, rows: list[dict[str, str]], **options) -> Path:
    path.write_bytes(gias_bytes(rows, **options))
    return path


LINKS_HEADERS = ["URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate"]


def link_row(urn: int, link_urn: int, link_type: str = "Successor", name: str = "", date: str = "01-09-2026") -> dict:
    return {
        "URN": str(urn),
        "LinkURN": str(link_urn),
        "LinkName": name or f"Linked School {link_urn}",
        "LinkType": link_type,
        "LinkEstablishedDate": date,
    }


def conversion_links(old: int, new: int, *, kind: str = "") -> list[dict]:
    """Both rows GIAS publishes for one conversion: the old school's Successor and the new one's Predecessor."""
    suffix = f" - {kind}" if kind else ""
    return [link_row(old, new, f"Successor{suffix}"), link_row(new, old, f"Predecessor{suffix}")]


def write_links(path: Path, rows: list[dict], *, headers: list[str] | None = None, encoding: str = "cp1252") -> Path:
    """A GIAS links file as GIAS publishes it (CRLF, Windows-1252)."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=headers or LINKS_HEADERS, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path
