"""A Redis cache whose failures are misses: Redis down or frozen never turns a page into an error.

Every read that fails returns the default (a miss), every write that fails is dropped, and the failure is logged once
a minute (core.outage). After a failure the cache is left alone for `RETRY_AFTER` seconds (a circuit breaker), so a
Redis that does not answer costs one short socket timeout per process every few seconds, not one per call.

Keys whose write or delete failed may hold an older value in Redis (a frozen Redis keeps its data): they are
remembered, and deleted as soon as Redis answers again, so a signed-out session or an old count version cannot come
back. Only the process that failed knows them; the cached value's own expiry bounds what another process could see.
"""

import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from .outage import log_outage

MAX_REMEMBERED_KEYS = 10_000

# INCRBY only an existing key, in one round trip (Django's client asks EXISTS, then INCRBY): nil when it is missing.
_INCR_EXISTING = "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end"


class _Client(RedisCacheClient):
    """Django's Redis client, keeping one redis-py client per connection pool (Django builds one per call; a redis-py
    client is safe to share: each command takes a connection from the pool), and `incr` in one round trip."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._incr_scripts = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client

    def incr(self, key, delta):
        client = self.get_client(key, write=True)
        script = self._incr_scripts.get(id(client))
        if script is None:
            script = self._incr_scripts[id(client)] = client.register_script(_INCR_EXISTING)
        value = script(keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value


class ResilientRedisCache(RedisCache):
    # Seconds the cache is skipped after a failure (OPTIONS["RETRY_AFTER"] overrides it).
    retry_after = 2.0

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.retry_after = float(options.pop("RETRY_AFTER", self.retry_after))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = _Client
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._stale_keys: set[str] = set()  # full (prefixed, versioned) keys

    # --- the breaker --------------------------------------------------------------------------------------------

    def _available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, operation: str, error: Exception, keys=()) -> None:
        with self._lock:
            self._down_until = time.monotonic() + self.retry_after
            if len(self._stale_keys) < MAX_REMEMBERED_KEYS:
                self._stale_keys.update(keys)
        log_outage(f"cache:{operation}", "cache unavailable: treated as a miss", error=error)

    def _clear_stale(self) -> bool:
        """Before anything else once Redis may be back: delete what a failed write or delete may have left behind.
        False when Redis is still down."""
        if not self._stale_keys:
            return True
        with self._lock:
            keys, self._stale_keys = list(self._stale_keys), set()
        try:
            self._cache.delete_many(keys)
        except Exception as error:  # noqa: BLE001 - down again: keep them for next time
            self._failed("recover", error, keys)
            return False
        return True

    def _call(self, operation: str, default, function, *args, stale_keys=(), passthrough=()):
        if not (self._available() and self._clear_stale()):
            with self._lock:
                if len(self._stale_keys) < MAX_REMEMBERED_KEYS:
                    self._stale_keys.update(stale_keys)
            return default
        try:
            return function(*args)
        except passthrough:
            raise
        except Exception as error:  # noqa: BLE001 - redis.ConnectionError, TimeoutError, a refused command
            self._failed(operation, error, stale_keys)
            return default

    # --- the cache API ------------------------------------------------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        timeout = self.get_backend_timeout(timeout)
        # Fails open: True when the cache is down. Its callers are rate-limit counters and allauth's rate-limit lock,
        # which would otherwise wait a second and refuse the sign-in: during an outage people are let through.
        return self._call("add", True, self._cache.add, key, value, timeout, stale_keys=(key,))

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._call("get", default, self._cache.get, key, default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        timeout = self.get_backend_timeout(timeout)
        self._call("set", None, self._cache.set, key, value, timeout, stale_keys=(key,))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        timeout = self.get_backend_timeout(timeout)
        return self._call("touch", False, self._cache.touch, key, timeout)

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._call("delete", False, self._cache.delete, key, stale_keys=(key,))

    def get_many(self, keys, version=None):
        key_map = {self.make_and_validate_key(key, version=version): key for key in keys}
        found = self._call("get_many", {}, self._cache.get_many, list(key_map))
        return {key_map[key]: value for key, value in found.items()}

    def has_key(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._call("has_key", False, self._cache.has_key, key)

    def incr(self, key, delta=1, version=None):
        """Raises ValueError for a missing key, as every cache does; an unreachable cache counts as missing too (the
        caller then sets a fresh value, which is dropped: a count that restarts, never an error)."""
        full_key = self.make_and_validate_key(key, version=version)
        missing = object()
        result = self._call(
            "incr", missing, self._cache.incr, full_key, delta, stale_keys=(full_key,), passthrough=ValueError
        )
        if result is missing:
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        if not data:
            return []
        safe_data = {self.make_and_validate_key(key, version=version): value for key, value in data.items()}
        timeout = self.get_backend_timeout(timeout)
        self._call("set_many", None, self._cache.set_many, safe_data, timeout, stale_keys=tuple(safe_data))
        return []

    def delete_many(self, keys, version=None):
        if not keys:
            return
        safe_keys = [self.make_and_validate_key(key, version=version) for key in keys]
        self._call("delete_many", None, self._cache.delete_many, safe_keys, stale_keys=tuple(safe_keys))

    def clear(self):
        return self._call("clear", False, self._cache.clear)
