"""allauth's two-factor login stage, aware of a provider's multi-factor claim."""

from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.stages import AuthenticateStage


class ProviderAwareAuthenticateStage(AuthenticateStage):
    """After a provider sign-in whose ID token asserted multi-factor (accounts.sso.adapter sets
    `request.sso_assertion`), the session's record of that sign-in gets `two_factor: True`, the hook
    `accounts.identity.mfa.session_passed_two_factor` reads, and the portal's own code step is skipped. Any other
    sign-in (a password, a provider sign-in without multi-factor) goes through allauth's stage: the code step."""

    def handle(self):
        assertion = getattr(self.request, "sso_assertion", None)
        if assertion and self.login.user is not None:
            self.request.session[assertion["session_key"]] = assertion["provider"]
            if assertion["organisation"] is not None:
                self.request.session[assertion["organisation_key"]] = assertion["organisation"]
            else:
                self.request.session.pop(assertion["organisation_key"], None)
            if assertion["two_factor"]:
                records = list(self.request.session.get(AUTHENTICATION_METHODS_SESSION_KEY) or [])
                if records and records[-1].get("method") == "socialaccount":
                    records[-1] = {**records[-1], "two_factor": True}
                    self.request.session[AUTHENTICATION_METHODS_SESSION_KEY] = records
                    return None, True
        return super().handle()
