"""Line breaks typed into forms: one convention on the way in (a browser sends CRLF, a pasted address may carry CR)."""

import re

_BREAKS = re.compile(r"\r\n?|[\n\v\f\x85\u2028\u2029]")
_SPACES = re.compile(r"[ \t]+")


def one_line(value: str | None) -> str:
    """A single-line field: every line break (and run of spaces) becomes one space, ends trimmed."""
    return _SPACES.sub(" ", _BREAKS.sub(" ", value or "")).strip()


def clean_lines(value: str | None) -> str:
    """A multi-line field (an address): lines joined with "\\n" only, each trimmed, empty lines dropped."""
    return "\n".join(line for line in (one_line(part) for part in _BREAKS.split(value or "")) if line)


def address_parts(value: str | None) -> list[str]:
    """An address's lines (or comma-separated parts when typed on one line), each clean, for a courier's columns."""
    lines = clean_lines(value).split("\n")
    if len(lines) == 1:
        lines = [part.strip() for part in lines[0].split(",")]
    return [line for line in lines if line]


def counted(count: int, singular: str, plural: str = "") -> str:
    """Say "1 request", "2 requests" (`plural` where adding an s is wrong): never "1 request(s)" in what people read."""
    return f"{count:,} {singular if count == 1 else plural or singular + 's'}"


# A full UK postcode: outward code (area, district, optional sub-district) and inward code (sector, unit), as Royal
# Mail writes it. Deliveries need the whole postcode, so a district alone ("N16") is not one.
POSTCODE_INVALID = "Enter a full UK postcode, like N16 5AG"
PHONE_INVALID = "Enter a UK phone number, like 020 7946 0000"
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


def uk_postcode(value: str | None) -> str | None:
    """The postcode in capitals with one space ("n165ag" → "N16 5AG"), or None if it is not a full UK postcode."""
    compact = "".join((value or "").split()).upper()
    match = _POSTCODE.match(compact)
    return f"{match[1]} {match[2]}" if match else None


def uk_phone(value: str | None) -> str | None:
    """The number as typed (trimmed) if it reads as a UK phone number: digits, spaces, brackets, hyphens and a leading
    +, with 10 to 13 digits; else None."""
    text = " ".join((value or "").split())
    digits = re.sub(r"\D", "", text)
    if not re.fullmatch(r"\+?[0-9() \-]+", text) or not 10 <= len(digits) <= 13:
        return None
    return text
