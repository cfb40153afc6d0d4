"""allauth's two-factor forms (settings.MFA_FORMS), changed in two ways.

- Set-up keeps one secret until set-up finishes or is cancelled. allauth's form makes a new secret whenever it is
  built unbound, that is on every GET of the set-up page: a reload, a second tab or any stray request for the page
  replaced the secret the person had already scanned, and every code was then "incorrect". Here the secret is made
  once and kept in the session (allauth's own key) until allauth clears it on activation, or set-up is cancelled.
- Every code entry counts wrong codes (TOTP or recovery codes) on the account's one counter of wrong secrets, shared
  with wrong passwords (accounts.identity.attempts): the sign-in code step and confirming it's you (which also guards
  turning two-factor off and making new recovery codes). A right code that was already used is refused as before,
  and counts as before, but says so (`mfa.USED_CODE_MESSAGE`) instead of calling the code wrong.
"""

from allauth.mfa.adapter import get_adapter
from allauth.mfa.base import forms as base_forms
from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.totp.internal import auth as totp_auth
from django import forms

from accounts.identity import attempts, mfa


class ActivateTOTPForm(totp_forms.ActivateTOTPForm):
    def __init__(self, *args, **kwargs):
        self.user = kwargs.pop("user")
        forms.Form.__init__(self, *args, **kwargs)  # not allauth's __init__: it regenerates the secret when unbound
        self.secret = totp_auth.get_totp_secret(regenerate=False)


def cancel_totp_set_up(request) -> None:
    """Forget the secret being set up: the next visit to the set-up page shows a new one."""
    totp_auth.clear_totp_secret(request)


class _CountsWrongCodes:
    def clean_code(self) -> str:
        if attempts.locked(self.user):
            raise get_adapter().validation_error("too_many_wrong_secrets")
        try:
            code = super().clean_code()
        except forms.ValidationError as error:
            attempts.failed(self.user)
            if error.code == "incorrect_code" and mfa.totp_code_already_used(self.user, self.cleaned_data.get("code")):
                raise get_adapter().validation_error("code_already_used") from None
            raise
        attempts.clear(self.user)
        return code


class AuthenticateForm(_CountsWrongCodes, base_forms.AuthenticateForm):
    pass


class ReauthenticateForm(_CountsWrongCodes, base_forms.ReauthenticateForm):
    pass
