from django.urls import reverse

from core.navigation import NavItem

from . import permissions, selectors


def items(request) -> list[NavItem]:
    user = request.user
    if not user.is_authenticated:
        return []
    links = []
    if selectors.schools_acting_for(user).exists():
        links.append(NavItem("Your schools", reverse("accounts:my_schools"), order=10))
    if permissions.can_grant_programme_roles(user):
        links.append(NavItem("People and roles", reverse("accounts:programme_roles"), order=80))
    return links
