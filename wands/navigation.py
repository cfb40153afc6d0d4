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


def sub_items(request) -> list[NavItem]:
    """The programme pages' sub-navigation: each link only for those its view lets in."""
    from . import permissions

    user = request.user
    links = [
        ("Requests", "wands:queue", permissions.can_run_wand_programme),
        ("Stock", "wands:stock", permissions.can_manage_wand_stock),
        ("Dispatch", "wands:dispatch_upload", permissions.can_dispatch_wand_request),
        ("Returns", "wands:returns", permissions.can_resolve_wand_issue),
        ("Dashboard", "wands:dashboard", permissions.can_run_wand_programme),
        ("Allowance rule", "wands:allowance_rules", permissions.can_manage_wand_allowances),
        ("Earlier deliveries", "wands:existing_import", permissions.can_import_existing_deliveries),
    ]
    return [NavItem(label, reverse(name)) for label, name, allowed in links if allowed(user)]
