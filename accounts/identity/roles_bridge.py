"""The identity layer's only way into the roles layer (accounts.selectors / accounts.roles / accounts.permissions).

Roles are read on every request, never cached in the session, so a role removed while someone is signed in is gone on
their next request (they are kept in the person's cached facts, core.user_facts, which every role write makes stale).
Imports are inside the functions: the roles layer imports identity's services, not the reverse.
"""

from __future__ import annotations

from typing import Any


def role_names(user) -> set[str]:
    from accounts.selectors import user_role_names

    return set(user_role_names(user)) if user is not None and user.is_authenticated else set()


def requires_two_factor(user) -> bool:
    from accounts.selectors import user_requires_mfa

    return bool(user is not None and user.is_authenticated and user_requires_mfa(user))


def roles_summary(user) -> list[dict[str, Any]]:
    from accounts.selectors import user_roles_summary

    return list(user_roles_summary(user))


def two_factor_required_roles() -> frozenset[str]:
    from accounts.roles import MFA_REQUIRED_ROLES

    return frozenset(MFA_REQUIRED_ROLES)


def may_reset_two_factor(actor, target) -> bool:
    from accounts.permissions import can_reset_two_factor

    return bool(can_reset_two_factor(actor, target))


def pending_invitations(user):
    from accounts.selectors import invitations_pending_for

    return invitations_pending_for(user).order_by("expires_at")


def pending_join_requests(user):
    from accounts.models import JoinRequest
    from accounts.selectors import join_requests_visible_to

    return join_requests_visible_to(user).filter(user_id=user.pk, status=JoinRequest.Status.PENDING)
