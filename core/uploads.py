"""Upload size limits judged from the size the server already knows, before a byte of the file is read.

Django (and DRF) record an upload's size while receiving it; reading an oversize file into memory only to refuse it
afterwards costs memory for nothing. Imports check `upload_too_large` (or a form field's `MaxUploadSize`) first.
"""

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible


def upload_too_large(upload, *, max_bytes: int) -> bool:
    """True when the upload is over `max_bytes`, or its size is unknown (nothing to judge by, so it is refused)."""
    size = getattr(upload, "size", None)
    return size is None or size > max_bytes


@deconstructible
class MaxUploadSize:
    """A file-field validator: refuses an upload over the limit by its recorded size, without reading it."""

    code = "file_too_large"

    def __init__(self, max_bytes: int, message: str):
        self.max_bytes = max_bytes
        self.message = message

    def __call__(self, upload) -> None:
        if upload_too_large(upload, max_bytes=self.max_bytes):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, MaxUploadSize) and (self.max_bytes, self.message) == (other.max_bytes, other.message)

    def __hash__(self):
        return hash((self.max_bytes, self.message))
