"""Every page on a phone (WCAG 2.2 1.4.10 Reflow): the portal's own CSS and JavaScript make wide tables scroll inside
their own container and long email addresses wrap, with and without JavaScript, at 320 CSS pixels."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

pytestmark = pytest.mark.browser

STATIC = Path(settings.BASE_DIR) / "schools_portal" / "static"
HIDDEN = '<span class="govuk-visually-hidden"> of row one</span>'
ADDRESS = "stepping-stones-coordinator.for-the-whole-of-london@demo.schools-safety.london"
PAGE = f"""<!DOCTYPE html>
<html lang="en" class="govuk-template"><head><title>Reflow</title>
<link rel="stylesheet" href="/static/css/portal.css"></head>
<body class="govuk-template__body">
<script>document.body.className += ' js-enabled govuk-frontend-supported'</script>
<div class="govuk-width-container"><main class="govuk-main-wrapper" id="main-content">
<h1 class="govuk-heading-xl">{ADDRESS}</h1>
<div class="govuk-radios"><div class="govuk-radios__item">
  <input class="govuk-radios__input" id="who" name="who" type="radio" value="1">
  <label class="govuk-label govuk-radios__label" for="who">{ADDRESS}</label>
</div></div>
<table class="govuk-table">
  <caption class="govuk-table__caption govuk-table__caption--m">Requests</caption>
  <thead class="govuk-table__head"><tr class="govuk-table__row">
    {"".join(f'<th scope="col" class="govuk-table__header">Column number {n}</th>' for n in range(8))}
  </tr></thead>
  <tbody class="govuk-table__body"><tr class="govuk-table__row">
    {"".join(f'<td class="govuk-table__cell">Value{n}{HIDDEN}</td>' for n in range(8))}
  </tr></tbody>
</table>
</main></div>
<script type="module" src="/static/js/portal.js"></script>
</body></html>"""


def _serve(route):
    path = urlsplit(route.request.url).path
    if path == "/":
        route.fulfill(status=200, content_type="text/html", body=PAGE)
    elif path.startswith("/static/") and (STATIC / path.removeprefix("/static/")).is_file():
        kind = "text/css" if path.endswith(".css") else "text/javascript"
        route.fulfill(status=200, content_type=kind, body=(STATIC / path.removeprefix("/static/")).read_bytes())
    else:
        route.fulfill(status=404, body="")


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_nothing_scrolls_the_page_sideways_at_320_px(browser, javascript):
    context = browser.new_context(viewport={"width": 320, "height": 800}, java_script_enabled=javascript)
    context.route("http://reflow.test/**", _serve)
    page = context.new_page()
    page.goto("http://reflow.test/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert page.evaluate("document.querySelector('h1').getBoundingClientRect().right") <= 320
    assert page.evaluate("document.querySelector('.govuk-radios__label').getBoundingClientRect().right") <= 320
    table_scrolls = "(el => el.scrollWidth > el.clientWidth)"
    if javascript:
        container = page.locator(".portal-table-container")
        assert container.count() == 1
        assert container.get_attribute("role") == "region"
        assert container.get_attribute("aria-labelledby") == page.locator("caption").get_attribute("id")
        assert container.get_attribute("tabindex") == "0", "a container that scrolls takes keyboard focus"
        assert container.evaluate(table_scrolls)
        page.set_viewport_size({"width": 1600, "height": 800})
        page.wait_for_function("!document.querySelector('.portal-table-container').hasAttribute('tabindex')")
    else:
        assert page.locator(".portal-table-container").count() == 0
        assert page.locator("table").evaluate(table_scrolls)
    context.close()


UNCAPTIONED = f"""<!DOCTYPE html>
<html lang="en" class="govuk-template"><head><title>Reflow</title>
<link rel="stylesheet" href="/static/css/portal.css"></head>
<body class="govuk-template__body">
<script>document.body.className += ' js-enabled govuk-frontend-supported'</script>
<div class="govuk-width-container"><main class="govuk-main-wrapper" id="main-content">
<h1 class="govuk-heading-xl">Your sessions</h1>
<h2 class="govuk-heading-m">Signed in now</h2>
<table class="govuk-table">
  <thead class="govuk-table__head"><tr class="govuk-table__row">
    {"".join(f'<th scope="col" class="govuk-table__header">Column number {n}</th>' for n in range(8))}
  </tr></thead>
  <tbody class="govuk-table__body"><tr class="govuk-table__row">
    {"".join(f'<td class="govuk-table__cell">Value{n}</td>' for n in range(8))}
  </tr></tbody>
