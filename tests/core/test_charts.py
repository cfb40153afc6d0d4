"""Charts: geometry from the data, round axis ticks, escaped labels, the same data as a table, empty and zero data."""

import re
from decimal import Decimal

import pytest
from django.template import Context, Template

from core.charts import bar_chart, format_number, line_chart, nice_ticks

BOROUGHS = [("Camden", 3), ("Westminster", 42), ("Hackney", 17), ("Islington", 0)]


def render(chart, table="details"):
    return Template("{% load charts %}{% chart c table=t %}").render(Context({"c": chart, "t": table}))


@pytest.mark.parametrize(
    ("low", "high", "integers", "expected"),
    [
        (0, 42, True, [0, 10, 20, 30, 40, 50]),
        (0, 3, True, [0, 1, 2, 3]),
        (0, 0, True, [0, 1]),
        (0, 0.37, False, [0, 0.1, 0.2, 0.3, 0.4]),
        (0, 101, True, [0, 25, 50, 75, 100, 125]),
        (-12, 97, True, [-25, 0, 25, 50, 75, 100]),
        (0, 11, True, [0, 5, 10, 15]),
        (5, 9, True, [0, 2, 4, 6, 8, 10]),  # the axis always starts at 0
    ],
)
def test_nice_ticks(low, high, integers, expected):
    ticks = nice_ticks(low, high, integers=integers)
    assert ticks == expected
    assert len(ticks) <= 6
    assert ticks[0] <= min(low, 0) and ticks[-1] >= high


def test_format_number():
    assert [format_number(v) for v in (0, 42, 1234, 2.5, 0.125, 1_000_000.0)] == [
        "0",
        "42",
        "1,234",
        "2.5",
        "0.13",
        "1,000,000",
    ]


def test_vertical_bar_heights_are_proportional_to_values():
    chart = bar_chart(title="Schools by borough", series=BOROUGHS, orientation="vertical")
    assert not chart.horizontal
    bars = {bar.label: bar for bar in chart.bars}
    axis_height = chart.plot_bottom - chart.plot_top  # 0..50
    assert bars["Westminster"].height == pytest.approx(axis_height * 42 / 50, abs=0.1)
    assert bars["Camden"].height == pytest.approx(axis_height * 3 / 50, abs=0.1)
    assert bars["Westminster"].height / bars["Hackney"].height == pytest.approx(42 / 17, rel=0.01)
    assert bars["Islington"].height == 0
    # Every bar stands on the zero line, in order from the left, inside the plot.
    for bar in chart.bars:
        assert bar.y + bar.height == pytest.approx(chart.zero, abs=0.1)
        assert chart.plot_left <= bar.x and bar.x + bar.width <= chart.plot_right
    xs = [bar.x for bar in chart.bars]
    assert xs == sorted(xs)
    assert [tick.value for tick in chart.ticks] == [0, 10, 20, 30, 40, 50]
    assert chart.ticks[0].position == chart.zero
    assert chart.ticks[-1].position == chart.plot_top


def test_horizontal_bar_lengths_are_proportional_to_values():
    chart = bar_chart(title="Schools by borough", series=BOROUGHS, orientation="horizontal")
    assert chart.horizontal
    bars = {bar.label: bar for bar in chart.bars}
    axis_length = chart.plot_right - chart.plot_left
    assert bars["Westminster"].width == pytest.approx(axis_length * 42 / 50, abs=0.1)
    assert bars["Westminster"].width / bars["Camden"].width == pytest.approx(14, rel=0.01)
    ys = [bar.y for bar in chart.bars]
    assert ys == sorted(ys)
    for bar in chart.bars:
        assert bar.x == chart.zero


def test_negative_values_hang_below_the_zero_line():
    chart = bar_chart(title="Change in stock", series=[("Returned", 12), ("Lost", -4)], orientation="vertical")
    returned, lost = chart.bars
    assert returned.y + returned.height == pytest.approx(chart.zero, abs=0.1)
    assert lost.y == pytest.approx(chart.zero, abs=0.1)
    assert lost.height == pytest.approx(returned.height / 3, abs=0.2)
    assert chart.ticks[0].value < 0


