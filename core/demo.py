"""Demo data: each app contributes a `demo.py` with `ORDER` (int) and `seed(*, stdout, options)`.

`manage.py seed_demo` runs every step in ORDER. Steps must be deterministic and safe to re-run.
"""

from contextlib import contextmanager
from datetime import datetime
from unittest import mock

from django.apps import apps
from django.utils import timezone

from .discovery import app_modules


def collect_demo_steps():
    steps = []
    for module in app_modules("demo"):
        if not callable(getattr(module, "seed", None)):
            continue  # e.g. core.demo is this registry, not a demo step
        steps.append((getattr(module, "ORDER", 100), apps.get_containing_app_config(module.__name__).label, module))
    return sorted(steps, key=lambda step: (step[0], step[1]))


@contextmanager
def demo_clock(at: datetime):
    """Run a demo workflow as if at `at` (in the past): `timezone.now()`, and so every `auto_now_add` date, every
    audit event and every date a service sets, reads `at` plus the real time elapsed since entering. Demo timelines
    then show when things happened over weeks and months, not the moment `seed_demo` ran.

    Only for `seed_demo` (one thread, no requests served). The audit stays append-only: events are written with the
    past time, never rewritten afterwards."""
    real_now = timezone.now
    started = real_now()
    with mock.patch("django.utils.timezone.now", lambda: at + (real_now() - started)):
        yield
