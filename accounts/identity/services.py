"""Every write of the identity layer: API tokens, sign-out everywhere, two-factor reset and activation, view as."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.identity import attempts, mfa, tokens
from accounts.identity.permissions import can_revoke_api_token, can_view_as
from accounts.identity.roles_bridge import may_reset_two_factor, requires_two_factor
from accounts.models import ApiToken
from core.emails import email_send
from core.errors import Conflict, DomainError
from core.services import audit_record

User = get_user_model()

TOKEN_MAX_DAYS = 365


@dataclass(frozen=True)
class IssuedToken:
    """A new token and its plaintext, which exists only here: the database keeps the hash."""

    token: ApiToken
    plaintext: str


def _check_password_reentry(*, user, password: str) -> None:
    """Wrong passwords count on the account's counter of wrong secrets, shared with wrong two-factor codes."""
    if attempts.locked(user):
        raise DomainError(attempts.LOCKED_MESSAGE, field="password", code="throttled")
    if not password or not user.check_password(password):
        attempts.failed(user)
        raise DomainError("Enter your current password correctly", field="password")


def _check_code(*, user, code: str) -> None:
    """A wrong code (TOTP or recovery code) counts with wrong passwords; a right one clears the count. A right code
    that was already used is refused and counts the same, with its own message."""
    if attempts.locked(user):
        raise DomainError(attempts.LOCKED_MESSAGE, field="otp_code", code="throttled")
    if not mfa.totp_code_valid(user, code):
        attempts.failed(user)
        if mfa.totp_code_already_used(user, (code or "").replace(" ", "")):
            raise DomainError(mfa.USED_CODE_MESSAGE, field="otp_code")
        raise DomainError("The code is not correct or has already been used", field="otp_code")
    attempts.clear(user)


@transaction.atomic
def api_token_create(
    *,
    user,
    name: str,
    password: str = "",
    otp_code: str | None = None,
    days: int = 30,
    provider_confirmation: dict | None = None,
) -> IssuedToken:
    """A token needs the password re-entered (and a two-factor code when set up); someone with no portal password
    instead signs in at their provider again (`provider_confirmation`: a provider sign-in in the last few minutes,
    `two_factor` when it asserted multi-factor). Only the token's hash is kept."""
    name = (name or "").strip()
    if not name:
        raise DomainError("Enter what the token is for", field="name")
    if len(name) > 100:
        raise DomainError("Token name must be 100 characters or fewer", field="name")
    if not isinstance(days, int) or not 1 <= days <= TOKEN_MAX_DAYS:
        raise DomainError(f"A token must last between 1 and {TOKEN_MAX_DAYS} days", field="days")
    if not user.is_active:
        raise PermissionDenied
    by_provider = not user.has_usable_password()
    provider_two_factor = by_provider and bool(provider_confirmation and provider_confirmation.get("two_factor"))
    if mfa.two_factor_missing(user) and not provider_two_factor:
        raise DomainError("Set up two-factor sign-in before you create an API token", code="two_factor_required")
    if by_provider:
        if not provider_confirmation:
            raise DomainError(
                "Confirm it's you by signing in with your work account again", code="reauthentication_required"
            )
    else:
        _check_password_reentry(user=user, password=password)
    if provider_two_factor:
        pass  # the provider's fresh sign-in asserted multi-factor
    elif mfa.has_totp(user):
        if not otp_code:
            raise DomainError("Enter the code from your authenticator app", field="otp_code")
        _check_code(user=user, code=otp_code)
    else:
        attempts.clear(user)  # the password was all there was to guess
    plaintext = tokens.token_generate()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=tokens.token_prefix(plaintext),
        token_hash=tokens.token_hash(plaintext),
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_record(
        actor=user,
        verb="api_token.created",
        target=token,
        to_state="active",
        data={"prefix": token.prefix, "expires_at": token.expires_at.isoformat(), "days": days},
    )
    return IssuedToken(token=token, plaintext=plaintext)


