"""A bar chart's HTML (the SVG, the narrow rows and the data table) built in Python: what `{% chart %}` shows.

A chart with thousands of bars (the Stepping Stones dashboard's referrals by primary school: one bar per referring
primary, about 6,800 at national scale) took seconds through the template engine (several template variables per bar,
each resolved and escaped); this builds the same text in one pass. tests/core/test_chart_html.py checks that it is
byte for byte what the templates rendered before (snapshots), for every kind of bar chart. Line charts go through
core/templates/core/charts/line.html.
"""

from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from core.charts import BarChart, Chart


def _n(value) -> str:
    """A number as the templates print it inside `{% localize off %}` (and the 0-100 percent classes outside it)."""
    return str(value)


def _bar_svg(chart: BarChart, e) -> list[str]:
    out = []
    top, bottom = _n(chart.plot_top), _n(chart.plot_bottom)
    if chart.horizontal:
        out.append("\n    ")
        for tick in chart.ticks:
            position = _n(tick.position)
            out.append(
                f'\n    <line class="portal-chart__gridline" x1="{position}" x2="{position}" y1="{top}" y2="{bottom}">'
                f'</line>\n    <text class="portal-chart__label" x="{_n(tick.label_x)}" y="{_n(tick.label_y)}" '
                f'text-anchor="middle">{e(tick.label)}</text>\n    '
            )
        out.append("\n    ")
        for bar in chart.bars:
            out.append("\n    ")
            if not bar.suppressed:
                out.append(
                    f'<rect class="portal-chart__bar" x="{_n(bar.x)}" y="{_n(bar.y)}" width="{_n(bar.width)}" '
                    f'height="{_n(bar.height)}"></rect>'
                )
            out.append(
                f'\n    <text class="portal-chart__label" x="{_n(bar.label_x)}" y="{_n(bar.label_y)}" '
                f'text-anchor="end">{e(bar.short_label)}</text>\n    <text class="portal-chart__value" '
                f'x="{_n(bar.value_x)}" y="{_n(bar.value_y)}" text-anchor="start">{e(bar.value_label)}</text>\n    '
            )
        zero = _n(chart.zero)
        out.append(
            f'\n    <line class="portal-chart__axis" x1="{zero}" x2="{zero}" y1="{top}" y2="{bottom}"></line>\n    '
        )
        return out
    left, right = _n(chart.plot_left), _n(chart.plot_right)
    out.append("\n    ")
    for tick in chart.ticks:
        position = _n(tick.position)
        out.append(
            f'\n    <line class="portal-chart__gridline" x1="{left}" x2="{right}" y1="{position}" y2="{position}">'
            f'</line>\n    <text class="portal-chart__label" x="{_n(tick.label_x)}" y="{_n(tick.label_y)}" '
            f'text-anchor="end">{e(tick.label)}</text>\n    '
        )
    out.append("\n    ")
    for bar in chart.bars:
        out.append("\n    ")
        if not bar.suppressed:
            out.append(
                f'<rect class="portal-chart__bar" x="{_n(bar.x)}" y="{_n(bar.y)}" width="{_n(bar.width)}" '
                f'height="{_n(bar.height)}"></rect>'
            )
        out.append(
            f'\n    <text class="portal-chart__value" x="{_n(bar.value_x)}" y="{_n(bar.value_y)}" '
            f'text-anchor="middle">{e(bar.value_label)}</text>\n    <text class="portal-chart__label" '
            f'x="{_n(bar.label_x)}" y="{_n(bar.label_y)}" text-anchor="middle">{e(bar.short_label)}</text>\n    '
        )
    zero = _n(chart.zero)
    out.append(f'\n    <line class="portal-chart__axis" x1="{left}" x2="{right}" y1="{zero}" y2="{zero}"></line>\n    ')
    return out


