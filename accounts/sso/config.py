"""The configured providers, read from settings (SOCIALACCOUNT_PROVIDERS["sso"]["APPS"], built from the environment)
without touching the database: pages and the middleware ask on every request."""

from __future__ import annotations

from django.conf import settings


def configured_apps() -> list[dict]:
    return list(getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}).get("sso", {}).get("APPS", []))


def configured_app(provider_id: str) -> dict | None:
    return next((app for app in configured_apps() if app.get("provider_id") == provider_id), None)
