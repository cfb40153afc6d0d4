"""Access rows of the single sign-on addresses, and the single sign-on variants of the two-factor roles: the same
role's user with no portal password and no authenticator, signed in through DfE Sign-in (school roles) or Entra ID
(police and VRU roles) with a multi-factor claim. Every row expects of a variant what it expects of its role."""

from accounts import roles
from accounts.access_matrix import ROLE_BUILDERS as ACCOUNT_ROLE_BUILDERS
from core.access import SSO_VARIANT_SUFFIX, AccessRow

# One two-factor role per kind of organisation and provider: a school's (DfE Sign-in), the police's and the VRU's
# (Entra ID). The rule they exercise (a provider's multi-factor claim passes the one two-factor check) is the same
# for every role, and each variant adds a whole walk of the matrix (about 300 requests); another role is one line.
TWO_FACTOR_ROLES = {
    roles.HEADTEACHER: "dfe",
    roles.POLICE_OFFICER: "entra",
    roles.PROGRAMME_ADMIN: "entra",
}


def _sso_variant(role: str, provider: str):
    def build():
        from allauth.mfa.models import Authenticator
        from allauth.socialaccount.models import SocialAccount

        user = ACCOUNT_ROLE_BUILDERS[role]()
        Authenticator.objects.filter(user=user).delete()
        user.set_unusable_password()
        user.save(update_fields=["password"])
        SocialAccount.objects.create(user=user, provider=provider, uid=f"matrix-{user.pk}", extra_data={})
        return user

    return build


ROLE_BUILDERS = {
    f"{role}{SSO_VARIANT_SUFFIX}": _sso_variant(role, provider) for role, provider in TWO_FACTOR_ROLES.items()
}

SIGN_IN = 302
ROWS = [
    AccessRow(
        "sso_login",
        {"default": 404},
        kwargs=lambda: {"provider_id": "dfe"},
        notes="no provider is configured in the test settings: an unknown provider is 404 (tests/sso configure one)",
    ),
    AccessRow("sso_callback", {"default": 404}, kwargs=lambda: {"provider_id": "dfe"}),
    AccessRow("sso_reauthenticate", {"anonymous": SIGN_IN, "default": 200}),
    # allauth's own single sign-on pages, restyled in schools_portal/templates/socialaccount/.
    AccessRow("socialaccount_connections", {"anonymous": SIGN_IN, "default": 200}, notes="link and remove"),
    AccessRow("socialaccount_login_cancelled", {"default": 200}),
    AccessRow("socialaccount_login_error", {"default": 401}, notes="allauth answers its error page with 401"),
    AccessRow(
        "socialaccount_signup",
        {"anonymous": SIGN_IN, "default": 302},
        notes="only during a provider sign-in that lacks an address; otherwise back to sign in (or home)",
    ),
]
