"""One counter of wrong secrets per account: wrong passwords and wrong two-factor codes count together.

Every place that accepts a password or a code for an account checks `locked` first and calls `failed` on a wrong
one: the sign-in form, the sign-in code step, confirming it's you (password or code, which also guards turning
two-factor off and new recovery codes), and API token creation. Recovery codes are entered where codes are, so they
count the same. Five wrong secrets in 15 minutes lock the account's secrets for the rest of the window, whatever the
next one is; only a correct two-factor code (or a correct password for an account without an authenticator) clears
the counter, so right passwords between wrong codes do not reset the guessing.

The counter is keyed by a hash of the email address (never the address itself), so a sign-in attempt for an address
with no account counts and locks exactly as one for a real account: the lock says nothing about who has an account.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache

ALLOWED = 5
WINDOW_SECONDS = 15 * 60
LOCKED_MESSAGE = "Too many wrong passwords or codes. Wait 15 minutes and try again."


def _key(email: str) -> str:
    digest = hashlib.sha256((email or "").strip().lower().encode("utf-8")).hexdigest()[:32]
    return f"identity:wrong-secrets:{digest}"


def _email(user_or_email) -> str:
    return user_or_email if isinstance(user_or_email, str) else (user_or_email.email or f"pk:{user_or_email.pk}")


def count(user_or_email) -> int:
    return int(cache.get(_key(_email(user_or_email))) or 0)


def locked(user_or_email) -> bool:
    return count(user_or_email) >= ALLOWED


def failed(user_or_email) -> None:
    """Count one wrong password or code; the window starts at the first."""
    key = _key(_email(user_or_email))
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)


def clear(user_or_email) -> None:
    cache.delete(_key(_email(user_or_email)))
