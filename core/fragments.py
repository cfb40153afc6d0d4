"""Cached page fragments: the part of a page that reads the data (a list's rows, counts and pagination; a
dashboard's figures), rendered once and reused until a table it shows is written (core.data_versions).

    html = fragments.cached(
        request, "wands-queue", depends_on=("wands", "schools"), render=lambda: render_to_string(...)
    )

The key is the fragment's name, who is asking (the person, or "everyone" for `per_user=False`, which is only for
what is the same for every reader), the person viewing as them, the request's path and query string and anything in
`vary`. What is stored there is tagged with the versions of every table behind `depends_on`, the versions of the
person's facts (core.user_facts) and today's date, read with it in one cache call: a write to a shown table, a change
to the person's roles or a new day makes it stale, and another filter is another key.

What changes with the clock rather than with a write (an invitation expiring) is declared while rendering with
`changes_at(moment)`: the fragment is kept until then at most.

What a fragment must not hold, checked on every render: a CSRF token or a CSP nonce (they belong to one session or one
response: keep forms' opening tags and inline scripts outside the fragment). What must stay outside: the audit record
of who saw a pupil list (it is written on every view, cached or not).

Nothing is stored while the request's own open transaction has written a table the fragment shows (a rolled-back
write never reaches the cache), nor when caching is off (`settings.FRAGMENT_CACHE`: on where the cache is shared by
every process that writes, Redis; off with the per-process cache, where the worker's writes would not be seen). A
cache failure is a miss (core.cache): the fragment is rendered as if nothing were cached.
"""

import hashlib
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from . import data_versions
from .outage import log_outage

# The longest a fragment is kept whatever else happens: the backstop for a write made outside Django.
FRAGMENT_TTL_SECONDS = 300
_FORBIDDEN = ("csrfmiddlewaretoken", "nonce=")


# The moments at which what the fragment being rendered shows changes by itself (core.fragments.changes_at).
_changes: ContextVar[list[datetime] | None] = ContextVar("fragment_changes", default=None)


class FragmentError(ValueError):
    """A fragment holds something that belongs to one response."""


def _who(request, per_user: bool) -> tuple[tuple, tuple]:
    """Who the fragment is for (part of its key) and the versions of their facts (part of its tag)."""
    user = getattr(request, "user", None)
    if not per_user:
        return ("everyone",), ()
    if user is None or not user.is_authenticated:
        return ("anonymous",), ()
    from .user_facts import _USER_ATTRIBUTE, facts_for

    facts = getattr(user, _USER_ATTRIBUTE, None) or facts_for(user.pk)
    actor = getattr(request, "view_as_actor", None)
    return (user.pk, getattr(actor, "pk", None)), facts.versions


def key_for(request, name: str, who: tuple, vary: tuple = ()) -> str:
    """Where the fragment asked for is kept: its name, who asks, the path and query string, and `vary`."""
    parts = (who, request.path, sorted(request.GET.lists()), vary)
    return f"fragment:{name}:{hashlib.sha256(repr(parts).encode()).hexdigest()}"


