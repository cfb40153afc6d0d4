from django import template

from core.navigation import sub_navigation_items

register = template.Library()


@register.inclusion_tag("includes/sub_navigation.html", takes_context=True)
def sub_navigation(context, app_label: str, label: str):
    """`{% sub_navigation "wands" "Wands programme" %}`: the app's sub-navigation links this person may open."""
    return {"items": sub_navigation_items(app_label, context["request"]), "label": label}
