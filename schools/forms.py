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
        # `borough` on the page, `la_code` in the API (schools.api.filters).
        borough, bcu = cleaned.get("borough") or cleaned.get("la_code"), cleaned.get("bcu")
        if borough and bcu and borough.bcu_id != bcu.pk:
            self.add_error("bcu", f"{borough.name} is not in {bcu.name}: choose a different borough or command unit")
        return cleaned


class ChangeApplyForm(forms.Form):
    """Applying a closure or succession: one required choice for each conflict the programmes raised."""

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[question.key] = forms.ChoiceField(
                label=question.text,
                choices=list(question.options),
                widget=forms.RadioSelect,
                error_messages={"required": f"Choose what to do: {question.text.lower()}"},
            )


class ChangeDismissForm(forms.Form):
    reason = forms.CharField(
        label="Why dismiss it?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: the school is not closing; GIAS will be corrected. The refresh will not ask again.",
        error_messages={"required": "Give a reason for dismissing"},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give a reason for dismissing")
        return reason


class ChangeUndoForm(forms.Form):
    reason = forms.CharField(
        label="Why undo it? (optional)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
