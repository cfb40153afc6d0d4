"""Access reviews: roles reaching pupil or police data lapse unless confirmed every 6 months; dormant accounts close."""

from collections import defaultdict
from functools import partial

from django.db import transaction

from core.errors import InvalidTransition
from core.services import audit_record

from .. import selectors
from ..models import PoliceRole, ProgrammeRole, SchoolDuty, SchoolMembership, User
from ..permissions import can_confirm_role
from ..roles import DORMANT_AFTER_DAYS, REVIEW_PERIOD_DAYS
from . import notifications
from ._common import end_record, now_or, require

REVIEWABLE = {"duty": SchoolDuty, "police": PoliceRole, "programme": ProgrammeRole}


@transaction.atomic
def role_confirm(*, actor: User, kind: str, record_id: int, now=None):
    """The reviewer confirms a role is still needed: its 6-month clock starts again."""
    now = now_or(now)
    model = REVIEWABLE[kind]
    record = model.objects.select_for_update().get(pk=record_id)
    if kind == "duty":
        record = SchoolDuty.objects.select_related("membership").get(pk=record.pk)
    require(can_confirm_role(actor, record))
    if record.ended_at is not None:
        raise InvalidTransition("This role has already ended")
    previous = record.confirmed_at or record.granted_at
    record.confirmed_at = now
    record.confirmed_by = actor
    record.save(update_fields=["confirmed_at", "confirmed_by"])
    audit_record(
        actor=actor,
        verb="role.confirmed",
        target=record,
        from_state="current",
        to_state="current",
        data={"previously_confirmed": previous.isoformat()},
    )
    return record


@transaction.atomic
def roles_lapse_unconfirmed(*, now=None) -> int:
    """End every reviewed role nobody confirmed in the review period (audited, by the system)."""
    now = now_or(now)
    overdue = selectors.role_records_overdue(now=now)
    count = 0
    for records in overdue.values():
        for record in records:
            end_record(
                record,
                actor=None,
                reason=f"Lapsed: not confirmed at access review for {REVIEW_PERIOD_DAYS} days",
                verb="role.lapsed",
                now=now,
                lapsed=True,
            )
            count += 1
    return count


@transaction.atomic
def access_review_reminders_send(*, now=None) -> int:
    """Email each reviewer how many roles they must confirm within 14 days: headteachers for their school's
    Stepping Stones leads, programme admins for police and VRU roles. Returns how many emails were sent."""
    now = now_or(now)
    due = selectors.role_records_due_for_review(now=now)
    per_recipient: dict[tuple[str, str], int] = defaultdict(int)
    schools = defaultdict(int)
    for duty in due["duties"]:
        schools[duty.membership.school_id] += 1
    heads = (
        SchoolMembership.objects.current()
        .filter(school_id__in=schools, role=SchoolMembership.Role.HEADTEACHER, user__is_active=True)
        .select_related("user")
    )
    for head in heads:
        per_recipient[(head.user.email, head.user.get_full_name())] += schools[head.school_id]
    others = len(due["police"]) + len(due["programme"])
    if others:
        admins = (
            ProgrammeRole.objects.current()
            .filter(kind=ProgrammeRole.Kind.PROGRAMME_ADMIN, user__is_active=True)
            .select_related("user")
        )
        for admin in admins:
            per_recipient[(admin.user.email, admin.user.get_full_name())] += others
    for (email, name), count in per_recipient.items():
        transaction.on_commit(partial(notifications.access_review_due_email, email=email, name=name, count=count))
    return len(per_recipient)


@transaction.atomic
def users_deactivate_dormant(*, now=None) -> int:
    """Accounts unused for 90 days are deactivated (the person is signed out on their next request), audited."""
    now = now_or(now)
    count = 0
    for user in selectors.users_dormant(now=now).select_for_update():
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit_record(
            actor=None,
            verb="user.deactivated",
            target=user,
            from_state="active",
            to_state="inactive",
            reason=f"No sign-in for {DORMANT_AFTER_DAYS} days",
        )
        count += 1
    return count
