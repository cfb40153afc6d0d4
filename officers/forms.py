"""Forms for the officers pages. Business rules live in the services; forms check shape and required answers."""

from django import forms

from core.uploads import MaxUploadSize

from .models import Officer
from .services import MAX_CSV_BYTES


class AssignForm(forms.Form):
    officer = forms.TypedChoiceField(
        label="Choose the named officer",
        help_text="Active officers of the school's BCU: those with room for this school first, then those it would "
        "take over capacity; nearest base first within each.",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose an officer"},
    )
    override_reason = forms.CharField(
        label="Reason (needed if you choose someone other than the top suggestion, or go over capacity)",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    replace = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, suggestions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = [(s.officer.pk, f"{s.officer.name} — {s.reason}") for s in suggestions]


class EndForm(forms.Form):
    reason = forms.CharField(
        label="Why is this ending?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why this is ending"},
    )


class WeightOverrideForm(forms.Form):
    weight = forms.IntegerField(
        label="Weight", min_value=1, max_value=200, error_messages={"required": "Enter a weight"}
    )
    reason = forms.CharField(
        label="Why does this school differ from the rule?",
        max_length=300,
        error_messages={"required": "Say why this school's weight differs"},
    )


class WeightRuleForm(forms.Form):
    phase = forms.CharField(label="Phase (leave blank for any phase)", required=False, max_length=20)
    pru_or_special = forms.BooleanField(label="Pupil referral units and special schools", required=False)
    min_pupils = forms.IntegerField(label="From this many pupils", min_value=0, initial=0)
    weight = forms.IntegerField(label="Weight", min_value=1, max_value=200)
    reason = forms.CharField(label="Why are you changing the rule?", max_length=300)


class OfficerForm(forms.Form):
    name = forms.CharField(max_length=120, error_messages={"required": "Enter the officer's name"})
    shoulder_number = forms.CharField(max_length=20, error_messages={"required": "Enter the shoulder number"})
    rank = forms.ChoiceField(choices=Officer.Rank.choices)
    role_type = forms.ChoiceField(label="Role", choices=Officer.RoleType.choices, widget=forms.RadioSelect)
    bcu = forms.ModelChoiceField(label="BCU", queryset=None, empty_label=None)
    base_name = forms.CharField(label="Base (police station)", max_length=120)
    base_postcode = forms.CharField(label="Base postcode", max_length=10)
    base_latitude = forms.FloatField(label="Base latitude", min_value=51.2, max_value=51.8)
    base_longitude = forms.FloatField(label="Base longitude", min_value=-0.6, max_value=0.4)
    capacity = forms.IntegerField(label="Capacity (weighted load)", min_value=1, max_value=1000)
    work_email = forms.EmailField(label="Work email", required=False)
    work_phone = forms.CharField(label="Work phone", required=False, max_length=30)

    def __init__(self, *args, bcus=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bcu"].queryset = bcus


class OfficerEditForm(OfficerForm):
    reason = forms.CharField(
        label="Reason for the change",
        help_text="Needed if the new capacity is below the officer's current load.",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class OfficerRequestForm(forms.Form):
    """What a headteacher asks is set by the school (a named officer when it has none, a different one when it has);
    they say why."""

    reason = forms.CharField(
        label="Why are you asking?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Tell us why you are asking"},
    )


class OptimiserForm(forms.Form):
    bcu = forms.ModelChoiceField(label="BCU", queryset=None, empty_label=None)
    allow_moves = forms.BooleanField(
        label="Allow schools to move to another officer when it saves more than 2 km", required=False
    )

    def __init__(self, *args, bcus=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bcu"].queryset = bcus


class WhatIfForm(forms.Form):
    bcu = forms.ModelChoiceField(label="BCU", queryset=None, empty_label=None)
    officers = forms.ModelMultipleChoiceField(
        label="Officers who leave", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    cut = forms.IntegerField(
        label="Or: how many officers are cut (those with the fewest schools go first)",
        min_value=0,
        max_value=200,
        required=False,
    )

    def __init__(self, *args, bcus=None, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bcu"].queryset = bcus
        self.fields["officers"].queryset = officers
        self.fields["officers"].label_from_instance = lambda o: f"{o.name} ({o.shoulder_number}, {o.bcu.name})"

    def clean(self):
        data = super().clean()
        officers, bcu = data.get("officers") or [], data.get("bcu")
        if bcu is not None and any(o.bcu_id != bcu.pk for o in officers):
            self.add_error("officers", "Choose officers from the BCU you are simulating")
        if not officers and not data.get("cut"):
            self.add_error("cut", "Choose officers who leave, or enter how many are cut")
        return data


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a CSV file",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={"required": "Choose a CSV file to upload", "empty": "The file is empty"},
        # Judged by its recorded size, so an oversize file is refused before any of it is read.
        validators=[MaxUploadSize(MAX_CSV_BYTES, "The file is larger than 2 MB.")],
    )
