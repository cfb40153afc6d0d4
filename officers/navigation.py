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
