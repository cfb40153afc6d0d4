"""core.chart_html builds a chart's HTML (a bar chart without the template engine), and `{% chart %}` is it: the same
bytes as the chart templates rendered before the two were made one (tests/core/snapshots/charts/, saved from
core/templates/core/charts/bar.html and its includes when every bar went through the template engine).

A chart meant to look different gets new snapshots: `UPDATE_CHART_SNAPSHOTS=1 .venv/bin/pytest
tests/core/test_chart_html.py`, and the diff is reviewed like code."""

import os
import re
from decimal import Decimal
from pathlib import Path

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


SNAPSHOTS = Path(__file__).resolve().parent / "snapshots" / "charts"


def template_rendering(chart, table):
    return Template("{% load charts %}{% chart chart table=table %}").render(Context({"chart": chart, "table": table}))


def snapshot(name, table) -> Path:
    return SNAPSHOTS / (re.sub(r"[^a-z0-9]+", "-", f"{name} {table}".lower()).strip("-") + ".html")


@pytest.mark.parametrize("table", ["details", "visible"])
@pytest.mark.parametrize("name", list(CHARTS))
def test_the_same_bytes_as_before(name, table, settings):
    chart = CHARTS[name]()
    if os.environ.get("UPDATE_CHART_SNAPSHOTS"):
        snapshot(name, table).write_text(chart_html(chart, table))
    expected = snapshot(name, table).read_text()
    assert chart_html(chart, table) == expected
    assert template_rendering(chart, table) == expected
    settings.USE_THOUSAND_SEPARATOR = True  # the coordinates are never localised
    assert chart_html(chart, table) == expected
    assert template_rendering(chart, table) == expected


def test_the_snapshots_are_charts():
    many = snapshot("many bars, a unit word", "details").read_text()
    assert many.count('<rect class="portal-chart__bar"') == 300 - sum(1 for i in range(300) if i * 7 % 113 < 5)
    assert "Show the data as a table" in many and 'class="portal-hbars__row"' in many
    assert "&lt;x&gt;" in many and "<x>" not in many
    assert "No data yet." in snapshot("empty", "details").read_text()
    assert (
        "<polyline" in snapshot("a line chart", "visible").read_text()
        or "<path" in snapshot("a line chart", "visible").read_text()
    )
