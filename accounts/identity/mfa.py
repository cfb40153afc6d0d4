"""Two-factor facts about a user, read from allauth's authenticators."""

from allauth.mfa.models import Authenticator


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


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