</table>
</main></div>
<script type="module" src="/static/js/portal.js"></script>
</body></html>"""


def _edge_shading(page, shaded: bytes, plain: bytes, *, left: bool) -> int:
    """How much the outermost 12 columns of pixels of one screenshot differ from another of the same table drawn
    without the cue (0 = no difference). The browser decodes the PNGs (no imaging library needed)."""
    import base64

    return page.evaluate(
        """async ([shaded, plain, left]) => {
            const pixels = async (data) => {
                const image = new Image()
                image.src = 'data:image/png;base64,' + data
                await image.decode()
                const canvas = document.createElement('canvas')
                canvas.width = image.width
                canvas.height = image.height
                const context = canvas.getContext('2d')
                context.drawImage(image, 0, 0)
                return context.getImageData(left ? 0 : image.width - 12, 0, 12, image.height).data
            }
            const [a, b] = [await pixels(shaded), await pixels(plain)]
            let difference = 0
            for (let i = 0; i < a.length; i += 4) difference += Math.abs(a[i] - b[i])
            return difference
        }""",
        [base64.b64encode(shaded).decode(), base64.b64encode(plain).decode(), left],
    )


def _with_and_without_cue(page, container, path):
    shaded = container.screenshot(path=path)
    page.add_style_tag(content=".portal-table-container { background: #fff !important }")
    plain = container.screenshot()
    page.evaluate("document.querySelectorAll('style').forEach(style => style.remove())")
    return shaded, plain


def test_a_table_that_scrolls_shows_it_on_the_edge_with_more_beyond(browser, tmp_path):
    """At 320 px the right edge of a wide table is shaded (its last columns are not simply absent); scrolled to the
    end, the shading moves to the left edge. Screenshots are saved for a person to look at."""
    context = browser.new_context(viewport={"width": 320, "height": 800})
    context.route("http://reflow.test/**", _serve)
    page = context.new_page()
    page.goto("http://reflow.test/")
    page.wait_for_load_state("networkidle")
    container = page.locator(".portal-table-container")
    shaded, plain = _with_and_without_cue(page, container, str(tmp_path / "table-320-start.png"))
    assert _edge_shading(page, shaded, plain, left=False) > 5000  # more table to the right: the right edge is shaded
    assert _edge_shading(page, shaded, plain, left=True) == 0  # nothing to the left
    # Keyboard users reach the region and scroll it with the arrow keys.
    page.keyboard.press("Tab")
    while page.evaluate("document.activeElement.className") != "portal-table-container":
        page.keyboard.press("Tab")
    for _ in range(40):
        page.keyboard.press("ArrowRight")
    at_end = "(el => el.scrollLeft + el.clientWidth >= el.scrollWidth - 1)"
    page.wait_for_function(f"{at_end}(document.querySelector('.portal-table-container'))")
    page.evaluate("document.activeElement.blur()")  # the focus outline is drawn on both edges
    shaded, plain = _with_and_without_cue(page, container, str(tmp_path / "table-320-end.png"))
    assert _edge_shading(page, shaded, plain, left=True) > 5000  # scrolled to the end: the left edge is shaded
    assert _edge_shading(page, shaded, plain, left=False) == 0
    page.screenshot(path=str(tmp_path / "page-320.png"), full_page=True)
    context.close()


def test_a_table_without_a_caption_is_named_after_the_heading_before_it(browser):
    def serve(route):
        path = urlsplit(route.request.url).path
        if path == "/":
            route.fulfill(status=200, content_type="text/html", body=UNCAPTIONED)
        else:
            _serve(route)

    context = browser.new_context(viewport={"width": 320, "height": 800})
    context.route("http://reflow.test/**", serve)
    page = context.new_page()
    page.goto("http://reflow.test/")
    page.wait_for_load_state("networkidle")
    container = page.locator(".portal-table-container")
    assert container.get_attribute("role") == "region"
    assert container.get_attribute("aria-label") == "Signed in now"
    assert container.get_attribute("tabindex") == "0"
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()
