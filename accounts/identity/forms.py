from django import forms
from django.contrib.auth.hashers import make_password

from accounts.identity.services import TOKEN_MAX_DAYS

TOKEN_LIFETIME_CHOICES = [(7, "7 days"), (30, "30 days"), (90, "90 days"), (TOKEN_MAX_DAYS, "1 year")]


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        label="What is the token for?",
        help_text="For example, 'School MIS integration'. Only you see this.",
        max_length=100,
        error_messages={"required": "Enter what the token is for"},
    )
    days = forms.TypedChoiceField(
        label="How long should it work?",
        choices=TOKEN_LIFETIME_CHOICES,
        coerce=int,
        initial=30,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how long the token should work"},
    )
    password = forms.CharField(
        label="Your password",
        help_text="Enter your password again to confirm it is you.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        strip=False,
        error_messages={"required": "Enter your password"},
    )
    otp_code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code your app shows now, or one of your recovery codes.",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, needs_code: bool, needs_password: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_password:  # no portal password: confirmed at the provider instead (accounts.sso)
            del self.fields["password"]
        if needs_code:
            self.fields["otp_code"].required = True
            self.fields["otp_code"].error_messages["required"] = "Enter the code from your authenticator app"
        else:
            del self.fields["otp_code"]


class PersonAndReasonForm(forms.Form):
    email = forms.EmailField(
        label="Email address of the person",
        error_messages={"required": "Enter the person's email address", "invalid": "Enter a valid email address"},
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 1000}),
        error_messages={"required": "Enter a reason"},
    )

    def __init__(self, *args, reason_label: str, reason_hint: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = reason_label
        self.fields["reason"].help_text = reason_hint


def add_domain_error(form: forms.Form, error) -> None:
    """Show a service's DomainError on the field it names, or above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


# allauth's forms with GOV.UK error wording ("Enter your email address", not "This field is required.").
_REQUIRED = {
    "login": "Enter your email address",
    "email": "Enter your email address",
    "password": "Enter your password",
    "password1": "Enter a password",
    "password2": "Enter the password again",
    "remember": "",
}
_INVALID = {
    "login": "Enter an email address in the correct format, like name@example.org",
    "email": "Enter an email address in the correct format, like name@example.org",
}


def _govuk_errors(form):
    for name, field in form.fields.items():
        if _REQUIRED.get(name):
            field.error_messages["required"] = _REQUIRED[name]
        if name in _INVALID:
            field.error_messages["invalid"] = _INVALID[name]


def _allauth_form(base):
    class GovukForm(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            _govuk_errors(self)

        def api_tokens_revoked(self) -> int:
            """How many API tokens a new password revokes (the page says so before the person confirms)."""
            from accounts.identity.selectors import api_tokens_working

            user = getattr(self, "user", None)
            return api_tokens_working(user).count() if user is not None else 0

    GovukForm.__name__ = base.__name__
    GovukForm.__qualname__ = base.__qualname__
    return GovukForm


def _allauth_forms():
    from allauth.account import forms as allauth_forms

    return {
        "LoginForm": _allauth_form(allauth_forms.LoginForm),
        "SignupForm": _allauth_form(allauth_forms.SignupForm),
        "ResetPasswordForm": _allauth_form(allauth_forms.ResetPasswordForm),
        "ResetPasswordKeyForm": _allauth_form(allauth_forms.ResetPasswordKeyForm),
        "ChangePasswordForm": _allauth_form(allauth_forms.ChangePasswordForm),
    }


_FORMS = _allauth_forms()
LoginForm = _FORMS["LoginForm"]


class SignupForm(_FORMS["SignupForm"]):
    def try_save(self, request):
        """A new account hashes its password; an address that already has one must cost the same, or the answer's
        timing tells whether the address is registered (both then queue one email: AccountAdapter.send_mail)."""
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)


ResetPasswordForm = _FORMS["ResetPasswordForm"]
ResetPasswordKeyForm = _FORMS["ResetPasswordKeyForm"]
ChangePasswordForm = _FORMS["ChangePasswordForm"]
