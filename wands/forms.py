"""Forms of the wands pages. They check the shape of what people type; the rules live in services.py."""

import uuid

from django import forms
from django.utils import timezone

from core.forms import required, whole_number_field
from core.text import PHONE_INVALID, POSTCODE_INVALID, uk_phone, uk_postcode
from schools.models import School

from .models import WandIssue


class WandRequestForm(forms.Form):
    quantity = whole_number_field("How many wands do you need?", missing="Enter how many wands you need")
    contact_name = forms.CharField(
        label="Name of the person who will take the delivery",
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
        error_messages=required("Enter the name of the person who will take the delivery"),
    )
    contact_phone = forms.CharField(
        label="Their phone number",
        help_text="The courier calls this number if they cannot find the delivery point.",
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        error_messages=required("Enter a phone number for the delivery contact"),
    )
    delivery_address = forms.CharField(
        label="Delivery address",
        help_text="We have filled in the school's address from the register. Change it if the wands go elsewhere.",
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"}),
        error_messages=required("Enter the delivery address"),
    )
    delivery_postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
        error_messages=required("Enter the delivery postcode"),
    )
    policy_confirmed = forms.BooleanField(
        label="Our behaviour policy says staff may screen pupils for weapons",
        help_text=(
            "The Department for Education's guidance 'Searching, screening and confiscation' (2022) lets schools "
            "screen pupils with wands without suspicion, and asks that the behaviour policy says so."
        ),
        error_messages={"required": "Confirm that your behaviour policy says pupils may be screened for weapons"},
    )

    send_another = forms.BooleanField(
        label="Yes, send another request as well",
        required=False,
    )

    def __init__(self, *args, remaining: int, sent_today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.remaining = remaining
        self.fields["quantity"].help_text = f"Your school can request up to {remaining} more."
        # A request from this school in the last day (often the same one, sent again after Back): ask first.
        self.sent_today = sent_today
        if sent_today is None:
            del self.fields["send_another"]
        else:
            self.fields["send_another"].help_text = (
                f"Your school sent {sent_today.reference} at {timezone.localtime(sent_today.created_at):%H:%M}"
                f"{'' if timezone.localdate(sent_today.created_at) == timezone.localdate() else ' yesterday'}."
            )

    def clean_send_another(self):
        if self.sent_today is not None and not self.cleaned_data.get("send_another"):
            raise forms.ValidationError(
                f"Your school sent {self.sent_today.reference} less than a day ago: confirm you want to send another "
                "request, or view that one"
            )
        return True

    def clean_contact_phone(self):
        phone = uk_phone(self.cleaned_data["contact_phone"])
        if phone is None:
            raise forms.ValidationError(PHONE_INVALID)
        return phone

    def clean_delivery_postcode(self):
        postcode = uk_postcode(self.cleaned_data["delivery_postcode"])
        if postcode is None:
            raise forms.ValidationError(POSTCODE_INVALID)
        return postcode

    def clean_quantity(self):
        value = self.cleaned_data["quantity"].strip()
        if not value.lstrip("-").isdigit():
            raise forms.ValidationError("Enter the number of wands as a whole number, like 4")
        quantity = int(value)
        if quantity < 1:
            raise forms.ValidationError("The number of wands must be 1 or more")
        if quantity > self.remaining:
            raise forms.ValidationError(
                f"The number of wands must be {self.remaining} or fewer: that is what is left of your allowance"
            )
        return quantity


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="What is your decision?",
        choices=[("approve", "Approve"), ("reject", "Reject")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose approve or reject"},
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Required if you reject: the school sees it.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Enter the reason for rejecting the request")
        return cleaned


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why are you cancelling? (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ConfirmForm(forms.Form):
    """A confirm-only page: the POST itself is the answer."""


class DispatchForm(forms.Form):
    courier = forms.CharField(label="Courier", max_length=80, error_messages=required("Enter the courier"))
    tracking_reference = forms.CharField(
        label="Tracking reference", max_length=80, error_messages=required("Enter the tracking reference")
    )
    serials = forms.CharField(
        label="Serial numbers (optional)",
        help_text="One for each wand, separated by commas, semicolons or new lines.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )


class IssueForm(forms.Form):
    kind = forms.ChoiceField(
        label="What is wrong?",
        choices=WandIssue.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose faulty or missing"},
    )
    quantity = whole_number_field("How many wands?")
    outcome = forms.ChoiceField(
        label="What do you need?",
        choices=WandIssue.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a replacement or a return"},
    )
    details = forms.CharField(
        label="Tell us what happened",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages=required("Describe what is wrong"),
    )


class PickupCollectedForm(forms.Form):
    condition = forms.ChoiceField(
        label="Do the collected wands work?",
        choices=[
            ("working", "Yes, they work: put them back in stock"),
            ("faulty", "No, they are faulty: write them off"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the collected wands work"},
    )


class StockDeliveryForm(forms.Form):
    quantity = whole_number_field("Number of wands delivered")
    batch = forms.CharField(
        label="Supplier's batch reference",
        max_length=80,
        error_messages=required("Enter the supplier's batch reference"),
    )
    serials = forms.CharField(
        label="Serial numbers (optional)",
        help_text="One for each wand, separated by commas, semicolons or new lines.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class WriteOffForm(forms.Form):
    quantity = whole_number_field("Number of wands to write off")
    note = forms.CharField(
        label="Why are they written off?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=required("Enter why the wands are written off"),
    )


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a CSV file",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={"required": "Choose a CSV file to upload", "empty": "The file is empty"},
    )


class OverrideForm(forms.Form):
    override = whole_number_field(
        "Wands this school may hold", help_text="Leave empty to go back to the rule.", required=False
    )
    reason = forms.CharField(
        label="Why is the allowance changing?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=required("Enter why this school's allowance is changing"),
    )


class RuleForm(forms.Form):
    phase = forms.ChoiceField(label="Phase", choices=[("", "Any phase"), *School.Phase.choices], required=False)
    min_pupils = whole_number_field("From this many pupils")
    wands = whole_number_field("Wands")
    reason = forms.CharField(
        label="Why is the rule changing?",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=required("Enter why the rule is changing"),
    )

    def clean_min_pupils(self):
        value = self.cleaned_data["min_pupils"].strip()
        if not value.isdigit():
            raise forms.ValidationError("Enter pupil numbers as a whole number, like 750")
        return int(value)


class ApproveManyForm(forms.Form):
    requests = forms.TypedMultipleChoiceField(coerce=int, choices=[], required=True)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requests"].choices = list(choices)