def test_many_or_long_labels_turn_the_chart_horizontal():
    assert not bar_chart(title="t", series=[("Jan", 1), ("Feb", 2)]).horizontal
    thirty_three = [(f"London borough number {index}", index) for index in range(33)]
    assert bar_chart(title="t", series=thirty_three).horizontal
    assert bar_chart(title="t", series=[("Barking and Dagenham", 1), ("Kensington and Chelsea", 2)] * 4).horizontal


def test_long_labels_are_shortened_in_the_picture_but_whole_in_the_table():
    name = "The Very Long Name Church of England Voluntary Aided Primary School and Nursery"
    chart = bar_chart(title="t", series=[(name, 5)], orientation="horizontal")
    bar = chart.bars[0]
    assert bar.short_label.endswith("…") and len(bar.short_label) < len(name)
    html = render(chart)
    assert f">{name}</th>" in html


def test_labels_and_title_are_escaped():
    chart = bar_chart(title='Schools <script>alert("t")</script>', series=[("<b>Camden</b> & Co", 3)])
    html = render(chart)
    assert "<script>" not in html
    assert "<b>" not in html
    assert "&lt;b&gt;Camden&lt;/b&gt; &amp; Co" in html
    assert "Schools &lt;script&gt;" in html


def test_svg_is_an_image_named_by_its_title_and_summary():
    chart = bar_chart(
        title="Schools by borough", series=BOROUGHS, unit="schools", label_heading="Borough", value_heading="Schools"
    )
    html = render(chart)
    [svg] = re.findall(r"<svg [^>]*>", html)
    assert 'role="img"' in svg
    assert f'aria-labelledby="{chart.chart_id}-title {chart.chart_id}-desc"' in svg
    assert f'<title id="{chart.chart_id}-title">Schools by borough</title>' in html
    desc = re.search(r'<desc id="[^"]+">(.*?)</desc>', html).group(1)
    assert desc == (
        "Bar chart of 4 values. Highest: Westminster, 42 schools. Lowest: Islington, 0 schools. Total: 62 schools."
    )


def test_table_has_every_label_and_value():
    chart = bar_chart(title="Schools by borough", series=BOROUGHS, unit="schools", value_heading="Schools")
    for table in ("details", "visible"):
        html = render(chart, table)
        rows = re.findall(r'<th scope="row" class="govuk-table__header">(.*?)</th>\s*<td[^>]*>(.*?)</td>', html)
        assert rows == [(label, f"{value} schools") for label, value in BOROUGHS]
        assert '<th scope="col" class="govuk-table__header govuk-table__header--numeric">Schools</th>' in html
    assert "govuk-details" in render(chart, "details")
    assert "govuk-details" not in render(chart, "visible")


def test_numbers_are_not_localised_in_svg_coordinates(settings):
    settings.LANGUAGE_CODE = "de"
    settings.USE_THOUSAND_SEPARATOR = True
    chart = bar_chart(title="t", series=[("a", 1234.5), ("b", 3)], orientation="vertical")
    html = render(chart)
    coordinates = re.findall(r' (?:x|y|width|height)="([^"]*)"', html)
    assert coordinates and all(re.fullmatch(r"-?\d+(\.\d+)?", value) for value in coordinates), coordinates


def test_empty_data_says_no_data_yet():
    for chart in (bar_chart(title="Wands", series=[]), line_chart(title="Wands", points=[])):
        assert chart.empty
        html = render(chart)
        assert "No data yet." in html
        assert "<svg" not in html
        assert "<table" not in html


def test_all_zero_values_draw_an_axis_and_no_bars():
    chart = bar_chart(title="Wands", series=[("Jan", 0), ("Feb", 0)])
    assert [tick.value for tick in chart.ticks] == [0, 1]
    assert all(bar.height == 0 for bar in chart.bars)
    assert chart.description == "Bar chart of 2 values. All values are 0. Total: 0."
    html = render(chart)
    assert html.count("<td") == 2


def test_suppressed_counts_are_not_drawn_or_totalled():
    chart = bar_chart(
        title="Referrals by borough", series=[("Camden", 2), ("Brent", 12), ("Ealing", 7)], suppress_below=5
    )
    camden = chart.bars[0]
    assert camden.suppressed and camden.value is None and camden.height == 0 and camden.width == 0
    assert camden.value_label == "fewer than 5"
    html = render(chart)
    assert ">2<" not in html and ">2 " not in html
    assert "fewer than 5" in html
    assert "Total" not in chart.description
    assert "1 shown as fewer than 5" in chart.description
    assert html.count('class="portal-chart__bar"') == 2


