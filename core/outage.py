"""Outages of a dependency (Redis, PostgreSQL, storage) are logged once a minute per kind, never once per request.

`log_outage(kind, ...)` writes a WARNING the first time a kind fails in a minute (per process) and counts the rest;
the next line says how many were left out. `OncePerMinuteFilter` does the same for the error log handlers (the
admins' emails among them), keyed by logger, message and exception type.
"""

import logging
import threading
import time

logger = logging.getLogger("portal.outage")
INTERVAL_SECONDS = 60.0
_lock = threading.Lock()
# kind -> [monotonic time last logged, number suppressed since]
_last: dict[str, list] = {}


def should_log(kind: str, *, now: float | None = None) -> tuple[bool, int]:
    """(log it?, how many of this kind were left out since the last line)."""
    now = time.monotonic() if now is None else now
    with _lock:
        entry = _last.get(kind)
        if entry is None or now - entry[0] >= INTERVAL_SECONDS:
            suppressed = entry[1] if entry else 0
            _last[kind] = [now, 0]
            return True, suppressed
        entry[1] += 1
        return False, 0


def log_outage(kind: str, message: str, *, error: BaseException | None = None, level: int = logging.WARNING) -> None:
    """Log `message` for `kind` (e.g. "cache", "worker-database") at most once a minute in this process."""
    ok, suppressed = should_log(kind)
    if not ok:
        return
    extra = {"kind": kind, "suppressed": suppressed}
    if error is not None:
        extra["error"] = type(error).__name__
    logger.log(level, message, extra=extra)


def reset() -> None:
    """Forget what was logged (tests)."""
    with _lock:
        _last.clear()


class OncePerMinuteFilter(logging.Filter):
    """Let through the first record of a kind each minute: during an outage every request fails the same way, and
    the admins get one email a minute, not one per request. The kind: logger, message template, exception type."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc_type = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
        status = getattr(record, "status_code", "")
        ok, suppressed = should_log(f"log:{record.name}:{record.msg}:{exc_type}:{status}:{id(self)}")
        if ok and suppressed:
            record.suppressed = suppressed
        return ok


class UnavailableOncePerMinuteFilter(OncePerMinuteFilter):
    """For the console: only "service unavailable" (503) records are thinned out; every other error is kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) != 503:
            return True
        return super().filter(record)
