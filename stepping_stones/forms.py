"""Stepping Stones forms: one question page each, checked here for shape; the services check the rules.

Dates are GOV.UK date inputs (day, month, year as three boxes): `DateParts` adds the three fields and turns them into
one `date` in `cleaned_data`, with the error on the day box so the error summary links to the first box.
"""

import datetime

from django import forms

from core.forms import required
from core.uploads import MaxUploadSize

from .models import reference_example
from .services import MAX_CSV_BYTES, no_year_6_message

CONSENT_METHODS = [("paper", "On a paper form"), ("verbal", "Verbally (in person or by phone)"), ("email", "By email")]
RELATIONSHIPS = [
    ("mother", "Mother"),
    ("father", "Father"),
    ("carer", "Carer"),
    ("guardian", "Legal guardian"),
    ("other", "Other person with parental responsibility"),
]
NOT_YET_KNOWN = "not-yet-known"


class DateParts:
    """Mixin: `date_fields = {"name": "Label for messages"}` adds name_day/name_month/name_year."""

    date_fields: dict[str, str] = {}

    def add_date_fields(self):
        for name in self.date_fields:
            for part, width in (("day", 2), ("month", 2), ("year", 4)):
                self.fields[f"{name}_{part}"] = forms.CharField(
                    label=part.capitalize(),
                    required=False,
                    max_length=width,
                    widget=forms.TextInput(attrs={"inputmode": "numeric"}),
                )

    def clean_dates(self, cleaned):
        for name, label in self.date_fields.items():
            parts = [(cleaned.get(f"{name}_{part}") or "").strip() for part in ("day", "month", "year")]
            if not any(parts):
                self.add_error(f"{name}_day", f"Enter {label}")
                continue
            missing = [part for part, value in zip(("day", "month", "year"), parts, strict=True) if not value]
            if missing:
                self.add_error(f"{name}_day", f"{label.capitalize()} must include a {' and '.join(missing)}")
                continue
            if not all(value.isdigit() for value in parts) or len(parts[2]) != 4:
                self.add_error(f"{name}_day", f"{label.capitalize()} must be a real date, like 27 3 2015")
                continue
            try:
                cleaned[name] = datetime.date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                self.add_error(f"{name}_day", f"{label.capitalize()} must be a real date, like 27 3 2015")
        return cleaned

    @staticmethod
    def initial_parts(name: str, value) -> dict:
        if not value:
            return {}
        if isinstance(value, str):
            value = datetime.date.fromisoformat(value)
        return {f"{name}_day": value.day, f"{name}_month": value.month, f"{name}_year": value.year}


class _ReferringSchoolField(forms.TypedChoiceField):
    """The referring school: a school this person leads that cannot refer (no Year 6) is refused with its reason, not
    the generic "not one of the available choices" (it is never offered, but a page opened before may post it)."""

    refused: dict[str, str] = {}

    def validate(self, value):
        if str(value) in self.refused:
            raise forms.ValidationError(self.refused[str(value)], code="no_year_6")
        super().validate(value)


