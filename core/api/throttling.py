from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from core.client_ip import client_ip


class ClientIpMixin:
    """DRF's throttles know a caller by `core.client_ip` (X-Forwarded-For only from a configured proxy), never by the
    whole header as DRF's own `get_ident` reads it when NUM_PROXIES is unset."""

    def get_ident(self, request):
        return client_ip(request) or "unknown"


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
