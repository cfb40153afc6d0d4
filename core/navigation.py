"""Service navigation: each app may add links in its own `navigation.py` with `items(request) -> list[NavItem]`.

Apps decide visibility with their own permission predicates, so the header never names a role. What `items` gives
may depend only on the person's role records (the predicates read them): a signed-in person's links are kept with
their cached facts (core.user_facts), computed again after their roles change.
"""

import re
from dataclasses import dataclass
from importlib import import_module

from .discovery import app_modules
from .user_facts import user_fact


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    order: int = 50
    # Other pages this link is the section of, as path patterns (a school's people pages belong to "Your schools").
    also: tuple[str, ...] = ()

    def is_active(self, path: str) -> bool:
        return (
            path == self.url
            or (self.url != "/" and path.startswith(self.url))
            or any(re.match(pattern, path) for pattern in self.also)
        )


def _modules():
    return app_modules("navigation")


def _items(request) -> tuple[NavItem, ...]:
    items: list[NavItem] = []
    for module in _modules():
        if callable(getattr(module, "items", None)):  # core.navigation itself is the registry
            items.extend(module.items(request))
    return tuple(sorted(items, key=lambda item: (item.order, item.label)))


def navigation_items(request) -> list[dict]:
    """The links this person may use, in order, each marked active when the current page is under it."""
    if not hasattr(request, "user"):
        return []  # error pages rendered before authentication ran (e.g. a 400 for a host that is not ours)
    user = request.user
    if user.is_authenticated and user.is_active:
        items = user_fact(user, "navigation", lambda: _items(request))
    else:
        items = _items(request)
    return [{"label": item.label, "url": item.url, "active": item.is_active(request.path)} for item in items]


def schools_section_active(request) -> bool:
    """ "Find a school" is the section of /schools/ pages no other link claims (a school's people: "Your schools")."""
    return request.path.startswith("/schools/") and not any(item["active"] for item in navigation_items(request))


def sub_navigation_items(app_label: str, request) -> list[dict]:
    """A programme's own sub-navigation (`<app>.navigation.sub_items(request)`): only the links this person may open,
    decided by the same permission predicates the views use; the current page's link is marked."""
    module = import_module(f"{app_label}.navigation")
    return [
        {"label": item.label, "url": item.url, "current": request.path == item.url}
        for item in module.sub_items(request)
    ]
