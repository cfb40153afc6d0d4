"""Production settings for the load test on loopback: plain HTTP (no TLS redirect), the benchmark URLs, throttling
lifted (100 simulated users share one address; the production limits would answer 429 and measure the limiter).
Everything else (DEBUG off, middleware, logging, static files) is production's."""

from schools_portal.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1000000/min", "user": "1000000/min"}}  # noqa: F405
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]  # noqa: F405
