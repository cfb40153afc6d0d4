"""The registries' one way to find each app's own module (`access_matrix`, `demo`, `figures`, `navigation`,
`school_changes`): Django's `autodiscover_modules`, as the admin finds `admin.py`."""

import sys
from types import ModuleType

from django.apps import apps
from django.utils.module_loading import autodiscover_modules


def app_modules(module_name: str) -> list[ModuleType]:
    """`<app>.<module_name>` of every installed app that has one, in INSTALLED_APPS order. An app without it is
    passed over; one whose module fails to import raises (a bug is not a missing module)."""
    autodiscover_modules(module_name)
    names = (f"{config.name}.{module_name}" for config in apps.get_app_configs())
    return [sys.modules[name] for name in names if name in sys.modules]
