"""What every signed-in page reads about its person (their account without the password hash, role names, two-factor
set-up, the service navigation), cached per person across requests, under versions their writers bump.

One cache entry per person holds their facts, tagged with the versions it was computed at: the person's own version
(`facts_changed(user_ids)`, bumped by every write to their account, role records or authenticators) and the version of
everyone (`facts_changed_for_everyone()`, for the rare writes that touch many people: an organisation's status, a
school succession's bulk moves). A request reads the entry and both versions in one cache call
(`get_many`), the first time it needs a fact; an entry whose versions are not the current ones is recomputed. Facts
are kept on the user object for the rest of the request, which loads its user afresh, and read again once this thread
has changed anyone's.

Writers bump at once and again after their transaction commits (as `core.pagination.counts_changed`), so nobody keeps
facts read before the write was visible. A person whose facts change in a transaction still open gets no entry stored
until it commits: a rolled-back grant never reaches the cache. `FACTS_TTL_SECONDS` bounds what a write path that
misses its bump (a raw SQL fix, a restored backup) or a cache outage could leave behind; a cache failure is a miss
(core.cache), so the facts are then read from the database as before.
"""

import threading
import time
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import connection, transaction

from .outage import log_outage

FACTS_TTL_SECONDS = 300
_EVERYONE = "user-facts-version:all"
_USER_ATTRIBUTE = "_core_user_facts"
_local = threading.local()  # .people: whose facts changed in this thread's open transaction (None: everyone's)
# .generation: how many changes this thread has made (facts kept on a user object are read again after one)


def _version_key(user_id: int) -> str:
    return f"user-facts-version:{user_id}"


def _entry_key(user_id: int) -> str:
    return f"user-facts:{user_id}"


def _bump(keys: list[str]) -> None:
    for key in keys:
        try:
            try:
                cache.incr(key)
            except ValueError:  # not set yet, or evicted: a fresh version no earlier entry was tagged with
                cache.set(key, time.time_ns(), None)
        except Exception as error:  # noqa: BLE001 - a cache failure never fails a write, nor the hooks after it
            log_outage("cache:user-facts", "per-user facts could not be invalidated", error=error)


def _pending() -> set:
    """The people whose facts changed in this thread's open transaction (empty outside one)."""
    if not connection.in_atomic_block or not hasattr(_local, "people"):
        _local.people = set()
    return _local.people


def _generation() -> int:
    return getattr(_local, "generation", 0)


def _changed(keys: list[str], people: Iterable) -> None:
    _bump(keys)
    _local.generation = _generation() + 1
    if connection.in_atomic_block:
        _pending().update(people)

    def after_commit() -> None:  # a function, not a partial: Django names the hook (__qualname__) if it raises
        _bump(keys)

    transaction.on_commit(after_commit, robust=True)


def facts_changed(user_ids: Iterable[int]) -> None:
    """These people's cached facts are stale (their roles, memberships or authenticators changed)."""
    ids = sorted({int(pk) for pk in user_ids if pk is not None})
    if ids:
        _changed([_version_key(pk) for pk in ids], ids)


def facts_changed_for_everyone() -> None:
    """Every person's cached facts are stale (a write that changes many people's roles at once)."""
    _changed([_EVERYONE], [None])


_MISSING = object()


class Facts:
    """One request's view of a person's entry: the facts found, and the versions read before any of them was
    computed (an entry is stored tagged with them, so a write that bumps them meanwhile makes it stale)."""

    def __init__(self, user_id: int, found: dict | None = None):
        self.user_id = user_id
        self.generation = _generation()
        keys = cache_keys(user_id)
        if found is None:
            found = cache.get_many(keys)
        versions = [found.get(keys[0]), found.get(keys[1])]
        for index, key in enumerate(keys[:2]):
            if versions[index] is None:  # a fresh version: no entry can carry it yet
                fresh = time.time_ns()
                cache.add(key, fresh, None)
                versions[index] = fresh
        self.versions = tuple(versions)
        entry = found.get(keys[2])
        self.facts = dict(entry[1]) if isinstance(entry, tuple) and entry[0] == self.versions else {}

    def peek(self, name: str, default=None):
        return self.facts.get(name, default)

    def put(self, name: str, value) -> None:
        self.facts[name] = value
        pending = _pending()
        if self.user_id not in pending and None not in pending:
            cache.set(_entry_key(self.user_id), (self.versions, self.facts), FACTS_TTL_SECONDS)

    def attach(self, user) -> None:
        """Keep these facts on the user object: the request's other reads of them need no cache call."""
        setattr(user, _USER_ATTRIBUTE, self)

    @property
    def current(self) -> bool:
        """False once this thread has changed someone's facts since they were read (they are read again)."""
        return self.generation == _generation()


def cache_keys(user_id: int) -> list[str]:
    """What `Facts` reads, in one cache call: the person's version, everyone's version and the person's entry."""
    return [_version_key(user_id), _EVERYONE, _entry_key(user_id)]


def facts_for(user_id: int, found: dict | None = None) -> Facts:
    """The person's cached facts as they stand now (one cache call); for a request that knows who it is for before
    it has the user object (the authentication middleware). `found`: `cache_keys(user_id)` as read at the start of
    this request (with its session, core.sessions), instead of reading them again."""
    return Facts(user_id, found)


def user_fact(user, name: str, compute: Callable):
    """`compute()` for this signed-in person, from their cached entry when it is current (else computed and stored).
    `compute` must read only what `facts_changed` is called for: the person's account, role records and
    authenticators (accounts.facts)."""
    if user.pk is None:  # not saved: nobody's facts
        return compute()
    facts = getattr(user, _USER_ATTRIBUTE, None)
    if facts is None or facts.user_id != user.pk or not facts.current:
        facts = Facts(user.pk)
        facts.attach(user)
    value = facts.peek(name, _MISSING)
    if value is _MISSING:
        value = compute()
        facts.put(name, value)
    return value
