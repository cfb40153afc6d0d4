from django import forms

# The filters' help texts describe API parameters; on the page only the search box needs a hint.
PAGE_HINTS = {"q": "For example, Hackney Free, 100000 or E8 1"}


class SchoolSearchForm(forms.Form):
    """The form behind `SchoolFilter`: its fields come from the filters; this adds page hints and cross-checks."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.help_text = PAGE_HINTS.get(name, "")

    def clean_q(self) -> str:
        return " ".join((self.cleaned_data.get("q") or "").split())

    def clean(self):
        cleaned = super().clean()
        borough, bcu = cleaned.get("borough"), cleaned.get("bcu")
        if borough and bcu and borough.bcu_id != bcu.pk:
            self.add_error("bcu", f"{borough.name} is not in {bcu.name}: choose a different borough or command unit")
        return cleaned
