"""The crawl gate: every demo role, signed in through the real sign-in pages (two-factor with the demo secret), in
Chromium at 320 CSS pixels wide, visits every page its navigation, footer and the access matrix reach: breadth first
from the home page and the matrix's pages, following every link to a URL name it has not seen yet (so pages with
kwargs open with the demo objects they link to), then the matrix's pages no link reached, with the matrix's own
objects. One URL per URL name per role. It fails on
- a console error or a Content-Security-Policy violation;
- a link the role follows to a page that answers 4xx/5xx (a link the person cannot open);
- a failed request of the page's own (a 4xx/5xx for a script, style, image, font or icon; the favicon included);
- a page wider than the 320 px viewport (WCAG 2.2 1.4.10 Reflow);
- an axe violation (WCAG 2.2 A and AA rules), checked once per URL name (the other checks run for every role).

It prints the pages and roles it visited and each page's load time (printed, not asserted: timing belongs in bench/).
The demo data is `seed_demo` on a small register, so the crawl meets the data a person meets after `make run`.
"""

import io
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.db import OperationalError, transaction
from django.test import override_settings
from django.urls import Resolver404, resolve, reverse

from accounts import demo, roles
from core.access import collect_rows
from tests.access import url_kwargs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_SCHOOLS = 120  # enough for every programme's demo data (a Hackney secondary, primaries, four boroughs' officers)
VIEWPORT = {"width": 320, "height": 800}
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
OWN_RESOURCE_TYPES = {"script", "stylesheet", "image", "font", "other"}
# Where the crawl does not go: JSON and files (not pages), Django's own admin, static and uploaded files.
NOT_PAGES = ("/api/v1/", "/api/schema/", "/static/", "/media/", "/django-admin/", "/healthz")
NOT_PAGE_NAMES = {"healthz", "api-schema"}
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${where}`);
});
"""
WIDEST = """
() => {
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.right > window.innerWidth + 1 && box.width > 0) {
      const child = [...el.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 1);
      const classes = typeof el.className === "string" ? el.className.trim().split(/\\s+/).join(".") : "";
      if (!child) out.push(`${el.tagName.toLowerCase()}${classes ? "." + classes : ""} (${Math.round(box.right)} px)`);
    }
    if (out.length >= 3) break;
  }
  return out;
}
"""
ROLE_OF_DEMO_USER = {role: local for local, _name, role in demo.DEMO_USERS}


class Network:
    """Requests in flight on a page, to wait until the network is idle: nothing in flight for `QUIET` seconds.

    Playwright's own "networkidle" waits a fixed 500 ms after the last request: over 500 pages that alone is more than
    four minutes, most of the crawl's budget. The condition is the same, with a shorter quiet window."""

    QUIET = 0.1

    def __init__(self, page):
        self.page = page
        self.in_flight: set = set()
        self.last_change = time.monotonic()
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, request):
        self.in_flight.add(request)
        self.last_change = time.monotonic()

    def _ended(self, request):
        self.in_flight.discard(request)
        self.last_change = time.monotonic()

    def wait_until_idle(self, timeout=15.0):
        deadline = time.monotonic() + timeout
        while self.in_flight or time.monotonic() - self.last_change < self.QUIET:
            if time.monotonic() > deadline:
                pending = ", ".join(sorted(urlsplit(request.url).path for request in self.in_flight))
                raise TimeoutError(f"the network did not settle in {timeout:.0f} s (waiting for {pending})")
            self.page.wait_for_timeout(20)


@dataclass
class Crawl:
    base: str
    failures: list[str] = field(default_factory=list)
    axe_checked: set[str] = field(default_factory=set)
    timings: list[tuple[str, str, int]] = field(default_factory=list)
    visited: dict[str, set[str]] = field(default_factory=dict)
    unreached: dict[str, set[str]] = field(default_factory=dict)
    built: dict[str, str | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    icons_checked: set[str] = field(default_factory=set)
    phase: dict = field(default_factory=lambda: {"load": 0.0, "idle": 0.0, "axe": 0.0, "sign_in": 0.0})

    def fail(self, role, url, check, detail):
        self.failures.append(f"{url} [{role}] {check}: {detail}")


def _url_name(path):
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def _is_page(path):
    return not path.startswith(NOT_PAGES)


def _is_page_row(row):
    namespace = row.url_name.rpartition(":")[0]
    return not (namespace.endswith("-api") or row.url_name.startswith("api-") and row.url_name != "api-docs")


def _matrix_names(role):
    """Every page URL name the access matrix promises this role a 200 for (with or without kwargs)."""
    names = {row.url_name for row in collect_rows() if _is_page_row(row) and row.status_for(role) == 200}
    return {name for name in names if name not in NOT_PAGE_NAMES}


def _matrix_object_path(crawl, row):
    """A page with kwargs that no link reached, with the access matrix's own objects (built once, in the crawl's
    database beside the demo data); None when they cannot be built there."""
    if row.url_name not in crawl.built:
        path = None
        for attempt in range(3):
            try:
                with transaction.atomic():
                    path = reverse(row.url_name, kwargs=url_kwargs(row)) + (f"?{row.query}" if row.query else "")
                break
            except OperationalError as exc:  # SQLite: the live server's thread still holds the table for a moment
                if attempt == 2:
                    crawl.notes.append(f"{row.url_name}: the matrix's objects could not be built ({exc})")
                time.sleep(0.5)
            except Exception as exc:  # noqa: BLE001 - reported in the printout, not a failure of the page
                crawl.notes.append(
                    f"{row.url_name}: the matrix's objects could not be built beside the demo data ({exc})"
                )
                break
        crawl.built[row.url_name] = path
    return crawl.built[row.url_name]


def _matrix_urls(role):
    """URL names without kwargs the access matrix promises this role a 200 for (pages, not the API)."""
    urls = []
    for row in collect_rows():
        if row.kwargs is None and row.status_for(role) == 200:
            path = reverse(row.url_name)
            if _is_page(path):
                urls.append(path + (f"?{row.query}" if row.query else ""))
    return urls


class Tab:
    """A browser page 320 CSS px wide, listening for what the checks need: console errors, CSP violations, the
    page's own failed requests and the requests in flight."""

    def __init__(self, crawl, browser):
        self.base = crawl.base
        self.context = browser.new_context(viewport=VIEWPORT)
        self.context.add_init_script(CSP_LISTENER)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.network = Network(self.page)
        self.own_failures: list[str] = []
        self.console_errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.console_errors.append(f"uncaught: {exc}"))
        self.page.on("response", self._response)
        self.page.on("requestfailed", self._request_failed)

    def _own(self, request):
        parts = urlsplit(request.url)
        return request.resource_type in OWN_RESOURCE_TYPES and f"{parts.scheme}://{parts.netloc}" == self.base

    def _console(self, msg):
        # The page's own status is checked from its response; Chromium logs it again as a console error.
        source = msg.location.get("url") or ""
        if msg.type == "error" and not (msg.text.startswith("Failed to load resource") and source == self.page.url):
            self.console_errors.append(msg.text)

    def _response(self, response):
        if response.status >= 400 and self._own(response.request):
            kind = response.request.resource_type
            self.own_failures.append(f"{kind} {urlsplit(response.url).path} answered {response.status}")

    def _request_failed(self, request):
        if self._own(request):
            self.own_failures.append(f"{request.resource_type} {urlsplit(request.url).path}: {request.failure}")

    def settle(self):
        self.page.wait_for_load_state("load")
        self.network.wait_until_idle()

    def close(self):
        self.context.close()


def _sign_in(tab, role):
    if role == roles.ANONYMOUS:
        return
    page = tab.page
    page.goto(tab.base + reverse("account_login"))
    page.locator("input[name=login]").fill(demo.demo_email(ROLE_OF_DEMO_USER[role]))
    page.locator("input[name=password]").fill(demo.DEMO_PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    tab.settle()
    if page.locator("input[name=code]").count():
        code = format_hotp_value(hotp_value(demo.DEMO_TOTP_SECRET, int(time.time()) // 30))
        page.locator("input[name=code]").fill(code)
        page.locator("main form button[type=submit]").first.click()
        tab.settle()
    signed_in = page.locator(f"a[href='{reverse('account_logout')}']").count()
    assert signed_in, f"{role} could not sign in ({page.url})"


def _visit(crawl, tab, role, path, *, answer_expected=True):
    """Load one page and run the checks; returns the links on it. With `answer_expected=False` (the matrix's own
    objects, which may not suit the demo user) a 4xx is noted, not a failure, and the page is not checked."""
    page = tab.page
    tab.own_failures.clear()
    tab.console_errors.clear()
    started = time.monotonic()
    try:
        response = page.goto(crawl.base + path, wait_until="load", timeout=30_000)
        loaded = time.monotonic()
        tab.network.wait_until_idle()
        crawl.phase["load"] += loaded - started
        crawl.phase["idle"] += time.monotonic() - loaded
    except Exception as exc:  # noqa: BLE001 - a download, or a page that never settles
        if "Download is starting" not in str(exc):
            crawl.fail(role, path, "load", str(exc).splitlines()[0])
        return []
    elapsed = int((time.monotonic() - started) * 1000)
    if response is None or "text/html" not in (response.headers.get("content-type") or ""):
        return []
    if response.status >= 400 and not answer_expected:
        crawl.notes.append(f"{path} [{role}] answered {response.status} with the access matrix's objects")
        return None
    crawl.timings.append((path, role, elapsed))
    crawl.visited.setdefault(role, set()).add(path)
    if response.status >= 400:
        crawl.fail(role, path, "status", f"the page answered {response.status}")
    for message in tab.console_errors:
        crawl.fail(role, path, "console error", message)
    for violation in page.evaluate("window.__cspViolations || []"):
        crawl.fail(role, path, "CSP violation", violation)
    for failure in tab.own_failures:
        crawl.fail(role, path, "failed request", failure)
    _check_icon(crawl, page, role, path)
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > VIEWPORT["width"]:
        crawl.fail(role, path, "wider than 320 px", f"{width} px: " + ", ".join(page.evaluate(WIDEST)))
    name = _url_name(urlsplit(path).path) or path
    if name not in crawl.axe_checked:
        crawl.axe_checked.add(name)
        axe_started = time.monotonic()
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
        crawl.phase["axe"] += time.monotonic() - axe_started
        for violation in results.response.get("violations", []):
            targets = "; ".join(str(node["target"][0]) for node in violation["nodes"][:3])
            crawl.fail(role, path, "axe", f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
    return page.eval_on_selector_all("a[href]:not([download])", "links => links.map((a) => a.href)")


def _check_icon(crawl, page, role, path):
    """The favicon (the page's icon links, or /favicon.ico where it has none, as browsers ask) must load."""
    hrefs = page.eval_on_selector_all("link[rel~=icon]", "links => links.map((l) => l.href)") or [
        crawl.base + "/favicon.ico"
    ]
    for href in hrefs:
        if href in crawl.icons_checked:
            continue
        crawl.icons_checked.add(href)
        status = page.evaluate("href => fetch(href).then((r) => r.status, () => 0)", href)
        if not 200 <= status < 400:
            crawl.fail(role, path, "failed request", f"icon {urlsplit(href).path} answered {status}")


def _crawl_role(crawl, browser, role):
    tab = Tab(crawl, browser)
    sign_in_started = time.monotonic()
    _sign_in(tab, role)
    crawl.phase["sign_in"] += time.monotonic() - sign_in_started

    # Breadth first from the home page, the matrix's pages and whatever they link to: one URL per URL name.
    queue = ["/", *_matrix_urls(role)]
    seen_names: set[str] = set()
    while queue:
        path = queue.pop(0)
        name = _url_name(urlsplit(path).path) or path
        if name in seen_names:
            continue
        seen_names.add(name)
        for href in _visit(crawl, tab, role, path):
            parts = urlsplit(urljoin(crawl.base + path, href))
            if f"{parts.scheme}://{parts.netloc}" != crawl.base or not _is_page(parts.path):
                continue
            link_name = _url_name(parts.path)
            if link_name is not None and link_name not in seen_names:
                queue.append(parts.path)
    # Pages no link reached (a decision form, a token link): with the access matrix's own objects.
    rows = {row.url_name: row for row in collect_rows() if row.kwargs is not None}
    for name in sorted(_matrix_names(role) - seen_names):
        path = _matrix_object_path(crawl, rows[name]) if name in rows else None
        if path is not None and _visit(crawl, tab, role, path, answer_expected=False) is not None:
            seen_names.add(name)
    tab.close()
    crawl.unreached[role] = _matrix_names(role) - seen_names


def test_every_page_for_every_demo_role(live_server, browser, capsys):
    with override_settings(DEBUG=True):
        call_command("seed_demo", schools=DEMO_SCHOOLS, stdout=io.StringIO())
    crawl = Crawl(base=live_server.url)
    started = time.monotonic()
    for role in [roles.ANONYMOUS, *ROLE_OF_DEMO_USER]:
        _crawl_role(crawl, browser, role)
    total = time.monotonic() - started
    pages = sum(len(paths) for paths in crawl.visited.values())
    with capsys.disabled():
        print(
            f"\ncrawl: {pages} (page, role) pairs, {len(crawl.visited)} roles, {len(crawl.axe_checked)} URL names "
            f"checked with axe, in {total:.0f} s"
        )
        print("  " + ", ".join(f"{k} {v:.0f} s" for k, v in crawl.phase.items()))
        for role, paths in crawl.visited.items():
            unreached = sorted(crawl.unreached.get(role, ()))
            print(f"  {role}: {len(paths)} pages; in the access matrix but not visited: {len(unreached)}")
            if unreached:
                print("    " + ", ".join(unreached))
        for note in crawl.notes:
            print(f"  note: {note}")
        for path, role, elapsed in sorted(crawl.timings, key=lambda t: -t[2]):
            print(f"  {elapsed:>6} ms  {role:<28} {path}")
    assert not crawl.failures, f"{len(crawl.failures)} problem(s):\n" + "\n".join(crawl.failures)


BROKEN_PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Broken</title><link rel="icon" href="/icon.png"></head>
<body><main><h1>Broken</h1>
<p style="color: #d4351c">An inline style.</p>
<img src="/missing.png" alt="A missing image">
<img src="/also-missing.png">
<p>WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW</p>
<script src="/boom.js"></script>
</main></body></html>"""


def test_the_checks_catch_each_kind_of_problem(browser):
    """The gate itself: one page with every kind of problem, served through the browser's routing, fails each check."""
    crawl = Crawl(base="http://crawl.test")
    tab = Tab(crawl, browser)

    def serve(route):
        path = urlsplit(route.request.url).path
        if path == "/":
            headers = {"Content-Security-Policy": "default-src 'self'"}
            route.fulfill(status=200, content_type="text/html", headers=headers, body=BROKEN_PAGE)
        elif path == "/boom.js":
            route.fulfill(status=200, content_type="text/javascript", body="throw new Error('boom')")
        else:
            route.fulfill(status=404, content_type="text/plain", body="Not found")

    tab.context.route("http://crawl.test/**", serve)
    _visit(crawl, tab, "anonymous", "/")
    tab.close()
    report = "\n".join(crawl.failures)
    for expected in (
        "console error: uncaught: boom",
        "CSP violation: style-src-attr blocked inline",
        "failed request: image /missing.png answered 404",
        "failed request: icon /icon.png answered 404",
        "wider than 320 px",
        "axe: image-alt",
    ):
        assert expected in report, f"{expected!r} not caught:\n{report}"
