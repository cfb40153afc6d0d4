"""Where the nightly refresh reads its two files: a local path, or an https:// address downloaded to a temporary file.

A source may hold strftime placeholders (`edubasealldata%Y%m%d.csv`): today's date is tried first, then yesterday's
(GIAS publishes each morning).
"""

import datetime
import shutil
import urllib.request
from pathlib import Path

from .gias import GiasFileRefused

DOWNLOAD_TIMEOUT = 600


def _candidates(source: str, today: datetime.date) -> list[str]:
    if "%" not in source:
        return [source]
    return [(today - datetime.timedelta(days=days)).strftime(source) for days in (0, 1)]


def source_fetch(source: str, *, folder: Path, name: str, today: datetime.date | None = None) -> Path:
    """A local file for `source`; GiasFileRefused saying what was tried if none is there."""
    today = today or datetime.date.today()
    tried = []
    for candidate in _candidates(source, today):
        if candidate.startswith("https://"):
            target = folder / name
            try:
                with urllib.request.urlopen(candidate, timeout=DOWNLOAD_TIMEOUT) as response, target.open("wb") as out:  # noqa: S310  # nosec B310 (https:// only, checked above)
                    shutil.copyfileobj(response, out)
            except OSError as exc:
                tried.append(f"{candidate} ({exc})")
                continue
            return target
        if "://" in candidate:
            raise GiasFileRefused(f"{candidate} is not a file path or an https:// address.")
        path = Path(candidate)
        if path.is_file():
            return path
        tried.append(f"{candidate} (no such file)")
    raise GiasFileRefused("No GIAS file at " + "; ".join(tried) + ".")
