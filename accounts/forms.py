"""Forms of the roles pages. They parse input only; the services decide and write."""

from django import forms

from schools.models import BasicCommandUnit, LocalAuthority, School

from .models import Organisation, PoliceRole, ProgrammeRole, SchoolDuty


class UrnField(forms.CharField):
    """A school by its 6-digit URN, looked up in the register."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "School URN")
        kwargs.setdefault("help_text", "The 6-digit unique reference number, for example 100000")
        kwargs.setdefault("max_length", 6)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value).strip()
        if not (value.isdigit() and len(value) == 6):
            raise forms.ValidationError("Enter a URN of 6 digits, like 100000")
        school = School.objects.select_related("local_authority").filter(urn=int(value)).first()
        if school is None:
            raise forms.ValidationError("No school in the register has that URN")
        return school


class EmailInputField(forms.EmailField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Email address")
        kwargs.setdefault("error_messages", {"required": "Enter an email address"})
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})


class HeadteacherInviteForm(forms.Form):
    urn = UrnField(error_messages={"required": "Enter the school's URN"})
    email = EmailInputField(help_text="The headteacher's work email address. The invitation link is sent there.")


class InvitationFileForm(forms.Form):
    file = forms.FileField(
        label="Upload a CSV file",
        help_text="Two columns with the headings urn,email: one row for each school's headteacher",
        error_messages={"required": "Choose a CSV file to upload"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"


class StaffInviteForm(forms.Form):
    email = EmailInputField(help_text="Their work email address. The invitation link is sent there.")


class OrganisationInviteForm(forms.Form):
    email = EmailInputField(help_text="Their email address. The invitation link is sent there and works only for it.")


class DutiesForm(forms.Form):
    duties = forms.MultipleChoiceField(
        label="Duties",
        required=False,
        choices=SchoolDuty.Duty.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply. Stepping Stones leads see their school's referred pupils' records.",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give a reason"},
        help_text="This is kept in the audit record.",
    )


class JoinRequestForm(forms.Form):
    urn = UrnField(error_messages={"required": "Enter the school's URN"})
    message = forms.CharField(
        label="Your job at the school",
        required=False,
        max_length=500,
        help_text="For example, head of year 7. This helps the headteacher recognise you.",
        widget=forms.TextInput,
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("approve", "Approve"), ("decline", "Decline")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose approve or decline"},
    )
    reason = forms.CharField(
        label="Reason (if you decline)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The person can read this after signing in.",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Give a reason for declining")
        return data


class PoliceRoleForm(forms.Form):
    email = EmailInputField(help_text="The account must exist already: the person creates it first.")
    kind = forms.ChoiceField(
        label="Role",
        choices=PoliceRole.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a role"},
    )
    all_london = forms.BooleanField(label="Covers all London (allocators only)", required=False)
    bcus = forms.ModelMultipleChoiceField(
        label="Basic Command Units (allocators only)",
        queryset=BasicCommandUnit.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == PoliceRole.Kind.ALLOCATOR and not data.get("all_london") and not data.get("bcus"):
            self.add_error("bcus", "Choose the BCUs this allocator covers, or all London")
        return data


class ProgrammeRoleForm(forms.Form):
    email = EmailInputField(help_text="The account must exist already: the person creates it first.")
    kind = forms.ChoiceField(
        label="Role",
        choices=ProgrammeRole.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a role"},
    )


class OrganisationForm(forms.Form):
    name = forms.CharField(
        label="Organisation name", max_length=200, error_messages={"required": "Enter the organisation's name"}
    )
    type = forms.ChoiceField(
        label="Type of organisation",
        choices=Organisation.Type.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of organisation"},
    )
    borough = forms.ModelChoiceField(
        label="London borough",
        queryset=LocalAuthority.objects.exclude(area=LocalAuthority.Area.OUTSIDE).order_by("name"),
        empty_label="Choose a borough",
        error_messages={"required": "Choose the borough where the organisation works"},
    )
    website = forms.URLField(label="Website (optional)", required=False, assume_scheme="https")
    description = forms.CharField(
        label="What does the organisation do with young people?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class OrganisationDecisionForm(DecisionForm):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("verify", "Verify"), ("decline", "Decline")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose verify or decline"},
    )


class ConfirmForm(forms.Form):
    """A POST with nothing to fill in: the button is the answer."""


class ExpiredInvitationsForm(forms.Form):
    """The expired invitations on this page, to tick and send again."""

    invitations = forms.TypedMultipleChoiceField(
        label="Invitations to send again",
        help_text="Each person gets a new link that works for 7 days. Select all that apply.",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select the invitations to send again",
            "invalid_choice": "Select invitations from the list",
        },
    )

    def __init__(self, *args, invitations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invitations"].choices = [
            (
                invitation.pk,
                f"{invitation.email}: {invitation.get_role_display().lower()} at {invitation.school.name} "
                f"({invitation.school_id}), expired {invitation.expires_at:%-d %B %Y}",
            )
            for invitation in invitations
        ]
