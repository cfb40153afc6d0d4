"""The registries' one way to find each app's own module (`access_matrix`, `demo`, `figures`, `navigation`,
`school_changes`): Django's `autodiscover_modules`, as the admin finds `admin.py`."""

import sys
from types import ModuleType

from django.apps import apps
from django.utils.module_loading import autodiscover_modules

# Found once per module name and set of installed apps: the search asks the import system about every app, which
# costs milliseconds (file-system look-ups for the apps without the module), and the navigation asks on every page.
_found: dict[tuple[str, tuple[str, ...]], tuple[ModuleType, ...]] = {}


def app_modules(module_name: str) -> list[ModuleType]:
    """`<app>.<module_name>` of every installed app that has one, in INSTALLED_APPS order. An app without it is
    passed over; one whose module fails to import raises (a bug is not a missing module)."""
    installed = tuple(config.name for config in apps.get_app_configs())
    key = (module_name, installed)
    found = _found.get(key)
    if found is None:
        autodiscover_modules(module_name)
        names = (f"{name}.{module_name}" for name in installed)
        found = _found[key] = tuple(sys.modules[name] for name in names if name in sys.modules)
    return list(found)
