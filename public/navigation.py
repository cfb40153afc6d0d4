from django.urls import reverse

from core.navigation import NavItem

from .permissions import can_manage_vru_updates


def items(request) -> list[NavItem]:
    """Programme admins reach the sign-up's counts, export and updates; the open pages are linked from the home
    page and the footer, not the service navigation."""
    if can_manage_vru_updates(request.user):
        return [NavItem("VRU updates", reverse("public:updates_admin"), order=80)]
    return []
