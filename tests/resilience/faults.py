"""Fault injectors for the resilience tests: a Redis that is not there, and one that accepts and never answers."""

import contextlib
import socket
import threading


def closed_port() -> int:
    """A loopback port nothing listens on (connections are refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def frozen_server():
    """A loopback server that accepts connections and never replies: a frozen Redis. Yields its port."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            accepted.append(connection)  # held open, never answered

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=1)
        for connection in accepted:
            connection.close()
        server.close()


def redis_cache_settings(port: int, *, timeout: float = 0.1, retry_after: float = 2.0) -> dict:
    return {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": "resilience-tests",
            "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout, "RETRY_AFTER": retry_after},
        }
    }
