import math

from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

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


class PortalAnonRateThrottle(ClientIpMixin, AnonRateThrottle):
    pass


class PortalUserRateThrottle(ClientIpMixin, UserRateThrottle):
    pass


class PublicReadThrottle(ClientIpMixin, SimpleRateThrottle):
    """One limiter for public reads: anonymous callers at the `anon` rate by address, signed-in callers at the `user`
    rate by account. The same limits as DRF's AnonRateThrottle and UserRateThrottle together (for an anonymous
    caller both counted by address, and the lower rate, `anon`, decided), with the same cache keys, in one cache
    round trip instead of two: the public register's list is cheap enough for that to show (docs/performance.md)."""

    scope = "anon"

    def allow_request(self, request, view):
        self.scope = "user" if request.user and request.user.is_authenticated else "anon"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        ident = request.user.pk if self.scope == "user" else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
