"""Demo data: each app contributes a `demo.py` with `ORDER` (int) and `seed(*, stdout, options)`.

`manage.py seed_demo` runs every step in ORDER. Steps must be deterministic and safe to re-run.
"""

from importlib import import_module

from django.apps import apps


def collect_demo_steps():
    steps = []
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        if not callable(getattr(module, "seed", None)):
            continue  # e.g. core.demo is this registry, not a demo step
        steps.append((getattr(module, "ORDER", 100), config.label, module))
    return sorted(steps, key=lambda step: (step[0], step[1]))
