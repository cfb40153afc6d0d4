"""Sessions kept in the database with the cache in front (Django's cached_db), so a Redis outage or restart signs
nobody out: a cache failure is a miss (core.cache) and the session is read from the database.

A session that cannot be loaded because the database is down raises (the person gets the 503 page) instead of being
treated as empty, so Django's SessionMiddleware never deletes the person's cookie for a failure of ours. Cached copies
live at most CACHE_SECONDS: a copy left stale by a cache outage (a write or a sign-out the cache missed) is bounded.
"""

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

CACHE_SECONDS = 300


class _CappedCache:
    """The session cache with every timeout capped at CACHE_SECONDS."""

    def __init__(self, cache):
        self._wrapped = cache

    def set(self, key, value, timeout=None, *args, **kwargs):
        timeout = CACHE_SECONDS if timeout is None else min(timeout, CACHE_SECONDS)
        return self._wrapped.set(key, value, timeout, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._wrapped, name)

    def __contains__(self, key):
        return key in self._wrapped


class SessionStore(CachedDBStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _CappedCache(self._cache)
