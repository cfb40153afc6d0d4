"""Forms of the public pages. They check the shape of what people type; the rules live in services.py."""

from django import forms

from .models import Topic


class SignupForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="We only use this to send you the updates you choose.",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    topics = forms.MultipleChoiceField(
        label="What do you want to hear about?",
        help_text="Select all that apply.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one topic", "invalid_choice": "Select at least one topic"},
    )
    consent = forms.BooleanField(
        label="I agree to the consent statement",
        error_messages={"required": "Agree to the statement to sign up for updates"},
    )
    statement_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, topics=None, statement=None, **kwargs):
        super().__init__(*args, **kwargs)
        topics = list(topics if topics is not None else Topic.objects.filter(is_active=True))
        self.fields["topics"].choices = [(t.slug, t.name) for t in topics]
        if statement is not None:
            self.fields["statement_version"].initial = statement.version


class UpdateForm(forms.Form):
    topic = forms.TypedChoiceField(
        label="Topic",
        help_text="The update goes to every confirmed subscriber of this topic.",
        coerce=int,
        error_messages={"required": "Select a topic", "invalid_choice": "Select a topic"},
    )
    subject = forms.CharField(label="Subject", max_length=150, error_messages={"required": "Enter a subject"})
    body = forms.CharField(
        label="Update",
        help_text="Plain text. Do not include anything about a pupil. Every email ends with an unsubscribe link.",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter the update"},
    )

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", "Choose a topic")] + [(t["id"], t["name"]) for t in topics]


class ConsentStatementForm(forms.Form):
    text = forms.CharField(
        label="New wording of the consent statement",
        help_text=(
            "It becomes the next version and is shown on the sign-up form from now on. Earlier versions are kept "
            "with the sign-ups that agreed to them."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter the new wording of the consent statement"},
    )
