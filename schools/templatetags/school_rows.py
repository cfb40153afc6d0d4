"""Find a school's results in one tag (core/rows.py): the markup schools/school_list.html had for each result."""

from django import template
from django.utils.html import format_html_join

from core.rows import url_maker
from core.templatetags.govuk import status_tag

register = template.Library()
CITY_OF_LONDON_CODE = 201

_RESULT = (
    "\n      <li>\n"
    '        <h3 class="govuk-heading-s govuk-!-margin-bottom-1"><a class="govuk-link" href="{}">{}</a></h3>\n'
    '        <p class="govuk-body-s govuk-!-margin-bottom-1">URN {} · {} · {} · {}</p>\n'
    "        {}\n"
    '        <hr class="govuk-section-break govuk-section-break--m govuk-section-break--visible">\n'
    "      </li>\n      "
)


def _police(authority) -> str:
    if authority.bcu:
        return f"{authority.bcu.name} BCU"
    return "City of London Police" if authority.code == CITY_OF_LONDON_CODE else "Outside the Met"


@register.simple_tag
def school_results(results):
    """`{% school_results results %}`: each result's name (a link), URN, borough, police, phase and status."""
    detail = url_maker("schools:detail", "urn")
    return format_html_join(
        "",
        _RESULT,
        (
            (
                detail(school.urn),
                school.name,
                school.urn,
                school.local_authority.name,
                _police(school.local_authority),
                school.get_phase_display(),
                status_tag(school),
            )
            for school in (result["school"] for result in results)
        ),
    )