def _narrow(chart: BarChart, e) -> list[str]:
    out = [
        f'\n<div class="portal-chart-narrow">\n  <p class="govuk-visually-hidden">{e(chart.description)}</p>\n'
        f'  <ul class="portal-hbars" aria-label="{e(chart.title)}">\n    '
    ]
    zero = _n(chart.narrow_zero)
    for bar in chart.bars:
        drawn = (
            f'<span class="portal-hbars__bar portal-hbars--at-{_n(bar.narrow_left)} '
            f'portal-hbars--w-{_n(bar.narrow_width)}"></span>'
            if bar.narrow_width
            else ""
        )
        out.append(
            f'\n    <li class="portal-hbars__row">\n      <span class="portal-hbars__label">{e(bar.label)}</span>\n'
            f'      <span class="portal-hbars__track" aria-hidden="true"><span class="portal-hbars__zero '
            f'portal-hbars--at-{zero}"></span>{drawn}</span>\n'
            f'      <span class="portal-hbars__value">{e(bar.value_label)}</span>\n    </li>\n    '
        )
    out.append("\n  </ul>\n</div>\n")
    return out


def _table(chart: BarChart, table_visible: bool, e) -> list[str]:
    title = e(chart.title)
    if table_visible:
        out = [
            '\n<table class="govuk-table portal-chart-table">\n'
            f'  <caption class="govuk-table__caption govuk-table__caption--s">{title}: the data</caption>\n'
        ]
    else:
        out = [
            '\n<details class="govuk-details portal-chart-details">\n  <summary class="govuk-details__summary">\n'
            '    <span class="govuk-details__summary-text">Show the data as a table<span class="govuk-visually-hidden">'
            f": {title}</span></span>\n  </summary>\n"
            '  <div class="govuk-details__text">\n<table class="govuk-table portal-chart-table">\n'
            '  <caption class="govuk-table__caption govuk-table__caption--s govuk-visually-hidden">'
            f"{title}</caption>\n"
        ]
    out.append(
        '\n  <thead class="govuk-table__head">\n    <tr class="govuk-table__row">\n'
        f'      <th scope="col" class="govuk-table__header">{e(chart.label_heading)}</th>\n'
        '      <th scope="col" class="govuk-table__header govuk-table__header--numeric">'
        f"{e(chart.value_heading)}</th>\n    </tr>\n  </thead>\n"
        '  <tbody class="govuk-table__body">\n    '
    )
    for row in chart.rows:
        out.append(
            '\n    <tr class="govuk-table__row">\n'
            f'      <th scope="row" class="govuk-table__header">{e(row.label)}</th>\n'
            f'      <td class="govuk-table__cell govuk-table__cell--numeric">{e(row.value_label)}</td>\n    </tr>\n    '
        )
    out.append("\n  </tbody>\n</table>\n")
    if not table_visible:
        out.append("\n  </div>\n</details>\n")
    out.append("\n")
    return out


def chart_html(chart: Chart, table: str = "details") -> SafeString:
    """What `{% chart chart table=table %}` renders, built without the template engine for a bar chart with bars."""
    table_visible = table == "visible"
    if not isinstance(chart, BarChart):
        return render_to_string(f"core/charts/{chart.kind}.html", {"chart": chart, "table_visible": table_visible})
    e = conditional_escape
    chart_id, title = e(chart.chart_id), e(chart.title)
    if chart.empty:
        return mark_safe(  # noqa: S308 - escaped above  # nosec B308 B703
            f'<figure class="portal-chart-figure" id="{chart_id}">\n'
            f'  <figcaption class="portal-chart-figure__caption">{title}</figcaption>\n'
            '  \n  <p class="govuk-body">No data yet.</p>\n  \n</figure>\n'
        )
    width, height = _n(chart.width), _n(chart.height)
    out = [
        f'<figure class="portal-chart-figure" id="{chart_id}">\n'
        f'  <figcaption class="portal-chart-figure__caption">{title}</figcaption>\n  '
        '\n  <div class="portal-chart-wide">\n'
        f'  <svg class="portal-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        'focusable="false">\n'
        f'    <title id="{chart_id}-title">{title}</title>\n'
        f'    <desc id="{chart_id}-desc">{e(chart.description)}</desc>\n    '
    ]
    out.extend(_bar_svg(chart, e))
    out.append("\n  </svg>\n  </div>\n  \n  ")
    out.extend(_narrow(chart, e))
    out.append("\n  ")
    out.extend(_table(chart, table_visible, e))
    out.append("\n  \n</figure>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped  # nosec B308 B703
