"""RP-initiated logout: where the provider publishes an `end_session_endpoint` (and its settings do not turn it off),
signing out of the portal sends the person there too, and the provider sends them back to the portal's sign-in."""

from __future__ import annotations

import requests
from allauth.socialaccount.adapter import get_adapter
from django.urls import reverse
from django.utils.http import urlencode

from . import trust
from .provider import DiscoveryUnreadable, openid_configuration


def provider_logout_url(request) -> str | None:
    provider_id = request.session.get(trust.SESSION_PROVIDER_KEY)
    if not provider_id:
        return None
    app = next((a for a in get_adapter().list_apps(request, provider="sso") if a.provider_id == provider_id), None)
    if app is None or not app.settings.get("rp_logout", True):
        return None
    provider = app.get_provider(request)
    try:
        endpoint = openid_configuration(provider.server_url).get("end_session_endpoint")
    except (requests.RequestException, DiscoveryUnreadable):
        return None  # the portal's session still ends; the provider's is left as it is
    if not endpoint:
        return None
    back = request.build_absolute_uri(reverse("account_login"))
    return f"{endpoint}?{urlencode({'client_id': app.client_id, 'post_logout_redirect_uri': back})}"
