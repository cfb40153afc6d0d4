"""The wand queue's rows in one tag (core/rows.py): the markup wands/queue.html had for each request."""

from django import template
from django.utils.safestring import mark_safe

from core.rows import esc, local_date, url_maker
from core.templatetags.govuk import status_tag

register = template.Library()

_SELECT = (
    '<td class="govuk-table__cell">{}</td>',
    '<div class="govuk-checkboxes govuk-checkboxes--small"><div class="govuk-checkboxes__item">'
    '<input class="govuk-checkboxes__input" id="select-{pk}" name="requests" type="checkbox" value="{pk}">'
    '<label class="govuk-label govuk-checkboxes__label" for="select-{pk}">'
    '<span class="govuk-visually-hidden">Select {reference}</span></label></div></div>',
)
_EMPTY = (
    '\n      <tr class="govuk-table__row"><td class="govuk-table__cell" colspan="7">'
    "No requests match these filters.</td></tr>\n    "
)


@register.simple_tag
def wand_queue_rows(wand_requests, can_decide):
    """`{% wand_queue_rows page.object_list can_decide %}`: reference (a link), school, borough, wands, date submitted
    and status; a tick box for each submitted request when the user may decide."""
    detail = url_maker("wands:request_detail", "pk")
    rows = []
    for wr in wand_requests:
        pk, reference, href = esc(wr.pk), esc(wr.reference), esc(detail(wr.pk))
        select = ""
        if can_decide:
            box = _SELECT[1].format(pk=pk, reference=reference) if wr.status == "submitted" else ""
            select = _SELECT[0].format(box)
        rows.append(
            '\n      <tr class="govuk-table__row">\n'
            f"        {select}\n"
            '        <td class="govuk-table__cell">'
            f'<a class="govuk-link portal-reference" href="{href}">{reference}</a></td>\n'
            f'        <td class="govuk-table__cell">{esc(wr.school.name)}</td>\n'
            f'        <td class="govuk-table__cell">{esc(wr.school.local_authority.name)}</td>\n'
            f'        <td class="govuk-table__cell govuk-table__cell--numeric">{esc(wr.quantity)}</td>\n'
            f'        <td class="govuk-table__cell">{esc(local_date(wr.created_at, "j M Y"))}</td>\n'
            f'        <td class="govuk-table__cell">{status_tag(wr)}</td>\n'
            "      </tr>\n    "
        )
    return mark_safe("".join(rows) or _EMPTY)  # noqa: S308 - every value is escaped by esc()  # nosec B308 B703
