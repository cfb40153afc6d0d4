"""Who may manage machine clients. Predicates answer, never raise."""

from accounts.identity.permissions import is_programme_admin


def can_manage_machine_clients(user) -> bool:
    """Programme admins register, list and revoke the systems that call the API."""
    return is_programme_admin(user)


def can_revoke_machine_client(user, client=None) -> bool:
    """Programme admins (MachineClient.ACTIONS says which clients can still be revoked)."""
    return can_manage_machine_clients(user)
