"""GOV.UK Frontend form rendering: the one way forms become GOV.UK components.

`{% govuk_error_summary form %}`: the error summary, each error linking to its field.
`{% status_tag obj %}`: a status as a GOV.UK tag in the colour its model declares.
`{% govuk_field form.name %}`: the component the widget calls for (input, textarea, select, radios, checkboxes,
single checkbox, file upload) with label, hint and error message. Options: label_size ("l" etc.), classes,
label_is_heading, autocomplete, inputmode, spellcheck.
`{% govuk_date_input form.name %}`: the date input (day, month and year boxes in a fieldset) of a date filter read by
`core.date_input.DayMonthYearWidget`, with the boxes at fault marked.
"""

from django import forms, template
from django.utils.safestring import mark_safe

from core.date_input import DayMonthYearWidget, box_id, boxes_at_fault
from core.rows import esc

register = template.Library()


@register.simple_tag
def status_tag(obj, field: str = "status", id: str = ""):  # noqa: A002 - the HTML attribute's name
    """`{% status_tag wand_request %}`: the status as a GOV.UK tag, coloured by the model's `TAG_COLOURS` (the one place
    a status's colour is declared), labelled with its display name; `id="request-status"` names the element."""
    value = getattr(obj, field)
    colour = type(obj).TAG_COLOURS.get(value, "")
    id_attr = f' id="{esc(id)}"' if id else ""
    colour_class = esc(f" govuk-tag--{colour}") if colour else ""
    label = esc(getattr(obj, f"get_{field}_display")())
    # A list shows one a row: escaped by esc(), without format_html's lazy wrappers.
    return mark_safe(f'<strong{id_attr} class="govuk-tag{colour_class}">{label}</strong>')  # noqa: S308  # nosec B308 B703


_LABEL_CLASSES = {"xl": "govuk-label--xl", "l": "govuk-label--l", "m": "govuk-label--m", "s": "govuk-label--s"}
_LEGEND_CLASSES = {
    "xl": "govuk-fieldset__legend--xl",
    "l": "govuk-fieldset__legend--l",
    "m": "govuk-fieldset__legend--m",
    "s": "govuk-fieldset__legend--s",
}


def field_kind(field) -> str:
    widget = field.field.widget
    # CheckboxSelectMultiple subclasses RadioSelect: test it first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        return "file"
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    if isinstance(widget, forms.PasswordInput):
        return "password"
    return "input"


def _first_error_anchor(field) -> str:
    if isinstance(field.field.widget, DayMonthYearWidget):
        return box_id(field, (boxes_at_fault(field) or ("day",))[0])
    kind = field_kind(field)
    if kind in {"radios", "checkboxes"}:
        return f"{field.auto_id}_0" if field.field.choices else field.auto_id
    return field.auto_id


@register.inclusion_tag("govuk/error_summary.html")
def govuk_error_summary(*forms_to_check):
    """Error summary for one or more forms: each error links to its field."""
    errors = []
    for form in forms_to_check:
        if form is None or not getattr(form, "errors", None):
            continue
        for message in form.non_field_errors():
            errors.append({"href": "", "message": message})
        for bound in form:
            for message in bound.errors:
                errors.append({"href": f"#{_first_error_anchor(bound)}", "message": message})
    return {"errors": errors}


