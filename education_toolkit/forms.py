from django import forms

from .models import FACET_LABELS, FACETS, AccessLevel, DeliveryReport, ResourceType


class ResourceForm(forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "Enter a title"})
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One or two sentences: what it is and who it is for.",
        error_messages={"required": "Enter a summary"},
    )
    learning_objectives = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="One objective a line."
    )
    resource_type = forms.ChoiceField(
        label="Resource type",
        choices=[("", "Choose a type"), *ResourceType.choices],
        error_messages={"required": "Choose a resource type"},
    )
    age_range = forms.CharField(
        label="Ages, for a resource without a key stage (optional)",
        max_length=40,
        required=False,
        help_text="For example, 11 to 25. A resource with key stages shows their ages (key stage 4 is 14 to 16).",
    )
    duration_minutes = forms.IntegerField(
        label="Duration in minutes (optional)",
        required=False,
        min_value=1,
        max_value=600,
        error_messages={
            "invalid": "Enter the duration as a whole number of minutes",
            "min_value": "The duration must be at least 1 minute",
            "max_value": "The duration must be 600 minutes or fewer",
        },
    )
    content_guidance = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What it shows or discusses that may affect young people who have been touched by knife crime.",
        error_messages={"required": "Enter the content guidance"},
    )
    safeguarding_notes = forms.CharField(
        label="Safeguarding preparation",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What to prepare before delivering it, and the supervision it needs.",
        error_messages={"required": "Enter the safeguarding preparation notes"},
    )
    signposting = forms.CharField(
        label="Help services to signpost (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    licence = forms.CharField(max_length=120, initial="Open Government Licence v3.0")
    language = forms.CharField(max_length=40, initial="English")
    access_level = forms.ChoiceField(
        label="Who can download it",
        choices=AccessLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who can download it"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, values in FACETS.items():
            self.fields[kind] = forms.MultipleChoiceField(
                label=FACET_LABELS[kind],
                choices=list(values.items()),
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def values(self) -> tuple[dict, dict]:
        data = dict(self.cleaned_data)
        facets = {kind: data.pop(kind) for kind in FACETS}
        return data, facets


class FileAddForm(forms.Form):
    title = forms.CharField(
        label="File title",
        max_length=200,
        help_text="For example, Teacher notes or Slides",
        error_messages={"required": "Enter a title for the file"},
    )
    file = forms.FileField(
        label="Upload a file",
        help_text="PDF, Word, PowerPoint, Excel, PNG, JPEG, MP4, text or CSV, smaller than 50 MB. Only the file's "
        "own name is kept, without any folders.",
        error_messages={"required": "Select a file", "empty": "The selected file is empty"},
    )


class VersionUploadForm(forms.Form):
    file = forms.FileField(
        label="Upload the new version",
        help_text="People who downloaded an earlier version and asked for updates will get one email.",
        error_messages={"required": "Select a file", "empty": "The selected file is empty"},
    )
    change_note = forms.CharField(
        label="What changed",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what changed in this version"},
    )


class StatusForm(forms.Form):
    reason = forms.CharField(
        label="Note for the history (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TermsForm(forms.Form):
    accept_terms = forms.BooleanField(
        label="I accept the terms of use, and I will read the safeguarding notes before delivering any resource",
        error_messages={"required": "Accept the terms of use to download resources"},
    )


class DownloadForm(forms.Form):
    """Tick files of one resource (or "all"); terms asked for here if not yet accepted."""

    files = forms.TypedMultipleChoiceField(
        label="Files",
        coerce=int,
        required=False,
        error_messages={"invalid_choice": "Choose files of this resource only"},
    )
    accept_terms = forms.BooleanField(
        label="I accept the terms of use, and I will read the safeguarding notes before delivering it",
        required=False,
    )

    def __init__(self, *args, versions=(), needs_terms=False, everything=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].choices = [(v.pk, v.filename) for v in versions]
        self.needs_terms = needs_terms
        self.everything = everything

    def clean(self):
        data = super().clean()
        if self.needs_terms and not data.get("accept_terms"):
            self.add_error("accept_terms", "Accept the terms of use to download this resource")
        if not self.everything and not data.get("files") and "files" not in self.errors:
            self.add_error("files", "Select at least one file to download")
        return data


class DeliveryReportForm(forms.Form):
    young_people = forms.IntegerField(
        label="How many young people took part?",
        min_value=1,
        max_value=100000,
        error_messages={
            "required": "Enter how many young people took part",
            "invalid": "Enter the number of young people as a whole number",
            "min_value": "Enter at least 1",
            "max_value": "Enter 100,000 or fewer",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    setting = forms.ChoiceField(
        label="Where did you deliver it?",
        choices=DeliveryReport.Setting.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where you delivered it"},
    )
    delivered_on = forms.DateField(
        label="Date you delivered it",
        help_text="For example, 27 3 2026 or 2026-03-27",
        input_formats=["%Y-%m-%d", "%d %m %Y", "%d/%m/%Y"],
        error_messages={"required": "Enter the date you delivered it", "invalid": "Enter a real date, like 27 3 2026"},
    )
    notes = forms.CharField(
        label="Anything to report? (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="How it went, questions young people asked, concerns you passed to a safeguarding lead. "
        "Do not name young people.",
    )


class SynonymForm(forms.Form):
    term = forms.CharField(
        label="Word or phrase people search for",
        max_length=60,
        error_messages={"required": "Enter a word or phrase people search for"},
    )
    alternatives = forms.CharField(
        label="Other words or phrases meaning the same",
        max_length=1000,
        help_text="Separate them with commas, for example: bleed, first aid, wound",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter at least one other word or phrase meaning the same"},
    )


class SeveralDownloadForm(forms.Form):
    """Files ticked in the catalogue or search results, across resources, in one zip; terms asked for if not yet."""

    files = forms.TypedMultipleChoiceField(
        label="Files",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one file to download",
            "invalid_choice": "One of the files you ticked has a new version or is no longer in the toolkit: tick "
            "the files again",
        },
    )
    accept_terms = forms.BooleanField(
        label="I accept the terms of use, and I will read the safeguarding notes before delivering them",
        required=False,
    )

    def __init__(self, *args, files=(), needs_terms=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].choices = [(f.current_version_id, f.title) for f in files]
        self.needs_terms = needs_terms

    def clean(self):
        data = super().clean()
        if self.needs_terms and not data.get("accept_terms"):
            self.add_error("accept_terms", "Accept the terms of use to download these files")
        return data
