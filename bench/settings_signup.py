"""Settings for bench/bench_signup_timing.py: the benchmark's, with production's password hashers and task backend
(emails queued as database rows) and allauth's rate limits off (hundreds of sign-ups a minute measure the work)."""

from bench.settings import *  # noqa: F403
from schools_portal.settings import base

PASSWORD_HASHERS = base.PASSWORD_HASHERS
TASKS = base.TASKS
ACCOUNT_RATE_LIMITS = False
