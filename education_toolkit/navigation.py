from django.urls import reverse

from core.navigation import NavItem


def items(request) -> list[NavItem]:
    """The toolkit is for everyone (restricted items say who may download them); editors reach their pages from it."""
    return [NavItem("Toolkit", reverse("toolkit:catalogue"), order=40)]


def sub_items(request) -> list[NavItem]:
    """The editors' pages: each link only for those its view lets in."""
    from . import permissions

    links = [
        ("All resources", "toolkit:editor_list", permissions.can_edit_toolkit),
        ("Add a resource", "toolkit:editor_create", permissions.can_edit_toolkit),
        ("Analytics", "toolkit:analytics", permissions.can_view_toolkit_analytics),
        ("Search synonyms", "toolkit:editor_synonyms", permissions.can_edit_toolkit),
        ("The toolkit as users see it", "toolkit:catalogue", lambda user: True),
    ]
    return [NavItem(label, reverse(name)) for label, name, allowed in links if allowed(request.user)]
