"""Access rows of the identity URLs (My account, tokens, sessions, view as, two-factor reset; /api/v1/me/...).

Roles come from the accounts app's ROLE_BUILDERS; "default" covers every signed-in role not named.
"""

from core.access import AccessRow


def _someone_elses_token() -> dict:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from accounts.models import ApiToken

    owner = get_user_model().objects.create_user(email="token-owner@example.org", password="a-long-test-password")
    token = ApiToken.objects.create(
        user=owner, name="Other", prefix="lssp_other00", token_hash="0" * 64, expires_at=timezone.now()
    )
    return {"token_id": token.pk}


def _some_user() -> dict:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(email="reset-me@example.org", password="a-long-test-password")
    return {"user_id": user.pk}


SIGN_IN = 302  # anonymous visitors are sent to sign in
ROWS = [
    AccessRow("identity:account", {"anonymous": SIGN_IN, "default": 200}),
    AccessRow(
        "identity:token_create",
        {
            "anonymous": SIGN_IN,
            "default": 200,
            **dict.fromkeys(["headteacher_sso", "police_officer_sso", "programme_admin_sso"], 302),
        },
        notes="no portal password and no recent provider sign-in: confirm it's you at the provider first",
    ),
    AccessRow(
        "identity:token_revoke",
        {"anonymous": SIGN_IN, "default": 404},
        kwargs=_someone_elses_token,
        notes="nobody sees another person's token",
    ),
    AccessRow("identity:sign_out_everywhere", {"anonymous": SIGN_IN, "default": 200}),
    AccessRow("identity:session_keep_alive", {"anonymous": 401, "default": 200}),
    AccessRow("identity:session_timed_out", {"default": 200}),
    AccessRow("identity:view_as_start", {"anonymous": SIGN_IN, "default": 403, "programme_admin": 200}),
    AccessRow("identity:view_as_stop", {"anonymous": SIGN_IN, "default": 302}, notes="not viewing as: back to account"),
    AccessRow("identity:two_factor_reset", {"anonymous": SIGN_IN, "default": 403, "programme_admin": 200}),
    AccessRow(
        "identity:two_factor_setup_cancel", {"anonymous": SIGN_IN, "default": 405}, notes="POST only: forgets the key"
    ),
    AccessRow(
        "django_admin_login",
        {"anonymous": SIGN_IN, "default": 403},
        notes="the admin's login is the portal's sign-in; signed in but not staff: refused",
    ),
    AccessRow("identity-api:me", {"anonymous": 401, "default": 200}),
    AccessRow("identity-api:tokens", {"anonymous": 401, "default": 200}),
    AccessRow("identity-api:token_detail", {"anonymous": 401, "default": 404}, kwargs=_someone_elses_token),
    AccessRow(
        "identity-api:two_factor_reset",
        {"anonymous": 401, "default": 405},
        kwargs=_some_user,
        notes="POST only; non-admins get 403 on POST",
    ),
]
