"""core.chart_html builds a bar chart's HTML without the template engine: the same bytes as `{% chart %}`."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from core.chart_html import chart_html
from core.charts import bar_chart, line_chart

CHARTS = {
    "horizontal, suppressed, escaped": lambda: bar_chart(
        title="Places <filled> & by school",
        series=[("A & B <school>", 3), ("A school with a very long name that the picture shortens", 120), ("C", 0)],
        orientation="horizontal",
        suppress_below=5,
    ),
    "vertical, negative, decimals, unit": lambda: bar_chart(
        title="Change", series=[("a", 1.5), ("b", -2.25), ("c", Decimal("3.1"))], unit="%"
    ),
    "vertical, suppressed": lambda: bar_chart(
        title="Few", series=[("a", 10), ("b", 2)], suppress_below=5, orientation="vertical"
    ),
    "many bars, a unit word": lambda: bar_chart(
        title="Many",
        series=[(f"School {i} <x>", i * 7 % 113) for i in range(300)],
        orientation="horizontal",
        suppress_below=5,
        unit="pupils",
    ),
    "large values": lambda: bar_chart(title="Big", series=[("x", 1234567), ("y", -5000)], orientation="horizontal"),
    "all zero": lambda: bar_chart(title="Zero", series=[("x", 0), ("y", 0)]),
    "empty": lambda: bar_chart(title="Nothing", series=[]),
    "a line chart": lambda: line_chart(title="Line", points=[("Jan", 1), ("Feb", 3)]),
}


def template_rendering(chart, table):
    return Template("{% load charts %}{% chart chart table=table %}").render(Context({"chart": chart, "table": table}))


@pytest.mark.parametrize("table", ["details", "visible"])
@pytest.mark.parametrize("name", list(CHARTS))
def test_the_same_bytes_as_the_chart_tag(name, table, settings):
    chart = CHARTS[name]()
    assert chart_html(chart, table) == template_rendering(chart, table)
    settings.USE_THOUSAND_SEPARATOR = True  # the coordinates are never localised, in either
    assert chart_html(chart, table) == template_rendering(chart, table)
