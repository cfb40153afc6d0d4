"""core.cache.ResilientRedisCache: Redis unreachable or not answering is a cache miss, quickly, logged once a minute."""

import logging
import time

import pytest

from core import outage
from core.cache import ResilientRedisCache

from .faults import closed_port, frozen_server


@pytest.fixture(autouse=True)
def _fresh_outage_log():
    outage.reset()
    yield
    outage.reset()


def make_cache(port: int, *, timeout: float = 0.1, retry_after: float = 2.0) -> ResilientRedisCache:
    return ResilientRedisCache(
        f"redis://127.0.0.1:{port}/0",
        {
            "KEY_PREFIX": "resilience-tests",
            "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout, "RETRY_AFTER": retry_after},
        },
    )


def every_operation(cache) -> dict:
    """Each cache call the portal makes, with what it returned (an exception would fail the test)."""
    results = {
        "get": cache.get("k"),
        "get default": cache.get("k", "fallback"),
        "get_or_set": cache.get_or_set("k", lambda: 41, 10),
        "add": cache.add("k", 1, 10),
        "set": cache.set("k", 1, 10),
        "has_key": cache.has_key("k"),
        "get_many": cache.get_many(["a", "b"]),
        "set_many": cache.set_many({"a": 1}, 10),
        "delete": cache.delete("k"),
        "delete_many": cache.delete_many(["a", "b"]),
        "touch": cache.touch("k", 10),
    }
    with pytest.raises(ValueError):
        cache.incr("k")  # as for a missing key: callers already handle it by setting a fresh value
    return results


def test_redis_unreachable_is_a_miss_for_every_operation():
    results = every_operation(make_cache(closed_port()))
    assert results == {
        "get": None,
        "get default": "fallback",
        "get_or_set": 41,
        "add": True,  # fails open: allauth's rate-limit lock would otherwise refuse the sign-in
        "set": None,
        "has_key": False,
        "get_many": {},
        "set_many": [],
        "delete": False,
        "delete_many": None,
        "touch": False,
    }


def test_redis_not_answering_costs_one_short_timeout_then_nothing():
    with frozen_server() as port:
        cache = make_cache(port, timeout=0.1)
        started = time.perf_counter()
        assert cache.get("k") is None
        first = time.perf_counter() - started
        started = time.perf_counter()
        for _ in range(50):  # a busy page's worth of cache calls, and more
            every_operation(cache)
        rest = time.perf_counter() - started
    assert first < 1.0  # one socket timeout (redis-py may try twice), not the 2-4 s seen before
    assert rest < 0.2  # the breaker is open: no socket at all


def test_the_breaker_tries_redis_again_after_retry_after(monkeypatch):
    cache = make_cache(closed_port(), retry_after=0.05)
    calls = []
    real_get = cache._cache.get

    def counting_get(*args):
        calls.append(args)
        return real_get(*args)

    monkeypatch.setattr(cache._cache, "get", counting_get)
    cache.get("k")
    cache.get("k")
    assert len(calls) == 1  # the second call did not touch the socket
    time.sleep(0.06)
    cache.get("k")
    assert len(calls) == 2


def test_an_outage_is_logged_once_a_minute_not_per_call(caplog):
    caplog.set_level(logging.WARNING, logger="portal.outage")
    cache = make_cache(closed_port(), retry_after=0)  # no breaker: every call fails on the socket
    for _ in range(30):
        cache.get("k")
    records = [r for r in caplog.records if r.name == "portal.outage" and r.kind == "cache:get"]
    assert len(records) == 1
    assert records[0].error == "ConnectionError"


class FlakyClient:
    """Stands in for the Redis client: fails while `down`, records what reaches it."""

    def __init__(self):
        self.down = False
        self.data = {}
        self.deleted = []

    def _check(self):
        if self.down:
            raise ConnectionError("redis is down")

    def get(self, key, default):
        self._check()
        return self.data.get(key, default)

    def set(self, key, value, timeout):
        self._check()
        self.data[key] = value

    def delete(self, key):
        self._check()
        return self.data.pop(key, None) is not None

    def add(self, key, value, timeout):
        self._check()
        return self.data.setdefault(key, value) is value

    def incr(self, key, delta):
        self._check()
        if key not in self.data:
            raise ValueError(key)
        self.data[key] += delta
        return self.data[key]

    def has_key(self, key):
        self._check()
        return key in self.data

    def get_many(self, keys):
        self._check()
        return {key: self.data[key] for key in keys if key in self.data}

    def set_many(self, data, timeout):
        self._check()
        self.data.update(data)

    def touch(self, key, timeout):
        self._check()
        return key in self.data

    def delete_many(self, keys):
        self._check()
        self.deleted.extend(keys)
        for key in keys:
            self.data.pop(key, None)


def test_a_value_whose_write_failed_is_deleted_when_redis_answers_again():
    """A frozen Redis keeps its data: a sign-out or a new count version it missed must not come back with it."""
    cache = make_cache(closed_port(), retry_after=0)
    client = FlakyClient()
    cache.__dict__["_cache"] = client  # the cached_property
    cache.set("session", "signed in")
    client.down = True
    cache.delete("session")  # the sign-out the cache misses
    cache.set("version", 2)  # a write the cache misses
    assert client.data[cache.make_key("session")] == "signed in"  # still there, stale
    client.down = False
    assert cache.get("session") is None  # the first answer from Redis clears both first
    assert cache.get("version") is None
    assert sorted(client.deleted) == [cache.make_key("session"), cache.make_key("version")]


@pytest.fixture
def live_redis():
    """A Redis of the test's own (redis-server on a free port, nothing kept on disk)."""
    import shutil
    import subprocess

    import redis

    if not shutil.which("redis-server"):
        # No binary to start one of our own: the machine's Redis (the stack's, README), which must answer.
        redis.Redis(port=6379, socket_connect_timeout=1).ping()
        yield 6379
        return
    port = closed_port()
    server = subprocess.Popen(  # noqa: S603 - a fixed command
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],  # noqa: S607
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                redis.Redis(port=port).ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=5)


def test_a_working_redis_answers_each_call_in_one_round_trip(live_redis, monkeypatch):
    """incr raises ValueError for a missing key, as every cache does, and asks Redis once (not EXISTS then INCRBY);
    the redis-py client is built once, not per call."""
    import redis

    cache = make_cache(live_redis, timeout=1.0)
    commands = []
    real = redis.Redis.execute_command
    monkeypatch.setattr(
        redis.Redis, "execute_command", lambda self, *args, **kw: commands.append(args[0]) or real(self, *args, **kw)
    )
    with pytest.raises(ValueError):
        cache.incr("version")
    cache.set("version", 41)
    commands.clear()
    assert cache.incr("version") == 42
    assert cache.incr("version", 10) == 52
    assert commands in (["EVALSHA", "EVALSHA"], ["EVALSHA", "EVAL", "EVALSHA"])  # the script, loaded once if needed
    assert cache.get("version") == 52
    assert cache.get_many(["version", "none"]) == {"version": 52}
    clients = {id(cache._cache.get_client()), id(cache._cache.get_client(write=True))}
    assert len(clients) == 1
