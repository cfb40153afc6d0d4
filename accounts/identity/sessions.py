"""Session timestamps the session middleware keeps (seconds since the epoch, as floats)."""

import time

from django.conf import settings

STARTED_KEY = "identity.started_at"
ACTIVITY_KEY = "identity.active_at"
# Activity is written at most this often, so a page with many requests does not rewrite the session each time.
ACTIVITY_RESOLUTION = 60
WARNING_SECONDS = 2 * 60


def idle_timeout() -> int:
    return int(settings.SESSION_IDLE_TIMEOUT)


def absolute_timeout() -> int:
    return int(settings.SESSION_COOKIE_AGE)


def seconds_left(session, now: float | None = None) -> int:
    """Seconds until this session ends: the sooner of the idle and the absolute limit."""
    now = time.time() if now is None else now
    started = session.get(STARTED_KEY, now)
    active = session.get(ACTIVITY_KEY, now)
    return max(0, int(min(active + idle_timeout(), started + absolute_timeout()) - now))


def mark_active(session, now: float | None = None) -> None:
    session[ACTIVITY_KEY] = time.time() if now is None else now
