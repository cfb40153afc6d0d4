"""Which provider may vouch for which email addresses, and what a provider sign-in proved (read from its settings
in SOCIALACCOUNT_PROVIDERS, built from the environment in schools_portal/settings/base.py)."""

from __future__ import annotations

SESSION_PROVIDER_KEY = "sso.provider"  # the provider this session signed in with (for signing out there too)
SESSION_ORGANISATION_KEY = "sso.organisation"  # DfE Sign-in's organisation claim, as the portal reads it


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower() if email and "@" in email else ""


def email_trusted(app_settings: dict, claims: dict, email: str | None) -> bool:
    """True when this provider may assert this address: its domain is one the provider's settings list, and for a
    provider pinned to a tenant (Entra ID) the token's `tid` is that tenant. A bare `email` claim from any tenant is
    never enough: that is the "nOAuth" account takeover."""
    domain = email_domain(email or "")
    if not domain:
        return False
    domains = {d.strip().lower() for d in app_settings.get("trusted_email_domains", []) if d.strip()}
    if domain not in domains:
        return False
    tenant_id = app_settings.get("tenant_id", "")
    return not tenant_id or claims.get("tid") == tenant_id