@transaction.atomic
def api_token_revoke(*, token_id: int, actor) -> ApiToken:
    """The owner may revoke a token at any time; a revoked token never works again."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token_id)
    if not can_revoke_api_token(actor, token):
        raise PermissionDenied
    if token.revoked_at is not None:
        raise Conflict("This token has already been revoked")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, verb="api_token.revoked", target=token, from_state="active", to_state="revoked")
    return token


@transaction.atomic
def api_tokens_revoke_all(*, user, reason: str) -> int:
    """A password change or "sign out everywhere" ends every personal token of the person that still works (system
    integrations use client credentials, which are not personal); each one revoked is audited. Returns how many."""
    now = timezone.now()
    working = list(
        ApiToken.objects.select_for_update()
        .filter(user_id=user.pk, revoked_at__isnull=True, expires_at__gt=now)
        .order_by("pk")
    )
    ApiToken.objects.filter(pk__in=[token.pk for token in working]).update(revoked_at=now)
    for token in working:
        token.revoked_at = now
        audit_record(
            actor=user,
            verb="api_token.revoked",
            target=token,
            from_state="active",
            to_state="revoked",
            reason=reason,
            data={"prefix": token.prefix},
        )
    return len(working)


@transaction.atomic
def password_set(*, user, password: str) -> None:
    """A new password (changed, or reset from an emailed link) also revokes the person's API tokens: whoever knew the
    old password may have made one."""
    user.set_password(password)
    user.save()
    api_tokens_revoke_all(user=user, reason="Password changed")


def api_token_mark_used(*, token: ApiToken) -> None:
    """Record use at most every five minutes, so a busy integration does not write on every call."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def user_mark_seen(*, user) -> None:
    """`last_seen_at` has day precision (it feeds the 90-day inactivity review): at most one UPDATE a day."""
    now = timezone.now()
    start_of_today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if user.last_seen_at is not None and user.last_seen_at >= start_of_today:
        return
    User.objects.filter(pk=user.pk).filter(Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=start_of_today)).update(
        last_seen_at=now
    )
    user.last_seen_at = now


@transaction.atomic
def sessions_revoke_all(*, user) -> None:
    """Sign out everywhere: every session started before now ends on its next request, and the person's API tokens
    stop working."""
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(sessions_revoked_at=now)
    user.sessions_revoked_at = now
    audit_record(actor=user, verb="sessions.revoked", target=user, reason="Signed out everywhere")
    api_tokens_revoke_all(user=user, reason="Signed out everywhere")


@transaction.atomic
def two_factor_reset(*, user_id: int, actor, reason: str) -> User:
    """A programme admin who has checked the person's identity removes their authenticators; the person is told."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Enter how you checked who the person is", field="reason")
    if len(reason) > 1000:
        raise DomainError("Reason must be 1000 characters or fewer", field="reason")
    target = User.objects.select_for_update().get(pk=user_id)
    if not may_reset_two_factor(actor, target):
        raise PermissionDenied
    removed = list(Authenticator.objects.filter(user_id=target.pk).values_list("type", flat=True))
    if not removed:
        raise Conflict(f"{target.email} has not set up two-factor sign-in: there is nothing to reset")
    Authenticator.objects.filter(user_id=target.pk).delete()
    # Whoever holds the lost device may also hold a signed-in session: end them all.
    target.sessions_revoked_at = timezone.now()
    target.save(update_fields=["sessions_revoked_at"])
    audit_record(
        actor=actor,
        verb="two_factor.reset",
        target=target,
        from_state="set up",
        to_state="not set up",
        reason=reason,
        data={"removed": sorted(removed)},
    )
    email_send(  # sent by the task queue once this transaction commits
        to=[target.email],
        template="identity_two_factor_reset",
        context={
            "name": target.get_short_name(),
            "needs_two_factor": requires_two_factor(target),
            "sign_in_url": settings.SITE_URL.rstrip("/") + reverse("account_login"),
        },
    )
    return target


@transaction.atomic
def totp_activate(*, user, secret: str) -> Authenticator:
    """Set up TOTP with a known secret (demo users, and services that provision accounts); audited."""
    if mfa.has_totp(user):
        raise Conflict(f"{user.email} already has an authenticator app set up")
    authenticator = TOTP.activate(user, secret).instance
    audit_record(actor=None, verb="two_factor.provisioned", target=user, to_state="set up")
    return authenticator


@transaction.atomic
def view_as_start(*, actor, target_id: int, reason: str) -> User:
    """A programme admin may view the service as another user, read-only, after saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Enter why you need to view the service as this person", field="reason")
    if len(reason) > 1000:
        raise DomainError("Reason must be 1000 characters or fewer", field="reason")
    target = User.objects.get(pk=target_id)
    if not can_view_as(actor, target):
        raise PermissionDenied
    audit_record(actor=actor, verb="view_as.started", target=target, to_state="viewing", reason=reason)
    return target


@transaction.atomic
def view_as_stop(*, actor, target_id: int, ended_by: str) -> None:
    """Every view-as session leaves an end record: stopped by the admin, timed out, or no longer allowed."""
    target = User.objects.filter(pk=target_id).first()
    if target is None:
        return
    audit_record(actor=actor, verb="view_as.ended", target=target, from_state="viewing", reason=ended_by)
