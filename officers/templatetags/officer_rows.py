"""The officers' lists' rows in one tag each (core/rows.py): the markup officers/officer_list.html and
officers/queue.html had for each officer and each school in the queue."""

from django import template
from django.utils.safestring import mark_safe

from core.rows import esc, url_maker

register = template.Library()

_NO_OFFICERS = (
    '<tr class="govuk-table__row"><td class="govuk-table__cell" colspan="6">No active officers yet.</td></tr>'
)
_REQUEST_TAGS = {
    "change": '<strong class="govuk-tag govuk-tag--orange">Asks for a change</strong>',
    "new": '<strong class="govuk-tag govuk-tag--blue">Asks for an officer</strong>',
}


@register.simple_tag
def officer_rows(officers):
    """`{% officer_rows page.object_list %}`: each officer's name (a link) and shoulder number, role, BCU, base,
    schools, and load against capacity."""
    detail = url_maker("officers:officer_detail", "pk")
    rows = [
        '<tr class="govuk-table__row">\n'
        f'    <th scope="row" class="govuk-table__header"><a class="govuk-link" href="{esc(detail(o.pk))}">'
        f"{esc(o.name)}</a> ({esc(o.shoulder_number)})</th>\n"
        f'    <td class="govuk-table__cell">{esc(o.get_role_type_display())}</td>'
        f'<td class="govuk-table__cell">{esc(o.bcu.name)}</td><td class="govuk-table__cell">{esc(o.base_name)}</td>\n'
        f'    <td class="govuk-table__cell govuk-table__cell--numeric">{esc(o.school_count)}</td>'
        f'<td class="govuk-table__cell govuk-table__cell--numeric">{esc(o.load)} / {esc(o.capacity)}</td>\n'
        "  </tr>"
        for o in officers
    ]
    return mark_safe("".join(rows) or _NO_OFFICERS)  # noqa: S308 - every value is escaped by esc()  # nosec B308 B703


def activity_list(activity) -> str:
    """officers/_activity.html: a school's activity in the other programmes, or "None" (with the include's newline)."""
    if not activity:
        return "None\n"
    items = "".join(f"<li>{esc(item.label)}: {esc(item.display)}</li>" for item in activity)
    return f'<ul class="govuk-list govuk-!-font-size-16 govuk-!-margin-bottom-0">{items}</ul>\n'


@register.simple_tag
def queue_rows(rows, queue_query):
    """`{% queue_rows rows queue_query %}`: each school waiting (a link keeping the queue's filters), its borough, its
    request, its activity in the other programmes and the days it has waited."""
    detail = url_maker("officers:school_detail", "urn")
    query = f"?{esc(queue_query)}" if queue_query else ""
    out = []
    for row in rows:
        school = row["school"]
        request = _REQUEST_TAGS.get(getattr(school, "request_kind", None), "None")
        out.append(
            '\n    <tr class="govuk-table__row">\n'
            f'      <th scope="row" class="govuk-table__header"><a class="govuk-link" href="{esc(detail(school.pk))}'
            f'{query}">{esc(school.name)}</a></th>\n'
            f'      <td class="govuk-table__cell">{esc(school.local_authority.name)}</td>\n'
            f'      <td class="govuk-table__cell">{request}</td>\n'
            f'      <td class="govuk-table__cell">{activity_list(row["activity"])}</td>\n'
            f'      <td class="govuk-table__cell govuk-table__cell--numeric">{esc(row["days"])}</td>\n'
            "    </tr>\n  "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped by esc()  # nosec B308 B703
