from django.urls import reverse

from core.navigation import NavItem

from . import roles
from .selectors import user_role_names

SCHOOL_ROLES = {roles.HEADTEACHER, roles.SCHOOL_STAFF, roles.STEPPING_STONES_LEAD}


def items(request) -> list[NavItem]:
    """Built from the role names the request has already read, so the header adds no queries."""
    held = user_role_names(request.user)
    links = []
    if held & SCHOOL_ROLES:
        # A school's people pages (/schools/<urn>/people/…) are reached from "Your schools".
        links.append(NavItem("Your schools", reverse("accounts:my_schools"), order=10, also=(r"/schools/\d+/people/",)))
    if roles.PROGRAMME_ADMIN in held:
        links.append(NavItem("People and roles", reverse("accounts:programme_roles"), order=80))
    return links


def sub_items(request) -> list[NavItem]:
    """The programme admin's pages: each link only for those its view lets in."""
    from . import permissions

    links = [
        ("Invitations", "accounts:invitations", permissions.can_list_invitations),
        ("Police, VRU and fulfilment roles", "accounts:programme_roles", permissions.can_grant_programme_roles),
        ("Organisations", "accounts:organisations", lambda user: user.is_authenticated),
        ("Schools without a headteacher", "accounts:schools_without_headteacher", permissions.is_programme_admin),
        ("Access reviews", "accounts:access_reviews", permissions.can_review_access),
        # The machine_clients app's pages (its view checks the same predicate); named, not imported.
        ("API clients for systems", "machine_clients:list", permissions.is_programme_admin),
    ]
    return [NavItem(label, reverse(name)) for label, name, allowed in links if allowed(request.user)]
