"""Who may do what on the public side. Each predicate answers True or False and never raises."""

from accounts import roles
from accounts.selectors import user_role_names
from core.permissions import is_active_user as _active


def can_manage_vru_updates(user) -> bool:
    """Programme admins see the sign-up counts, export the consent records and send updates."""
    return _active(user) and roles.PROGRAMME_ADMIN in user_role_names(user)