def test_unit_and_value_format():
    chart = bar_chart(title="Take-up", series=[("Inner", 45.5), ("Outer", 30)], unit="%")
    assert [bar.value_label for bar in chart.bars] == ["45.5%", "30%"]
    assert chart.ticks[-1].label == "50%"
    chart = bar_chart(title="Money", series=[("Wands", 1200)], value_format=lambda value: f"£{value:,.0f}")
    assert chart.bars[0].value_label == "£1,200"


def test_database_numbers_are_accepted():
    chart = bar_chart(title="Average wands", series=[("Inner", Decimal("2.50")), ("Outer", 4)])
    assert [bar.value_label for bar in chart.bars] == ["2.5", "4"]
    assert chart.bars[1].height / chart.bars[0].height == pytest.approx(4 / 2.5, rel=0.01)
    assert line_chart(title="t", points=[("Jan", Decimal("1.25"))]).points[0].value_label == "1.25"


def test_values_must_be_numbers():
    with pytest.raises(ValueError):
        bar_chart(title="t", series=[("a", float("nan"))])
    with pytest.raises(ValueError):
        bar_chart(title="t", series=[("a", None)])
    with pytest.raises(ValueError):
        bar_chart(title="t", series=[("a", "12")])
    with pytest.raises(ValueError):
        line_chart(title="t", points=[("a", True)])


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def test_line_chart_geometry():
    values = [5, 8, 10, 12, 30, 31, 20, 2, 40, 42, 38, 10]
    chart = line_chart(title="Wands dispatched", points=list(zip(MONTHS, values, strict=True)))
    xs = [point.x for point in chart.points]
    steps = {round(b - a, 1) for a, b in zip(xs, xs[1:], strict=False)}
    assert max(steps) - min(steps) <= 0.2  # evenly spaced
    axis_height = chart.plot_bottom - chart.plot_top
    for point, value in zip(chart.points, values, strict=True):
        assert chart.zero - point.y == pytest.approx(axis_height * value / 50, abs=0.1)
    [path] = chart.paths
    assert path.startswith(f"M {xs[0]:.1f} ") and path.count(" L ") == 11
    labels = [label.x for label in chart.x_labels]
    assert all(b - a >= 3 * 9 for a, b in zip(labels, labels[1:], strict=False))  # no overlapping labels
    assert chart.description.startswith("Line chart of 12 points from Jan to Dec. It starts at 5 and ends at 10.")
    assert "Highest: Oct, 42. Lowest: Aug, 2." in chart.description


def test_line_chart_gaps_and_table():
    chart = line_chart(title="Referrals", points=[("Jan", 3), ("Feb", None), ("Mar", 4), ("Apr", 6)])
    assert len(chart.paths) == 1 and chart.paths[0].count(" L ") == 1  # Mar-Apr; Jan stands alone
    assert len(chart.drawn_points) == 3
    html = render(chart)
    drawings = html.split("<svg ")[1:]  # the wide drawing and the narrow one
    assert len(drawings) == 2 and [d.split("</svg>")[0].count("<circle") for d in drawings] == [3, 3]
    rows = re.findall(r'<th scope="row" class="govuk-table__header">(.*?)</th>\s*<td[^>]*>(.*?)</td>', html)
    assert rows == [("Jan", "3"), ("Feb", "No data"), ("Mar", "4"), ("Apr", "6")]
    assert "1 with no data." in chart.description


def test_line_chart_single_point_and_all_zero():
    single = line_chart(title="t", points=[("Jan", 7)])
    assert single.points[0].x == pytest.approx((single.plot_left + single.plot_right) / 2, abs=0.1)
    assert single.paths == ()
    zero = line_chart(title="t", points=[("Jan", 0), ("Feb", 0)])
    assert all(point.y == zero.zero for point in zero.points)
    assert "All values are 0." in zero.description


# --- narrow screens (issue 16: SVG text shrank to about 7 px at 320 px wide) ---------------------------------------


