"""`{% load charts %}{% chart chart_obj %}` renders a chart from core.charts as SVG plus the same data as a table
(core.chart_html: a bar chart is built in one pass, a line chart or an empty chart from core/templates/core/charts/).

`table="details"` (default) puts the table in a "Show the data as a table" details component; `table="visible"` shows
it under the chart.
"""

from django import template
from django.utils.safestring import mark_safe

from core.chart_html import chart_html
from core.charts import Chart
from core.rows import esc

register = template.Library()


@register.simple_tag
def chart(chart_obj: Chart, table: str = "details"):
    if not isinstance(chart_obj, Chart):
        raise template.TemplateSyntaxError("{% chart %} takes a chart built by core.charts.bar_chart or line_chart.")
    return chart_html(chart_obj, table)


@register.simple_tag
def chart_table_rows(chart_obj):
    """table.html's rows (a line chart's data table): each label and its value, in one tag (core/rows.py)."""
    return mark_safe(  # noqa: S308 - every value is escaped by esc()  # nosec B308 B703
        "".join(
            '\n    <tr class="govuk-table__row">\n'
            f'      <th scope="row" class="govuk-table__header">{esc(row.label)}</th>\n'
            f'      <td class="govuk-table__cell govuk-table__cell--numeric">{esc(row.value_label)}</td>\n'
            "    </tr>\n    "
            for row in chart_obj.rows
        )
    )
