from django.urls import get_script_prefix, get_urlconf, reverse

from accounts.identity import sessions

_urls: dict[tuple, dict[str, str]] = {}


def _session_timeout_urls() -> dict[str, str]:
    """The warning's three links: the same on every page, reversed once per URLconf and script prefix."""
    key = (get_urlconf(), get_script_prefix())
    urls = _urls.get(key)
    if urls is None:
        urls = _urls[key] = {
            "keep_alive": reverse("identity:session_keep_alive"),
            "timed_out": reverse("identity:session_timed_out"),
            "sign_out": reverse("account_logout"),
        }
    return urls


def session_timeout(request):
    """What the "you'll be signed out soon" warning needs; only for a signed-in person."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {
        "SESSION_IDLE_TIMEOUT": sessions.idle_timeout(),
        "SESSION_WARNING_SECONDS": sessions.WARNING_SECONDS,
        "SESSION_TIMEOUT_URLS": _session_timeout_urls(),
    }
