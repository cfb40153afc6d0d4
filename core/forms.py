"""Form helpers shared by every app's views."""

from django import forms

from .errors import DomainError

_NUMBER = {"inputmode": "numeric", "autocomplete": "off"}


def required(message: str) -> dict:
    """A field's `error_messages` when it is left empty."""
    return {"required": message}


def whole_number_field(label: str, *, help_text: str = "", required: bool = True, missing: str = "") -> forms.CharField:
    """A whole number the GOV.UK way: a text input with inputmode=numeric instead of type=number; services parse it.
    Left empty: `missing`, or "Enter <the label>"."""
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        widget=forms.TextInput(attrs=_NUMBER),
        error_messages={"required": missing or f"Enter {label[0].lower()}{label[1:].rstrip('?')}"},
    )


def form_add_domain_error(form, error: DomainError) -> None:
    """Show a service's refusal next to the field it is about (or at the top), and so in the error summary."""
    form.add_error(error.field if error.field in form.fields else None, error.message)
