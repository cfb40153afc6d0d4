"""The chart component (and the audit timeline) in a real browser: axe finds nothing, tables hidden and shown."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template

from core.charts import bar_chart, line_chart
from core.models import AuditEvent

pytestmark = pytest.mark.browser

PORTAL_CSS = Path(settings.BASE_DIR) / "schools_portal" / "static" / "css" / "portal.css"
CHARTS_CSS = Path(settings.BASE_DIR) / "schools_portal" / "static" / "css" / "charts.css"
BOROUGHS = [
    "Barking and Dagenham", "Barnet", "Bexley", "Brent", "Bromley", "Camden", "City of London", "Croydon", "Ealing",
    "Enfield", "Greenwich", "Hackney", "Hammersmith and Fulham", "Haringey", "Harrow", "Havering", "Hillingdon",
    "Hounslow", "Islington", "Kensington and Chelsea", "Kingston upon Thames", "Lambeth", "Lewisham", "Merton",
    "Newham", "Redbridge", "Richmond upon Thames", "Southwark", "Sutton", "Tower Hamlets", "Waltham Forest",
    "Wandsworth", "Westminster",
]  # fmt: skip
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def timeline_events() -> list[AuditEvent]:
    """Unsaved events: the timeline template only reads them."""
    when = datetime.datetime(2026, 11, 25, 14, 5, tzinfo=datetime.UTC)
    return [
        AuditEvent(
            created_at=when, actor_label="head@school.example", verb="wand_request.submitted", to_state="submitted"
        ),
        AuditEvent(
            created_at=when + datetime.timedelta(days=1),
            actor_label="admin@vru.example",
            verb="wand_request.approved",
            from_state="submitted",
            to_state="approved",
            reason="Behaviour policy confirmed",
        ),
        AuditEvent(created_at=when + datetime.timedelta(days=2), actor_label="system", verb="access.lapsed"),
    ]


def charts_page() -> str:
    charts = [
        bar_chart(title="Wand requests by phase", series=[("Primary", 12), ("Secondary", 48), ("Special", 3)]),
        bar_chart(
            title="Schools that took up the wand offer, by borough",
            series=[(name, (index * 7) % 23) for index, name in enumerate(BOROUGHS)],
            label_heading="Borough",
            value_heading="Schools",
        ),
        bar_chart(title="Referrals by BCU", series=[("Central East", 3), ("North West", 14)], suppress_below=5),
        bar_chart(title="Returns", series=[("Jan", 0), ("Feb", 0)]),
        bar_chart(title="Nothing yet", series=[]),
        line_chart(
            title="Wands dispatched per month",
            points=list(zip(MONTHS, [5, 8, None, 12, 30, 31, 20, 2, 40, 42, 38, 10], strict=True)),
            label_heading="Month",
            value_heading="Wands",
        ),
        line_chart(title="Take-up", points=[("2025", 40.5), ("2026", 62.25)], unit="%"),
    ]
    body = Template(
        '{% load charts %}{% for c in charts %}{% if forloop.last %}{% chart c table="visible" %}'
        "{% else %}{% chart c %}{% endif %}{% endfor %}"
        '<h2 class="govuk-heading-m">History</h2>{% include "core/timeline.html" with events=events %}'
    ).render(Context({"charts": charts, "events": timeline_events()}))
    return (
        '<!DOCTYPE html><html lang="en" class="govuk-template"><head><meta charset="utf-8"><title>Charts</title>'
        '</head><body class="govuk-template__body"><div class="govuk-width-container">'
        '<main class="govuk-main-wrapper" id="main-content"><h1 class="govuk-heading-l">Charts</h1>'
        f"{body}</main></div></body></html>"
    )


def test_charts_have_no_axe_violations(page, axe_check):
    page.set_content(charts_page())
    page.add_style_tag(content=PORTAL_CSS.read_text())
    page.add_style_tag(content=CHARTS_CSS.read_text())
    # Six drawings for wide spaces (the empty chart has none), and the two line charts drawn again for narrow ones.
    assert page.locator(".portal-chart-wide svg.portal-chart").count() == 6
    assert page.locator(".portal-chart-narrow svg.portal-chart").count() == 2
    # The CSS reached the SVG: bars are GOV.UK blue, not the default black.
    assert page.locator(".portal-chart__bar").first.evaluate("el => getComputedStyle(el).fill") == "rgb(29, 112, 184)"
    assert page.get_by_role("img", name="Wand requests by phase").count() == 1
    assert page.get_by_text("No data yet.").count() == 1
    assert page.locator(".portal-timeline__item").count() == 3
    axe_check(page)

    for summary in page.locator("summary.govuk-details__summary").all():
        summary.click()
    assert page.locator("details[open]").count() == 5
    assert page.get_by_role("cell", name="fewer than 5").count() == 1
    axe_check(page)


ERROR_PATHS = {
    "/core-test/no-such-page": "Page not found",
    "/core-test/forbidden": "You do not have access to this page",
    "/core-test/suspicious": "Sorry, there is a problem with your request",
    "/core-test/rate-limited": "There have been too many attempts",
    "/core-test/broken": "Sorry, there is a problem with the service",
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.urls("tests.core.urls")
@pytest.mark.parametrize("path", ERROR_PATHS)
def test_error_pages_have_no_axe_violations(live_server, page, axe_check, path):
    """Each error page served for real (CSS and scripts loaded), then checked by axe."""
    page.goto(live_server.url + path)
    assert page.locator("h1").inner_text() == ERROR_PATHS[path]
    axe_check(page)


def test_on_a_phone_charts_switch_to_rows_and_narrow_drawings_with_readable_labels(page, axe_check):
    """At 320 CSS pixels an SVG drawn 640 wide shrank its labels to about 7 pixels (issue 16): charts show their
    narrow rendering instead, every label at least 12 pixels tall, and nothing scrolls the page sideways."""
    page.set_viewport_size({"width": 320, "height": 800})
    page.set_content(charts_page())
    page.add_style_tag(content=PORTAL_CSS.read_text())
    page.add_style_tag(content=CHARTS_CSS.read_text())
    assert page.locator(".portal-chart-wide:visible").count() == 0
    assert page.locator(".portal-hbars:visible").count() == 4  # the bar charts with data
    assert page.locator(".portal-chart-narrow svg:visible").count() == 2  # the line charts
    heights = page.evaluate(
        """() => Array.from(document.querySelectorAll(
            '.portal-chart-narrow text, .portal-hbars__label, .portal-hbars__value'))
          .filter(el => el.getClientRects().length > 0).map(el => el.getBoundingClientRect().height)"""
    )
    assert heights and min(heights) >= 12, sorted(heights)[:5]
    borough = page.locator(".portal-hbars__label", has_text="Kensington and Chelsea")
    assert borough.is_visible() and borough.inner_text() == "Kensington and Chelsea"  # whole, not cut short
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    axe_check(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    assert page.locator(".portal-chart-wide:visible").count() == 6
    assert page.locator(".portal-chart-narrow:visible").count() == 0
