"""Production settings for the load test on loopback (bench/bench_load.sh): the benchmark URLs (the floors), and the
API throttles at production's rates but never refusing (bench/throttles.py, patched in by bench/urls.py: 100 simulated
users share one address, and production's limits would answer 429 and measure the limiter). Everything else (DEBUG
off, middleware, Redis sessions, logging, static files, HTTPS behind the proxy header) is production's."""

from schools_portal.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]  # noqa: F405
