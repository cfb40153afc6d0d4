from django.urls import reverse

from core.navigation import NavItem

from . import permissions


def items(request) -> list[NavItem]:
    if permissions.can_view_dashboard(request.user):
        return [NavItem("Insights", reverse("insights:dashboard"), order=70)]
    return []
