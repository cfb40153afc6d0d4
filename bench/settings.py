"""Settings for the in-process benchmarks: the test settings (same middleware, same apps) with the benchmark URLs
(the project's plus the floors) and the API throttles at production's rates but never refusing (bench/throttles.py,
patched in by bench/urls.py), so thousands of requests in a row measure production's work, not 429s.

The database comes from DATABASE_URL (the generated national database), as in every other settings module.
"""

from schools_portal.settings.test import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]  # noqa: F405
FIGURE_SUMMARIES = "stored"  # production's reads of the cross-programme figures (the test settings read them live)
