"""The one permission style: `can_<verb>_<thing>(user, ...) -> bool` predicates, decorated with `@predicate`, and
`require(allowed)` where a view or service refuses."""

from django.core.exceptions import PermissionDenied


def require(allowed: bool) -> None:
    """Views and services enforce the same predicates: a refusal is 403 (PermissionDenied)."""
    if not allowed:
        raise PermissionDenied
