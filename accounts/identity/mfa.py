"""Two-factor facts about a user (read from allauth's authenticators) and about a session (allauth's record of the
authentication methods used in it), and the one rule every request of a signed-in user goes through:
`two_factor_state(request)`."""

from __future__ import annotations

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import validate_totp_code
from allauth.mfa.utils import decrypt
from django.core.cache import cache

from core.user_facts import user_fact

# What `two_factor_state` answers.
PASSED = "passed"  # nothing to do: roles do not require two-factor, or this session completed it
SET_UP = "set_up"  # roles require two-factor and the user has no authenticator: set it up first
CODE = "code"  # roles require two-factor, the user has an authenticator, this session has not used it: enter a code

# Shown wherever a code is asked for, when the code was right but has been accepted once already (each code works once).
USED_CODE_MESSAGE = "This code has already been used. Wait for your authenticator app to show a new code, then enter it"


def has_totp(user) -> bool:
    """Read on every request of a session that entered a code: from the person's cached facts while their
    authenticators have not changed (core.user_facts; accounts.facts bumps them)."""

    def read() -> bool:
        return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()

    if user.pk is None or not user.is_authenticated:
        return read()
    return user_fact(user, "has_totp", read)


def totp_authenticator(user) -> Authenticator | None:
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).first()


def two_factor_missing(user) -> bool:
    """True when the user's roles require two-factor sign-in and they have not set it up."""
    from accounts.identity.roles_bridge import requires_two_factor

    if user is None or not user.is_authenticated:
        return False
    if has_totp(user):
        return False
    return requires_two_factor(user)


def _passed(records, user) -> bool:
    if any(record.get("two_factor") is True for record in records):
        return True
    return any(record.get("method") == "mfa" for record in records) and has_totp(user)


def session_passed_two_factor(request) -> bool:
    """True when this session, for its signed-in user, completed two-factor sign-in, read from allauth's record of
    the authentication methods used in the session (`allauth.account.authentication.get_authentication_records`):

    - an entry `{"method": "mfa", ...}`: a code from the authenticator app or a recovery code, at sign-in, when
      confirming it's you, or when the authenticator was set up in this session (`setup: True`, written by our set-up
      view), while the user still has that authenticator (a reset removes it, and with it what the entry proved);
    - an entry `{"two_factor": True, ...}`: any other sign-in method that itself proved a second factor. Single
      sign-on adds this to its record when the provider says the person used multi-factor (for example an `amr`
      claim with "mfa"); nothing else in the portal needs to change.

    A session made by a password alone (any sign-in form, the Django admin's included) never passes."""
    user = request.user
    if user is None or not user.is_authenticated:
        return False
    return _passed(get_authentication_records(request, user), user)


def two_factor_state(request) -> str:
    """The one rule: PASSED, SET_UP or CODE for the (real) signed-in user of this request. Kept on the request as
    `request.two_factor_state` (templates read it). A session that passed costs one query (its authenticator)."""
    cached = getattr(request, "two_factor_state", None)
    if cached is not None:
        return cached
    from accounts.identity.roles_bridge import requires_two_factor

    user = request.user
    if not user.is_authenticated or session_passed_two_factor(request) or not requires_two_factor(user):
        state = PASSED
    elif has_totp(user):
        state = CODE
    else:
        state = SET_UP
    request.two_factor_state = state
    return state


def totp_code_valid(user, code: str) -> bool:
    """Check a TOTP code (each code works once) or, failing that, an unused recovery code."""
    code = (code or "").strip().replace(" ", "")
    if not code:
        return False
    for authenticator in Authenticator.objects.filter(
        user_id=user.pk, type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
    ).order_by("-type"):  # TOTP first, recovery codes as the fallback
        if authenticator.wrap().validate_code(code):
            authenticator.record_usage()
            return True
    return False


def totp_code_already_used(user, code: str) -> bool:
    """True when `code` is the user's authenticator code for now (within MFA_TOTP_TOLERANCE) and allauth has already
    accepted it once (its "used code" marker, kept for the whole window). Asked only after a code was refused, to say
    why: it reads the marker and changes nothing, so the code stays refused and the refusal still counts."""
    code = (code or "").strip()
    authenticator = totp_authenticator(user) if code else None
    if authenticator is None:
        return False
    if not validate_totp_code(decrypt(authenticator.data["secret"]), code):
        return False
    # allauth's own key for the marker (allauth.mfa.totp.internal.auth.TOTP), not a copy of its format.
    return cache.get(authenticator.wrap()._get_used_cache_key(code)) is not None
