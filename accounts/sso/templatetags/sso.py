from django import template
from django.urls import reverse

from accounts.sso.config import configured_apps

register = template.Library()


@register.simple_tag
def sso_providers() -> list[dict]:
    """The configured single sign-on providers, in settings order, for sign-in buttons (none when none is set up)."""
    return [
        {
            "id": app["provider_id"],
            "name": app["name"],
            "button": app["settings"].get("button") or f"Sign in with {app['name']}",
            "audience": app["settings"].get("audience", ""),
            "url": reverse("sso_login", kwargs={"provider_id": app["provider_id"]}),
        }
        for app in configured_apps()
    ]
