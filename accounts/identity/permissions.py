"""Identity predicates. They answer, never raise."""

from accounts.identity.roles_bridge import role_names
from accounts.roles import PROGRAMME_ADMIN


def is_programme_admin(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and PROGRAMME_ADMIN in role_names(user))


def can_view_as(actor, target) -> bool:
    """Programme admins may view as an active user who is not themselves, staff or another programme admin."""
    if target is None or not is_programme_admin(actor):
        return False
    if target.pk == actor.pk or not target.is_active or target.is_staff or target.is_superuser:
        return False
    return PROGRAMME_ADMIN not in role_names(target)


def can_revoke_api_token(user, token) -> bool:
    return bool(user is not None and user.is_authenticated and token.user_id == user.pk)
