"""`{% load two_factor %}{% if request.user|two_factor_required %}`: whether the person's roles require two-factor
sign-in (accounts.identity.roles_bridge), so a page does not offer what the service would refuse."""

from django import template

register = template.Library()


@register.filter
def two_factor_required(user) -> bool:
    from accounts.identity.roles_bridge import requires_two_factor

    return bool(user is not None and user.is_authenticated and requires_two_factor(user))
