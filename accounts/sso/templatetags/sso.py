from allauth.socialaccount.adapter import get_adapter
from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def sso_providers(context) -> list[dict]:
    """The configured single sign-on providers, in settings order, for sign-in buttons (none when none is set up)."""
    request = context.get("request")
    return [
        {
            "id": app.provider_id,
            "name": app.name,
            "button": app.settings.get("button") or f"Sign in with {app.name}",
            "audience": app.settings.get("audience", ""),
            "url": reverse("sso_login", kwargs={"provider_id": app.provider_id}),
        }
        for app in get_adapter().list_apps(request, provider="sso")
    ]
