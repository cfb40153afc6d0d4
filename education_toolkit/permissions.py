"""Who may do what in the toolkit. Each predicate answers True or False and never raises."""

from accounts import roles
from accounts.selectors import user_role_names
from core.permissions import is_active_user as _active

from .models import AccessLevel, Resource

# School staff (any current school membership) and members of verified organisations (docs/roles.md).
VERIFIED_PROFESSIONAL_ROLES = frozenset({roles.HEADTEACHER, roles.SCHOOL_STAFF, roles.ORGANISATION_MEMBER})


def is_toolkit_editor(user) -> bool:
    return _active(user) and roles.TOOLKIT_EDITOR in user_role_names(user)


def is_verified_professional(user) -> bool:
    return _active(user) and bool(user_role_names(user) & VERIFIED_PROFESSIONAL_ROLES)


def can_view_resource(user, resource) -> bool:
    """Published resources are listed for everyone (restricted ones say who may download them); editors see all."""
    if not isinstance(resource, Resource):
        return False
    return resource.status == Resource.Status.PUBLISHED or is_toolkit_editor(user)


def can_download_resource(user, resource) -> bool:
    if not can_view_resource(user, resource):
        return False
    if is_toolkit_editor(user):
        return True
    if resource.access_level == AccessLevel.PUBLIC:
        return True
    if resource.access_level == AccessLevel.REGISTERED:
        return _active(user)
    return is_verified_professional(user)


def downloadable_access_levels(user) -> set[str]:
    """The access levels this person may download (for ticking several resources in a list)."""
    if is_toolkit_editor(user):
        return set(AccessLevel.values)
    levels = {AccessLevel.PUBLIC.value}
    if _active(user):
        levels.add(AccessLevel.REGISTERED.value)
    if is_verified_professional(user):
        levels.add(AccessLevel.VERIFIED.value)
    return levels


def download_refusal(user, resource) -> str:
    """Why this person may not download the resource yet ('' when they may)."""
    if can_download_resource(user, resource):
        return ""
    if resource.access_level == AccessLevel.REGISTERED:
        return "Sign in to download this resource. It is for registered users."
    if not _active(user):
        return (
            "Sign in to download this resource. It is for verified professionals: school staff and members of "
            "verified organisations."
        )
    return (
        "This resource is for verified professionals: school staff and members of organisations the programme has "
        "verified. You can download it once your organisation is verified."
    )


def can_edit_toolkit(user) -> bool:
    return is_toolkit_editor(user)


def can_edit_resource(user, resource=None) -> bool:
    """Editors publish, archive and change the files of any resource (Resource.ACTIONS says in which status)."""
    return is_toolkit_editor(user)


def can_view_toolkit_analytics(user) -> bool:
    return is_toolkit_editor(user)


def can_report_delivery(user, resource) -> bool:
    return _active(user) and can_view_resource(user, resource)
