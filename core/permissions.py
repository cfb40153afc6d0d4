"""The one permission style: `can_<verb>_<thing>(user, ...) -> bool` predicates in each app's `permissions.py`, for a
signed-in user decorated with `@predicate`; views and services refuse with `require(allowed)`.

A predicate answers no for anyone signed out or inactive, for a missing object (`None`, or one that no longer exists),
for a value that is not one (ValueError) and, with `about=`, for an object of another kind
(`@predicate(about=JoinRequest)` asked about a school). It does not hide a bug: an AttributeError or TypeError raised
inside it fails loudly in the tests instead of reading as "no".
"""

from functools import wraps

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied


def is_active_user(user) -> bool:
    """Signed in with an active account (an anonymous visitor is neither)."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def pk_of(obj):
    """An object's primary key, or the key itself when given one."""
    return getattr(obj, "pk", obj)


def predicate(func=None, *, about: type | tuple[type, ...] | None = None):
    """A predicate for a signed-in, active user; False for anyone else, for missing objects and for bad values, and
    (with `about`, the kinds of object it answers for) for objects of another kind."""

    def decorate(func):
        @wraps(func)
        def wrapper(user, *args, **kwargs):
            if not is_active_user(user) or any(arg is None for arg in args):
                return False
            if about is not None and not all(isinstance(arg, about) for arg in args):
                return False
            try:
                return bool(func(user, *args, **kwargs))
            except (ValueError, ObjectDoesNotExist):
                return False

        return wrapper

    return decorate(func) if func is not None else decorate


def require(allowed: bool) -> None:
    """Views and services enforce the same predicates: a refusal is 403 (PermissionDenied)."""
    if not allowed:
        raise PermissionDenied
