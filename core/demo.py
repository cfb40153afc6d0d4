"""Demo data: each app contributes a `demo.py` with `ORDER` (int) and `seed(*, stdout, options)`.

`manage.py seed_demo` runs every step in ORDER. Steps must be deterministic and safe to re-run.
"""

from django.apps import apps

from .discovery import app_modules


def collect_demo_steps():
    steps = []
    for module in app_modules("demo"):
        if not callable(getattr(module, "seed", None)):
            continue  # e.g. core.demo is this registry, not a demo step
        steps.append((getattr(module, "ORDER", 100), apps.get_containing_app_config(module.__name__).label, module))
    return sorted(steps, key=lambda step: (step[0], step[1]))
