"""`{% load referrals %}`: templates ask the model's workflow declaration (core.workflow) instead of comparing status
strings: `{% if referral|status_allows:"confirm_place" %}` (whoever is looking)."""

from django import template

from core import workflow

register = template.Library()


@register.filter
def status_allows(obj, action: str) -> bool:
    """Whether the object's status allows the named action of its model's ACTIONS."""
    return workflow.status_allows(obj, action)
