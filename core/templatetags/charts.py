"""`{% load charts %}{% chart chart_obj %}` renders a chart from core.charts as SVG plus the same data as a table.

`table="details"` (default) puts the table in a "Show the data as a table" details component; `table="visible"` shows
it under the chart.
"""

from django import template
from django.template.loader import render_to_string

from core.charts import Chart

register = template.Library()


@register.simple_tag
def chart(chart_obj: Chart, table: str = "details"):
    if not isinstance(chart_obj, Chart):
        raise template.TemplateSyntaxError("{% chart %} takes a chart built by core.charts.bar_chart or line_chart.")
    return render_to_string(
        f"core/charts/{chart_obj.kind}.html", {"chart": chart_obj, "table_visible": table == "visible"}
    )
