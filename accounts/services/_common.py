"""Helpers shared by the accounts services."""

import hashlib
import secrets

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from core.permissions import require as require  # the services' one refusal
from core.services import audit_record


def now_or(now):
    return now or timezone.now()


def absolute_url(name: str, **kwargs) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs or None)


def token_new() -> tuple[str, str]:
    """A secret for a link and the hash we store (the secret itself is never stored)."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def reason_required(reason: str, *, what: str = "Give a reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(what, field="reason")
    if len(reason) > 2000:
        raise DomainError("The reason must be 2,000 characters or fewer", field="reason")
    return reason


def end_record(record, *, actor, reason: str, verb: str, now, lapsed: bool = False, data: dict | None = None) -> None:
    """End a role record (never deleted) and audit it in the same transaction."""
    record.ended_at = now
    record.ended_by = actor if getattr(actor, "is_authenticated", False) else None
    record.end_reason = reason
    record.lapsed = lapsed
    record.save(update_fields=["ended_at", "ended_by", "end_reason", "lapsed"])
    audit_record(
        actor=actor, verb=verb, target=record, from_state="current", to_state="ended", reason=reason, data=data
    )
