from accounts.identity import sessions


def session_timeout(request):
    """What the "you'll be signed out soon" warning needs; only for a signed-in person."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"SESSION_IDLE_TIMEOUT": sessions.idle_timeout(), "SESSION_WARNING_SECONDS": sessions.WARNING_SECONDS}