def cached(
    request,
    name: str,
    *,
    depends_on: tuple[str, ...],
    render: Callable[[], str],
    per_user: bool = True,
    vary: tuple = (),
    params: frozenset[str] | None = None,
) -> SafeString:
    """The fragment `name` for this request: from the cache when nothing it shows has changed, else `render()` (a
    string of trusted HTML: a rendered template) and stored. `depends_on`: app labels ("wands") or models
    ("schools.School") whose tables the fragment reads, directly or through anything it calls. `params`: the query
    parameters the page reads; a request with any other is rendered and not stored (public pages: a visitor adding
    `?x=1`, `?x=2`… would otherwise fill the cache, and links that keep every parameter would show theirs to others).

    One cache call on a hit: the entry is kept tagged with what it was rendered at (the tables' versions, the person's
    facts' versions, the date), read together with the current versions, and used only when they are the same. The
    versions are read before anything is rendered, so a write meanwhile makes what is stored stale, never current."""
    if not getattr(settings, "FRAGMENT_CACHE", False) or (params is not None and not params.issuperset(request.GET)):
        return _checked(name, render())
    tables = data_versions.versions_for(tuple(depends_on))
    try:
        who, facts_versions = _who(request, per_user)
        key = key_for(request, name, who, vary)
        versions, found = data_versions.read(tables, [key])
    except Exception as error:  # noqa: BLE001 - a cache failure is a miss
        log_outage("cache:fragments", "page fragment not cached: rendered", error=error)
        return _checked(name, render())
    tag = (versions, facts_versions, timezone.localdate().isoformat())
    entry = found.get(key)
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == tag:
        return mark_safe(entry[1])  # noqa: S308 # nosec B308 B703 - what render() returned, checked when it was stored
    changes: list[datetime] = []
    token = _changes.set(changes)
    try:
        html = _checked(name, render())
    finally:
        _changes.reset(token)
    timeout = FRAGMENT_TTL_SECONDS
    if changes:
        timeout = min(timeout, int((min(changes) - timezone.now()).total_seconds()))
    if timeout > 0 and not data_versions.tables_written_in_transaction().intersection(tables):
        cache.set(key, (tag, str(html)), timeout)
    return html


def changes_at(moment: datetime | None) -> None:
    """Say, while a fragment renders, that what it shows changes by itself at `moment` without a write (an invitation
    stops being open when it expires): the fragment is not kept past it. Outside a fragment, nothing happens."""
    changes = _changes.get()
    if changes is not None and moment is not None:
        changes.append(moment)


def rendered(request, name: str, template: str, context: Callable[[], dict], **options) -> SafeString:
    """`cached` for the usual fragment: `template` rendered with `context()` (called only on a miss: the queries go
    there) and the request. `options` are `cached`'s (`depends_on` among them)."""
    return cached(request, name, render=lambda: render_to_string(template, context(), request=request), **options)


# Where a form in a fragment has its CSRF token: the token belongs to one session, so it is put in after the cache.
CSRF_PLACEHOLDER = "<!--csrf-token-->"


def with_csrf_token(request, html: str) -> SafeString:
    """The fragment with this request's CSRF token input wherever its template wrote CSRF_PLACEHOLDER (in place of
    `{% csrf_token %}`, which a fragment must not hold)."""
    from django.template.backends.utils import csrf_input

    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, str(csrf_input(request)))
    return mark_safe(html)  # noqa: S308 # nosec B308 B703 - render() output with a token input put in


# Where a fragment that carries its page's title (a school's name) turns from the title to the page (`titled`).
TITLE_END = "<!--title-end-->"


def titled(html: str) -> tuple[SafeString, SafeString] | None:
    """(title, body) of a fragment that begins with its page's title and TITLE_END; None when it holds no page: the
    fragment decided, from what is in its key, that this person may not see it (the view answers 404). Both pieces are
    escaped text or rendered HTML cut at a marker that escaped text cannot hold."""
    title, marker, body = html.partition(TITLE_END)
    if not marker:
        return None
    return mark_safe(title.strip()), mark_safe(body)  # noqa: S308 # nosec B308 B703 - render() output, cut at a marker


def has_error_summary(html: str) -> bool:
    """Whether a fragment holds GOV.UK's error summary (core/templates/govuk/error_summary.html): the page around a
    fragment that checks the request's filters puts "Error: " in its title from this. Escaped text cannot hold it."""
    return '<div class="govuk-error-summary"' in html


def _checked(name: str, html: str) -> SafeString:
    for forbidden in _FORBIDDEN:
        if forbidden in html:
            raise FragmentError(f"fragment {name!r} holds {forbidden!r}: keep it outside the cached part of the page")
    return mark_safe(html)  # noqa: S308 # nosec B308 B703 - render() returns a rendered template
