"""The URL kwargs of an access row: its callable's, or those of the test builder it names ("<app>.<builder>" is the
function `<builder>` in tests/<app>/access_builders.py, which makes the objects with the test factories)."""

from importlib import import_module

from core.access import AccessRow


def builder(name: str):
    app, function = name.split(".")
    return getattr(import_module(f"tests.{app}.access_builders"), function)


def url_kwargs(row: AccessRow) -> dict:
    if row.kwargs is None:
        return {}
    if isinstance(row.kwargs, str):
        return builder(row.kwargs)()
    return row.kwargs()
