from django import forms

from accounts.models import Organisation
from core.api.machine_scopes import SCOPES
from machine_clients.services import VALID_FOR_DAYS
from schools.models import LocalAuthority


def _london_authorities():
    authorities = LocalAuthority.objects.exclude(area=LocalAuthority.Area.OUTSIDE).order_by("name")
    return [("", "Select a local authority")] + [(la.code, la.name) for la in authorities]


def _verified_organisations():
    organisations = Organisation.objects.filter(status=Organisation.Status.VERIFIED).order_by("name", "id")
    return [("", "None")] + [(organisation.pk, organisation.name) for organisation in organisations]


class MachineClientRegisterForm(forms.Form):
    name = forms.CharField(
        label="Name of the system",
        help_text="What it is and whose, for example 'Camden nightly schools import'. Do not include a person's name.",
        max_length=100,
        error_messages={
            "required": "Enter a name for the system",
            "max_length": "The name must be 100 characters or fewer",
        },
    )
    local_authority = forms.TypedChoiceField(
        label="Local authority",
        help_text="The borough the system belongs to. Its own borough's figures are this borough's schools only.",
        coerce=int,
        empty_value=None,
        required=False,
        choices=(),
        error_messages={"invalid_choice": "Select a London local authority"},
    )
    organisation = forms.TypedChoiceField(
        label="Or a verified organisation",
        help_text="Instead of a local authority: a community, faith or youth organisation the programme team verified. "
        "It may read the register and the open figures only.",
        coerce=int,
        empty_value=None,
        required=False,
        choices=(),
        error_messages={"invalid_choice": "Select a verified organisation"},
    )
    scopes = forms.MultipleChoiceField(
        label="What may it read?",
        help_text="Select all that apply. Systems can only read, and never see pupil records.",
        choices=list(SCOPES.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select what the system may read",
            "invalid_choice": "Select what the system may read",
        },
    )
    days = forms.TypedChoiceField(
        label="How long should the credentials work?",
        coerce=int,
        choices=[(days, f"{days} days") for days in VALID_FOR_DAYS],
        initial=90,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how long the credentials work"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["local_authority"].choices = _london_authorities()
        self.fields["organisation"].choices = _verified_organisations()

    def clean(self):
        data = super().clean()
        if "local_authority" in data and "organisation" in data:
            if data["local_authority"] is None and data["organisation"] is None:
                self.add_error("local_authority", "Select a local authority or a verified organisation")
            elif data["local_authority"] is not None and data["organisation"] is not None:
                self.add_error("organisation", "Select a local authority or a verified organisation, not both")
        return data


class MachineClientRevokeForm(forms.Form):
    reason = forms.CharField(
        label="Why are you revoking it? (optional)",
        help_text="For example, the council asked, or the secret may have been seen by someone else. This is recorded.",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The reason must be 500 characters or fewer"},
    )
