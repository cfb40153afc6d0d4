"""Rendering a list's rows in one tag (docs/decisions.md, "List rows rendered in one tag"): helpers shared by the
apps' row tags, which build the same GOV.UK markup their templates had, escaped with `format_html`.

A list page's rows were most of its template time: per row, a `{% url %}` (a full `reverse()`), a dozen variable
lookups and filters, an include or a tag. A row tag reverses each link once per page (`url_maker`) and formats a row
in one call; the page's template keeps everything else.
"""

import html
from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeData

_MARKER = "9876543210"  # matches the int, str and slug converters


def url_maker(viewname: str, kwarg: str, **fixed) -> Callable[[object], str]:
    """`url = url_maker("schools:detail", "urn")`, then `url(school.urn)`: the URL `reverse()` gives, reversed once.
    The value is quoted as `reverse()` quotes it."""
    prefix, suffix = reverse(viewname, kwargs={**fixed, kwarg: _MARKER}).split(_MARKER)
    safe = RFC3986_SUBDELIMS + "/~:@"
    return lambda value: f"{prefix}{quote(str(value), safe=safe)}{suffix}"


def local_date(value, fmt: str) -> str:
    """`{{ value|date:fmt }}` as a template shows it: an aware datetime in the current time zone; "" for None."""
    if value is None:
        return ""
    if hasattr(value, "hour") and timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_filter(value, fmt)


def esc(value) -> str:
    """`{{ value }}` as a template shows it (numbers localized, then escaped), as a plain string, without
    `conditional_escape`'s lazy-wrapper cost (thousands of calls a page): safe strings and objects with `__html__` as
    they are, anything else escaped."""
    if isinstance(value, SafeData):
        return str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)  # what localize() gives an int then
    if not isinstance(value, str):
        value = formats.localize(value)
    return html.escape(str(value))
