from django.urls import reverse

from accounts import roles
from accounts.selectors import user_role_names
from core.navigation import NavItem

from . import selectors

ALWAYS = {roles.HEADTEACHER, roles.PROGRAMME_ADMIN, roles.FULFILMENT_STAFF}


def items(request) -> list[NavItem]:
    held = user_role_names(request.user)
    # Staff only see the link when the headteacher has granted them the wand-requests duty (one query, staff only).
    if held & ALWAYS or (roles.SCHOOL_STAFF in held and selectors.wand_schools_for(request.user).exists()):
        return [NavItem("Knife wands", reverse("wands:home"), order=20)]
    return []
