"""The dashboard's filters and measure (GET: they carry no personal data, so a filtered map can be bookmarked)."""

from django import forms

from schools.filters import URN_RE

from .selectors import DEFAULT_MEASURE, MEASURES, PHASE_GROUPS

# A search by name: shorter than this matches too much to be useful; longer than Find a school's search accepts.
SEARCH_MIN_LENGTH = 3
SEARCH_MAX_LENGTH = 100


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
    """A school's name (or part of it) to search for, or its URN to go straight to its profile."""

    q = forms.CharField(
        label="School name or URN",
        help_text=(
            "Part of the school's name, for example Harris Academy Peckham, or its 6-digit URN, for example 100275."
        ),
        max_length=SEARCH_MAX_LENGTH,
        error_messages={
            "required": "Enter a school name or URN",
            "max_length": f"Enter {SEARCH_MAX_LENGTH} characters or fewer",
        },
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )

    def __init__(self, data=None, *args, **kwargs):
        # Links and bookmarks from before the name search carry the URN as `urn`.
        if data is not None and "q" not in data and "urn" in data:
            data = {"q": data["urn"]}
        super().__init__(data, *args, **kwargs)

    def clean_q(self) -> str:
        text = " ".join(self.cleaned_data["q"].split())
        if text.isdigit():
            if not URN_RE.match(text):
                raise forms.ValidationError("Enter a URN of 6 digits, like 100275")
        elif len(text) < SEARCH_MIN_LENGTH:
            raise forms.ValidationError(f"Enter at least {SEARCH_MIN_LENGTH} characters of the school's name")
        return text

    @property
    def urn(self) -> int | None:
        """The URN asked for, when the valid search is 6 digits; None for a name."""
        text = self.cleaned_data["q"]
        return int(text) if text.isdigit() else None
