"""The content security policy's `form-action` allows the configured providers' origins: a sign-in button posts to
the portal, which redirects to the provider, and browsers apply `form-action` to that redirect too (so does signing
out, which redirects to the provider's logout)."""

from urllib.parse import urlsplit

from .config import configured_apps


def provider_origins() -> list[str]:
    origins = []
    for app in configured_apps():
        parts = urlsplit(app.get("settings", {}).get("server_url", ""))
        if parts.scheme in {"https", "http"} and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return sorted(set(origins))


class ProviderFormActionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            origins = provider_origins()
            if origins:
                update = dict(getattr(response, "_csp_update", None) or {})
                update["form-action"] = [*update.get("form-action", []), *origins]
                response._csp_update = update
        return response
