"""The API throttles at production's rates, doing production's bookkeeping, without ever refusing.

A benchmark sends thousands of requests a minute from one address and one user. Lifting the rates instead (as the
benchmarks first did, 1,000,000/min) lets DRF's per-client history grow to every request of the last minute, which
is pickled in and out of the cache on each request: the public lists paid for a list of tens of thousands of
timestamps that production (120/min anonymous, 600/min signed in) never keeps. Here a client over the limit is
recorded as production records an allowed request, the history cut to the limit, and let through: the cost per
request is production's worst case (a full history), and nothing answers 429.
"""

from rest_framework.throttling import SimpleRateThrottle


def _record_and_allow(self) -> bool:
    self.history.insert(0, self.now)
    del self.history[self.num_requests :]
    self.cache.set(self.key, self.history, self.duration)
    return True


def never_refuse() -> None:
    SimpleRateThrottle.throttle_failure = _record_and_allow
