from django import forms

from core.api.machine_scopes import SCOPES
from machine_clients.services import VALID_FOR_DAYS
from schools.models import LocalAuthority


def _london_authorities():
    authorities = LocalAuthority.objects.exclude(area=LocalAuthority.Area.OUTSIDE).order_by("name")
    return [("", "Select a local authority")] + [(la.code, la.name) for la in authorities]


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
        help_text="The borough the system belongs to. 'Own borough's figures' reads this borough's schools only.",
        coerce=int,
        choices=(),
        error_messages={"required": "Select a local authority", "invalid_choice": "Select a London local authority"},
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


class MachineClientRevokeForm(forms.Form):
    reason = forms.CharField(
        label="Why are you revoking it? (optional)",
        help_text="For example, the council asked, or the secret may have been seen by someone else. This is recorded.",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The reason must be 500 characters or fewer"},
    )
