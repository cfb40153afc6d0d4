"""Unique Pupil Numbers: format and check letter (DfE UPN standard v2.0; see reference/upn.md).

13 characters: a check letter, the allocating LA's 3-digit code, the 4-digit establishment number, 2 digits of the year
and a 3-character serial; a temporary UPN ends in a letter. Any LA code is accepted (pupils keep UPNs from elsewhere).
The UPN is personal data: never put one in an error message, a log line or a URL.
"""

from dataclasses import dataclass

LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # A-Z without I, O and S: the value of a letter is its index


@dataclass(frozen=True)
class UpnCheck:
    upn: str  # normalised (upper case, no spaces)
    is_temporary: bool


class UpnInvalid(ValueError):
    """The message says what is wrong (length, characters, check letter) without repeating the UPN."""


def upn_normalise(value: str | None) -> str:
    return "".join((value or "").split()).upper()


def _value(char: str) -> int:
    return int(char) if char.isdigit() else LETTERS.index(char)


def check_letter(body12: str) -> str:
    """The check letter for the last 12 characters of a UPN."""
    return LETTERS[sum(_value(c) * weight for weight, c in zip(range(2, 14), body12, strict=True)) % 23]


def upn_check(value: str | None) -> UpnCheck:
    """Check a UPN; return it normalised with whether it is temporary, or raise UpnInvalid saying what is wrong."""
    upn = upn_normalise(value)
    if not upn:
        raise UpnInvalid("Enter the pupil's UPN (unique pupil number).")
    if len(upn) != 13:
        raise UpnInvalid(f"A UPN must be 13 characters long; this one has {len(upn)}.")
    first, middle, last = upn[0], upn[1:12], upn[12]
    if not first.isalpha():
        raise UpnInvalid("A UPN must start with a letter (its check letter).")
    if first not in LETTERS:
        raise UpnInvalid("The first character of a UPN cannot be I, O or S.")
    if not middle.isdigit() or not middle.isascii():
        raise UpnInvalid("Characters 2 to 12 of a UPN must all be digits.")
    if not (last.isascii() and (last.isdigit() or last in LETTERS)):
        raise UpnInvalid("The last character of a UPN must be a digit, or a letter other than I, O or S.")
    if check_letter(upn[1:]) != first:
        raise UpnInvalid(
            "The UPN's check letter does not match its other characters: check it has been copied correctly."
        )
    return UpnCheck(upn=upn, is_temporary=last.isalpha())


def upn_is_valid(value: str | None) -> bool:
    try:
        upn_check(value)
    except UpnInvalid:
        return False
    return True


def upn_make(body12: str) -> str:
    """A valid UPN from its last 12 characters (for demo data and tests)."""
    body12 = upn_normalise(body12)
    return check_letter(body12) + body12
