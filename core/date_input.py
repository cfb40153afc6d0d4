"""The GOV.UK date input for a GET filter: day, month and year boxes (<name>_day, <name>_month, <name>_year) instead of
the browser's date field, read into one date by the same django-filter filter that the API feeds with an ISO date
(<name>=2026-03-27), so a page and its API share one filter and one set of checks.

    submitted_from = DayMonthYearFilter(field_name="created_at", lookup_expr="date__gte", label="Date from")

rendered with `{% govuk_date_input filter_form.submitted_from %}` (core/templatetags/govuk.py). The messages are
GOV.UK's: "Date from must include a month" (the missing boxes are marked, and the error summary links to the first of
them), "Date from must include a year with 4 numbers, like 2026" (a year of "26": the year box), "Date from must be a
real date, like 27 3 2026" (every box marked). A range check in the form's `clean` adds its message to the field,
which marks every box of it.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError

PARTS = ("day", "month", "year")
EXAMPLE = "27 3 2026"


class MissingParts(str):
    """What the widget reads when some boxes are filled and some are empty: not a date (a plain `DateField` calls it
    "invalid"), and it says which boxes are empty (a `DayMonthYearField` says so)."""

    missing: tuple[str, ...] = ()

    def __new__(cls, typed: list[str], missing: tuple[str, ...]):
        value = super().__new__(cls, "-".join(reversed(typed)) + "-incomplete")
        value.missing = missing
        return value


class ShortYear(str):
    """What the widget reads when the boxes hold numbers but the year is not 4 of them ("26"): GOV.UK asks for the
    year again rather than calling the date unreal."""

    def __new__(cls, typed: list[str]):
        return super().__new__(cls, "-".join(reversed(typed)) + "-short-year")


class DayMonthYearWidget(forms.Widget):
    """Reads the three boxes; with none of them in the query, the ISO date of the API (or of an old bookmark)."""

    def value_from_datadict(self, data, files, name):
        parts = [(data.get(f"{name}_{part}") or "").strip() for part in PARTS]
        if any(parts):
            missing = tuple(part for part, typed in zip(PARTS, parts, strict=True) if not typed)
            if missing:
                return MissingParts(parts, missing)
            day, month, year = parts
            if all(part.isdigit() for part in parts) and len(year) != 4:
                return ShortYear(parts)
            if not all(part.isdigit() for part in parts):
                return f"{year}-{month}-{day}-incomplete"  # not a date: the field says "must be a real date"
            return f"{year}-{month.zfill(2)}-{day.zfill(2)}"
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and not any(f"{name}_{part}" in data for part in PARTS)

    @staticmethod
    def parts_of(bound_field) -> dict:
        """What to show in the three boxes: what was typed, else the date the filter holds."""
        data = bound_field.form.data
        name = bound_field.html_name
        if any(f"{name}_{part}" in data for part in PARTS):
            return {part: data.get(f"{name}_{part}", "") for part in PARTS}
        value = data.get(name) or ""
        pieces = value.split("-") if isinstance(value, str) else []
        if len(pieces) == 3 and all(p.isdigit() for p in pieces):
            return {"day": str(int(pieces[2])), "month": str(int(pieces[1])), "year": pieces[0]}
        return dict.fromkeys(PARTS, "")


class DayMonthYearField(forms.DateField):
    """A date from the three boxes that tells an empty box ("incomplete") from a date that cannot be ("invalid")."""

    widget = DayMonthYearWidget

    def to_python(self, value):
        if isinstance(value, MissingParts):
            raise ValidationError(
                self.error_messages["incomplete"],
                code="incomplete",
                params={"missing": " and ".join(value.missing), "parts": value.missing},
            )
        if isinstance(value, ShortYear) and "short_year" in self.error_messages:
            raise ValidationError(self.error_messages["short_year"], code="short_year", params={"parts": ("year",)})
        return super().to_python(value)


class DayMonthYearFilter(django_filters.DateFilter):
    """A date filter read from the GOV.UK date input (or an ISO date), with GOV.UK's messages named by its label."""

    field_class = DayMonthYearField

    def __init__(self, *args, label: str, **kwargs):
        messages = {
            "incomplete": f"{label.replace('%', '%%')} must include a %(missing)s",
            "invalid": f"{label} must be a real date, like {EXAMPLE}",
            "short_year": f"{label} must include a year with 4 numbers, like 2026",
        }
        kwargs["error_messages"] = messages | kwargs.get("error_messages", {})
        super().__init__(*args, label=label, **kwargs)


def boxes_at_fault(bound_field) -> tuple[str, ...]:
    """The boxes to mark: the empty ones when the date is incomplete, else all three (a date that cannot be, a range
    the wrong way round); none without an error."""
    errors = bound_field.errors
    if not errors:
        return ()
    first = errors.as_data()[0]
    if first.code in ("incomplete", "short_year") and first.params and first.params.get("parts"):
        return tuple(first.params["parts"])
    return PARTS


def box_id(bound_field, part: str) -> str:
    """The day box has the field's own id (where a link to the field lands); the others add their part."""
    return bound_field.auto_id if part == "day" else f"{bound_field.auto_id}_{part}"
