from django.urls import reverse

from core.navigation import NavItem

from . import permissions, selectors


def items(request) -> list[NavItem]:
    user = request.user
    if not user.is_authenticated:
        return []
    if permissions.can_run_wand_programme(user) or selectors.wand_schools_for(user).exists():
        return [NavItem("Knife wands", reverse("wands:home"), order=20)]
    return []
