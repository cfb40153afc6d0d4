"""The toolkit catalogue's results in one tag (core/rows.py): the markup education_toolkit/catalogue.html had for
each resource."""

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils.safestring import mark_safe

from core.rows import esc, url_maker
from core.templatetags.govuk import status_tag

register = template.Library()

_EMPTY = '\n      <li><p class="govuk-body">No resources match. Try fewer filters or other words.</p></li>\n      '
_FILE = (
    '\n              <div class="govuk-checkboxes__item">\n'
    '                <input class="govuk-checkboxes__input" id="pick-{version}" name="files" type="checkbox"'
    ' value="{version}" form="download-several">\n'
    '                <label class="govuk-label govuk-checkboxes__label" for="pick-{version}">{title} '
    '<span class="govuk-visually-hidden">({resource})</span>'
    '<span class="govuk-hint govuk-!-display-inline govuk-!-font-size-16">{kind}, {size}</span></label>\n'
    "              </div>\n              "
)
_FILES = (
    '\n        <div class="govuk-form-group govuk-!-margin-top-2 govuk-!-margin-bottom-0">\n'
    '          <fieldset class="govuk-fieldset" data-resource="{slug}">\n'
    '            <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Files'
    '<span class="govuk-visually-hidden"> of {title}</span> to add to one download</legend>\n'
    '            <div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">\n'
    "              {files}\n"
    "            </div>\n"
    "          </fieldset>\n"
    "        </div>\n        "
)
_GET_ACCESS = (
    '\n        <p class="govuk-body-s govuk-!-margin-top-2">For verified professionals: '
    '<a class="govuk-link" href="{href}">how to get access</a></p>\n        '
)
_SIGN_IN = (
    '\n        <p class="govuk-body-s govuk-!-margin-top-2"><a class="govuk-link" href="{href}">Sign in or create an '
    "account</a> to download it</p>\n        "
)


def _files(resource, title: str) -> str:
    return "".join(
        _FILE.format(
            version=esc(f.current_version_id),
            title=esc(f.title),
            resource=title,
            kind=esc(f.current_version.get_kind_display()),
            size=esc(filesizeformat(f.current_version.size)),
        )
        for f in resource.files.all()
    )


@register.simple_tag
def toolkit_results(resources, downloadable_levels, user):
    """`{% toolkit_results page.object_list downloadable_levels user %}`: each resource's title (a link), summary,
    type, key stages and length, its access and "Updated" tags, then its files to tick (where the user may download
    it) or how to get access."""
    link = url_maker("toolkit:resource", "slug")
    items = []
    for r in resources:
        href, title = esc(link(r.slug)), esc(r.title)
        about = esc(r.get_resource_type_display())
        key_stages = r.key_stages
        if key_stages:
            about += " · " + ", ".join(esc(stage) for stage in key_stages)
        if r.duration_minutes:
            about += f" · {esc(r.duration_minutes)} minutes"
        access = ""
        if r.access_level != "public":
            colour = "govuk-tag--purple" if r.access_level == "verified" else "govuk-tag--blue"
            access = f'<strong class="govuk-tag {colour}">{esc(r.get_access_level_display())}</strong>'
        updated = '<strong class="govuk-tag govuk-tag--yellow">Updated</strong>' if r.is_updated else ""
        files = ""
        if r.access_level in downloadable_levels and r.files.all():
            files = _FILES.format(slug=esc(r.slug), title=title, files=_files(r, title))
        elif r.access_level not in downloadable_levels:
            files = (_GET_ACCESS if user.is_authenticated else _SIGN_IN).format(href=href)
        items.append(
            '\n      <li class="govuk-!-margin-bottom-6">\n'
            '        <h2 class="govuk-heading-m govuk-!-margin-bottom-1">'
            f'<a class="govuk-link" href="{href}">{title}</a></h2>\n'
            f'        <p class="govuk-body govuk-!-margin-bottom-1">{esc(r.summary)}</p>\n'
            f'        <p class="govuk-body-s govuk-!-margin-bottom-1">{about}</p>\n'
            f"        {access}\n"
            f"        {updated}\n"
            f"        {files}\n"
            "      </li>\n      "
        )
    return mark_safe("".join(items) or _EMPTY)  # noqa: S308 - every value is escaped by esc()  # nosec B308 B703


_EDITOR_EMPTY = (
    '\n    <tr class="govuk-table__row"><td class="govuk-table__cell" colspan="5">No resources yet.</td></tr>\n  '
)


@register.simple_tag
def toolkit_editor_rows(resources):
    """`{% toolkit_editor_rows resources %}`: the editors' list, a row a resource (its title as a link to edit it, type,
    status tag, files and downloads), as education_toolkit/editor_list.html had them."""
    link = url_maker("toolkit:editor_edit", "pk")
    rows = []
    for r in resources:
        title = f'<a class="govuk-link" href="{esc(link(r.pk))}">{esc(r.title)}</a>'
        rows.append(
            '\n    <tr class="govuk-table__row">\n'
            f'      <td class="govuk-table__cell">{title}</td>\n'
            f'      <td class="govuk-table__cell">{esc(r.get_resource_type_display())}</td>\n'
            f'      <td class="govuk-table__cell">{status_tag(r)}</td>\n'
            f'      <td class="govuk-table__cell govuk-table__cell--numeric">{esc(r.file_count)}</td>\n'
            f'      <td class="govuk-table__cell govuk-table__cell--numeric">{esc(r.download_count)}</td>\n'
            "    </tr>\n  "
        )
    return mark_safe("".join(rows) or _EDITOR_EMPTY)  # noqa: S308 - every value is escaped by esc()  # nosec B308 B703
