import math

from rest_framework.throttling import SimpleRateThrottle

from core.client_ip import client_ip


class ClientIpMixin:
    """DRF's throttles know a caller by `core.client_ip` (X-Forwarded-For only from a configured proxy), never by the
    whole header as DRF's own `get_ident` reads it when NUM_PROXIES is unset.

    Each check also records the caller's limit, what is left of it and the seconds until the window frees a request,
    for the `RateLimit-Limit`/`-Remaining`/`-Reset` headers (core.api.middleware.ApiConcurrencyMiddleware): with two
    throttles on one operation, the one with the least left."""

    def get_ident(self, request):
        return client_ip(request) or "unknown"

    def allow_request(self, request, view):
        allowed = super().allow_request(request, view)
        if getattr(self, "key", None) is not None and getattr(self, "num_requests", None):
            history = getattr(self, "history", [])
            remaining = self.num_requests - len(history) if allowed else 0
            reset = self.duration - (self.now - history[-1]) if history else self.duration
            http_request = getattr(request, "_request", request)
            previous = getattr(http_request, "ratelimit", None)
            if previous is None or remaining < previous[1]:
                http_request.ratelimit = (self.num_requests, remaining, math.ceil(reset))
        return allowed


def _caller(request) -> tuple[str, object | None]:
    """(scope, identity) of an API caller: a system by its OAuth client, a person by their account, else None (known
    by address)."""
    user = request.user
    client = getattr(user, "machine_client", None)
    if client is not None:
        return "client", client.pk
    if user and user.is_authenticated:
        return "user", user.pk
    return "anon", None


class PublicReadThrottle(ClientIpMixin, SimpleRateThrottle):
    """One limiter for public reads: anonymous callers at the `anon` rate by address, signed-in callers at the `user`
    rate by account, systems calling with an OAuth access token (machine_clients) at the `client` rate by client, so
    two systems behind one address (a borough's gateway) do not share a limit and a nightly import paging through the
    register is not limited as an anonymous visitor. The same limits and cache keys as DRF's AnonRateThrottle and
    UserRateThrottle together for people, in one cache round trip instead of two: the public register's list is cheap
    enough for that to show (docs/performance.md)."""

    scope = "anon"

    def allow_request(self, request, view):
        self.scope, self._ident = _caller(request)
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        ident = self.get_ident(request) if self._ident is None else self._ident
        return self.cache_format % {"scope": self.scope, "ident": ident}
