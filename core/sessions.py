"""Sessions kept in the database with the cache in front (Django's cached_db), so a Redis outage or restart signs
nobody out: a cache failure is a miss (core.cache) and the session is read from the database.

A session that cannot be loaded because the database is down raises (the person gets the 503 page) instead of being
treated as empty, so Django's SessionMiddleware never deletes the person's cookie for a failure of ours. Cached copies
live at most CACHE_SECONDS: a copy left stale by a cache outage (a write or a sign-out the cache missed) is bounded.

A signed-in request reads its session and then its person's facts (core.user_facts): two cache calls, one after the
other, since the person is named in the session. Each process remembers whose each session it has seen
(`remember_user`, called by the authentication middleware), and loads a session it knows with that person's facts in
the same cache call (`prefetched`). The hint is never trusted: the facts are used only for the person the session
names, read at the moment the session is, before anything in the request is computed from them.
"""

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.core.cache import DEFAULT_CACHE_ALIAS

CACHE_SECONDS = 300
MAX_REMEMBERED_SESSIONS = 10_000
_users_of_sessions: dict[str, int] = {}  # session key -> the person this process last saw it signed in as


def remember_user(session_key: str | None, user_id: int) -> None:
    """This session is signed in as this person: load it with their facts from now on (in this process)."""
    if not session_key or _users_of_sessions.get(session_key) == user_id:
        return
    if len(_users_of_sessions) >= MAX_REMEMBERED_SESSIONS:
        _users_of_sessions.clear()
    _users_of_sessions[session_key] = user_id


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
        # (person, {cache key: value}) of the facts read with the session, for core.user_facts.facts_for; taken once.
        self.prefetched: tuple[int, dict] | None = None

    def load(self):
        from .user_facts import cache_keys

        user_id = _users_of_sessions.get(self.session_key) if self.session_key else None
        if user_id is None or settings.SESSION_CACHE_ALIAS != DEFAULT_CACHE_ALIAS:  # the facts are in the default cache
            return super().load()
        keys = cache_keys(user_id)
        found = self._cache.get_many([self.cache_key, *keys])  # a cache failure is a miss (core.cache)
        self.prefetched = (user_id, {key: found[key] for key in keys if key in found})
        data = found.get(self.cache_key)
        return super().load() if data is None else data

    def take_prefetched(self, user_id: int) -> dict | None:
        """The facts read with the session, if they are this person's (once: a later read is a fresh one)."""
        prefetched, self.prefetched = self.prefetched, None
        return prefetched[1] if prefetched is not None and prefetched[0] == user_id else None
