from django.urls import reverse

from core.navigation import NavItem

from . import permissions
from .audit_views import can_search_audit


def items(request) -> list[NavItem]:
    items: list[NavItem] = []
    if permissions.can_view_dashboard(request.user):
        items.append(NavItem("Insights", reverse("insights:dashboard"), order=70))
    if can_search_audit(request.user):  # the VRU roles (read from the request's cached role names)
        items.append(NavItem("Audit", reverse("audit:search"), order=90))
    return items
