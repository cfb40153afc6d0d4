"""A zip of several stored files, produced chunk by chunk, so memory stays flat whatever the zip's size."""

import io
import zipfile
from collections.abc import Iterable, Iterator

from django.core.files.storage import default_storage
from django.utils import timezone

CHUNK = 64 * 1024


class _Pipe(io.RawIOBase):
    """Write-only and unseekable: zipfile then writes data descriptors, and we hand on what it wrote so far."""

    def __init__(self):
        super().__init__()
        self._chunks: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        data = bytes(data)
        self._chunks.append(data)
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        return None

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def unique_names(names: Iterable[str]) -> list[str]:
    """Two files with the same name get "name (2).ext" so neither overwrites the other in the zip."""
    seen: dict[str, int] = {}
    result = []
    for name in names:
        count = seen.get(name.lower(), 0) + 1
        seen[name.lower()] = count
        if count > 1:
            stem, dot, ext = name.rpartition(".")
            name = f"{stem} ({count}).{ext}" if dot else f"{name} ({count})"
        result.append(name)
    return result


def zip_stream(entries: list[tuple[str, str]], *, storage=None) -> Iterator[bytes]:
    """Yield a zip of `entries` (name in the zip, stored name) a chunk at a time."""
    storage = storage or default_storage
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for arcname, stored_name in entries:
            # Dated when downloaded (London time), not 1 January 1980, zipfile's default.
            info = zipfile.ZipInfo(arcname, date_time=timezone.localtime().timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            with storage.open(stored_name, "rb") as source, archive.open(info, mode="w", force_zip64=True) as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    data = pipe.take()
                    if data:
                        yield data
            data = pipe.take()
            if data:
                yield data
    yield pipe.take()
