"""The cached parts of the Stepping Stones pages (core.fragments): what a page reads and renders from the data, kept
until a table it shows is written; what must run on every request (permission checks, 404s, the access record of a
pupil list, forms with their CSRF token) stays in the view.

Every fragment here is per person (core.fragments' default): lists may show pupils' names to leads. Never
`per_user=False` on these pages.
"""

import json
from collections.abc import Callable

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe

from core import fragments

# What the pages read: the programme's tables, the register (school names, phases) and, where the rows depend on the
# schools a person leads (memberships, duties), people and roles.
PROGRAMME = ("stepping_stones", "schools")
PROGRAMME_AND_PEOPLE = ("stepping_stones", "schools", "accounts")


def fragment(request, name: str, *, template: str, context: Callable[[], dict], depends_on: tuple[str, ...]):
    """`template` rendered with `context()` (called only on a miss: the queries go there) and the request (for the
    pagination links); core.fragments refuses a fragment holding a CSP nonce or a CSRF token."""
    return fragments.rendered(request, name, template, context, depends_on=depends_on)


def fragment_with_references(
    request, name: str, *, depends_on: tuple[str, ...], render: Callable[[], tuple[str, list[str]]]
) -> tuple[SafeString, list[str]]:
    """A pupil list's fragment and the references of the rows it shows, for the access record the view writes on every
    view (cached or not): `render()` returns (html, references); both are kept in the one cached value, the references
    as a JSON list on its first line (JSON never holds a raw newline)."""

    def both() -> str:
        html, references = render()
        return json.dumps([str(reference) for reference in references]) + "\n" + html

    stored = fragments.cached(request, name, depends_on=depends_on, render=both)
    head, _, html = str(stored).partition("\n")
    return mark_safe(html), json.loads(head)  # noqa: S308 # nosec B308 B703 - a rendered template, checked by fragments


# Where a large fragment goes in its page (an HTML comment: escaped data can never hold "<").
_PLACEHOLDER = "<!--stepping-stones:fragment-->"


def page_around(request, template: str, content: str) -> HttpResponse:
    """The page `template` with `content` (a large fragment: the dashboard's is megabytes) as its `{{ content }}`,
    put into the response's bytes once instead of being copied through every level of the template (each level joins
    its nodes into a new string): the page is rendered with a placeholder, which is replaced."""
    response = render(request, template, {"content": mark_safe(_PLACEHOLDER)})  # noqa: S308 # nosec B308 B703
    before, found, after = response.content.partition(_PLACEHOLDER.encode())
    if not found:
        raise ValueError(f"{template} does not show {{{{ content }}}}")
    response.content = b"".join((before, str(content).encode(response.charset), after))
    return response