@register.inclusion_tag("govuk/field.html")
def govuk_field(
    field, label_size="", classes="", label_is_heading=False, autocomplete="", inputmode="", spellcheck=None
):
    kind = field_kind(field)
    widget = field.field.widget
    attrs = dict(widget.attrs)
    describedby = []
    if field.help_text:
        describedby.append(f"{field.auto_id}-hint")
    if field.errors:
        describedby.append(f"{field.auto_id}-error")
    options = []
    if kind in {"radios", "checkboxes", "select"}:
        selected = field.value()
        if selected is None:
            selected_values = set()
        elif isinstance(selected, list | tuple | set):
            selected_values = {str(v) for v in selected}
        else:
            selected_values = {str(selected)}
        for index, (value, label) in enumerate(field.field.choices):
            value = "" if value is None else str(getattr(value, "value", value))
            options.append(
                {
                    "id": field.auto_id if index == 0 and kind == "select" else f"{field.auto_id}_{index}",
                    "value": value,
                    "label": label,
                    "checked": value in selected_values,
                }
            )
    value = field.value()
    if kind in {"password", "file"}:
        value = None
    if isinstance(value, list | tuple):
        value = None
    return {
        "field": field,
        "kind": kind,
        "value": "" if value is None else value,
        "options": options,
        "options_html": _options_html(kind, field.html_name, options),
        "label_class": _LABEL_CLASSES.get(label_size, ""),
        "legend_class": _LEGEND_CLASSES.get(label_size, ""),
        "label_is_heading": label_is_heading,
        "classes": classes,
        "describedby": " ".join(describedby),
        "autocomplete": autocomplete or attrs.get("autocomplete", ""),
        "inputmode": inputmode or attrs.get("inputmode", ""),
        "spellcheck": spellcheck,
        "input_type": getattr(widget, "input_type", "text") if kind in {"input", "password"} else "",
        "required": field.field.required,
        "maxlength": attrs.get("maxlength", ""),
        "rows": attrs.get("rows", 5),
        "checked": bool(value) if kind == "checkbox" else False,
        "accept": attrs.get("accept", ""),
    }


# One radio or checkbox, with the whitespace the template's loop around it had (the markup is the template's).
_CHOICE_ITEM = (
    '\n      <div class="govuk-{kind}__item">\n'
    '        <input class="govuk-{kind}__input" id="{{}}" name="{{}}" type="{type}" value="{{}}"{{}}>\n'
    '        <label class="govuk-label govuk-{kind}__label" for="{{}}">{{}}</label>\n'
    "      </div>\n      "
)
_CHOICE_ITEMS = {
    kind: _CHOICE_ITEM.format(kind=kind, type=type_)
    for kind, type_ in (("radios", "radio"), ("checkboxes", "checkbox"))
}


def _options_html(kind: str, name: str, options: list[dict]) -> str:
    """The options of a select, radios or checkboxes in one pass (a list's filters have dozens to hundreds of them:
    a template loop of five nodes per option cost more than the rest of the field). Escaped as the template did."""
    if kind == "select":
        return mark_safe(  # noqa: S308 - every value is escaped by esc()  # nosec B308 B703
            "".join(
                f'<option value="{esc(o["value"])}"{" selected" if o["checked"] else ""}>{esc(o["label"])}</option>'
                for o in options
            )
        )
    if kind in _CHOICE_ITEMS:
        item = _CHOICE_ITEMS[kind]
        name = esc(name)
        return mark_safe(  # noqa: S308 - every value is escaped by esc()  # nosec B308 B703
            "".join(
                item.format(
                    esc(o["id"]),
                    name,
                    esc(o["value"]),
                    " checked" if o["checked"] else "",
                    esc(o["id"]),
                    esc(o["label"]),
                )
                for o in options
            )
        )
    return ""


@register.inclusion_tag("govuk/date_input.html")
def govuk_date_input(field):
    """The GOV.UK date input: what was typed (or the ISO date of the query) in the boxes, the boxes at fault marked."""
    return {"field": field, "parts": DayMonthYearWidget.parts_of(field), "faults": boxes_at_fault(field)}


@register.inclusion_tag("govuk/pagination.html", takes_context=True)
def govuk_pagination(context, page):
    """`{% govuk_pagination page %}`: the GOV.UK pagination component for a Django `Page`, keeping the filters."""
    from django.http import QueryDict

    from core.pagination import govuk_pagination_items

    request = context.get("request")
    query = request.GET if request is not None else QueryDict()
    return {"pagination": govuk_pagination_items(page=page, query=query)}