def test_bar_charts_have_html_rows_for_narrow_screens_with_the_labels_as_text():
    chart = bar_chart(title="Schools by borough", series=BOROUGHS, orientation="horizontal")
    html = render(chart)
    wide, narrow = html.index('class="portal-chart-wide"'), html.index('class="portal-chart-narrow"')
    assert wide < narrow
    rows = re.findall(
        r'<span class="portal-hbars__label">(.*?)</span>.*?<span class="portal-hbars__value">(.*?)</span>', html, re.S
    )
    assert rows == [(bar.label, bar.value_label) for bar in chart.bars]
    bars = {bar.label: bar for bar in chart.bars}
    # Lengths in whole percent of the axis (0..50): 42 is 84%, 0 draws nothing, every bar starts at 0.
    assert (bars["Westminster"].narrow_left, bars["Westminster"].narrow_width) == (0, 84)
    assert bars["Islington"].narrow_width == 0
    assert "portal-hbars--at-0 portal-hbars--w-84" in html
    assert html.count("portal-hbars__bar ") == 3


def test_narrow_rows_of_vertical_charts_negative_and_tiny_values():
    chart = bar_chart(title="Change", series=[("Returned", 12), ("Lost", -4), ("Tiny", 0.01)], orientation="vertical")
    bars = {bar.label: bar for bar in chart.bars}
    # The axis runs -5..15 (ticks): 0 is at 25%, -4 hangs left of it, 12 reaches 85%, a tiny value still shows.
    assert chart.narrow_zero == 25
    assert (bars["Lost"].narrow_left, bars["Lost"].narrow_width) == (5, 20)
    assert (bars["Returned"].narrow_left, bars["Returned"].narrow_width) == (25, 60)
    assert bars["Tiny"].narrow_width == 1
    assert "portal-hbars__zero portal-hbars--at-25" in render(chart)


def test_suppressed_bars_are_not_drawn_on_narrow_screens_either():
    chart = bar_chart(title="Referrals", series=[("A", 3), ("B", 14)], suppress_below=5)
    html = render(chart)
    assert html.count("portal-hbars__bar ") == 1 and "fewer than 5</span>" in html


def test_every_bar_class_the_rows_use_is_in_the_stylesheet():
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "schools_portal" / "static" / "css" / "charts.css").read_text()
    for n in range(101):
        assert f".portal-hbars--at-{n} {{" in css and f".portal-hbars--w-{n} {{" in css


def test_line_charts_are_drawn_again_narrow_with_the_same_points():
    months = ["January 2026", "February 2026", "March 2026", "April 2026", "May 2026", "June 2026"]
    chart = line_chart(title="Downloads", points=list(zip(months, [1, 5, 3, 8, 2, 9], strict=True)))
    narrow = chart.narrow
    assert narrow.width == 320 and chart.width == 640 and narrow.narrow is None
    assert [p.value for p in narrow.points] == [p.value for p in chart.points]
    assert all(0 <= p.x <= narrow.width for p in narrow.points)
    xs = [label.x for label in narrow.x_labels]
    assert len(xs) >= 2 and all(b - a >= 13 * 9 for a, b in zip(xs, xs[1:], strict=False))  # never overlapping
    html = render(chart)
    assert f'aria-labelledby="{chart.chart_id}-narrow-title {chart.chart_id}-narrow-desc"' in html
    assert html.count(f'id="{chart.chart_id}-title"') == 1


def test_the_description_names_every_label_that_shares_the_highest_or_lowest_value():
    from core.charts import _extremes

    def text(items):
        return _extremes(items, str)

    assert text([("Hackney", 3), ("Lambeth", 3), ("Redbridge", 3), ("Brent", 1)]) == (
        "Highest: Hackney, Lambeth and Redbridge, 3. Lowest: Brent, 1."
    )
    assert text([("Hackney", 3), ("Lambeth", 1), ("Brent", 1)]) == "Highest: Hackney, 3. Lowest: Lambeth and Brent, 1."
    five = [(name, 0) for name in ("A", "B", "C", "D", "E")]
    assert text([*five, ("F", 2)]) == "Highest: F, 2. Lowest: A, B and 3 others, 0."