class PupilForm(DateParts, forms.Form):
    """Who the pupil is. The receiving school and the rest come on later pages."""

    date_fields = {"date_of_birth": "the pupil's date of birth"}

    school = _ReferringSchoolField(
        label="Which primary school is referring the pupil?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages=required("Choose the primary school that is referring the pupil"),
    )
    cohort = forms.TypedChoiceField(
        label="Which transition is the pupil in?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages=required("Choose the transition the pupil is in"),
    )
    first_name = forms.CharField(
        label="First name",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages=required("Enter the pupil's first name"),
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages=required("Enter the pupil's last name"),
    )
    upn = forms.CharField(
        label="Unique pupil number (UPN)",
        help_text="13 characters, starting with a letter, for example F202234525001. You can find it in your "
        "school's management information system. A temporary UPN (ending in a letter) is accepted.",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages=required("Enter the pupil's unique pupil number (UPN)"),
    )
    outside_age_group_reason = forms.CharField(
        label="If the pupil is not in Year 6 by age, why are they being referred? (optional)",
        help_text="Only if the pupil is taught outside their age group, for example they were held back a year.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, schools=(), cohorts=(), refused_schools=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [(school.pk, school.name) for school in schools]
        self.fields["school"].refused = {str(school.pk): no_year_6_message(school) for school in refused_schools}
        if len(schools) > 8:  # a coordinator choosing among many feeder primaries
            self.fields["school"].widget = forms.Select()
            self.fields["school"].choices = [("", "Choose a school"), *self.fields["school"].choices]
        self.fields["cohort"].choices = [(cohort.pk, str(cohort)) for cohort in cohorts]
        self.add_date_fields()
        # One school or one open transition: nothing to choose, so no question.
        # ...unless a school that cannot refer was posted: the question is then shown, with the reason as its error.
        posted = str(self.data.get(self.add_prefix("school"), "")) if self.is_bound else ""
        self.single_school = len(schools) == 1 and posted not in self.fields["school"].refused
        self.single_cohort = len(cohorts) == 1
        if self.single_school:
            self.fields["school"].required = False
            self.fields["school"].widget = forms.HiddenInput()
            self.fields["school"].initial = schools[0].pk
        if self.single_cohort:
            self.fields["cohort"].required = False
            self.fields["cohort"].widget = forms.HiddenInput()
            self.fields["cohort"].initial = cohorts[0].pk

    def clean_upn(self):
        return self.cleaned_data["upn"].strip().upper().replace(" ", "")

    def clean(self):
        cleaned = super().clean()
        if self.single_school:
            cleaned["school"] = int(self.fields["school"].initial)
        if self.single_cohort:
            cleaned["cohort"] = int(self.fields["cohort"].initial)
        return self.clean_dates(cleaned)


class DestinationForm(forms.Form):
    receiving_school = forms.ChoiceField(
        label="Which secondary school will the pupil go to?",
        help_text="Only schools taking part in this transition are listed. Choose 'Not yet known' if the pupil "
        "has no offer yet: the Violence Reduction Unit will route the referral once the destination is known.",
        widget=forms.RadioSelect,
        error_messages=required("Choose the secondary school the pupil will go to, or 'Not yet known'"),
    )

    def __init__(self, *args, schools=(), allow_unknown=True, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(school.pk), school.name) for school in schools]
        if allow_unknown:
            choices.append((NOT_YET_KNOWN, "Not yet known"))
        self.fields["receiving_school"].choices = choices

    def clean_receiving_school(self):
        value = self.cleaned_data["receiving_school"]
        return None if value == NOT_YET_KNOWN else int(value)


class RouteForm(DestinationForm):
    """A coordinator enters the destination once it is known (after national offer day)."""

    def __init__(self, *args, schools=(), **kwargs):
        super().__init__(*args, schools=schools, allow_unknown=False, **kwargs)
        self.fields["receiving_school"].help_text = "Only schools taking part in this transition are listed."
        self.fields["receiving_school"].error_messages = required("Choose the secondary school the pupil will go to")


