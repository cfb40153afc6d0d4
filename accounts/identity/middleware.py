"""Session policy, two-factor enforcement and 'view as', in that order, after authentication and messages.

- SessionPolicyMiddleware ends a session that has been idle too long, is older than the absolute limit, or started
  before the user signed out everywhere; it stamps the start of every new sign-in and keeps `last_seen_at`.
- TwoFactorRequiredMiddleware applies the one two-factor rule (accounts.identity.mfa.two_factor_state): a user whose
  roles require two-factor needs a session that completed it; pages go to set-up or the code prompt, the API answers
  403 `two_factor_required`.
- ViewAsMiddleware runs a programme admin's requests as the user they view, read-only.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, SESSION_KEY, get_user_model, logout
from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode

from accounts.identity import mfa, sessions, view_as
from accounts.identity.permissions import can_view_as
from accounts.identity.services import user_mark_seen, view_as_stop
from core.api.problems import problem_response

IDLE_MESSAGE = "You were signed out because you had not used the service for 30 minutes."
ABSOLUTE_MESSAGE = "You were signed out because you had been signed in for 12 hours. Sign in again to continue."
REVOKED_MESSAGE = "You were signed out because your account was signed out everywhere. Sign in again to continue."

TWO_FACTOR_API_MESSAGE = {
    mfa.SET_UP: "Your roles require two-factor sign-in. Set it up in the portal before you use the API.",
    mfa.CODE: "Your roles require two-factor sign-in: this session has not entered a code. Enter it in the portal.",
}
TWO_FACTOR_REFUSED_MESSAGE = "Your roles require two-factor sign-in. Open the portal in your browser to continue."

# Reachable by every signed-in session, whatever its two-factor state: they show nothing of the service's data.
ALWAYS_REACHABLE_URL_NAMES = frozenset(
    {
        "account_logout",
        "favicon",
        "robots_txt",
        "healthz",
        "identity:session_keep_alive",
        "identity:session_timed_out",
    }
)
# While two-factor set-up is outstanding, these too (set-up asks for the password again first, as allauth does).
TWO_FACTOR_SETUP_URL_NAMES = frozenset(
    {
        "account_reauthenticate",
        "mfa_reauthenticate",
        "mfa_index",
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "identity:two_factor_setup_cancel",
    }
)
# While a session that signed in with a password alone owes its code, only the code prompt.
TWO_FACTOR_CODE_URL_NAMES = frozenset({"mfa_reauthenticate"})
# While viewing as someone, these are the only requests that may write (they change nothing in the service's data).
VIEW_AS_WRITABLE_URL_NAMES = frozenset({"identity:view_as_stop", "account_logout", "identity:session_keep_alive"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _url_name(request) -> str:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return ""


def _resolves(request) -> bool:
    try:
        resolve(request.path_info)
    except Resolver404:
        return False
    return True


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


class SessionPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        now = time.time()
        self._enforce(request, now)
        signed_in_as_before = request.session.get(SESSION_KEY)
        response = self.get_response(request)
        self._stamp(request, signed_in_as_before, now)
        return response

    def _enforce(self, request, now: float) -> None:
        user = request.user
        if not user.is_authenticated:
            return
        session = request.session
        started = session.get(sessions.STARTED_KEY)
        if started is None:  # a session created outside a sign-in request (e.g. before this policy existed)
            started = session[sessions.STARTED_KEY] = now
            session.setdefault(sessions.ACTIVITY_KEY, now)
        last_active = session.get(sessions.ACTIVITY_KEY, started)
        ended_because = ""
        if now - started >= sessions.absolute_timeout():
            ended_because = ABSOLUTE_MESSAGE
        elif now - last_active >= sessions.idle_timeout():
            ended_because = IDLE_MESSAGE
        elif user.sessions_revoked_at is not None and started < user.sessions_revoked_at.timestamp():
            ended_because = REVOKED_MESSAGE
        if ended_because:
            logout(request)
            messages.info(request, ended_because)
            return
        user_mark_seen(user=user)

    def _stamp(self, request, signed_in_as_before, now: float) -> None:
        session = request.session
        signed_in_as = session.get(SESSION_KEY)
        if not signed_in_as:
            return
        if signed_in_as != signed_in_as_before or sessions.STARTED_KEY not in session:
            # Signed in during this request: Django has already given the session a new key.
            session[sessions.STARTED_KEY] = now
            sessions.mark_active(session, now)
            return
        if getattr(request, "identity_passive", False):
            return
        if now - session.get(sessions.ACTIVITY_KEY, 0) >= sessions.ACTIVITY_RESOLUTION:
            sessions.mark_active(session, now)


def _is_page_navigation(request) -> bool:
    """A page a person navigates to (typed, clicked, a form sent), not a browser's own request for an icon, an image,
    a script or a fetch. Browsers say so in Sec-Fetch-*; without them (older browsers, test clients, curl) an Accept
    header that names HTML, or none, counts as a page."""
    mode = request.META.get("HTTP_SEC_FETCH_MODE")
    if mode:
        return mode == "navigate" and request.META.get("HTTP_SEC_FETCH_DEST", "document") in {"document", ""}
    accept = request.META.get("HTTP_ACCEPT", "")
    return not accept or "text/html" in accept or "application/xhtml+xml" in accept


def _uses_bearer_token(request) -> bool:
    """An API request with `Authorization: Bearer`: DRF authenticates it by the token alone (the token's own rule
    applies: accounts.identity.authentication), never by the session cookie."""
    return request.META.get("HTTP_AUTHORIZATION", "").split(" ", 1)[0].lower() == "bearer"


class TwoFactorRequiredMiddleware:
    """Applies `mfa.two_factor_state`, the one two-factor rule, to every request of a signed-in session: pages, the
    API (with a session) and the Django admin alike.

    - A person navigating to one of the portal's pages goes to set-up (no authenticator yet) or to the code prompt
      (this session has not entered a code), and comes back afterwards.
    - The API answers 403 with code `two_factor_required`.
    - Static files, the icon, robots.txt and addresses that are not the portal's views get their normal answer; any
      other request to a portal view (an image, a fetch) is refused with 403, never redirected, so nothing a browser
      requests in the background can disturb set-up.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and not self._static(request):
            state = mfa.two_factor_state(request)
            if state != mfa.PASSED:
                refused = self._refuse(request, state)
                if refused is not None:
                    return refused
        return self.get_response(request)

    @staticmethod
    def _static(request) -> bool:
        return request.path_info.startswith(settings.STATIC_URL)

    def _refuse(self, request, state: str):
        if _is_api(request):
            if _uses_bearer_token(request):
                return None
            return problem_response(request, 403, code="two_factor_required", detail=TWO_FACTOR_API_MESSAGE[state])
        name = _url_name(request)
        if not name and not _resolves(request):
            return None  # not one of the portal's views: its normal answer (404)
        allowed = TWO_FACTOR_SETUP_URL_NAMES if state == mfa.SET_UP else TWO_FACTOR_CODE_URL_NAMES
        if name in ALWAYS_REACHABLE_URL_NAMES or name in allowed:
            return None
        if not _is_page_navigation(request):
            return HttpResponseForbidden(TWO_FACTOR_REFUSED_MESSAGE, content_type="text/plain; charset=utf-8")
        if state == mfa.SET_UP:
            messages.warning(request, "Your roles require two-factor sign-in. Set up an authenticator app to continue.")
            return redirect("mfa_activate_totp")
        messages.info(request, "Enter the code from your authenticator app to continue.")
        next_url = request.get_full_path() if request.method == "GET" else "/"
        return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")


class ViewAsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.view_as_actor = None
        state = request.session.get(view_as.SESSION_KEY)
        if state:
            refused = self._apply(request, state)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _apply(self, request, state: dict):
        actor = request.user
        if not actor.is_authenticated:
            request.session.pop(view_as.SESSION_KEY, None)
            return None
        target = get_user_model().objects.filter(pk=state.get("user_id")).first()
        expired = time.time() - state.get("started_at", 0) >= view_as.MAX_SECONDS
        if expired or not can_view_as(actor, target):
            request.session.pop(view_as.SESSION_KEY, None)
            ended_by = "30 minutes passed" if expired else "no longer allowed"
            view_as_stop(actor=actor, target_id=state.get("user_id"), ended_by=ended_by)
            messages.info(request, f"Viewing as another user ended: {ended_by}.")
            return None
        request.view_as_actor = actor
        request.user = target

        async def auser():
            return target

        request.auser = auser
        if request.method not in SAFE_METHODS and _url_name(request) not in VIEW_AS_WRITABLE_URL_NAMES:
            return self._refuse(request, target)
        return None

    @staticmethod
    def _refuse(request, target):
        message = "You are viewing the service as another user: it is read-only. Stop viewing as them to make changes."
        if _is_api(request):
            return problem_response(request, 403, code="view_as_read_only", detail=message)
        return render(
            request, "accounts/identity/view_as_refused.html", {"message": message, "viewed": target}, status=403
        )
