"""The rows of a table of referrals in one tag (core/rows.py): the markup stepping_stones/includes/referral_table.html
had for each referral, with the status tag its include made."""

from django import template
from django.utils.safestring import mark_safe

from core.rows import esc, local_date, url_maker
from core.templatetags.govuk import status_tag

register = template.Library()

_CELL = '<td class="govuk-table__cell">{}</td>'
_NOT_SHOWN = '<span class="govuk-visually-hidden">Not shown: open the referral</span>–'


def _receiving(referral) -> str:
    return esc(referral.receiving_school.name) if referral.receiving_school else "Not yet known"


@register.simple_tag(takes_context=True)
def referral_rows(context, referrals):
    """`{% referral_rows referrals %}` inside referral_table.html: reads the include's options (show_position,
    show_names, lead_names, show_both, show_receiving, show_priority, empty) from the context."""
    show_position, show_names, lead_names = (context.get(k) for k in ("show_position", "show_names", "lead_names"))
    show_both, show_receiving, show_priority = (
        context.get(k) for k in ("show_both", "show_receiving", "show_priority")
    )
    detail = url_maker("stepping_stones:referral_detail", "reference")
    rows = []
    for counter, referral in enumerate(referrals, start=1):
        reference = esc(referral.reference)
        position = _CELL.format(counter) if show_position else ""
        if show_names:
            names = _CELL.format(esc(referral.pupil_name or "(no name yet)"))
        else:
            names = ""
            if lead_names:
                names = _CELL.format(esc(referral.pupil_name or "(no name yet)") if referral.name_shown else _NOT_SHOWN)
            names += _CELL.format(esc(local_date(referral.submitted_at or referral.created_at, "j M Y")))
        if show_both:
            schools = _CELL.format(esc(referral.referring_school.name)) + _CELL.format(_receiving(referral))
        else:
            schools = _CELL.format(_receiving(referral) if show_receiving else esc(referral.referring_school.name))
        priority = _CELL.format(esc(referral.get_priority_display())) if show_priority else ""
        rows.append(
            '\n    <tr class="govuk-table__row">\n'
            f"      {position}\n"
            f'      <td class="govuk-table__cell"><a class="govuk-link" href="{esc(detail(referral.reference))}">'
            f"{reference}</a></td>\n"
            f"      {names}\n"
            f"      {schools}\n"
            f"      {priority}\n"
            f'      <td class="govuk-table__cell">{status_tag(referral)}\n</td>\n'
            "    </tr>\n  "
        )
    if not rows:
        empty = esc(context.get("empty") or "None.")
        return mark_safe(  # noqa: S308 - escaped by esc()  # nosec B308 B703
            f'\n    <tr class="govuk-table__row"><td class="govuk-table__cell" colspan="7">{empty}</td></tr>\n  '
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value is escaped by esc()  # nosec B308 B703