class NeedsForm(forms.Form):
    needs = forms.TypedMultipleChoiceField(
        label="What does the pupil need help with?",
        help_text="Select all that apply.",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages=required("Select at least one need"),
    )
    strengths = forms.CharField(
        label="What are the pupil's strengths?",
        help_text="What they are good at and enjoy: this helps the secondary school plan their first weeks.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages=required("Enter the pupil's strengths"),
    )

    def __init__(self, *args, needs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["needs"].choices = [(need.pk, need.name) for need in needs]


class ContactForm(forms.Form):
    known_by_name = forms.CharField(
        label="Name of the member of staff who knows the pupil best",
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages=required("Enter the name of the member of staff who knows the pupil"),
    )
    known_by_role = forms.CharField(
        label="Their role",
        help_text="For example, Year 6 class teacher or learning mentor.",
        max_length=120,
        error_messages=required("Enter their role at the school"),
    )


class ConsentForm(DateParts, forms.Form):
    date_fields = {"given_on": "the date consent was given"}

    given_by_name = forms.CharField(
        label="Full name of the parent or carer who gave consent",
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages=required("Enter the name of the parent or carer who gave consent"),
    )
    relationship = forms.ChoiceField(
        label="Their relationship to the pupil",
        choices=RELATIONSHIPS,
        widget=forms.RadioSelect,
        error_messages=required("Choose their relationship to the pupil"),
    )
    method = forms.ChoiceField(
        label="How did they give consent?",
        choices=CONSENT_METHODS,
        widget=forms.RadioSelect,
        error_messages=required("Choose how consent was given"),
    )
    text_confirmed = forms.BooleanField(
        label="The parent or carer was given the consent text shown above",
        error_messages=required("Confirm that the parent or carer was given this version of the consent text"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_date_fields()

    def clean(self):
        cleaned = self.clean_dates(super().clean())
        given_on = cleaned.get("given_on")
        if given_on and given_on > datetime.date.today():
            self.add_error("given_on_day", "The date consent was given must be today or in the past")
        return cleaned


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="What is your decision?",
        choices=[
            ("accept", "Accept: offer the pupil a place"),
            ("waitlist", "Put the pupil on the waiting list"),
            ("decline", "Decline the referral"),
        ],
        widget=forms.RadioSelect,
        error_messages=required("Choose accept, waiting list or decline"),
    )
    priority = forms.ChoiceField(
        label="Priority on the waiting list",
        help_text="Only if you put the pupil on the waiting list. Higher priority pupils are offered places first; "
        "pupils with the same priority are offered places in the order they were referred.",
        choices=[("", "Choose a priority"), ("1", "High"), ("2", "Medium"), ("3", "Standard")],
        required=False,
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Required if you decline: the primary school's lead sees it.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, places_left: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if places_left == 0:
            # No place to offer: accepting is not a choice (the service would refuse it too).
            self.fields["decision"].choices = [c for c in self.fields["decision"].choices if c[0] != "accept"]
            self.fields["decision"].error_messages["required"] = "Choose waiting list or decline"
            self.fields["decision"].error_messages["invalid_choice"] = (
                "The school has no places left: put the pupil on the waiting list or decline the referral"
            )

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == "decline" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Enter the reason for declining the referral")
        if decision == "waitlist" and not cleaned.get("priority"):
            self.add_error("priority", "Choose the pupil's priority on the waiting list")
        return cleaned


class ConfirmForm(forms.Form):
    """A confirm-only page: the POST itself is the answer."""


class ProgressForm(forms.Form):
    engagement_day = forms.ChoiceField(
        label="Did the pupil attend the engagement day?",
        choices=[("", "Not recorded yet"), ("yes", "Yes"), ("no", "No")],
        required=False,
        widget=forms.RadioSelect,
    )
    summer_school = forms.ChoiceField(
        label="Did the pupil attend the summer school?",
        choices=[("", "Not recorded yet"), ("yes", "Yes"), ("no", "No")],
        required=False,
        widget=forms.RadioSelect,
    )
    sessions_attended = forms.CharField(
        label="Sessions attended in Year 7",
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages=required("Enter the number of sessions attended, or 0"),
    )
    peer_mentor_assigned = forms.ChoiceField(
        label="Has the pupil been given a Year 10 peer mentor?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages=required("Choose yes if the pupil has a peer mentor"),
    )

    def clean_sessions_attended(self):
        value = self.cleaned_data["sessions_attended"].strip()
        if not value.isdigit():
            raise forms.ValidationError("Enter the number of sessions as a whole number, like 6")
        return int(value)


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="What is the pupil's new status?",
        widget=forms.RadioSelect,
        error_messages=required("Choose the pupil's new status"),
    )
    reason = forms.CharField(
        label="Why is the status changing?",
        help_text="A short note for the record, for example 'Attended the first session'. Do not include the "
        "pupil's name or other personal details.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": "Enter a short reason for the change of status",
            "max_length": "The reason must be 500 characters or fewer",
        },
    )

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = list(statuses)


class WithdrawForm(forms.Form):
    kind = forms.ChoiceField(
        label="Why is the pupil leaving Stepping Stones?",
        choices=[
            ("withdrawn", "Withdrawn from the programme"),
            ("moved_school", "Moved to another school"),
            ("consent_withdrawn", "Their parent or carer withdrew consent"),
        ],
        widget=forms.RadioSelect,
        error_messages=required("Choose why the pupil is leaving"),
    )
    reason = forms.CharField(
        label="Give details",
        help_text="If consent is withdrawn, the pupil's record is reduced to what the programme's counts need.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=required("Enter the reason the pupil is leaving"),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=required("Enter the reason"),
    )


class EraseForm(forms.Form):
    reason = forms.CharField(
        label="Why is the pupil's record being erased?",
        help_text="For example, the date and reference of the parent's or carer's erasure request.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=required("Enter why the record is being erased"),
    )
    confirm = forms.BooleanField(
        label="I understand that the pupil's details are erased and cannot be recovered",
        error_messages=required("Confirm that you understand the erasure cannot be undone"),
    )


class ReferenceForm(forms.Form):
    reference = forms.CharField(
        label="Reference number",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages=required("Enter a reference number"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The example follows the transition under way (its year is in every reference made now).
        self.fields["reference"].help_text = f"For example, {reference_example()}."

    def clean_reference(self):
        return self.cleaned_data["reference"].strip().upper()


class SearchForm(DateParts, forms.Form):
    """Sent by POST only: a pupil's name, UPN or date of birth never goes into a URL."""

    date_fields = {"dob": "the date of birth"}

    upn = forms.CharField(
        label="Unique pupil number (UPN)",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(
        label="Pupil's name",
        help_text="First name, last name or both.",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_date_fields()

    def clean(self):
        cleaned = super().clean()
        parts = [(cleaned.get(f"dob_{p}") or "").strip() for p in ("day", "month", "year")]
        if any(parts):
            self.clean_dates(cleaned)
        upn = (cleaned.get("upn") or "").strip().upper().replace(" ", "")
        cleaned["upn"] = upn
        cleaned["name"] = (cleaned.get("name") or "").strip()
        if not (upn or cleaned["name"] or cleaned.get("dob")) and not self.errors:
            self.add_error("upn", "Enter a UPN, a name or a date of birth to search for")
        return cleaned


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a CSV file",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={"required": "Choose a CSV file to upload", "empty": "The file is empty"},
        # Judged by its recorded size, so an oversize file is refused before any of it is read.
        validators=[MaxUploadSize(MAX_CSV_BYTES, "The file must be smaller than 2 MB.")],
    )


class NeedForm(forms.Form):
    name = forms.CharField(
        label="Need",
        max_length=120,
        error_messages={"required": "Enter the need", "max_length": "The need must be 120 characters or fewer"},
    )
    description = forms.CharField(
        label="Description (optional)",
        help_text="Shown to primary schools under the need.",
        required=False,
        max_length=255,
        error_messages={"max_length": "The description must be 255 characters or fewer"},
    )


class CohortEndDateForm(DateParts, forms.Form):
    """When the programme ends for a transition: retention counts from this date."""

    date_fields = {"ends_on": "the date the programme ends for this transition"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_date_fields()

    def clean(self):
        return self.clean_dates(super().clean())


class CohortForm(forms.Form):
    transition_year = forms.CharField(
        label="Which September do the pupils start Year 7?",
        help_text="For example, 2027: the pupils are in Year 6 in 2026/27.",
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages=required("Enter the year the pupils start Year 7, like 2027"),
    )

    def clean_transition_year(self):
        value = self.cleaned_data["transition_year"].strip()
        if not (value.isdigit() and len(value) == 4):
            raise forms.ValidationError("Enter the year the pupils start Year 7 as 4 digits, like 2027")
        return int(value)


class CohortStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Status of this transition",
        widget=forms.RadioSelect,
        error_messages=required("Choose the status of this transition"),
    )

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = list(statuses)


def _urns(value: str) -> list[int]:
    parts = [part for part in value.replace(";", ",").replace("\n", ",").split(",") if part.strip()]
    urns = []
    for part in parts:
        part = part.strip()
        if not (part.isdigit() and len(part) == 6):
            raise forms.ValidationError(f"'{part[:12]}' is not a URN: a URN is 6 digits, like 100275")
        urns.append(int(part))
    return urns


class ParticipatingSchoolForm(forms.Form):
    urn = forms.CharField(
        label="Secondary school's URN",
        help_text="The 6-digit unique reference number from Get Information about Schools.",
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages=required("Enter the secondary school's URN"),
    )
    places = forms.CharField(
        label="Number of places",
        max_length=3,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages=required("Enter the number of places"),
    )
    feeders = forms.CharField(
        label="Feeder primary schools' URNs (optional)",
        help_text="Separated by commas or on separate lines.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
    )

    def clean_urn(self):
        return _urns(self.cleaned_data["urn"])[0]

    def clean_places(self):
        value = self.cleaned_data["places"].strip()
        if not value.isdigit():
            raise forms.ValidationError("Enter the number of places as a whole number, like 60")
        return int(value)

    def clean_feeders(self):
        return _urns(self.cleaned_data["feeders"] or "")


class DuplicateDecisionForm(forms.Form):
    """A coordinator's decision on a possible duplicate: the choices name the two references."""

    decision = forms.ChoiceField(
        label="What should happen to these two referrals?",
        widget=forms.RadioSelect,
        error_messages=required("Choose what should happen to these two referrals"),
    )
    reason = forms.CharField(
        label="Reason or note",
        help_text="Needed to decline one: its referring school sees it. Do not name the other school or its pupil.",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, first: str, second: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [
            (f"merge:{first}", f"Merge: keep {first}, close {second}"),
            (f"merge:{second}", f"Merge: keep {second}, close {first}"),
            (f"decline:{first}", f"Decline {first} with a reason"),
            (f"decline:{second}", f"Decline {second} with a reason"),
            ("keep", "Keep both: they are different pupils (twins, a mistyped UPN)"),
        ]

    def clean(self):
        data = super().clean()
        if (data.get("decision") or "").startswith("decline:") and not (data.get("reason") or "").strip():
            self.add_error("reason", "Enter the reason for declining: the referring school will see it")
        return data
