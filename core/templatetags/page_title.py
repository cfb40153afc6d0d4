"""`{% error_titled has_errors %}…{% enderror_titled %}`: a page title with the GOV.UK "Error: " prefix exactly once.

Base templates add the prefix when the page's form has errors, and some pages add it themselves for their other forms
(a filter form, a search form): the prefix is normalised here so a title never reads "Error: Error: …".
"""

import re

from django import template

register = template.Library()

_PREFIX = "Error: "
_LEADING_PREFIXES = re.compile(r"^\s*(?:Error:\s*)+")


def title_with_error_prefix(title: str, *, has_errors: bool) -> str:
    """The title with one "Error: " prefix when it has errors or already said so, never two."""
    stripped = _LEADING_PREFIXES.sub("", title)
    already_prefixed = stripped != title.lstrip()
    return f"{_PREFIX}{stripped}" if has_errors or already_prefixed else stripped


class _ErrorTitledNode(template.Node):
    def __init__(self, nodelist, has_errors):
        self.nodelist = nodelist
        self.has_errors = has_errors

    def render(self, context):
        return title_with_error_prefix(
            self.nodelist.render(context).strip(), has_errors=bool(self.has_errors.resolve(context))
        )


@register.tag
def error_titled(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("error_titled takes one argument: whether the page has errors")
    nodelist = parser.parse(("enderror_titled",))
    parser.delete_first_token()
    return _ErrorTitledNode(nodelist, parser.compile_filter(bits[1]))
