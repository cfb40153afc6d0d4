from django.urls import reverse

from core.navigation import NavItem


def items(request) -> list[NavItem]:
    """The toolkit is for everyone (restricted items say who may download them); editors reach their pages from it."""
    return [NavItem("Toolkit", reverse("toolkit:catalogue"), order=40)]
