"""Form helpers shared by every app's views."""

from .errors import DomainError


def form_add_domain_error(form, error: DomainError) -> None:
    """Show a service's refusal next to the field it is about (or at the top), and so in the error summary."""
    form.add_error(error.field if error.field in form.fields else None, error.message)
