"""Confirming it's you without a portal password: a provider sign-in in this session within the last few minutes
(allauth's ACCOUNT_REAUTHENTICATION_TIMEOUT), made by going back through the provider with `prompt=login`."""

from __future__ import annotations

import time

from allauth.account import app_settings as account_settings
from allauth.account.authentication import get_authentication_records


def recent_provider_sign_in(request) -> dict | None:
    """The latest provider sign-in of this session if it is recent: {"provider", "two_factor"}; otherwise None."""
    now = time.time()
    for record in reversed(get_authentication_records(request, request.user)):
        if record.get("method") != "socialaccount":
            continue
        if now - record.get("at", 0) < account_settings.REAUTHENTICATION_TIMEOUT:
            return {"provider": record.get("provider"), "two_factor": record.get("two_factor") is True}
        return None
    return None
