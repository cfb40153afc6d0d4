"""Django's authentication middleware, with the signed-in person read from their cached facts (core.user_facts).

Every signed-in request loads its user. Django reads the account from the database each time; here a request whose
session names a user, a backend of ours and a session hash first looks at the person's cached facts (one cache call,
the same that then gives the request their roles, two-factor set-up and navigation). When they hold a snapshot of the
account that is active and whose session hash matches the session's, the user is built from it: no query. Anything
else (no snapshot, an inactive account, a hash that differs, another backend) goes through Django's own
`auth.get_user`, unchanged, and a user it returns is kept as the snapshot for the next requests.

The snapshot never holds the password hash: it holds the fields of the account but the password, and the session hash
computed from the password when the account was read. A user built from it has its password deferred (read from the
database if anything needs it). Every write to an account (saves, deletes, `User.objects...update()`) makes the
snapshot stale (accounts.facts, accounts.models.UserQuerySet): a password change, a deactivation or "sign out
everywhere" applies on the person's next request, as before.
"""

from functools import cache

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from accounts.models import User
from core.sessions import remember_user
from core.user_facts import facts_for

SNAPSHOT = "account"


@cache
def _fields() -> tuple[str, ...]:
    return tuple(field.attname for field in User._meta.concrete_fields if field.attname != "password")


@cache
def _reads_the_model(backend_path: str) -> bool:
    """The backend finds users as Django's ModelBackend does (allauth's does): the snapshot stands in for that."""
    backend = auth.load_backend(backend_path)
    return getattr(type(backend), "get_user", None) is ModelBackend.get_user


def _snapshot(user: User) -> dict:
    return {
        "fields": _fields(),
        "values": tuple(getattr(user, name) for name in _fields()),
        "session_hash": user.get_session_auth_hash(),
    }


def _from_snapshot(snapshot) -> User | None:
    if not isinstance(snapshot, dict) or snapshot.get("fields") != _fields():
        return None  # none yet, or kept by a version of the portal with other fields
    user = User.from_db(DEFAULT_DB_ALIAS, list(_fields()), snapshot["values"])
    user._cached_session_auth_hash = snapshot["session_hash"]
    return user


def get_user(request):
    """The request's user: from the cached snapshot when it passes Django's checks, else Django's `auth.get_user`."""
    session = request.session
    try:
        user_id = User._meta.pk.to_python(session[auth.SESSION_KEY])
        backend_path = session[auth.BACKEND_SESSION_KEY]
    except (KeyError, ValidationError):
        return auth.get_user(request)  # anonymous, or a session Django's own checks should judge
    session_hash = session.get(auth.HASH_SESSION_KEY)
    if not session_hash or backend_path not in settings.AUTHENTICATION_BACKENDS or not _reads_the_model(backend_path):
        return auth.get_user(request)
    # The versions are read before the account is: a write meanwhile makes it stale. Read with the session when this
    # process has seen it before (core.sessions).
    take = getattr(session, "take_prefetched", None)
    facts = facts_for(user_id, take(user_id) if take else None)
    user = _from_snapshot(facts.peek(SNAPSHOT))
    if user is not None and user.is_active and constant_time_compare(session_hash, user.get_session_auth_hash()):
        facts.attach(user)
        remember_user(session.session_key, user_id)
        return user
    user = auth.get_user(request)
    if user.is_authenticated and user.pk == user_id:
        facts.attach(user)
        facts.put(SNAPSHOT, _snapshot(user))
        remember_user(session.session_key, user_id)
    return user


def _lazy_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)
    return request._cached_user


class CachedAuthenticationMiddleware(AuthenticationMiddleware):
    """`request.user` as Django's middleware sets it (lazily, once per request), read through `get_user` above;
    `request.auser` (async views) stays Django's."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _lazy_user(request))
