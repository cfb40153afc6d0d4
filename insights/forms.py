"""The dashboard's filters and measure (GET: they carry no personal data, so a filtered map can be bookmarked)."""

from django import forms

from .selectors import DEFAULT_MEASURE, MEASURES, PHASE_GROUPS


class DashboardFilterForm(forms.Form):
    measure = forms.ChoiceField(
        label="Colour the map by",
        choices=[(m.key, m.label) for m in MEASURES.values()],
        required=False,
        error_messages={"invalid_choice": "Choose a measure from the list"},
    )
    bcu = forms.ChoiceField(
        label="Basic Command Unit (BCU)",
        required=False,
        error_messages={"invalid_choice": "Choose a BCU from the list"},
    )
    phase = forms.ChoiceField(
        label="School phase",
        choices=[("", "All phases"), *((key, label) for key, (label, _) in PHASE_GROUPS.items())],
        required=False,
        error_messages={"invalid_choice": "Choose a school phase from the list"},
    )

    def __init__(self, *args, bcus, all_london: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.bcus = {bcu.slug: bcu for bcu in bcus}
        everything = "All of London" if all_london else "All your BCUs"
        self.fields["bcu"].choices = [("", everything), *((bcu.slug, bcu.name) for bcu in bcus)]

    def chosen(self) -> dict:
        """The filters to apply: the valid ones as chosen, the defaults for any that is not valid."""
        data = {}
        if self.is_bound:
            self.is_valid()  # cleaned_data keeps the fields that are valid even when another is not
            data = self.cleaned_data
        return {
            "measure": MEASURES[data.get("measure") or DEFAULT_MEASURE],
            "bcu": self.bcus.get(data.get("bcu") or ""),
            "phase": data.get("phase") or "",
        }


class SchoolLookupForm(forms.Form):
    urn = forms.RegexField(
        label="School URN",
        help_text="The 6-digit unique reference number from Get Information about Schools, for example 100275.",
        regex=r"^\s*\d{6}\s*$",
        error_messages={
            "required": "Enter the school's URN",
            "invalid": "Enter a URN of 6 digits, like 100275",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
    )

    def clean_urn(self) -> int:
        return int(self.cleaned_data["urn"].strip())
