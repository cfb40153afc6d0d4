from django.urls import reverse

from accounts import roles
from accounts.selectors import user_role_names
from core.navigation import NavItem

USERS = {roles.POLICE_ALLOCATOR, roles.POLICE_OFFICER, roles.HEADTEACHER}


def items(request) -> list[NavItem]:
    """Allocators, officers and headteachers (who see their school's named officer)."""
    if user_role_names(request.user) & USERS:
        return [NavItem("School officers", reverse("officers:home"), order=30)]
    return []


def sub_items(request) -> list[NavItem]:
    """The allocators' pages: each link only for those its view lets in."""
    from . import permissions

    links = [
        ("Queue", "officers:queue", permissions.is_allocator),
        ("Officers and loads", "officers:officer_list", permissions.is_allocator),
        ("Coverage", "officers:coverage", permissions.is_allocator),
        ("Optimiser", "officers:optimiser", permissions.is_allocator),
        ("What if", "officers:what_if", permissions.is_allocator),
        ("School weights", "officers:weight_rules", permissions.is_allocator),
    ]
    return [NavItem(label, reverse(name)) for label, name, allowed in links if allowed(request.user)]
