"""What the in-process benchmarks share: Django set-up on the generated database, signed-in clients, interleaved timing
of a page against its floor, percentiles, and cProfile's top entries."""

import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "sqlite:////tmp/portal_bench.sqlite3"


def setup_django(database_url: str, settings: str = "bench.settings") -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    import django

    django.setup()


def client_for(email: str | None):
    """A test client (the whole middleware stack through the WSGI handler), signed in as `email` if given."""
    from django.test import Client

    from accounts.models import User

    client = Client()
    if email:
        user = User.objects.get(email=email)
        client.force_login(user)
        # As a sign-in with a password and a two-factor code leaves it (accounts.identity.mfa.two_factor_state).
        session = client.session
        now = time.time()
        session["account_authentication_methods"] = [{"method": "password", "at": now}, {"method": "mfa", "at": now}]
        session["account_authentication_methods_user"] = str(user.pk)
        session.save()
    return client


def machine() -> str:
    load = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min)"


@dataclass
class Timing:
    seconds: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.seconds)

    @property
    def p95(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    @property
    def throughput(self) -> float:
        return len(self.seconds) / sum(self.seconds)


def fetch(client, url: str, check=None):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code} {response.content[:300]!r}")
    if getattr(response, "streaming", False):
        for _ in response.streaming_content:
            pass
    elif check is not None:
        check(response)
    return response


def compare(client, urls: list[str], iterations: int, warmup: int = 3) -> list[Timing]:
    """Time each URL `iterations` times, interleaved (a round visits every URL, rotating who goes first)."""
    for url in urls:
        for _ in range(min(warmup, iterations)):
            fetch(client, url)
    timings = [Timing([]) for _ in urls]
    for round_number in range(iterations):
        shift = round_number % len(urls)
        for index in list(range(shift, len(urls))) + list(range(shift)):
            started = time.perf_counter()
            fetch(client, urls[index])
            timings[index].seconds.append(time.perf_counter() - started)
    return timings


def profile(client, url: str, iterations: int, top: int = 12) -> str:
    """cProfile's top entries by own time (tottime) over `iterations` requests: where the time goes."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(iterations):
        fetch(client, url)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    return "\n".join(lines[start : start + top + 1])


def cumulative(client, url: str, iterations: int, patterns: dict[str, tuple[str, ...]]) -> dict[str, float]:
    """Share of the profiled time spent under functions whose file path contains one of each group's patterns
    (cumulative, outermost call only): e.g. template rendering, the ORM, the serializer."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(iterations):
        fetch(client, url)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    total = sum(tt for (_, _, _), (_, _, tt, _, _) in stats.items())
    shares = {}
    for group, needles in patterns.items():
        best = 0.0
        for (filename, _, name), (_, _, _, cum, _) in stats.items():
            if any(needle in f"{filename}:{name}" for needle in needles):
                best = max(best, cum)
        shares[group] = best / total if total else 0.0
    return shares
