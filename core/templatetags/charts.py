"""`{% load charts %}{% chart chart_obj %}` renders a chart from core.charts as SVG plus the same data as a table.

`table="details"` (default) puts the table in a "Show the data as a table" details component; `table="visible"` shows
it under the chart.
"""

from django import template
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.safestring import mark_safe

from core.charts import Chart
from core.rows import esc

register = template.Library()


@register.simple_tag
def chart(chart_obj: Chart, table: str = "details"):
    if not isinstance(chart_obj, Chart):
        raise template.TemplateSyntaxError("{% chart %} takes a chart built by core.charts.bar_chart or line_chart.")
    return render_to_string(
        f"core/charts/{chart_obj.kind}.html", {"chart": chart_obj, "table_visible": table == "visible"}
    )


def _svg_number(value) -> str:
    """A number as `{{ }}` shows it inside the chart's `{% localize off %}`."""
    if type(value) is int:
        return str(value)
    return esc(formats.localize(value, use_l10n=False))


# The loops over a chart's bars and rows (a bar chart of a list has one bar a row): one tag each, the markup and the
# whitespace the templates' loops had (core/rows.py).
_RECT = '<rect class="portal-chart__bar" x="{}" y="{}" width="{}" height="{}"></rect>'
_TEXT = '<text class="portal-chart__{}" x="{}" y="{}" text-anchor="{}">{}</text>'


@register.simple_tag
def chart_bars(chart_obj):
    """bar.html's bars: a rectangle (unless suppressed), the label and the value of each."""
    out = []
    for bar in chart_obj.bars:
        rect = "" if bar.suppressed else _RECT.format(*map(_svg_number, (bar.x, bar.y, bar.width, bar.height)))
        label_x, label_y, value_x, value_y = map(_svg_number, (bar.label_x, bar.label_y, bar.value_x, bar.value_y))
        if chart_obj.horizontal:
            first = _TEXT.format("label", label_x, label_y, "end", esc(bar.short_label))
            second = _TEXT.format("value", value_x, value_y, "start", esc(bar.value_label))
        else:
            first = _TEXT.format("value", value_x, value_y, "middle", esc(bar.value_label))
            second = _TEXT.format("label", label_x, label_y, "middle", esc(bar.short_label))
        out.append(f"\n    {rect}\n    {first}\n    {second}\n    ")
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped by esc()  # nosec B308 B703


@register.simple_tag
def chart_narrow_bars(chart_obj):
    """narrow_bars.html's rows: label, the bar's track (and the bar, when it has a width) and value."""
    zero = esc(chart_obj.narrow_zero)
    out = []
    for bar in chart_obj.bars:
        drawn = ""
        if bar.narrow_width:
            drawn = (
                f'<span class="portal-hbars__bar portal-hbars--at-{esc(bar.narrow_left)} '
                f'portal-hbars--w-{esc(bar.narrow_width)}"></span>'
            )
        out.append(
            '\n    <li class="portal-hbars__row">\n'
            f'      <span class="portal-hbars__label">{esc(bar.label)}</span>\n'
            '      <span class="portal-hbars__track" aria-hidden="true">'
            f'<span class="portal-hbars__zero portal-hbars--at-{zero}"></span>{drawn}</span>\n'
            f'      <span class="portal-hbars__value">{esc(bar.value_label)}</span>\n'
            "    </li>\n    "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped by esc()  # nosec B308 B703


@register.simple_tag
def chart_table_rows(chart_obj):
    """table.html's rows: each label and its value."""
    return mark_safe(  # noqa: S308 - every value is escaped by esc()  # nosec B308 B703
        "".join(
            '\n    <tr class="govuk-table__row">\n'
            f'      <th scope="row" class="govuk-table__header">{esc(row.label)}</th>\n'
            f'      <td class="govuk-table__cell govuk-table__cell--numeric">{esc(row.value_label)}</td>\n'
            "    </tr>\n    "
            for row in chart_obj.rows
        )
    )
