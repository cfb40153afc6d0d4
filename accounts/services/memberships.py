"""School memberships and duties: the headteacher grants and removes duties and ends memberships."""

from django.db import transaction

from core.errors import Conflict, DomainError, InvalidTransition
from core.services import audit_record

from ..models import SchoolDuty, SchoolMembership, User
from ..permissions import can_end_membership, can_manage_duties
from ._common import end_record, now_or, reason_required, require


def _membership_for_update(membership_id: int) -> SchoolMembership:
    return SchoolMembership.objects.select_for_update().select_related("school", "user").get(pk=membership_id)


@transaction.atomic
def duty_grant(*, actor: User, membership_id: int, duty: str, now=None) -> SchoolDuty:
    """The headteacher gives a member of their school a duty (wand requests, Stepping Stones lead)."""
    now = now_or(now)
    membership = _membership_for_update(membership_id)
    require(can_manage_duties(actor, membership))
    if duty not in SchoolDuty.Duty.values:
        raise DomainError("Choose a duty", field="duty")
    if membership.duties.current().filter(duty=duty).exists():
        label = SchoolDuty.Duty(duty).label
        raise Conflict(f"{membership.user} already has the {label.lower()} duty", field="duty")
    record = SchoolDuty.objects.create(membership=membership, duty=duty, granted_by=actor, granted_at=now)
    audit_record(
        actor=actor,
        verb="duty.granted",
        target=record,
        to_state="current",
        data={"school_urn": membership.school_id, "user_id": membership.user_id, "duty": duty},
    )
    return record


@transaction.atomic
def duty_remove(*, actor: User, duty_id: int, reason: str = "", now=None) -> SchoolDuty:
    """The headteacher removes a duty; the record is kept, ended, with who and why."""
    now = now_or(now)
    record = SchoolDuty.objects.select_for_update().select_related("membership__school").get(pk=duty_id)
    require(can_manage_duties(actor, record.membership))
    if record.ended_at is not None:
        raise InvalidTransition("This duty has already been removed")
    end_record(
        record,
        actor=actor,
        reason=(reason or "").strip() or "Removed by the headteacher",
        verb="duty.removed",
        now=now,
        data={"school_urn": record.membership.school_id, "user_id": record.membership.user_id, "duty": record.duty},
    )
    return record


@transaction.atomic
def membership_end(*, actor: User, membership_id: int, reason: str, now=None) -> SchoolMembership:
    """End a membership with a reason; its duties end with it, and the school keeps its other staff."""
    now = now_or(now)
    membership = _membership_for_update(membership_id)
    require(can_end_membership(actor, membership))
    reason = reason_required(reason, what="Give a reason for ending this membership")
    if membership.ended_at is not None:
        raise InvalidTransition("This membership has already ended")
    for duty in membership.duties.current():
        end_record(duty, actor=actor, reason=reason, verb="duty.removed", now=now, data={"duty": duty.duty})
    school_left_without_head = (
        membership.role == SchoolMembership.Role.HEADTEACHER
        and not SchoolMembership.objects.current()
        .filter(school_id=membership.school_id, role=SchoolMembership.Role.HEADTEACHER)
        .exclude(pk=membership.pk)
        .exists()
    )
    end_record(
        membership,
        actor=actor,
        reason=reason,
        verb="membership.ended",
        now=now,
        data={
            "school_urn": membership.school_id,
            "user_id": membership.user_id,
            "role": membership.role,
            "school_without_headteacher": school_left_without_head,
        },
    )
    return membership
