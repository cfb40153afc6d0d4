from django.urls import reverse

from accounts import roles
from accounts.selectors import user_role_names
from core.navigation import NavItem

# Headteachers hold every duty at their school, the Stepping Stones lead's included.
USERS = {roles.STEPPING_STONES_LEAD, roles.STEPPING_STONES_COORDINATOR, roles.HEADTEACHER}


def items(request) -> list[NavItem]:
    """Stepping Stones leads (primary and secondary), headteachers and the VRU's coordinators."""
    if user_role_names(request.user) & USERS:
        return [NavItem("Stepping Stones", reverse("stepping_stones:home"), order=40)]
    return []
