"""A pupil in the programme: accepted -> enrolled -> active -> completed (each with a reason), attendance and peer
mentor."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from core.errors import DomainError, InvalidTransition
from core.permissions import require

from .. import permissions
from ..models import Progress, Referral
from ._common import MAX_STATUS_REASON, S, _actor_or_none, _audit, _clean_text, _locked, _move


@transaction.atomic
def referral_advance(*, actor, referral: Referral, to: str, reason: str = "") -> Referral:
    """Progress through the programme: accepted → enrolled → active → completed (receiving lead or coordinator),
    each move with a short reason, recorded in the audit with from → to."""
    if to not in (S.ENROLLED, S.ACTIVE, S.COMPLETED):
        raise DomainError("Choose enrolled, active or completed.", field="to")
    reason = _clean_text(
        reason,
        field_name="reason",
        label="a short reason for the change of status",
        required=True,
        max_length=MAX_STATUS_REASON,
    )
    referral = _locked(referral)
    if not permissions.can_view_referral(actor, referral):
        raise PermissionDenied
    require(permissions.can_update_progress(actor, referral))
    _move(referral, to=to, actor=actor, reason=reason)
    return referral


@transaction.atomic
def progress_update(
    *,
    actor,
    referral: Referral,
    engagement_day_attended: bool | None = None,
    summer_school_attended: bool | None = None,
    sessions_attended=None,
    peer_mentor_assigned: bool | None = None,
) -> Progress:
    """Attendance and peer mentor for a pupil with a place; None leaves a value as it is."""
    referral = _locked(referral)
    if not permissions.can_view_referral(actor, referral):
        raise PermissionDenied
    require(permissions.can_update_progress(actor, referral))
    if referral.status not in (S.ACCEPTED, S.ENROLLED, S.ACTIVE, S.COMPLETED):
        raise InvalidTransition(
            f"{referral.reference} is {referral.get_status_display().lower()}: progress is recorded once the pupil "
            "has a place."
        )
    progress, _ = Progress.objects.select_for_update().get_or_create(referral=referral)
    changed = {}
    if sessions_attended is not None and str(sessions_attended).strip() != "":
        try:
            sessions = int(sessions_attended)
        except (TypeError, ValueError):
            raise DomainError(
                "Enter the sessions attended as a whole number, like 6.", field="sessions_attended"
            ) from None
        if not 0 <= sessions <= 200:
            raise DomainError("Sessions attended must be between 0 and 200.", field="sessions_attended")
        changed["sessions_attended"] = sessions
    for name, value in (
        ("engagement_day_attended", engagement_day_attended),
        ("summer_school_attended", summer_school_attended),
        ("peer_mentor_assigned", peer_mentor_assigned),
    ):
        if value is not None:
            changed[name] = bool(value)
    before = {name: getattr(progress, name) for name in changed if getattr(progress, name) != changed[name]}
    changed = {name: value for name, value in changed.items() if name in before}
    if not changed:
        return progress  # the same answers again: nothing for the history
    for name, value in changed.items():
        setattr(progress, name, value)
    progress.updated_by = _actor_or_none(actor)
    progress.save()
    _audit(actor, "progress.updated", referral, data={**changed, "before": before})
    return progress
